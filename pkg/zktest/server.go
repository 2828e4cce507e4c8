package zktest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
)

// Server is one standalone ZooKeeper server running as a child process.
type Server struct {
	// Addr is the client address, "127.0.0.1:port". It stays the same
	// across Restart, so clients reconnect to the restarted server.
	Addr string
	// Dir holds zoo.cfg, the data directory (data/) and the log file.
	Dir string
	// LogFile is the server's output (stdout and stderr). Each start
	// appends to it, so it tells the whole story of a test.
	LogFile string

	java, classpath string

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one run of the JVM.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the JVM has exited
}

const (
	// startTimeout bounds one start when the caller's context has no
	// earlier deadline: a JVM on a loaded CI machine can take seconds,
	// but never this long unless something is wrong.
	startTimeout = 60 * time.Second
	// stopGrace is how long Stop waits after SIGTERM before SIGKILL.
	stopGrace = 5 * time.Second
	// portAttempts bounds the retries when the free port chosen for a new
	// server was taken by someone else before the JVM could bind it.
	portAttempts = 3
)

// jvmFlags keep start-up short and the footprint small: tests start many
// servers, each holding a handful of znodes.
var jvmFlags = []string{
	"-Xms16m", "-Xmx128m",
	// The serial collector starts fastest and is plenty for a tiny heap.
	"-XX:+UseSerialGC",
	// C1 only: the server never runs long enough for C2 to pay off, and
	// C2's compile threads compete with the tests for CPU.
	"-XX:TieredStopAtLevel=1",
	// Use the JDK's class-data sharing archive when there is one.
	"-Xshare:auto",
	// No hsperfdata file in /tmp per JVM.
	"-XX:-UsePerfData",
	"-Djava.net.preferIPv4Stack=true",
	"-Dzookeeper.jmx.log4j.disable=true",
	"-Dorg.slf4j.simpleLogger.showDateTime=true",
	"-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
}

// Start starts a ZooKeeper server for the test on a free loopback port with
// its data in t.TempDir(), waits until it serves, and stops it when the test
// ends. If java or ZooKeeper is missing, the test fails when the CI
// environment variable is set and is skipped otherwise, naming the apt-get
// command that installs them.
func Start(t testing.TB) *Server {
	t.Helper()
	began := time.Now()
	s, err := StartProcess(t.Context(), t.TempDir())
	if errors.Is(err, ErrNotInstalled) {
		testenv.Unavailable(t, "%v", err)
	}
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(s.Stop)
	t.Logf("zktest: ZooKeeper on %s ready in %v; log: %s", s.Addr, time.Since(began).Round(time.Millisecond), s.LogFile)
	return s
}

// StartProcess starts a ZooKeeper server on a free loopback port with its
// configuration, data and log file in dir (created if needed), and waits
// until it serves. ctx bounds the start only: the server runs until Stop.
// It is the entry point for programs; tests use Start.
//
// The error wraps ErrNotInstalled when java or ZooKeeper is missing, and
// ends with the tail of the server's log when the server failed to start.
func StartProcess(ctx context.Context, dir string) (*Server, error) {
	java, classpath, err := locate()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("zktest: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return nil, fmt.Errorf("zktest: create data directory: %w", err)
	}
	s := &Server{Dir: dir, LogFile: filepath.Join(dir, "zookeeper.log"), java: java, classpath: classpath}
	for attempt := 1; ; attempt++ {
		port, err := testenv.FreePort()
		if err != nil {
			return nil, err
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err := s.writeConfig(port); err != nil {
			return nil, err
		}
		err = s.start(ctx)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errPortTaken) || attempt == portAttempts {
			return nil, err
		}
	}
}

// URL returns the zk:// URL of path on this server, such as
// "zk://127.0.0.1:41234/mesos" for "/mesos". A path without a leading
// slash gets one.
func (s *Server) URL(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return "zk://" + s.Addr + path
}

// Stop stops the server: SIGTERM, then SIGKILL if it is still running after
// a few seconds. The data stays in Dir, so Restart brings the same tree and
// sessions back. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

// Restart stops the server if it runs and starts it again on the same port
// with the same data, as a ZooKeeper that crashed and came back would be.
// Sessions whose timeout has not passed survive it, and so do their
// ephemeral nodes.
func (s *Server) Restart(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
	return s.start(ctx)
}

func (s *Server) stopLocked() {
	p := s.proc
	if p == nil {
		return
	}
	s.proc = nil
	// Signal fails only when the JVM is already gone, which is the goal.
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// errPortTaken marks a start that failed because the port was in use.
var errPortTaken = errors.New("zktest: port already in use")

// start launches the JVM with the existing zoo.cfg and waits until the
// server answers srvr. Called with s.mu held or before s is shared.
func (s *Server) start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	logf, err := os.OpenFile(s.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("zktest: open log: %w", err)
	}
	// Remember where this run's output begins, to quote it on failure.
	logStart, _ := logf.Seek(0, io.SeekEnd)

	args := append([]string{}, jvmFlags...)
	args = append(args, "-cp", s.classpath, "org.apache.zookeeper.server.ZooKeeperServerMain", filepath.Join(s.Dir, "zoo.cfg"))
	cmd := exec.Command(s.java, args...)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	err = cmd.Start()
	// The child has its own descriptor now; ours is no longer needed.
	logf.Close()
	if err != nil {
		return fmt.Errorf("zktest: start %s: %w", s.java, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // the exit status of a stopped JVM carries no news
		close(p.done)
	}()

	if err := waitReady(ctx, s.Addr, p.done); err != nil {
		_ = cmd.Process.Kill()
		<-p.done
		tail := s.logTail(logStart)
		if strings.Contains(tail, "Address already in use") {
			err = fmt.Errorf("%w (%s)", errPortTaken, s.Addr)
		}
		return fmt.Errorf("zktest: ZooKeeper on %s did not start: %w\n--- last lines of %s ---\n%s", s.Addr, err, s.LogFile, tail)
	}
	s.proc = p
	return nil
}

// waitReady polls the srvr four-letter word until the server reports its
// mode, which it does only once it serves clients (before that it answers
// "not currently serving requests"). Each attempt is short: a connection
// made while the server is still starting can go unanswered.
func waitReady(ctx context.Context, addr string, exited <-chan struct{}) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		out, err := FourLetterWord(attempt, addr, "srvr")
		cancel()
		if err == nil && strings.Contains(out, "Mode: ") {
			return nil
		}
		select {
		case <-exited:
			return errors.New("the JVM exited")
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// FourLetterWord sends one of ZooKeeper's four-letter commands (ruok, srvr
// and stat are enabled) to addr and returns the answer, such as "imok" for
// ruok.
func FourLetterWord(ctx context.Context, addr, cmd string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("zktest: %s: %w", cmd, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := io.WriteString(conn, cmd); err != nil {
		return "", fmt.Errorf("zktest: %s: %w", cmd, err)
	}
	// The server closes the connection after its answer.
	out, err := io.ReadAll(conn)
	if err != nil {
		return "", fmt.Errorf("zktest: %s: %w", cmd, err)
	}
	return string(out), nil
}

// writeConfig writes zoo.cfg for a standalone server on port.
func (s *Server) writeConfig(port int) error {
	cfg := fmt.Sprintf(`# Written by zktest: a standalone ZooKeeper for tests, on loopback only.
# A 200 ms tick lets tests ask for sessions as short as 400 ms (two ticks)
# and see them expire quickly; maxSessionTimeout keeps Mesos' 10 s valid.
tickTime=200
minSessionTimeout=400
maxSessionTimeout=60000
dataDir=%s
clientPort=%d
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat
# No fsync per write: tests do not survive power loss, and a killed JVM still
# leaves its writes in the page cache for Restart to read.
forceSync=no
# In KiB: the 64 MiB default preallocation per transaction log adds up.
preAllocSize=1024
`, filepath.Join(s.Dir, "data"), port)
	if err := os.WriteFile(filepath.Join(s.Dir, "zoo.cfg"), []byte(cfg), 0o644); err != nil {
		return fmt.Errorf("zktest: write zoo.cfg: %w", err)
	}
	return nil
}

// logTail returns the last lines written to the log since offset.
func (s *Server) logTail(offset int64) string { return testenv.LogTail(s.LogFile, offset, 30) }
