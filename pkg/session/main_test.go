package session_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/session"
)

// TestMain builds mesos-listener once, as session.Start would, and points
// the package at it.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "session-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "mesos-listener")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/mesosnb/mesosnb/cmd/mesos-listener")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build mesos-listener: %v\n%s", err, out)
		os.Exit(1)
	}
	os.Setenv(session.EnvListener, bin)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
