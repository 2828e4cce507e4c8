package leader_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// nodeFromBlog is a json.info_ node as a Mesos 1.0.0 master wrote it
// (reference §4.1), byte for byte.
const nodeFromBlog = `{"address":{"hostname":"mesos-master","ip":"192.168.33.10","port":5050},` +
	`"hostname":"mesos-master","id":"7eb34f10-b07c-4921-aece-bbaece09dfd1",` +
	`"ip":169978048,"pid":"master@192.168.33.10:5050","port":5050,"version":"1.0.0"}`

func TestLeaderDecodesMesosNode(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	conn := dialZK(t, s.Addr, 10*time.Second)
	createNode(t, conn, path, "json.info", []byte(nodeFromBlog))

	info, err := leader.Lookup(t.Context(), mustParse(t, s.URL(path)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "7eb34f10-b07c-4921-aece-bbaece09dfd1" || info.Version != "1.0.0" {
		t.Errorf("Lookup = %+v", info)
	}
	if got := info.IPString(); got != "192.168.33.10" {
		t.Errorf("IPString() = %s, want 192.168.33.10", got)
	}
	if got := info.HostPort(); got != "192.168.33.10:5050" {
		t.Errorf("HostPort() = %s, want 192.168.33.10:5050", got)
	}
}

func TestLeaderIsLowestSequence(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	startMaster(t, s.Addr, path, vagrantInfo("first"))
	startMaster(t, s.Addr, path, vagrantInfo("second"))
	startMaster(t, s.Addr, path, vagrantInfo("third"))

	d := connect(t, mustParse(t, s.URL(path)), nil)
	for range 3 { // asking again reuses the session
		info, err := d.Leader(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.ID != "first" {
			t.Errorf("leader = %s, want first", info.ID)
		}
	}
}

// TestSkipsOtherChildren puts a legacy binary info_ node (with a lower
// sequence number) and the registry's log_replicas beside the JSON node.
func TestSkipsOtherChildren(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	conn := dialZK(t, s.Addr, 10*time.Second)
	ensurePath(t, conn, path+"/log_replicas")
	legacy := createNode(t, conn, path, "info", []byte("\x08\x01\x12\x04binary protobuf"))
	if _, err := conn.Create(path+"/json.info_notanumber", []byte(nodeFromBlog), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	d := connect(t, mustParse(t, s.URL(path)), nil)

	_, err := d.Leader(t.Context())
	if !errors.Is(err, leader.ErrNoMaster) {
		t.Fatalf("with only legacy nodes: %v, want ErrNoMaster", err)
	}
	if !strings.Contains(err.Error(), "legacy") {
		t.Errorf("the error does not mention the skipped legacy node: %v", err)
	}

	startMaster(t, s.Addr, path, vagrantInfo("json"))
	info, err := d.Leader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "json" {
		t.Errorf("leader = %s, want json (the legacy %s has a lower number)", info.ID, legacy)
	}
}

func TestLeaderErrors(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	base := groupPath(t)
	conn := dialZK(t, s.Addr, 10*time.Second)
	ensurePath(t, conn, base+"/empty")
	createNode(t, conn, base+"/garbage", "json.info", []byte("not json {"))
	createNode(t, conn, base+"/noaddress", "json.info", []byte(`{"id":"x","version":"1.11.0"}`))

	for _, tc := range []struct {
		path string
		want error
	}{
		{base + "/missing", leader.ErrNoPath},
		{base + "/empty", leader.ErrNoMaster},
		{base + "/garbage", leader.ErrBadNode},
		{base + "/noaddress", leader.ErrBadNode},
	} {
		_, err := leader.Lookup(t.Context(), mustParse(t, s.URL(tc.path)), nil)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.path, err, tc.want)
		}
	}
}

// TestUnreachable checks that a ZooKeeper that refuses connections, or one
// that accepts them and never answers, gives ErrUnreachable in bounded time,
// without the password in the error.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := refused.Addr().String()
	refused.Close()

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		// Hold every connection, unanswered, until the listener closes.
		var held []net.Conn
		for {
			c, err := silent.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()

	for name, addr := range map[string]string{"refused": refusedAddr, "silent": silent.Addr().String()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := mustParse(t, "zk://mesos:hunter2@"+addr+"/mesos")
			began := time.Now()
			_, err := leader.Connect(t.Context(), m, &leader.Config{ConnectTimeout: time.Second})
			took := time.Since(began)
			if !errors.Is(err, leader.ErrUnreachable) {
				t.Fatalf("Connect: %v, want ErrUnreachable", err)
			}
			if took > 3*time.Second {
				t.Errorf("Connect took %v with a 1s connect timeout", took)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
			t.Logf("after %v: %v", took.Round(time.Millisecond), err)
		})
	}
}

// TestClosingSessionMovesLeadership ends the leading master's ZooKeeper
// session (not deleting its node: ZooKeeper removes it with the session)
// and expects Watch to name the next master each time.
func TestClosingSessionMovesLeadership(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	a := startMaster(t, s.Addr, path, vagrantInfo("a"))
	b := startMaster(t, s.Addr, path, vagrantInfo("b"))
	startMaster(t, s.Addr, path, vagrantInfo("c"))
	w := watch(t, connect(t, mustParse(t, s.URL(path)), nil))

	if got := nextLeader(t, w, 10*time.Second); got.ID != "a" {
		t.Fatalf("first leader = %s, want a", got.ID)
	}
	a.Close()
	if got := nextLeader(t, w, 10*time.Second); got.ID != "b" {
		t.Fatalf("after a left: %s, want b", got.ID)
	}
	b.Close()
	if got := nextLeader(t, w, 10*time.Second); got.ID != "c" {
		t.Fatalf("after b left: %s, want c", got.ID)
	}
	startMaster(t, s.Addr, path, vagrantInfo("d"))
	select {
	case r := <-w:
		t.Errorf("a master joining behind the leader was reported: %+v, %v", r.info, r.err)
	case <-time.After(time.Second):
	}
}

func TestWatchReportsGapsAndRecovers(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	w := watch(t, connect(t, mustParse(t, s.URL(path)), nil))

	if r := next(t, w, 10*time.Second); !errors.Is(r.err, leader.ErrNoPath) {
		t.Fatalf("before any master: %v, want ErrNoPath", r.err)
	}
	conn := dialZK(t, s.Addr, 10*time.Second)
	bad := createNode(t, conn, path, "json.info", []byte("garbage"))
	// Creating the path and the node may be seen as one change or two.
	for {
		r := next(t, w, 10*time.Second)
		if errors.Is(r.err, leader.ErrBadNode) {
			break
		}
		if !errors.Is(r.err, leader.ErrNoMaster) {
			t.Fatalf("after a garbage node: %v, want ErrBadNode", r.err)
		}
	}
	m := startMaster(t, s.Addr, path, vagrantInfo("good"))
	if err := conn.Delete(path+"/"+bad, -1); err != nil {
		t.Fatal(err)
	}
	if got := nextLeader(t, w, 10*time.Second); got.ID != "good" {
		t.Fatalf("leader = %s, want good", got.ID)
	}
	m.Close()
	if r := next(t, w, 10*time.Second); !errors.Is(r.err, leader.ErrNoMaster) {
		t.Fatalf("after the last master left: %v, want ErrNoMaster", r.err)
	}
}

// TestWatchSurvivesSessionExpiry starves the Detector's connection (through
// a proxy) until ZooKeeper expires its session, changes the leader
// meanwhile, and expects Watch to report the gap and then the new leader.
func TestWatchSurvivesSessionExpiry(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	a := startMaster(t, s.Addr, path, vagrantInfo("a"))
	p := newProxy(t, s.Addr)
	var logs testenv.Buffer
	d := connect(t, mustParse(t, "zk://"+p.addr()+path), &leader.Config{
		SessionTimeout: time.Second,
		ConnectTimeout: 500 * time.Millisecond,
		Logger:         slog.New(slog.NewTextHandler(&logs, nil)),
	})
	w := watch(t, d)
	if got := nextLeader(t, w, 10*time.Second); got.ID != "a" {
		t.Fatalf("leader = %s, want a", got.ID)
	}

	p.cut()
	if r := next(t, w, 10*time.Second); !errors.Is(r.err, leader.ErrUnreachable) {
		t.Fatalf("while cut off: %v, want ErrUnreachable", r.err)
	}
	a.Close()
	startMaster(t, s.Addr, path, vagrantInfo("b"))
	time.Sleep(2 * time.Second) // twice the session timeout: the server expires it
	p.restore()

	if got := nextLeader(t, w, 15*time.Second); got.ID != "b" {
		t.Fatalf("after the reconnect: %s, want b", got.ID)
	}
	if !strings.Contains(logs.String(), "expired") {
		t.Errorf("the session did not expire, so this test proved less than it claims; log:\n%s", logs.String())
	}
}

// TestWatchSurvivesZooKeeperRestart restarts ZooKeeper itself under a
// Watch: the sessions (and the masters' nodes) survive, the Watch keeps
// going, and a later change of leader is reported.
func TestWatchSurvivesZooKeeperRestart(t *testing.T) {
	t.Parallel()
	s := zktest.Start(t)
	path := "/mesos"
	a := startMaster(t, s.Addr, path, vagrantInfo("a"))
	startMaster(t, s.Addr, path, vagrantInfo("b"))
	d := connect(t, mustParse(t, s.URL(path)), nil)
	w := watch(t, d)
	if got := nextLeader(t, w, 10*time.Second); got.ID != "a" {
		t.Fatalf("leader = %s, want a", got.ID)
	}

	if err := s.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	if info, err := d.Leader(ctx); err != nil || info.ID != "a" {
		t.Fatalf("after the restart Leader() = %q, %v; want a", info.ID, err)
	}
	a.Close()
	// A slow restart may outlast the connect timeout: then Watch says so.
	if got := nextLeader(t, w, 15*time.Second, leader.ErrUnreachable); got.ID != "b" {
		t.Fatalf("after a left: %s, want b", got.ID)
	}
}

func TestAccessDenied(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	conn := dialZK(t, s.Addr, 10*time.Second)
	ensurePath(t, conn, strings.TrimSuffix(path, "/mesos"))
	if _, err := conn.Create(path, nil, 0, zk.DigestACL(zk.PermAll, "mesos", "s3cret")); err != nil {
		t.Fatal(err)
	}
	_, err := leader.Lookup(t.Context(), mustParse(t, s.URL(path)), nil)
	if !errors.Is(err, leader.ErrAccessDenied) {
		t.Fatalf("without credentials: %v, want ErrAccessDenied", err)
	}
	_, err = leader.Lookup(t.Context(), mustParse(t, "zk://mesos:s3cret@"+s.Addr+path), nil)
	if !errors.Is(err, leader.ErrNoMaster) {
		t.Fatalf("with credentials: %v, want ErrNoMaster", err)
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	startMaster(t, s.Addr, path, vagrantInfo("a"))
	d := connect(t, mustParse(t, s.URL(path)), nil)
	w := watch(t, d)
	nextLeader(t, w, 10*time.Second)

	d.Close()
	select {
	case _, ok := <-w:
		if ok {
			t.Error("Watch reported something after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not end after Close")
	}
	if _, err := d.Leader(t.Context()); !errors.Is(err, leader.ErrClosed) {
		t.Errorf("Leader after Close: %v, want ErrClosed", err)
	}
}

// TestLogger checks that go-zookeeper's messages reach Config.Logger and
// that they never carry the password.
func TestLogger(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	var logs testenv.Buffer
	d := connect(t, mustParse(t, "zk://mesos:hunter2@"+s.Addr+groupPath(t)), &leader.Config{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	d.Close()
	out := logs.String()
	if !strings.Contains(out, "connected to") {
		t.Errorf("no connect message in the log:\n%s", out)
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("the log shows the password:\n%s", out)
	}
}
