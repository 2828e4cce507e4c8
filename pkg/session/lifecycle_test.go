package session_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/recordio"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// TestKernelGone: the listener outlives cells but not the kernel. Once the
// process that started it has been gone for two heartbeat intervals it
// stops, releasing the session; the framework stays registered for its
// failover timeout and its task keeps running.
func TestKernelGone(t *testing.T) {
	t.Parallel()
	const heartbeat = 300 * time.Millisecond
	srv := startMaster(t, func(c *localmesos.Config) { c.Heartbeat = heartbeat })
	kernel := exec.Command("sleep", "60")
	if err := kernel.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kernel.Process.Kill(); kernel.Wait() })
	opts := options(t, srv.URL)
	opts.ParentPID = kernel.Process.Pid
	s := start(t, opts)
	fw := state(t, s).FrameworkID
	launch(t, s, "survivor", "sleep 100")
	if _, err := s.WaitTask(within(context.Background(), 10*time.Second), mesos.TaskID{Value: "survivor"}, mesos.TaskRunning); err != nil {
		t.Fatal(err)
	}
	// Alive for longer than two heartbeat intervals: the listener stays.
	time.Sleep(3 * heartbeat)
	if st := state(t, s); st.Status != session.StatusSubscribed {
		t.Fatalf("with the kernel alive the listener is %s: %s", st.Status, st.Message)
	}

	kernel.Process.Kill()
	kernel.Wait()
	gone := time.Now()
	testenv.Eventually(t, 10*time.Second, "the listener to stop", func() bool {
		return state(t, s).Status == session.StatusStopped && !lockHeld(t, opts.Dir)
	})
	if d := time.Since(gone); d < 2*heartbeat {
		t.Fatalf("the listener stopped %s after the kernel went, before two heartbeat intervals (%s)", d, 2*heartbeat)
	}
	if msg := state(t, s).Message; !strings.Contains(msg, fmt.Sprint(kernel.Process.Pid)) {
		t.Errorf("the stopped state does not say the kernel went: %q", msg)
	}

	op := operatorClient(t, srv.URL)
	fws, err := op.Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fws.Frameworks) != 1 || fws.Frameworks[0].FrameworkInfo.ID.Value != fw || fws.Frameworks[0].Connected {
		t.Fatalf("the master has %+v, want framework %s registered and disconnected", fws.Frameworks, fw)
	}
	tasks, err := op.Tasks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks.Tasks) != 1 || tasks.Tasks[0].State != mesos.TaskRunning {
		t.Fatalf("the master's tasks: %+v, want survivor running", tasks.Tasks)
	}
}

// TestFolderRemoved: a listener whose session folder is removed (rm -rf
// of the cache, a test's temporary folder) stops: nobody could read what
// it writes, and no kernel could find it to attach.
func TestFolderRemoved(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := options(t, srv.URL)
	dir, err := os.MkdirTemp("", "session-removed-")
	if err != nil {
		t.Fatal(err)
	}
	opts.Dir = filepath.Join(dir, "session")
	s := start(t, opts)
	pid := state(t, s).ListenerPID
	testenv.Eventually(t, 10*time.Second, "the listener to exit once its folder is gone", func() bool {
		os.RemoveAll(dir) // again if the listener wrote a file meanwhile
		return syscall.Kill(pid, 0) != nil
	})
}

// TestTeardown: TEARDOWN from a cell removes the framework. The listener
// learns it when its re-subscription is refused and stops as removed; the
// next Start registers a new framework and puts the old journal aside.
func TestTeardown(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := options(t, srv.URL)
	s1 := start(t, opts)
	old := state(t, s1).FrameworkID
	c, err := s1.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the listener to stop as removed", func() bool {
		return state(t, s1).Status == session.StatusRemoved && !lockHeld(t, opts.Dir)
	})

	s2 := start(t, opts)
	if s2.How != session.Started {
		t.Fatalf("Start after TEARDOWN: %s (%s), want %s", s2.How, s2.Note, session.Started)
	}
	if id := state(t, s2).FrameworkID; id == old || id == "" {
		t.Fatalf("framework %q after TEARDOWN of %s", id, old)
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "journal."+old+".jsonl")); err != nil {
		t.Fatalf("the old framework's journal was not kept aside: %v", err)
	}
	// Both sessions read the folder, which now holds the new framework:
	// s1 notices that its journal was put aside.
	for _, s := range []*session.Session{s1, s2} {
		evs, err := s.Events(0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 || evs[0].Event.Type != mesos.EventSubscribed {
			t.Fatalf("the new journal starts with %+v, want SUBSCRIBED", evs)
		}
		for _, e := range evs {
			if e.FrameworkID == old {
				t.Fatalf("the new journal holds the old framework's event %d", e.Seq)
			}
		}
	}
}

// TestTeardownThenStartAtOnce: the subscribe cell run right after
// TEARDOWN, while the old listener has not yet learned that its framework
// is gone, still ends with a fresh framework, not an error.
func TestTeardownThenStartAtOnce(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := options(t, srv.URL)
	s1 := start(t, opts)
	old := state(t, s1).FrameworkID
	c, err := s1.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := start(t, opts)
	if id := state(t, s2).FrameworkID; s2.How != session.Started || id == old {
		t.Fatalf("Start right after TEARDOWN: %s, framework %s (old %s)", s2.How, id, old)
	}
}

// silentMaster answers SUBSCRIBE with SUBSCRIBED, promising a heartbeat
// every 100ms, and then sends nothing: a master that hangs, or a network
// path that died without a reset.
type silentMaster struct {
	URL string

	mu   sync.Mutex
	subs []mesos.Call
}

func newSilentMaster(t *testing.T) *silentMaster {
	m := &silentMaster{}
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var call mesos.Call
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &call) != nil || call.Type != mesos.CallSubscribe {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		m.mu.Lock()
		m.subs = append(m.subs, call)
		n := len(m.subs)
		m.mu.Unlock()
		ev, _ := json.Marshal(mesos.Event{Type: mesos.EventSubscribed, Subscribed: &mesos.Subscribed{
			FrameworkID: mesos.FrameworkID{Value: "silent-fw"}, HeartbeatIntervalSeconds: 0.1}})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Mesos-Stream-Id", fmt.Sprintf("stream-%d", n))
		w.WriteHeader(http.StatusOK)
		w.Write(recordio.Append(nil, ev))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(func() { close(done); srv.Close() })
	m.URL = srv.URL
	return m
}

// TestWatchdog: a stream that goes silent is given up after
// MissedHeartbeats intervals and the listener subscribes again, as the
// same framework.
func TestWatchdog(t *testing.T) {
	t.Parallel()
	m := newSilentMaster(t)
	opts := options(t, m.URL)
	opts.Client.MissedHeartbeats = 2
	s := start(t, opts)
	first := state(t, s)
	testenv.Eventually(t, 10*time.Second, "a re-subscription after the stream went silent", func() bool {
		return state(t, s).Subscriptions >= 2
	})
	if st := state(t, s); st.StreamID == first.StreamID || st.FrameworkID != "silent-fw" {
		t.Fatalf("stream %s then %s, framework %s", first.StreamID, st.StreamID, st.FrameworkID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if again := m.subs[1]; again.FrameworkID == nil || again.FrameworkID.Value != "silent-fw" {
		t.Fatalf("the re-subscription did not name the framework: %+v", again.FrameworkID)
	}
	log, _ := os.ReadFile(filepath.Join(s.Dir, "listener.log"))
	if !strings.Contains(string(log), "no event or heartbeat within the watchdog timeout") {
		t.Errorf("the listener's log does not say why it re-subscribed:\n%s", log)
	}
}

// TestStoppedListenerHeals: once the listener is gone (stopped, killed,
// its kernel gone), the next cell that calls or waits restarts it: the
// same framework, the journal kept, and one sentence that says so.
func TestStoppedListenerHeals(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := options(t, srv.URL)
	notes := &recorder{}
	opts.Observer = notes
	s := start(t, opts)
	before := state(t, s)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitOffer(within(context.Background(), 20*time.Second)); err != nil {
		t.Fatalf("WaitOffer after Stop: %v", err)
	}
	after := state(t, s)
	if after.FrameworkID != before.FrameworkID || s.How != session.Failover || after.Subscriptions != before.Subscriptions+1 {
		t.Fatalf("after a wait on a stopped listener: %s, framework %s (was %s), %d subscriptions (was %d)",
			s.How, after.FrameworkID, before.FrameworkID, after.Subscriptions, before.Subscriptions)
	}
	if got := notes.notes(); len(got) != 1 || !strings.Contains(got[0], "re-subscribed framework "+before.FrameworkID) {
		t.Fatalf("notes: %q, want one saying the listener was restarted", got)
	}
}

// TestListenerFailsAtOnce: a listener that cannot even start is reported
// at once, with what it said, not after the start timeout.
func TestListenerFailsAtOnce(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "mesos-listener")
	script := "#!/bin/sh\necho 'mesos-listener: read listener config: the disk is on fire' >&2\nexit 1\n"
	if err := os.WriteFile(broken, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv(session.EnvListener, broken)
	opts := options(t, startMaster(t, nil).URL)
	opts.StartTimeout = time.Minute
	began := time.Now()
	_, err := session.Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "the disk is on fire") || time.Since(began) > 10*time.Second {
		t.Fatalf("Start with a broken listener: %v after %s", err, time.Since(began))
	}
}

// TestConcurrentStart: two kernels run the subscribe cell at the same
// moment; one listener wins and both cells use its framework.
func TestConcurrentStart(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := options(t, srv.URL)
	var wg sync.WaitGroup
	sessions := make([]*session.Session, 2)
	errs := make([]error, 2)
	for i := range sessions {
		wg.Go(func() { sessions[i], errs[i] = session.Start(context.Background(), opts) })
	}
	wg.Wait()
	for _, s := range sessions {
		if s != nil {
			stop(t, s)
		}
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Start %d: %v", i, err)
		}
	}
	if hows := []string{sessions[0].How, sessions[1].How}; !slices.Contains(hows, session.Started) || !slices.Contains(hows, session.Attached) {
		t.Fatalf("two Starts at once: %v, want one started and one attached", hows)
	}
	fws, err := operatorClient(t, srv.URL).Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fws.Frameworks) != 1 || state(t, sessions[0]).FrameworkID != fws.Frameworks[0].FrameworkInfo.ID.Value {
		t.Fatalf("the master has %d frameworks, want the session's one", len(fws.Frameworks))
	}
}
