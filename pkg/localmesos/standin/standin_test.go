package standin_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/internal/proc"
	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos/standin"
)

// TestStandInThatExitsAtStart: a stand-in that exits at once is reported
// with what it said, never announced as started; one whose address is
// taken is refused before it starts, naming the address.
func TestStandInThatExitsAtStart(t *testing.T) {
	t.Setenv(standin.EnvSessionDir, t.TempDir())
	broken := filepath.Join(t.TempDir(), "localmesos")
	script := "#!/bin/sh\necho 'localmesos: zk://127.0.0.1:1/mesos: ZooKeeper unreachable' >&2\nexit 1\n"
	if err := os.WriteFile(broken, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv(standin.EnvLocalMesos, broken)
	_, err := standin.Start(context.Background(), "exits", "--master-addr="+testenv.Addr(t))
	if err == nil || !strings.Contains(err.Error(), "exited at start") || !strings.Contains(err.Error(), "ZooKeeper unreachable") {
		t.Fatalf("Start of a stand-in that exits: %v", err)
	}
	if _, ok := standin.Find("exits"); ok {
		t.Error("the stand-in that exited is found running")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = standin.Start(context.Background(), "taken", "--master-addr="+ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Fatalf("Start on a taken address: %v", err)
	}
}

// TestStalePIDIsNotAStandIn: a pid file left from before a reboot, naming
// a process that lives but is not the stand-in (here: this test), is
// never taken for it, so Stop never signals a stranger.
func TestStalePIDIsNotAStandIn(t *testing.T) {
	root := t.TempDir()
	t.Setenv(standin.EnvSessionDir, root)
	dir := filepath.Join(root, "standins", "stale")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "url"), []byte("http://127.0.0.1:1\n"), 0o600)
	if s, ok := standin.Find("stale"); ok {
		t.Fatalf("a stale pid file (pid %d, alive, unlocked) is found as a running stand-in", s.PID)
	}
}

// TestStartFindStop: a real localmesos started detached is found from
// "another cell", and Stop ends it.
func TestStartFindStop(t *testing.T) {
	t.Setenv(standin.EnvSessionDir, t.TempDir())
	addr := testenv.Addr(t)
	s, err := standin.Start(t.Context(), "real", "--master-addr="+addr, "--agent-addr="+testenv.Addr(t), "--runner=simulated")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) })
	found, ok := standin.Find("real")
	if !ok || found.PID != s.PID || found.URL != "http://"+addr {
		t.Fatalf("Find = %+v, %v; want pid %d at %s", found, ok, s.PID, addr)
	}
	if err := found.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, ok := standin.Find("real"); ok || proc.Alive(s.PID) {
		t.Fatal("the stopped stand-in is still found, or its process lives")
	}
}
