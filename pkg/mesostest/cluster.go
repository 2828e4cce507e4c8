package mesostest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
)

// DockerMode says whether the agents get Mesos' Docker containerizer.
type DockerMode int

const (
	// DockerAuto gives the agents the Docker containerizer
	// (--containerizers=docker,mesos) when a Docker engine answers, and
	// only the Mesos containerizer otherwise. Cluster.Docker says which.
	DockerAuto DockerMode = iota
	// DockerRequired fails with ErrNoDocker when no engine answers (Start
	// then skips the test, or fails it under CI).
	DockerRequired
	// DockerOff never uses Docker: command tasks only.
	DockerOff
)

// Options shape a cluster. The zero value is one master with the
// in-memory registry and one agent like the project's clusters'.
type Options struct {
	// Agents is how many agents to start; default 1.
	Agents int
	// Resources is each agent's --resources; default
	// "cpus:4;mem:4096;disk:10240;ports:[P-P+99]" with a range of free
	// loopback ports, a different one per agent.
	Resources string
	// Attributes is each agent's --attributes; default
	// "rack:r2d2;pod:demo,dev", as on the Vagrant agent.
	Attributes string
	// Docker: see DockerMode.
	Docker DockerMode
	// ZK is a zk://host:port/path URL. With it the masters elect a leader
	// there and keep their registry in the replicated log (--quorum=1,
	// each master its own work_dir); without it there is one master with
	// the in-memory registry.
	ZK string
	// Masters is how many masters to start; default 1, or 2 with ZK.
	// More than one needs ZK.
	Masters int
	// MasterFlags and AgentFlags are added to each master's and agent's
	// command line, such as "--offer_timeout=30secs".
	MasterFlags, AgentFlags []string
}

// Cluster is real Mesos masters and agents on loopback, each a child
// process with its own folder and log under Dir.
type Cluster struct {
	Masters []*Process
	Agents  []*Process
	// Dir holds every daemon's work folder and log.
	Dir string
	// Install is the Mesos that runs.
	Install *Install
	// Docker reports whether the agents have the Docker containerizer.
	Docker bool
	// ZK is Options.ZK: the masters' zk:// URL, empty without ZooKeeper.
	ZK string
}

// Start starts a cluster for the test, in t.TempDir(), and stops it when
// the test ends; if the test failed, the end of every daemon's log is
// printed first and the logs are copied to t.ArtifactDir(). Without
// Mesos (or without Docker for DockerRequired) the test is skipped with
// the command that installs it, or fails when CI is set.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	began := time.Now()
	c, err := StartProcess(t.Context(), t.TempDir(), opts)
	if errors.Is(err, ErrNotInstalled) || errors.Is(err, ErrNoDocker) {
		testenv.Unavailable(t, "%v", err)
	}
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			c.report(t, nil)
		}
		c.Stop()
	})
	t.Logf("mesostest: %s ready in %v (masters %s; logs in %s)", c.Install.Version,
		time.Since(began).Round(time.Millisecond), strings.Join(c.MasterURLs(), ", "), c.Dir)
	return c
}

// StartProcess starts a cluster with its folders and logs in dir (created
// if needed) and waits until a master leads and every agent has
// registered with it. ctx bounds the start only; the cluster runs until
// Stop. It is the entry point for programs (benchmarks, notebooks'
// tools); tests use Start.
//
// The error wraps ErrNotInstalled when there is no runnable Mesos, and
// quotes the end of a daemon's log when one did not start.
func StartProcess(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	in, err := Find()
	if err != nil {
		return nil, err
	}
	if opts.Masters == 0 {
		opts.Masters = 1
		if opts.ZK != "" {
			opts.Masters = 2
		}
	}
	if opts.Masters > 1 && opts.ZK == "" {
		return nil, errors.New("mesostest: more than one master needs Options.ZK (a zk:// URL)")
	}
	if opts.Agents == 0 {
		opts.Agents = 1
	}
	docker := ""
	if opts.Docker != DockerOff {
		if err := testenv.PingDocker(ctx); err == nil {
			docker, _ = exec.LookPath("docker")
		}
		if docker == "" && opts.Docker == DockerRequired {
			return nil, fmt.Errorf("%w (or the docker command is missing): start it (sudo systemctl start docker)", ErrNoDocker)
		}
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("mesostest: %w", err)
	}
	c := &Cluster{Dir: dir, Install: in, Docker: docker != "", ZK: opts.ZK}
	if err := c.start(ctx, opts, docker); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// start starts the first master, waits until it leads, starts the agents
// and waits until they have registered, then starts the other masters one
// by one, each once the one before has caught up with the replicated log.
// A replica that catches up while the leader writes can abort in Mesos
// 1.11 with --quorum=1 ("Check failed: highestNackProposal >= proposal"),
// and the leader writes when it recovers and when agents register.
func (c *Cluster) start(ctx context.Context, opts Options, docker string) error {
	startMaster := func(i int) error {
		m, err := newProcess(c.Dir, fmt.Sprintf("master-%d", i), c.Install.Master, syscall.SIGTERM, 5*time.Second, func(port int) []string {
			return c.masterFlags(port, filepath.Join(c.Dir, fmt.Sprintf("master-%d", i)), opts)
		})
		if err != nil {
			return err
		}
		c.Masters = append(c.Masters, m)
		if opts.ZK != "" {
			m.restartReady = waitLogRecovered
		}
		ready := func(ctx context.Context) error { return waitHealthy(ctx, m.URL) }
		if i > 1 {
			ready = func(ctx context.Context) error { return waitLogRecovered(ctx, m.URL) }
		}
		return m.startFresh(ctx, ready)
	}
	if err := startMaster(1); err != nil {
		return err
	}
	if _, err := c.Leader(ctx); err != nil {
		return err
	}
	if err := c.startAgents(ctx, opts, docker); err != nil {
		return err
	}
	for i := 2; i <= opts.Masters; i++ {
		if err := startMaster(i); err != nil {
			return err
		}
	}
	return nil
}

// waitLogRecovered is one look at whether a master's replica of the
// replicated log has caught up: its registrar/log/recovered metric is 1.
func waitLogRecovered(ctx context.Context, base string) error {
	code, body, err := get(ctx, base+"/metrics/snapshot")
	if err != nil {
		return err
	}
	var m map[string]float64
	if code != http.StatusOK || json.Unmarshal(body, &m) != nil {
		return fmt.Errorf("GET /metrics/snapshot: %d", code)
	}
	if m["registrar/log/recovered"] != 1 {
		return errors.New("its replicated log has not caught up")
	}
	return nil
}

func (c *Cluster) startAgents(ctx context.Context, opts Options, docker string) error {
	for i := 1; i <= opts.Agents; i++ {
		resources := opts.Resources
		if resources == "" {
			first, err := testenv.FreePortRange(100)
			if err != nil {
				return err
			}
			resources = fmt.Sprintf("cpus:4;mem:4096;disk:10240;ports:[%d-%d]", first, first+99)
		}
		a, err := newProcess(c.Dir, fmt.Sprintf("agent-%d", i), c.Install.Agent, syscall.SIGUSR1, 15*time.Second, func(port int) []string {
			return c.agentFlags(port, filepath.Join(c.Dir, fmt.Sprintf("agent-%d", i)), resources, docker, opts)
		})
		if err != nil {
			return err
		}
		c.Agents = append(c.Agents, a)
		if err := a.startFresh(ctx, func(ctx context.Context) error { return waitRegistered(ctx, a.URL) }); err != nil {
			return err
		}
	}
	return c.WaitAgents(ctx, opts.Agents)
}

// masterFlags are a master's flags: loopback, its own work_dir, and the
// registry that suits one master (in memory) or several (replicated log).
func (c *Cluster) masterFlags(port int, workDir string, opts Options) []string {
	f := []string{"--ip=127.0.0.1", fmt.Sprintf("--port=%d", port), "--hostname=127.0.0.1", "--work_dir=" + workDir}
	if opts.ZK != "" {
		f = append(f, "--zk="+opts.ZK, "--quorum=1", "--registry=replicated_log")
	} else {
		f = append(f, "--registry=in_memory")
	}
	if c.Install.WebUIDir != "" {
		f = append(f, "--webui_dir="+c.Install.WebUIDir)
	}
	return append(f, opts.MasterFlags...)
}

// agentFlags are an agent's flags, as ../shared/mesos/README.md starts
// one, plus --no-docker_kill_orphans: by default an agent starting with
// the Docker containerizer stops every container on the machine whose
// name begins with mesos- (other tests' agents', localmesos'), taking
// them for its own orphans.
func (c *Cluster) agentFlags(port int, workDir, resources, docker string, opts Options) []string {
	master := c.Masters[0].Addr
	if opts.ZK != "" {
		master = opts.ZK
	}
	f := []string{"--master=" + master, "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port), "--hostname=127.0.0.1",
		"--work_dir=" + workDir, "--launcher=posix", "--isolation=posix/cpu,posix/mem", "--no-systemd_enable_support",
		"--resources=" + resources}
	attrs := opts.Attributes
	if attrs == "" {
		attrs = "rack:r2d2;pod:demo,dev"
	}
	f = append(f, "--attributes="+attrs)
	if c.Install.LauncherDir != "" {
		f = append(f, "--launcher_dir="+c.Install.LauncherDir)
	}
	if docker != "" {
		f = append(f, "--containerizers=docker,mesos", "--docker="+docker, "--no-docker_kill_orphans", "--docker_remove_delay=1secs")
	} else {
		f = append(f, "--containerizers=mesos")
	}
	if os.Geteuid() != 0 {
		f = append(f, "--no-switch_user") // only root may run tasks as their framework's user
	}
	return append(f, opts.AgentFlags...)
}

// URL is the first master's base URL, "http://127.0.0.1:port"; with
// several masters use Leader, or pass MasterURLs (or ZK) to a client.
func (c *Cluster) URL() string { return c.Masters[0].URL }

// MasterURLs are the masters' base URLs.
func (c *Cluster) MasterURLs() []string {
	var urls []string
	for _, m := range c.Masters {
		urls = append(urls, m.URL)
	}
	return urls
}

// Leader returns the master that leads, waiting (within ctx) until one
// does and has recovered its registry: it asks a running master's GET
// /redirect where the leader is, then the leader's GET /state.
func (c *Cluster) Leader(ctx context.Context) (*Process, error) {
	var leader *Process
	err := poll(ctx, func(ctx context.Context) error {
		for _, m := range c.Masters {
			if !m.Running() {
				continue
			}
			code, _, err := get(ctx, m.URL+"/redirect")
			if err != nil || code != http.StatusTemporaryRedirect {
				continue
			}
			for _, l := range c.Masters {
				if !l.Running() || !c.isLocation(ctx, m.URL, l) {
					continue
				}
				if code, _, err := get(ctx, l.URL+"/state"); err == nil && code == http.StatusOK {
					leader = l
					return nil
				}
			}
		}
		return errors.New("no master leads")
	})
	if err != nil {
		return nil, fmt.Errorf("mesostest: waiting for a leading master: %w", err)
	}
	return leader, nil
}

// isLocation says whether m's /redirect points at l.
func (c *Cluster) isLocation(ctx context.Context, m string, l *Process) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m+"/redirect", nil)
	if err != nil {
		return false
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	return err == nil && loc.Host == l.Addr
}

// WaitAgents waits until the leading master counts n active agents.
func (c *Cluster) WaitAgents(ctx context.Context, n int) error {
	err := poll(ctx, func(ctx context.Context) error {
		l, err := c.Leader(ctx)
		if err != nil {
			return err
		}
		_, body, err := get(ctx, l.URL+"/state")
		if err != nil {
			return err
		}
		var st struct {
			Activated float64 `json:"activated_slaves"`
		}
		if err := json.Unmarshal(body, &st); err != nil {
			return err
		}
		if int(st.Activated) != n {
			return fmt.Errorf("%d of %d agents active", int(st.Activated), n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mesostest: waiting for %d agents to register: %w\n%s", n, err, c.tails(nil, 15))
	}
	return nil
}

// poll calls f until it succeeds or ctx ends (within startTimeout when
// ctx has no deadline), and returns f's last error with ctx's.
func poll(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	err := testenv.Poll(ctx, 50*time.Millisecond, func() (bool, error) {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		last = f(attempt)
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("%w (last: %v)", err, last)
	}
	return nil
}

// Stop stops the agents (they kill their executors and unregister), then
// the masters, then removes whatever the agents left running: executor
// processes in their folders and Docker containers with their sandboxes.
// Dir stays; Start's cleanup removes it with the test's folder.
func (c *Cluster) Stop() {
	for _, a := range c.Agents {
		a.Stop()
	}
	for _, m := range c.Masters {
		m.Stop()
	}
	RemoveLeftovers(c.Dir)
}

// tails is the end of every daemon's log, from byte offsets (by name) on.
func (c *Cluster) tails(from map[string]int64, n int) string {
	var b strings.Builder
	for _, p := range append(append([]*Process{}, c.Masters...), c.Agents...) {
		fmt.Fprintf(&b, "--- last lines of %s ---\n%s\n", p.LogFile, p.Tail(from[p.Name], n))
	}
	return b.String()
}

// logSizes are the current lengths of the daemons' logs, by name.
func (c *Cluster) logSizes() map[string]int64 {
	sizes := map[string]int64{}
	for _, p := range append(append([]*Process{}, c.Masters...), c.Agents...) {
		sizes[p.Name] = p.logSize()
	}
	return sizes
}

// report prints the end of the logs (what was written since from) into
// the test's output and copies the logs to its artifact folder.
func (c *Cluster) report(t testing.TB, from map[string]int64) {
	t.Helper()
	t.Logf("mesostest: the test failed; the daemons' logs:\n%s", c.tails(from, 40))
	dst := t.ArtifactDir()
	for _, p := range append(append([]*Process{}, c.Masters...), c.Agents...) {
		if b, err := os.ReadFile(p.LogFile); err == nil {
			_ = os.WriteFile(filepath.Join(dst, filepath.Base(p.LogFile)), b, 0o644)
		}
	}
	t.Logf("mesostest: logs copied to %s", dst)
}
