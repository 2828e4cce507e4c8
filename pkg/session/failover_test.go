package session_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// ackProxy sits between the listener and the master. For every
// ACKNOWLEDGE it checks that the update is already in the journal (the
// listener must not acknowledge what it could still lose), and while drop
// is set it swallows the acknowledgement, answering 202, as if the
// listener had died before sending it.
type ackProxy struct {
	URL     string
	journal string
	drop    atomic.Bool

	mu      sync.Mutex
	early   []string          // acknowledgements of updates not (yet) in the journal
	passed  []mesos.TaskState // acknowledgements forwarded to the master, by state
	dropped int
}

func newAckProxy(t *testing.T, master, journal string) *ackProxy {
	target, err := url.Parse(master)
	if err != nil {
		t.Fatal(err)
	}
	p := &ackProxy{journal: journal}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.FlushInterval = -1 // the SUBSCRIBE answer is a stream
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		var call mesos.Call
		if json.Unmarshal(body, &call) == nil && call.Type == mesos.CallAcknowledge && call.Acknowledge != nil {
			state, ok := p.journaled(call.Acknowledge.UUID)
			p.mu.Lock()
			if !ok {
				p.early = append(p.early, call.Acknowledge.TaskID.Value)
			}
			if p.drop.Load() {
				p.dropped++
				p.mu.Unlock()
				w.WriteHeader(http.StatusAccepted)
				return
			}
			p.passed = append(p.passed, state)
			p.mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// journaled finds the update with this uuid in the journal.
func (p *ackProxy) journaled(uuid []byte) (mesos.TaskState, bool) {
	f, err := os.Open(p.journal)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e session.Entry
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Event.Update == nil {
			continue
		}
		if bytes.Equal(e.Event.Update.Status.UUID, uuid) {
			return e.Event.Update.Status.State, true
		}
	}
	return "", false
}

// TestKillListenerLosesNoUpdate: the listener is killed with SIGKILL after
// TASK_STARTING reached the journal but before the master saw it
// acknowledged. The agent keeps the update, and the ones after it, until
// they are acknowledged: a new Start fails over to the same framework, and
// its listener journals and acknowledges every state the task went
// through, each only once it is in the journal.
func TestKillListenerLosesNoUpdate(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, func(c *localmesos.Config) { c.Runner = "process" })
	opts := options(t, "")
	proxy := newAckProxy(t, srv.URL, filepath.Join(opts.Dir, "journal.jsonl"))
	opts.Client.Master = proxy.URL
	ctx := context.Background()

	proxy.drop.Store(true)
	s1 := start(t, opts)
	fw := state(t, s1).FrameworkID
	launch(t, s1, "short", "sleep 1; exit 0")
	testenv.Eventually(t, 10*time.Second, "TASK_STARTING in the journal", func() bool {
		tk, ok, _ := s1.Task(mesos.TaskID{Value: "short"})
		return ok && slices.Contains(tk.States, mesos.TaskStarting)
	})
	pid := state(t, s1).ListenerPID
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, "the killed listener to release its lock", func() bool { return !lockHeld(t, opts.Dir) })
	if tk, _, _ := s1.Task(mesos.TaskID{Value: "short"}); tk.State.Terminal() {
		t.Fatalf("the task ended (%v) before the listener was killed: the test proves nothing", tk.States)
	}
	proxy.drop.Store(false)

	s2 := start(t, opts)
	if s2.How != session.Failover {
		t.Fatalf("Start after SIGKILL: %s (%s), want %s", s2.How, s2.Note, session.Failover)
	}
	if st := state(t, s2); st.FrameworkID != fw || st.ListenerPID == pid {
		t.Fatalf("after failover: framework %s (was %s), listener pid %d (was %d)", st.FrameworkID, fw, st.ListenerPID, pid)
	}
	tk, err := s2.WaitTask(within(ctx, 30*time.Second), mesos.TaskID{Value: "short"}, mesos.TaskFinished)
	if err != nil {
		t.Fatal(err)
	}
	if !sameStates(tk.States, mesos.TaskStarting, mesos.TaskRunning, mesos.TaskFinished) {
		t.Fatalf("the journal holds %v, want STARTING, RUNNING, FINISHED", tk.States)
	}
	testenv.Eventually(t, 10*time.Second, "the terminal update acknowledged", func() bool {
		proxy.mu.Lock()
		defer proxy.mu.Unlock()
		return slices.Contains(proxy.passed, mesos.TaskFinished)
	})
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if len(proxy.early) > 0 {
		t.Errorf("acknowledged before journaled: %v", proxy.early)
	}
	// The first listener was killed just after or just before its
	// acknowledgement of TASK_STARTING; either way none reached the master.
	t.Logf("held back %d acknowledgement(s) of the killed listener", proxy.dropped)
	for _, want := range []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskFinished} {
		if !slices.Contains(proxy.passed, want) {
			t.Errorf("%s never acknowledged to the master (acknowledged: %v)", want, proxy.passed)
		}
	}
}

// TestMasterRestart: the master goes away and a new one comes up on the
// same address, as after a restart. The listener re-subscribes to it with
// the same framework id, and the new master adopts the framework.
func TestMasterRestart(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	s := start(t, options(t, srv.URL))
	before := state(t, s)

	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	testenv.Eventually(t, 5*time.Second, "the listener to notice the master is gone", func() bool {
		return state(t, s).Status == session.StatusReconnecting
	})
	srv2 := startMaster(t, func(c *localmesos.Config) { c.MasterAddr = addr })
	testenv.Eventually(t, 20*time.Second, "a second subscription", func() bool {
		st := state(t, s)
		return st.Subscriptions == 2 && st.Status == session.StatusSubscribed
	})
	after := state(t, s)
	if after.FrameworkID != before.FrameworkID || after.StreamID == before.StreamID {
		t.Fatalf("framework %s stream %s, then framework %s stream %s", before.FrameworkID, before.StreamID, after.FrameworkID, after.StreamID)
	}
	fws, err := operatorClient(t, srv2.URL).Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fws.Frameworks) != 1 || fws.Frameworks[0].FrameworkInfo.ID.Value != before.FrameworkID || !fws.Frameworks[0].Connected {
		t.Fatalf("the new master has %+v, want framework %s connected", fws.Frameworks, before.FrameworkID)
	}
}

// TestLeaderFailoverZooKeeper: two masters in one ZooKeeper group, the
// session configured with the group's zk:// address. When the leader goes,
// the listener sees the change in ZooKeeper and re-subscribes to the new
// leader with the same framework id.
func TestLeaderFailoverZooKeeper(t *testing.T) {
	t.Parallel()
	zk := zktest.Start(t)
	group := zk.URL("/mesos")
	m1 := startMaster(t, func(c *localmesos.Config) { c.ZK = group })
	m2 := startMaster(t, func(c *localmesos.Config) { c.ZK = group })
	testenv.Eventually(t, 10*time.Second, "one master to lead", func() bool { return m1.Leading() != m2.Leading() })
	lead, other := m1, m2
	if m2.Leading() {
		lead, other = m2, m1
	}

	s := start(t, options(t, group))
	before := state(t, s)
	if before.Leader != lead.URL {
		t.Fatalf("subscribed at %s, the leader is %s", before.Leader, lead.URL)
	}
	lead.Close()
	testenv.Eventually(t, 20*time.Second, "a subscription at the new leader", func() bool {
		st := state(t, s)
		return st.Subscriptions == 2 && st.Status == session.StatusSubscribed
	})
	after := state(t, s)
	if after.FrameworkID != before.FrameworkID || after.Leader != other.URL {
		t.Fatalf("after failover: framework %s at %s, want %s at %s", after.FrameworkID, after.Leader, before.FrameworkID, other.URL)
	}
	log, err := os.ReadFile(filepath.Join(s.Dir, "listener.log"))
	if err != nil {
		t.Fatal(err)
	}
	want := "leader changed in ZooKeeper: " + strings.TrimPrefix(lead.URL, "http://") + " -> " + strings.TrimPrefix(other.URL, "http://")
	if !bytes.Contains(log, []byte(want)) {
		t.Fatalf("the listener's log does not say %q:\n%s", want, log)
	}
}
