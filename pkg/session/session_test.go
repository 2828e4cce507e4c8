package session_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// startMaster starts a stand-in that is quick about everything a session
// waits for: offers every 50ms, an unacknowledged update re-sent after
// 300ms. edit changes the rest.
func startMaster(t *testing.T, edit func(*localmesos.Config)) *localmesos.Server {
	t.Helper()
	cfg := localmesos.Config{Runner: "simulated", AllocationInterval: 50 * time.Millisecond, StatusUpdateRetry: 300 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := localmesos.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// options is a session of its own for the test, kept alive by the test
// process (its parent) and named after the test.
func options(t *testing.T, master string) session.Options {
	return session.Options{Dir: t.TempDir(), Client: httpapi.Config{Master: master}, ParentPID: os.Getpid(),
		Framework: mesos.FrameworkInfo{User: "root", Name: t.Name()}, StartTimeout: 20 * time.Second}
}

// start starts (or attaches to) the session and stops its listener when
// the test ends.
func start(t *testing.T, opts session.Options) *session.Session {
	t.Helper()
	s, err := session.Start(context.Background(), opts)
	if err != nil {
		// A listener may have started all the same.
		if s, oerr := session.Open(opts); oerr == nil {
			stop(t, s)
		}
		t.Fatal(err)
	}
	stop(t, s)
	return s
}

func stop(t *testing.T, s *session.Session) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
}

func state(t *testing.T, s *session.Session) session.State {
	t.Helper()
	st, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// lockHeld reports whether a listener holds the session folder's lock.
func lockHeld(t *testing.T, dir string) bool {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "listener.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return true
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// launch accepts an offer with one command task.
func launch(t *testing.T, s *session.Session, id, command string) mesos.Offer {
	t.Helper()
	ctx := context.Background()
	offer, err := s.WaitOffer(within(ctx, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	task := mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: command}}
	if err := c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
		t.Fatal(err)
	}
	return offer
}

// operatorClient asks the master what it knows, as an operator would.
func operatorClient(t *testing.T, master string) *operator.Client {
	t.Helper()
	c, err := operator.New(httpapi.Config{Master: master})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func sameStates(got []mesos.TaskState, want ...mesos.TaskState) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestStartLaunchKill is the notebook's path: subscribe, take an offer,
// launch, watch the task run, kill it.
func TestStartLaunchKill(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	ctx := context.Background()
	s := start(t, options(t, srv.URL))
	if s.How != session.Started {
		t.Fatalf("How = %s", s.How)
	}
	// Once Start returns, the subscription is in the journal too.
	if evs, err := s.Events(0); err != nil || len(evs) == 0 || evs[0].Event.Type != mesos.EventSubscribed {
		t.Fatalf("right after Start the journal holds %+v (%v), want SUBSCRIBED first", evs, err)
	}
	offer := launch(t, s, "t1", "sleep 100")
	if offers, _ := s.Offers(); len(offers) != 0 && offers[0].ID == offer.ID {
		t.Fatalf("the accepted offer is still outstanding")
	}
	if _, err := s.WaitTask(within(ctx, 10*time.Second), mesos.TaskID{Value: "t1"}, mesos.TaskRunning); err != nil {
		t.Fatal(err)
	}
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Kill(ctx, mesos.TaskID{Value: "t1"}, nil); err != nil {
		t.Fatal(err)
	}
	tk, err := s.WaitTask(within(ctx, 10*time.Second), mesos.TaskID{Value: "t1"}, mesos.TaskKilled)
	if err != nil {
		t.Fatal(err)
	}
	if !sameStates(tk.States, mesos.TaskStarting, mesos.TaskRunning, mesos.TaskKilled) {
		t.Fatalf("states %v, want STARTING, RUNNING, KILLED", tk.States)
	}
}

// TestStartTwiceOneFramework: running the subscribe cell again attaches to
// the live listener; the master sees one framework.
func TestStartTwiceOneFramework(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := options(t, srv.URL)
	s1 := start(t, opts)
	s2 := start(t, opts)
	if s2.How != session.Attached {
		t.Fatalf("second Start: %s (%s)", s2.How, s2.Note)
	}
	st1, st2 := state(t, s1), state(t, s2)
	if st1.FrameworkID != st2.FrameworkID || st2.Subscriptions != 1 {
		t.Fatalf("framework %s then %s, %d subscriptions", st1.FrameworkID, st2.FrameworkID, st2.Subscriptions)
	}
	fws, err := operatorClient(t, srv.URL).Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fws.Frameworks) != 1 || fws.Frameworks[0].FrameworkInfo.ID.Value != st1.FrameworkID {
		t.Fatalf("the master has %d frameworks, want just %s", len(fws.Frameworks), st1.FrameworkID)
	}
}

// within is ctx with a deadline d from now: how long a wait may take.
func within(ctx context.Context, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(ctx, d)
	time.AfterFunc(d+time.Second, cancel)
	return ctx
}

// recorder is an Observer that keeps what it was shown.
type recorder struct {
	mu    sync.Mutex
	calls []httpapi.Exchange
	said  []string
}

func (r *recorder) Call(ex httpapi.Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, ex)
}

func (r *recorder) Waiting(what, now string) {}

func (r *recorder) Note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.said = append(r.said, s)
}

func (r *recorder) notes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.said)
}
