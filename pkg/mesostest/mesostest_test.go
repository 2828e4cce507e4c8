package mesostest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

func TestStart(t *testing.T) {
	t.Parallel()
	c := mesostest.Start(t, mesostest.Options{Agents: 2, Attributes: "rack:r1", Docker: mesostest.DockerOff})
	op, err := operator.New(operator.Config{Master: c.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	v, err := op.Version(t.Context())
	if err != nil || v.Version != "1.11.0" {
		t.Fatalf("GET_VERSION %+v, %v; want 1.11.0", v, err)
	}
	agents, err := op.Agents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(agents.Agents) != 2 {
		t.Fatalf("%d agents, want 2", len(agents.Agents))
	}
	ranges := map[string]bool{}
	for _, a := range agents.Agents {
		if len(a.AgentInfo.Attributes) != 1 || a.AgentInfo.Attributes[0].Name != "rack" {
			t.Errorf("agent attributes %+v, want rack:r1", a.AgentInfo.Attributes)
		}
		ranges[fmt.Sprint(mesos.Resources(a.TotalResources).Ports())] = true
	}
	if len(ranges) != 2 {
		t.Errorf("the agents offer the same ports: %v", ranges)
	}
	for _, p := range append(c.Masters, c.Agents...) {
		if !strings.HasPrefix(p.Addr, "127.0.0.1:") || !strings.HasPrefix(p.WorkDir, c.Dir) {
			t.Errorf("%s on %s in %s, want loopback and a folder in %s", p.Name, p.Addr, p.WorkDir, c.Dir)
		}
	}
	if c.Docker {
		t.Error("DockerOff, yet the agents have the Docker containerizer")
	}
}

// TestStopLeavesNothing crashes the agent (SIGKILL) while it runs a
// command task and, with Docker, a container: its executors and the
// container outlive it, and Stop must remove them, and only them.
func TestStopLeavesNothing(t *testing.T) {
	t.Parallel()
	c := mesostest.Start(t, mesostest.Options{})
	image := ""
	if c.Docker {
		image = mesostest.NeedDemoImage(t)
	}
	sched, err := scheduler.New(scheduler.Config{Master: c.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer sched.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	sub, err := sched.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	want := 1
	for ev, err := range sub.Events() {
		if err != nil {
			t.Fatal(err)
		}
		switch ev.Type {
		case mesos.EventOffers:
			if running > 0 || want > 1 {
				continue
			}
			o := ev.Offers.Offers[0]
			tasks := []mesos.TaskInfo{{Name: "sleep", TaskID: mesos.TaskID{Value: "sleep"}, AgentID: o.AgentID,
				Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 600"}}}
			if image != "" {
				port := firstPort(o)
				tasks = append(tasks, mesos.TaskInfo{Name: "web", TaskID: mesos.TaskID{Value: "web"}, AgentID: o.AgentID,
					Resources: mesos.TaskResources(0.1, 32, port), Command: &mesos.CommandInfo{Shell: new(bool)},
					Container: &mesos.ContainerInfo{Type: mesos.ContainerDocker, Docker: &mesos.DockerInfo{Image: image, Network: mesos.NetworkBridge,
						PortMappings: []mesos.PortMapping{{HostPort: uint32(port), ContainerPort: 80}}}}})
				want = 2
			}
			if err := sched.Accept(ctx, []mesos.OfferID{o.ID}, []mesos.Operation{mesos.LaunchOp(tasks...)}, nil); err != nil {
				t.Fatal(err)
			}
		case mesos.EventUpdate:
			st := ev.Update.Status
			if len(st.UUID) > 0 {
				if err := sched.Acknowledge(ctx, st); err != nil {
					t.Fatal(err)
				}
			}
			if st.State.Terminal() {
				t.Fatalf("task %s: %s %s", st.TaskID.Value, st.State, st.Message)
			}
			if st.State == mesos.TaskRunning {
				running++
			}
		}
		if running == want {
			break
		}
	}
	t.Logf("running: %d tasks (Docker: %v)", running, c.Docker)
	if len(processesIn(t, c.Dir)) < 3 { // master, agent, executors...
		t.Fatalf("no executor runs in %s", c.Dir)
	}
	c.Agents[0].Kill()
	if n := len(processesIn(t, c.Dir)); n < 2 {
		t.Fatalf("after the agent's crash %d processes run in %s, want its executors and the master", n, c.Dir)
	}
	if image != "" && len(containersOf(t, c.Dir)) == 0 {
		t.Fatal("no container left after the agent's crash")
	}
	c.Stop()
	if left := processesIn(t, c.Dir); len(left) > 0 {
		t.Errorf("processes still running in %s after Stop: %v", c.Dir, left)
	}
	if left := containersOf(t, c.Dir); len(left) > 0 {
		t.Errorf("containers left after Stop: %v", left)
	}
}

func firstPort(o mesos.Offer) uint64 {
	for _, r := range o.Resources {
		if r.Name == "ports" && r.Ranges != nil && len(r.Ranges.Range) > 0 {
			return r.Ranges.Range[0].Begin
		}
	}
	return 0
}

// processesIn lists the command lines of the processes working in dir.
func processesIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		testenv.Unavailable(t, "this test lists the cluster's processes through /proc, which this system lacks: %v", err)
	}
	var out []string
	for _, e := range entries {
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || !strings.HasPrefix(cwd, dir+"/") {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out = append(out, e.Name()+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return out
}

// containersOf lists the containers that mount something from dir.
func containersOf(t *testing.T, dir string) []string {
	t.Helper()
	out, err := exec.Command("docker", "ps", "-aq").Output()
	if err != nil {
		t.Fatal(err)
	}
	var ours []string
	for _, id := range strings.Fields(string(out)) {
		m, err := exec.Command("docker", "inspect", "--format", "{{.Name}}{{range .Mounts}} {{.Source}}{{end}}", id).Output()
		if err == nil && strings.Contains(string(m), " "+dir+"/") {
			ours = append(ours, strings.TrimSpace(string(m)))
		}
	}
	return ours
}

// TestZooKeeperFailover: two masters in one ZooKeeper; the leader stops,
// the other takes over and the agent registers with it.
func TestZooKeeperFailover(t *testing.T) {
	t.Parallel()
	zk := zktest.Start(t)
	// A short ZooKeeper session: the stopped leader's node goes in 2 s, not 10.
	c := mesostest.Start(t, mesostest.Options{ZK: zk.URL("/mesos"), Docker: mesostest.DockerOff, MasterFlags: []string{"--zk_session_timeout=2secs"}})
	if len(c.Masters) != 2 {
		t.Fatalf("%d masters, want 2", len(c.Masters))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	first, err := c.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	op, err := operator.New(operator.Config{Master: zk.URL("/mesos")})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	if m, err := op.Master(ctx); err != nil || m.MasterInfo.Address == nil || m.MasterInfo.HostPort() != first.Addr {
		t.Fatalf("the operator client, through ZooKeeper, reached %+v (%v); want the leader %s", m, err, first.Addr)
	}
	first.Stop()
	second, err := c.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatalf("%s still leads after Stop", first.Name)
	}
	if err := c.WaitAgents(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if l, err := c.Leader(ctx); err != nil || l != second {
		t.Fatalf("after the old leader came back, %v leads (%v); want %s", l, err, second.Name)
	}
}

func TestNotInstalled(t *testing.T) {
	t.Setenv("MESOS_HOME", t.TempDir())
	_, err := mesostest.Find()
	if !errors.Is(err, mesostest.ErrNotInstalled) {
		t.Fatalf("Find() = %v, want ErrNotInstalled", err)
	}
	if !strings.Contains(err.Error(), mesostest.InstallCommand) {
		t.Errorf("the error does not say how to get Mesos: %v", err)
	}
}

// TestFindOnPath: the aventer-mesos layout, mesos-master on PATH in a
// prefix's sbin, with libexec/mesos and share/mesos/webui beside it.
func TestFindOnPath(t *testing.T) {
	in, err := mesostest.Find()
	if err != nil {
		testenv.Unavailable(t, "%v", err)
	}
	prefix := t.TempDir()
	for _, l := range []struct{ link, target string }{
		{"sbin/mesos-master", in.Master}, {"sbin/mesos-agent", in.Agent},
		{"libexec/mesos", in.LauncherDir}, {"share/mesos/webui", in.WebUIDir},
	} {
		p := filepath.Join(prefix, l.link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		// The binaries are copied (a symlink would lead back to the
		// install's own prefix); the folders are linked.
		if strings.HasPrefix(l.link, "sbin/") {
			b, err := os.ReadFile(l.target)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.Symlink(l.target, p); err != nil {
			t.Fatal(err)
		}
	}
	// The copies find libmesos through $ORIGIN/../lib.
	if err := os.Symlink(filepath.Join(in.Home, "lib"), filepath.Join(prefix, "lib")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MESOS_HOME", "")
	t.Setenv("PATH", filepath.Join(prefix, "sbin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	got, err := mesostest.Find()
	if err != nil {
		t.Fatal(err)
	}
	if got.From != "PATH" || got.Home != prefix || got.LauncherDir != filepath.Join(prefix, "libexec", "mesos") ||
		got.WebUIDir != filepath.Join(prefix, "share", "mesos", "webui") || got.Version != in.Version {
		t.Fatalf("Find() = %+v, want the layout under %s", got, prefix)
	}
}
