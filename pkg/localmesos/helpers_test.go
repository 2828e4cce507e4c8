package localmesos_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// start runs a stand-in with a simulated runner, a short allocation
// interval and a short status update retry, for fast tests.
func start(t *testing.T, edit func(*localmesos.Config)) *localmesos.Server {
	t.Helper()
	cfg := localmesos.Config{Runner: "simulated", AllocationInterval: 50 * time.Millisecond, StatusUpdateRetry: 200 * time.Millisecond}
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

// framework is a subscribed scheduler under test: its client, its
// subscription and its events on a channel.
type framework struct {
	t      *testing.T
	c      *scheduler.Client
	sub    *scheduler.Subscription
	events chan mesos.Event
	end    chan error
}

func subscribe(t *testing.T, srv *localmesos.Server, info mesos.FrameworkInfo) *framework {
	t.Helper()
	c, err := scheduler.New(scheduler.Config{Master: srv.URL, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	if info.User == "" {
		info.User = "root"
	}
	if info.Name == "" {
		info.Name = t.Name()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sub, err := c.Subscribe(ctx, info)
	if err != nil {
		t.Fatal(err)
	}
	f := &framework{t: t, c: c, sub: sub, events: make(chan mesos.Event, 1000), end: make(chan error, 1)}
	go func() {
		for ev, err := range sub.Events() {
			if err != nil {
				f.end <- err
				close(f.events)
				return
			}
			f.events <- ev
		}
	}()
	return f
}

// next waits for the next event of the given type, skipping others.
func (f *framework) next(typ mesos.EventType) mesos.Event {
	f.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-f.events:
			if !ok {
				f.t.Fatalf("stream ended while waiting for %s: %v", typ, <-f.end)
			}
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			f.t.Fatalf("no %s within 10s", typ)
		}
	}
}

// update waits for the next UPDATE and acknowledges it if it has a uuid.
func (f *framework) update() mesos.TaskStatus {
	f.t.Helper()
	st := f.next(mesos.EventUpdate).Update.Status
	if len(st.UUID) > 0 {
		if err := f.c.Acknowledge(context.Background(), st); err != nil {
			f.t.Fatal(err)
		}
	}
	return st
}

func simpleTask(id string, offer mesos.Offer) mesos.TaskInfo {
	return mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 1000"}}
}

func operatorClient(t *testing.T, srv *localmesos.Server) *operator.Client {
	t.Helper()
	c, err := operator.New(operator.Config{Master: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantStatus(t *testing.T, err error, code int, body string) {
	t.Helper()
	var se *scheduler.Error
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want %d %q", err, code, body)
	}
	if se.StatusCode != code || se.Body != body {
		t.Fatalf("got %d %q, want %d %q", se.StatusCode, se.Body, code, body)
	}
}

var _ = fmt.Sprint
