package session_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

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

func options(t *testing.T, master string) session.Options {
	return session.Options{Dir: t.TempDir(), Client: httpapi.Config{Master: master}, ParentPID: os.Getpid(),
		Framework: mesos.FrameworkInfo{User: "root", Name: t.Name()}, StartTimeout: 20 * time.Second}
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

func TestStartLaunchKill(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	ctx := context.Background()
	s, err := session.Start(ctx, options(t, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	stop(t, s)
	if s.How != session.Started {
		t.Fatalf("How = %s", s.How)
	}
	offer, err := s.WaitOffer(ctx, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	task := mesos.TaskInfo{Name: "t", TaskID: mesos.TaskID{Value: "t1"}, AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 100"}}
	if err := c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
		t.Fatal(err)
	}
	if offers, _ := s.Offers(); len(offers) != 0 && offers[0].ID == offer.ID {
		t.Fatalf("the accepted offer is still outstanding")
	}
	if _, err := s.WaitTask(ctx, "t1", 10*time.Second, mesos.TaskRunning); err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(ctx, mesos.TaskID{Value: "t1"}, nil); err != nil {
		t.Fatal(err)
	}
	tk, err := s.WaitTask(ctx, "t1", 10*time.Second, mesos.TaskKilled)
	if err != nil {
		t.Fatal(err)
	}
	want := []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskKilled}
	if len(tk.States) != 3 || tk.States[0] != want[0] || tk.States[1] != want[1] || tk.States[2] != want[2] {
		t.Fatalf("states %v, want %v", tk.States, want)
	}
}

// TestStartTwiceOneFramework: running the subscribe cell again attaches to
// the live listener; the master sees one framework.
func TestStartTwiceOneFramework(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	ctx := context.Background()
	opts := options(t, srv.URL)
	s1, err := session.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	stop(t, s1)
	s2, err := session.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if s2.How != session.Attached {
		t.Fatalf("second Start: %s (%s)", s2.How, s2.Note)
	}
	st1, _ := s1.State()
	st2, _ := s2.State()
	if st1.FrameworkID != st2.FrameworkID || st2.Subscriptions != 1 {
		t.Fatalf("framework %s then %s, %d subscriptions", st1.FrameworkID, st2.FrameworkID, st2.Subscriptions)
	}
}
