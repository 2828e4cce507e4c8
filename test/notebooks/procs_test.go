//go:build unix

package notebooks_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos/standin"

	"github.com/mesosnb/mesosnb/pkg/session"
)

// Jupyter starts each kernel in a session of its own, so killing nbconvert
// or the notebook server does not reach it, and GoNB does not notice that
// its parent is gone. The tests therefore give Jupyter a runtime folder of
// their own (JUPYTER_RUNTIME_DIR): every kernel they cause is started with
// a connection file in it, which is how stopKernels finds the ones left.

// stopKernels ends the processes whose command line names a file in
// runtimeDir (kernels started for this test that are still running), by
// their pids: SIGTERM, then SIGKILL after a few seconds. It reads /proc,
// so elsewhere than on Linux it does nothing.
func stopKernels(t testing.TB, runtimeDir string) {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	needle := []byte(filepath.Clean(runtimeDir) + string(filepath.Separator))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, needle) {
			continue
		}
		t.Logf("kernel process %d (%s) still running: stopping it", pid, bytes.ReplaceAll(bytes.TrimRight(cmdline, "\x00"), []byte{0}, []byte{' '}))
		stopPID(pid, 5*time.Second)
	}
}

// stopPID sends SIGTERM to pid, and SIGKILL if it is still there after
// grace.
func stopPID(pid int, grace time.Duration) {
	if syscall.Kill(pid, syscall.SIGTERM) != nil {
		return
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// stopSessions stops what the notebooks left running under sessions (a
// MESOSNB_SESSION_DIR): the stand-in masters in sessions/standins, found
// with standin.Find, and the listeners of the session folders. The
// notebooks stop them themselves in their last cells; this is for a run
// that failed half-way, and it logs what it had to stop.
func stopSessions(t testing.TB, sessions string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// FindStandIn reads MESOSNB_SESSION_DIR from this process's
	// environment, the way a notebook cell does.
	restore := setenv(session.EnvSessionDir, sessions)
	defer restore()
	standins, _ := os.ReadDir(filepath.Join(sessions, "standins"))
	for _, e := range standins {
		s, ok := standin.Find(e.Name())
		if !ok {
			continue
		}
		t.Logf("stand-in %s (pid %d) still running: stopping it", s.Name, s.PID)
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop stand-in %s: %v", s.Name, err)
		}
	}
	folders, _ := os.ReadDir(sessions)
	for _, e := range folders {
		if !e.IsDir() || e.Name() == "standins" {
			continue
		}
		s, err := session.Open(session.Options{Name: e.Name(), Dir: filepath.Join(sessions, e.Name())})
		if err != nil {
			continue
		}
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop the listener of session %s: %v", e.Name(), err)
		}
	}
}

// setenv sets an environment variable of this process and returns what
// puts the old value back. The tests of this package do not run in
// parallel, so the change is seen by no one else.
func setenv(key, value string) (restore func()) {
	old, had := os.LookupEnv(key)
	os.Setenv(key, value)
	return func() {
		if had {
			os.Setenv(key, old)
		} else {
			os.Unsetenv(key)
		}
	}
}

// leftBehind lists what the tests left of theirs: processes started from
// the scratch folder (a listener's --dir, a kernel's connection file, the
// sessions folder or TMPDIR in a process's environment) that still run,
// which it then stops, and GoNB build folders in the scratch TMPDIR, which
// a kernel shut down properly removes itself.
func leftBehind(dir string) []string {
	var left []string
	needle := []byte(filepath.Clean(dir) + string(filepath.Separator))
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		environ, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if !bytes.Contains(cmdline, needle) && !bytes.Contains(environ, needle) {
			continue
		}
		if stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); bytes.Contains(stat, []byte(") Z ")) {
			continue // a zombie: already gone, waiting to be reaped
		}
		left = append(left, fmt.Sprintf("process %d: %s", pid, bytes.ReplaceAll(bytes.TrimRight(cmdline, "\x00"), []byte{0}, []byte{' '})))
		stopPID(pid, 5*time.Second)
	}
	tmp, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	for _, e := range tmp {
		if strings.HasPrefix(e.Name(), "gonb_") {
			left = append(left, "GoNB build folder "+e.Name())
		}
	}
	return left
}
