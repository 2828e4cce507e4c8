package leader_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/go-zookeeper/zk"

	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// zkServer is one ZooKeeper shared by the tests and examples that do not
// stop or restart it; each of them works under its own path. It is nil
// when ZooKeeper is not installed (outside CI), and zkErr says why.
var (
	zkServer *zktest.Server
	zkErr    error
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "leader-test-zk")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	zkServer, zkErr = zktest.StartProcess(context.Background(), dir)
	switch {
	case zkErr == nil:
		defer zkServer.Stop()
	case errors.Is(zkErr, zktest.ErrNotInstalled) && !testenv.InCI():
		// Tests skip through sharedZK; examples cannot skip themselves,
		// so those that use zkServer are listed here.
		fmt.Fprintf(os.Stderr, "%v: skipping the ZooKeeper tests and examples\n", zkErr)
		skip := "^ExampleDetector_Watch$"
		if s := flag.Lookup("test.skip").Value.String(); s != "" {
			skip = s + "|" + skip
		}
		_ = flag.Set("test.skip", skip)
	case errors.Is(zkErr, zktest.ErrNotInstalled):
		fmt.Fprintf(os.Stderr, "%v (CI is set, so ZooKeeper must be installed)\n", zkErr)
		return 1
	default:
		fmt.Fprintln(os.Stderr, zkErr)
		return 1
	}
	return m.Run()
}

// sharedZK returns the shared server, skipping the test if there is none.
func sharedZK(t *testing.T) *zktest.Server {
	t.Helper()
	if zkServer == nil {
		testenv.Unavailable(t, "%v", zkErr)
	}
	return zkServer
}

// groupPath gives each test its own ZooKeeper path on the shared server,
// new at each run so that -count=N starts from an empty tree.
func groupPath(t *testing.T) string {
	name := strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	return fmt.Sprintf("/%s-%d/mesos", name, runs.Add(1))
}

var runs atomic.Int64

// vagrantInfo is a MasterInfo as a Mesos 1.x master on the Vagrant VM
// writes it. The tests only decode it: 192.168.33.10 is never contacted.
func vagrantInfo(id string) mesos.MasterInfo {
	return mesos.MasterInfo{
		ID:       id,
		IP:       169978048, // 192.168.33.10, in Mesos' byte order
		Port:     5050,
		PID:      "master@192.168.33.10:5050",
		Hostname: "mesos-master",
		Version:  "1.11.0",
		Address:  &mesos.Address{Hostname: "mesos-master", IP: "192.168.33.10", Port: 5050},
	}
}

// dialZK opens a plain go-zookeeper session to addr, standing in for a
// Mesos master's own ZooKeeper client, and closes it after the test.
func dialZK(t *testing.T, addr string, sessionTimeout time.Duration) *zk.Conn {
	t.Helper()
	var once sync.Once
	hasSession := make(chan struct{})
	conn, _, err := zk.Connect([]string{addr}, sessionTimeout,
		zk.WithLogger(log.New(io.Discard, "", 0)),
		zk.WithEventCallback(func(ev zk.Event) {
			if ev.State == zk.StateHasSession {
				once.Do(func() { close(hasSession) })
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	select {
	case <-hasSession:
	case <-time.After(10 * time.Second):
		t.Fatalf("no ZooKeeper session on %s", addr)
	}
	return conn
}

// ensurePath creates path and its parents as persistent nodes.
func ensurePath(t *testing.T, conn *zk.Conn, path string) {
	t.Helper()
	for i := 1; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		if _, err := conn.Create(path[:i], nil, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			t.Fatalf("create %s: %v", path[:i], err)
		}
	}
}

// createNode creates an ephemeral sequential node the way a Mesos master's
// contender does: "<path>/<label>_" with ZOO_SEQUENCE|ZOO_EPHEMERAL. It
// returns the node's name, such as json.info_0000000003.
func createNode(t *testing.T, conn *zk.Conn, path, label string, data []byte) string {
	t.Helper()
	ensurePath(t, conn, path)
	created, err := conn.Create(path+"/"+label+"_", data, zk.FlagEphemeralSequential, zk.WorldACL(zk.PermAll))
	if err != nil {
		t.Fatalf("create %s/%s_: %v", path, label, err)
	}
	return strings.TrimPrefix(created, path+"/")
}

// startMaster registers a stand-in Mesos master with a session of its own
// and returns that session: closing it is the master going away.
func startMaster(t *testing.T, addr, path string, info mesos.MasterInfo) *zk.Conn {
	t.Helper()
	conn := dialZK(t, addr, 10*time.Second)
	data, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	createNode(t, conn, path, "json.info", data)
	return conn
}

// mustParse parses a master address or fails the test.
func mustParse(t *testing.T, s string) leader.Master {
	t.Helper()
	m, err := leader.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// connect opens a Detector and closes it after the test.
func connect(t *testing.T, m leader.Master, cfg *leader.Config) *leader.Detector {
	t.Helper()
	d, err := leader.Connect(t.Context(), m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// watchResult is one value of a Watch sequence.
type watchResult struct {
	info mesos.MasterInfo
	err  error
}

// watch runs d.Watch in the background until the test ends.
func watch(t *testing.T, d *leader.Detector) <-chan watchResult {
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	ch := make(chan watchResult)
	go func() {
		defer close(ch)
		for info, err := range d.Watch(ctx) {
			select {
			case ch <- watchResult{info, err}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// next returns the next value from a watch, failing the test after timeout.
func next(t *testing.T, ch <-chan watchResult, timeout time.Duration) watchResult {
	t.Helper()
	select {
	case r, ok := <-ch:
		if !ok {
			t.Fatal("Watch ended")
		}
		return r
	case <-time.After(timeout):
		t.Fatalf("Watch reported nothing within %v", timeout)
	}
	panic("unreachable")
}

// nextLeader returns the next leader from a watch, skipping the errors that
// match one of skip and failing on any other.
func nextLeader(t *testing.T, ch <-chan watchResult, timeout time.Duration, skip ...error) mesos.MasterInfo {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		r := next(t, ch, time.Until(deadline))
		if r.err == nil {
			return r.info
		}
		skipped := false
		for _, s := range skip {
			skipped = skipped || errors.Is(r.err, s)
		}
		if !skipped {
			t.Fatalf("Watch: unexpected error %v", r.err)
		}
		t.Logf("Watch: %v", r.err)
	}
}

// proxy relays TCP connections to a ZooKeeper server and can cut them, to
// starve a client's session until the server expires it.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() {
		ln.Close()
		p.cut()
	})
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

// cut drops every relayed connection and refuses new ones until restore.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}
