// Package testenv is what the project's tests and tools share about the
// machine they run on: free loopback ports, polling until something
// holds, a buffer for a program's output, and the one rule for a missing
// dependency.
//
// The rule: a test that needs ZooKeeper, Docker, Jupyter, Chromium or a
// real Mesos and does not find it is skipped with the command that
// installs it, except when the CI environment variable is set. Under CI
// nothing may be skipped, so the same test fails: CI cannot pass without
// having exercised the real thing.
//
//	port := testenv.Port(t)                       // a loopback port free a moment ago
//	testenv.Eventually(t, 10*time.Second, "the agent registers", registered)
//	docker := testenv.RequireTool(t, "docker", "it builds an image")
//	testenv.RequireDocker(t)                      // an engine that answers
//	var out testenv.Buffer                        // a program's output, read while it writes
package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// InCI reports whether the CI environment variable is set: then nothing
// may be skipped.
func InCI() bool { return os.Getenv("CI") != "" }

// Unavailable skips the test because something it needs is missing, or
// fails it under CI. The message should say what is missing and the
// command that installs or starts it.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s (CI is set, so this test may not skip)", msg)
	}
	t.Skip(msg)
}

// RequireTool returns the path of a command on PATH, or calls Unavailable
// saying why the test needs it.
func RequireTool(t testing.TB, name, why string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, "%s is not installed, and %s", name, why)
	}
	return path
}

// dockerPing is the one look for a Docker engine per test binary.
var dockerPing = sync.OnceValue(func() error { return PingDocker(context.Background()) })

// RequireDocker makes sure a Docker engine answers on its socket, or
// calls Unavailable.
func RequireDocker(t testing.TB) {
	t.Helper()
	if err := dockerPing(); err != nil {
		Unavailable(t, "no Docker engine answers (%v): start it (sudo systemctl start docker)", err)
	}
}

// PingDocker asks the engine at DOCKER_HOST (a unix:// socket), else at
// /var/run/docker.sock, for GET /_ping, within five seconds.
func PingDocker(ctx context.Context) error {
	sock := "/var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		p, ok := strings.CutPrefix(h, "unix://")
		if !ok {
			return fmt.Errorf("DOCKER_HOST=%s: only unix:// sockets are supported", h)
		}
		sock = p
	}
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("docker engine at %s: %w", sock, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("docker engine at %s: GET /_ping: %s", sock, resp.Status)
	}
	return nil
}

// FreePort asks the kernel for a loopback TCP port nobody listens on right
// now. Someone may take it before the caller binds it; callers that start
// a server on it should retry on "address already in use".
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Port is FreePort for a test: it fails the test when none is found.
func Port(t testing.TB) int {
	t.Helper()
	p, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Addr is "127.0.0.1:<Port(t)>".
func Addr(t testing.TB) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(Port(t))
}

// FreePortRange finds n consecutive loopback ports nobody listens on, for
// an agent's ports resource. The search ends below Linux's ephemeral ports
// (32768 and up), which outgoing connections take at random, and starts
// above the 9000-10000 that the project's clusters offer by default. It
// starts at a random slot, so that two tests asking at the same moment
// (before either binds) are unlikely to get the same range.
func FreePortRange(n int) (first int, err error) {
	if n <= 0 || n > 32000-21000 {
		return 0, fmt.Errorf("no range of %d ports between 21000 and 32000", n)
	}
	slots := (32000 - 21000) / n
	start := rand.IntN(slots)
	for i := range slots {
		base := 21000 + (start+i)%slots*n
		busy := false
		for p := base; p < base+n && !busy; p++ {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				busy = true
				continue
			}
			ln.Close()
		}
		if !busy {
			return base, nil
		}
	}
	return 0, errors.New("no range of free loopback ports between 21000 and 32000")
}

// Eventually polls cond every 10ms until it holds, and fails the test if
// it does not within d. what names the condition in the failure.
func Eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := Poll(ctx, 10*time.Millisecond, func() (bool, error) { return cond(), nil }); err != nil {
		t.Fatalf("%s: not within %v", what, d)
	}
}

// Poll calls cond every interval until it holds, returns an error, or ctx
// ends (then ctx's error).
func Poll(ctx context.Context, interval time.Duration, cond func() (bool, error)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ok, err := cond()
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// LogTail is the last n lines of a log file written after offset (at
// most 16 KiB of them), for a failure message: what a test server said
// since it started.
func LogTail(path string, offset int64, n int) string {
	const maxBytes = 16 << 10
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	if offset <= int64(len(b)) {
		b = b[offset:]
	}
	if len(b) > maxBytes {
		b = b[len(b)-maxBytes:]
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Buffer collects what a program under test writes (its log, its stdout)
// from goroutines of its own, for the test to read while it runs or
// after: a bytes.Buffer behind a lock.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
