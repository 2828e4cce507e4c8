package zktest_test

import (
	"errors"
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/go-zookeeper/zk"

	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// connect opens a ZooKeeper session on s and waits until it has one.
func connect(t *testing.T, s *zktest.Server) *zk.Conn {
	t.Helper()
	conn, events, err := zk.Connect([]string{s.Addr}, 2*time.Second, zk.WithLogger(log.New(io.Discard, "", 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return conn
			}
		case <-timeout:
			t.Fatalf("no ZooKeeper session on %s within 10s", s.Addr)
		}
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	s := zktest.Start(t)

	if !strings.HasPrefix(s.Addr, "127.0.0.1:") {
		t.Errorf("Addr = %q, want a 127.0.0.1 address", s.Addr)
	}
	if got, want := s.URL("/mesos"), "zk://"+s.Addr+"/mesos"; got != want {
		t.Errorf("URL(/mesos) = %q, want %q", got, want)
	}
	if got, want := s.URL("mesos/vagrant"), "zk://"+s.Addr+"/mesos/vagrant"; got != want {
		t.Errorf("URL(mesos/vagrant) = %q, want %q", got, want)
	}
	for cmd, want := range map[string]string{"ruok": "imok", "srvr": "Mode: standalone"} {
		out, err := zktest.FourLetterWord(t.Context(), s.Addr, cmd)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s answered %q, want it to contain %q", cmd, out, want)
		}
	}
	if _, err := os.Stat(s.LogFile); err != nil {
		t.Errorf("log file: %v", err)
	}
}

// TestRestart checks what a chaos test relies on: a restarted server is on
// the same address with the same tree, and a client session (with its
// ephemeral node) outlives the restart.
func TestRestart(t *testing.T) {
	t.Parallel()
	s := zktest.Start(t)
	conn := connect(t, s)
	if _, err := conn.Create("/kept", []byte("data"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Create("/session", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	addr := s.Addr

	if err := s.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s.Addr != addr {
		t.Errorf("Addr changed from %s to %s", addr, s.Addr)
	}
	data, _, err := conn.Get("/kept")
	if err != nil || string(data) != "data" {
		t.Errorf("after restart Get(/kept) = %q, %v; want \"data\"", data, err)
	}
	if ok, _, err := conn.Exists("/session"); err != nil || !ok {
		t.Errorf("after restart the ephemeral node exists = %v, %v; want true", ok, err)
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	s := zktest.Start(t)
	s.Stop()
	if _, err := zktest.FourLetterWord(t.Context(), s.Addr, "ruok"); err == nil {
		t.Errorf("ruok answered after Stop")
	}
	s.Stop() // a second Stop is harmless

	if err := s.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if out, err := zktest.FourLetterWord(t.Context(), s.Addr, "ruok"); err != nil || out != "imok" {
		t.Errorf("ruok after Restart = %q, %v; want imok", out, err)
	}
}

// TestStartFailureQuotesLog starts a JVM that cannot find ZooKeeper and
// expects the error to carry the JVM's complaint from the log.
func TestStartFailureQuotesLog(t *testing.T) {
	if err := zktest.Installed(); err != nil {
		testenv.Unavailable(t, "%v: %s", err, zktest.InstallCommand)
	}
	t.Setenv("ZKTEST_CLASSPATH", t.TempDir())
	_, err := zktest.StartProcess(t.Context(), t.TempDir())
	if err == nil {
		t.Fatal("StartProcess succeeded without ZooKeeper on the classpath")
	}
	if !strings.Contains(err.Error(), "ZooKeeperServerMain") {
		t.Errorf("error does not quote the log: %v", err)
	}
}

func TestNotInstalled(t *testing.T) {
	t.Setenv("JAVA_HOME", t.TempDir())
	err := zktest.Installed()
	if !errors.Is(err, zktest.ErrNotInstalled) {
		t.Fatalf("Installed() = %v, want ErrNotInstalled", err)
	}
	if !strings.Contains(err.Error(), zktest.InstallCommand) {
		t.Errorf("error does not say how to install: %v", err)
	}
}
