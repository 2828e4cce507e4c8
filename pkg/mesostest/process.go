package mesostest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
)

// Process is one mesos-master or mesos-agent running as a child process.
type Process struct {
	// Name is "master-1", "agent-2"...: also the name of its folders.
	Name string
	// Addr is "127.0.0.1:port"; it stays the same across Stop and Start.
	Addr string
	// URL is "http://" + Addr.
	URL string
	// WorkDir is the daemon's --work_dir.
	WorkDir string
	// LogFile is the daemon's output (glog writes to stderr). Each start
	// appends to it.
	LogFile string

	binary string
	flags  func(port int) []string
	env    []string // added to the daemon's environment
	// stopSignal is SIGTERM for a master; SIGUSR1 for an agent, which
	// then kills its executors and unregisters before it exits.
	stopSignal syscall.Signal
	grace      time.Duration
	// restartReady says when a restarted daemon serves (Start); nil means
	// when GET /health answers 200.
	restartReady func(ctx context.Context, base string) error

	mu   sync.Mutex
	proc *child
}

type child struct {
	cmd  *exec.Cmd
	done chan struct{}
}

const (
	// startTimeout bounds one start when ctx has no earlier deadline.
	startTimeout = 90 * time.Second
	// startAttempts bounds the starts that failed for a passing reason: a
	// port taken, or another agent's container gone mid-recovery.
	startAttempts = 5
)

// errPortTaken marks a start that failed because its port was in use.
var errPortTaken = errors.New("mesostest: port already in use")

// errDockerRace marks an agent that exited during recovery because a
// container named mesos-… vanished between its "docker ps -a" and its
// "docker inspect": Mesos 1.11 fails the whole recovery then, even in a
// fresh work_dir, and other agents (and localmesos) on the machine remove
// such containers all the time. Starting it again is the cure.
var errDockerRace = errors.New("mesostest: another agent's container vanished while this agent listed them")

// newProcess prepares a daemon in dir/name without starting it.
func newProcess(dir, name, binary string, stop syscall.Signal, grace time.Duration, flags func(port int) []string) (*Process, error) {
	p := &Process{Name: name, WorkDir: filepath.Join(dir, name), LogFile: filepath.Join(dir, name+".log"),
		binary: binary, flags: flags, stopSignal: stop, grace: grace}
	if err := os.MkdirAll(p.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("mesostest: %w", err)
	}
	return p, nil
}

// startFresh starts the daemon on a free port, and again (on another
// port) when someone took that port first or it lost the Docker race.
func (p *Process) startFresh(ctx context.Context, ready func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		port, err := testenv.FreePort()
		if err != nil {
			return err
		}
		p.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		p.URL = "http://" + p.Addr
		err = p.start(ctx, ready)
		passing := errors.Is(err, errPortTaken) || errors.Is(err, errDockerRace)
		if err == nil || !passing || attempt == startAttempts {
			return err
		}
	}
}

// Start starts a stopped daemon again on the same port with the same work
// folder, and waits until it serves: a master recovers its registry (the
// replicated log keeps it, and Start waits until its replica has caught
// up; the in-memory one forgets), an agent registers afresh. Starting a
// running daemon does nothing.
func (p *Process) Start(ctx context.Context) error {
	p.mu.Lock()
	running := p.proc != nil
	p.mu.Unlock()
	if running {
		return nil
	}
	if p.stopSignal == syscall.SIGUSR1 {
		// An agent stopped with SIGUSR1 has unregistered; its checkpoint
		// would make it try to come back as the agent the master removed.
		os.Remove(filepath.Join(p.WorkDir, "meta", "slaves", "latest"))
	}
	ready := p.restartReady
	if ready == nil {
		ready = waitHealthy
	}
	return p.start(ctx, func(ctx context.Context) error { return ready(ctx, p.URL) })
}

func (p *Process) start(ctx context.Context, ready func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	port, _ := strconv.Atoi(p.Addr[strings.LastIndexByte(p.Addr, ':')+1:])

	logf, err := os.OpenFile(p.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("mesostest: open log: %w", err)
	}
	logStart, _ := logf.Seek(0, io.SeekEnd)
	args := p.flags(port)
	fmt.Fprintf(logf, "mesostest: %s\n", strings.Join(append(append(append([]string{}, p.env...), p.binary), args...), " "))
	cmd := exec.Command(p.binary, args...)
	cmd.Dir = p.WorkDir
	cmd.Env = append(childEnv(), p.env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	err = cmd.Start()
	logf.Close()
	if err != nil {
		return fmt.Errorf("mesostest: start %s: %w", p.binary, err)
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // a stopped daemon's exit status carries no news
		close(c.done)
	}()
	p.mu.Lock()
	p.proc = c
	p.mu.Unlock()

	err = waitFor(ctx, c.done, ready)
	if err == nil {
		return nil
	}
	p.Stop()
	tail := p.Tail(logStart, 30)
	switch {
	case strings.Contains(tail, "Address already in use"):
		err = fmt.Errorf("%w (%s)", errPortTaken, p.Addr)
	case strings.Contains(tail, "Docker ps batch failed"):
		err = fmt.Errorf("%w: %v", errDockerRace, err)
	}
	return fmt.Errorf("mesostest: %s on %s did not start: %w\n--- last lines of %s ---\n%s", p.Name, p.Addr, err, p.LogFile, tail)
}

// childEnv is this process's environment without MESOS_* and
// LIBPROCESS_* variables: Mesos reads those as flags, and a notebook's
// MESOS_MASTER must not become a daemon's setting.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MESOS_") || strings.HasPrefix(kv, "LIBPROCESS_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// waitFor polls ready until it succeeds, the daemon exits or ctx ends.
func waitFor(ctx context.Context, exited <-chan struct{}, ready func(context.Context) error) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		last = ready(attempt)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("it exited")
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-tick.C:
		}
	}
}

// Running reports whether the daemon's process is alive.
func (p *Process) Running() bool {
	p.mu.Lock()
	c := p.proc
	p.mu.Unlock()
	if c == nil {
		return false
	}
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// Stop stops the daemon: a master with SIGTERM; an agent with SIGUSR1,
// which kills its executors and unregisters it. SIGKILL follows when it
// has not exited within a few seconds. Stopping a stopped daemon does
// nothing.
func (p *Process) Stop() {
	p.mu.Lock()
	c := p.proc
	p.proc = nil
	p.mu.Unlock()
	if c == nil {
		return
	}
	_ = c.cmd.Process.Signal(p.stopSignal)
	select {
	case <-c.done:
	case <-time.After(p.grace):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// Kill ends the daemon at once with SIGKILL, as a crash would: an agent's
// executors live on and its Docker containers keep running (Cluster.Stop
// removes them).
func (p *Process) Kill() {
	p.mu.Lock()
	c := p.proc
	p.proc = nil
	p.mu.Unlock()
	if c == nil {
		return
	}
	_ = c.cmd.Process.Kill()
	<-c.done
}

// Tail returns the last lines (at most n) written to the log since the
// byte offset from.
func (p *Process) Tail(from int64, n int) string { return testenv.LogTail(p.LogFile, from, n) }

// logSize is the log's current length: where the next run's lines begin.
func (p *Process) logSize() int64 {
	fi, err := os.Stat(p.LogFile)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// httpClient follows no redirects: a master that does not lead answers
// 307, which is an answer, not a hop.
var httpClient = &http.Client{
	Timeout:       5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// get fetches url and returns its status and body.
func get(ctx context.Context, url string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, body, err
}

// waitHealthy is one look at GET /health.
func waitHealthy(ctx context.Context, base string) error {
	code, _, err := get(ctx, base+"/health")
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("GET /health: %d", code)
	}
	return nil
}

// waitRegistered is one look at whether an agent has registered: its
// /state carries the id the master gave it. An agent answers /health
// before its recovery is over, so that alone would miss one that exits.
func waitRegistered(ctx context.Context, base string) error {
	code, body, err := get(ctx, base+"/state")
	if err != nil {
		return err
	}
	var st struct {
		ID string `json:"id"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &st) != nil {
		return fmt.Errorf("GET /state: %d", code)
	}
	if st.ID == "" {
		return errors.New("not registered yet")
	}
	return nil
}

// PID is the daemon's process id, 0 while it is stopped.
func (p *Process) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.proc == nil {
		return 0
	}
	return p.proc.cmd.Process.Pid
}
