package scheduler_test

// The client against a real Mesos 1.11.0 master and agent (pkg/mesostest),
// one cluster for the package. Never send a call of type UNKNOWN here: it
// aborts a real master.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// realMesos is the package's real master and agent, with Mesos' Docker
// containerizer when a Docker engine answers.
var realMesos = &mesostest.Shared{}

func TestMain(m *testing.M) {
	code := m.Run()
	realMesos.Stop()
	os.Exit(code)
}

// realFramework is a framework subscribed to a real master, its events on
// a channel.
type realFramework struct {
	t      *testing.T
	c      *scheduler.Client
	sub    *scheduler.Subscription
	events chan mesos.Event
	end    chan error
	// held are events next skipped, for a later next: the first HEARTBEAT
	// and the first OFFERS come in either order.
	held []mesos.Event
}

func subscribeReal(t *testing.T, master string, info mesos.FrameworkInfo) *realFramework {
	t.Helper()
	c, err := scheduler.New(scheduler.Config{Master: master})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
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
	f := &realFramework{t: t, c: c, sub: sub, events: make(chan mesos.Event, 1000), end: make(chan error, 1)}
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
	// A test that fails half way leaves no framework holding the shared
	// agent's resources.
	t.Cleanup(func() { _ = c.Teardown(context.Background()) })
	return f
}

// next waits for the next event of a type; others are held for later.
func (f *realFramework) next(typ mesos.EventType) mesos.Event {
	f.t.Helper()
	for i, ev := range f.held {
		if ev.Type == typ {
			f.held = append(f.held[:i], f.held[i+1:]...)
			return ev
		}
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-f.events:
			if !ok {
				f.t.Fatalf("the stream ended while waiting for %s: %v", typ, <-f.end)
			}
			if ev.Type == typ {
				return ev
			}
			f.held = append(f.held, ev)
		case <-timeout:
			f.t.Fatalf("no %s within 30s", typ)
		}
	}
}

// update waits for the next status update and acknowledges it when it
// has a uuid, checking its state.
func (f *realFramework) update(want mesos.TaskState) mesos.TaskStatus {
	f.t.Helper()
	st := f.next(mesos.EventUpdate).Update.Status
	if st.State != want {
		f.t.Fatalf("update %s (%s: %s), want %s", st.State, st.Reason, st.Message, want)
	}
	if len(st.UUID) > 0 {
		if err := f.c.Acknowledge(context.Background(), st); err != nil {
			f.t.Fatal(err)
		}
	}
	return st
}

// ended waits for the stream to end and returns why.
func (f *realFramework) ended() error {
	f.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case _, ok := <-f.events:
			if !ok {
				return <-f.end
			}
		case <-timeout:
			f.t.Fatal("the stream is still open after 30s")
		}
	}
}

func TestRealCommandTask(t *testing.T) {
	c := realMesos.Get(t)
	ctx := t.Context()
	f := subscribeReal(t, c.URL(), mesos.FrameworkInfo{FailoverTimeout: 60})
	if f.sub.StreamID == "" || f.sub.HeartbeatInterval != 15*time.Second || f.sub.MasterInfo == nil || f.sub.MasterInfo.HostPort() != c.Masters[0].Addr {
		t.Fatalf("subscription %+v", f.sub)
	}
	if ev := f.next(mesos.EventHeartbeat); ev.Type != mesos.EventHeartbeat {
		t.Fatal(ev.Type)
	}
	offer := f.next(mesos.EventOffers).Offers.Offers[0]
	task := mesos.TaskInfo{Name: "sleep", TaskID: mesos.TaskID{Value: "sleep-1"}, AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 600"}}
	if err := f.c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, mesos.RefuseFor(0)); err != nil {
		t.Fatal(err)
	}
	f.update(mesos.TaskStarting)
	running := f.update(mesos.TaskRunning)
	if running.ContainerStatus == nil || running.ExecutorID == nil || running.AgentID == nil || *running.AgentID != offer.AgentID {
		t.Fatalf("TASK_RUNNING %+v", running)
	}

	if err := f.c.Reconcile(ctx, mesos.ReconcileTask{TaskID: task.TaskID}); err != nil {
		t.Fatal(err)
	}
	if st := f.update(mesos.TaskRunning); st.Reason != mesos.ReasonReconciliation || len(st.UUID) != 0 {
		t.Fatalf("explicit reconciliation: %+v", st)
	}
	if err := f.c.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if st := f.update(mesos.TaskRunning); st.Reason != mesos.ReasonReconciliation || st.TaskID != task.TaskID {
		t.Fatalf("implicit reconciliation: %+v", st)
	}

	// A bad uuid is refused with Mesos' text, as the Demo-API notebook shows.
	bad := running
	bad.UUID = []byte("bad-uuid")
	var se *scheduler.Error
	if err := f.c.Acknowledge(ctx, bad); !errors.As(err, &se) || se.StatusCode != http.StatusBadRequest ||
		se.Body != "Failed to validate scheduler::Call: Not a valid UUID" {
		t.Fatalf("ACKNOWLEDGE with a bad uuid: %v", err)
	}

	if err := f.c.Kill(ctx, task.TaskID, &offer.AgentID); err != nil {
		t.Fatal(err)
	}
	if st := f.update(mesos.TaskKilled); st.Message != "Command terminated with signal Terminated" {
		t.Fatalf("TASK_KILLED %q", st.Message)
	}
	next := f.next(mesos.EventOffers).Offers.Offers[0]
	if err := f.c.Decline(ctx, []mesos.OfferID{next.ID}, mesos.RefuseFor(0)); err != nil {
		t.Fatal(err)
	}
	if err := f.c.Teardown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.ended(); !errors.Is(err, io.EOF) {
		t.Fatalf("after TEARDOWN the stream ended with %v, want EOF", err)
	}
	// The torn-down framework cannot come back.
	again, err := scheduler.New(scheduler.Config{Master: c.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	id := f.sub.FrameworkID
	_, err = again.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: t.Name(), ID: &id, FailoverTimeout: 60})
	if !errors.Is(err, scheduler.ErrFrameworkRemoved) {
		t.Fatalf("re-subscribing a torn-down framework: %v, want ErrFrameworkRemoved", err)
	}
}

// TestRealDockerTask launches the demo site as Mesos' Docker
// containerizer runs it, fetches its page through the offered port, and
// kills it.
func TestRealDockerTask(t *testing.T) {
	image := mesostest.NeedDemoImage(t) // skipped (failed under CI) without Docker
	c := realMesos.Get(t)
	if !c.Docker {
		t.Fatal("a Docker engine answers, yet the real agent has no Docker containerizer")
	}
	ctx := t.Context()
	f := subscribeReal(t, c.URL(), mesos.FrameworkInfo{FailoverTimeout: 60})
	offer := f.next(mesos.EventOffers).Offers.Offers[0]
	port := offer.Resources.Ports().Range[0].Begin
	task := mesos.TaskInfo{Name: "web", TaskID: mesos.TaskID{Value: "web-1"}, AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32, port), Command: &mesos.CommandInfo{Shell: new(bool)},
		Container: &mesos.ContainerInfo{Type: mesos.ContainerDocker, Docker: &mesos.DockerInfo{Image: image, Network: mesos.NetworkBridge,
			PortMappings: []mesos.PortMapping{{HostPort: uint32(port), ContainerPort: 80}}}}}
	if err := f.c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
		t.Fatal(err)
	}
	f.update(mesos.TaskStarting)
	running := f.update(mesos.TaskRunning)
	if running.ContainerStatus == nil || len(running.ContainerStatus.NetworkInfos) == 0 {
		t.Fatalf("TASK_RUNNING without the container's address: %+v", running)
	}
	page := "http://127.0.0.1:" + strconv.FormatUint(port, 10) + "/"
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(page)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s", page, resp.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", page, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := f.c.Kill(ctx, task.TaskID, nil); err != nil {
		t.Fatal(err)
	}
	f.update(mesos.TaskKilled)
	if err := f.c.Teardown(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRealEveryCall sends every call the client has but SUBSCRIBE (made
// by subscribeReal) and TEARDOWN (TestRealCommandTask) to a real master:
// each is accepted as the client expects.
func TestRealEveryCall(t *testing.T) {
	c := realMesos.Get(t)
	ctx := t.Context()
	f := subscribeReal(t, c.URL(), mesos.FrameworkInfo{FailoverTimeout: 60, Roles: []string{"*"},
		Capabilities: []mesos.FrameworkCapability{{Type: mesos.CapabilityMultiRole}}})
	offer := f.next(mesos.EventOffers).Offers.Offers[0]
	agent := offer.AgentID
	uuid := []byte{0xab, 0xcd, 0xef, 0x12, 0x34, 0x56, 0x40, 0x90, 0xab, 0xcd, 0xef, 0x12, 0x34, 0x56, 0x78, 0x90}
	calls := []struct {
		name string
		call func() error
	}{
		{"DECLINE", func() error { return f.c.Decline(ctx, []mesos.OfferID{offer.ID}, mesos.RefuseFor(0)) }},
		{"SUPPRESS", func() error { return f.c.Suppress(ctx) }},
		{"REVIVE", func() error { return f.c.Revive(ctx, "*") }},
		{"ACCEPT_INVERSE_OFFERS", func() error { return f.c.AcceptInverseOffers(ctx, []mesos.OfferID{{Value: "none"}}, nil) }},
		{"DECLINE_INVERSE_OFFERS", func() error { return f.c.DeclineInverseOffers(ctx, []mesos.OfferID{{Value: "none"}}, nil) }},
		{"SHUTDOWN", func() error { return f.c.Shutdown(ctx, mesos.ExecutorID{Value: "none"}, agent) }},
		{"MESSAGE", func() error { return f.c.Message(ctx, agent, mesos.ExecutorID{Value: "none"}, []byte("hi")) }},
		{"REQUEST", func() error { return f.c.Request(ctx, mesos.ResourceRequest{Resources: mesos.TaskResources(1, 32)}) }},
		{"ACKNOWLEDGE", func() error {
			return f.c.Acknowledge(ctx, mesos.TaskStatus{TaskID: mesos.TaskID{Value: "none"}, AgentID: &agent, UUID: uuid})
		}},
		{"ACKNOWLEDGE_OPERATION_STATUS", func() error {
			return f.c.AcknowledgeOperationStatus(ctx, mesos.OperationStatus{AgentID: &agent, OperationID: &mesos.OperationID{Value: "none"}, UUID: &mesos.UUID{Value: uuid}})
		}},
		{"RECONCILE_OPERATIONS", func() error { return f.c.ReconcileOperations(ctx) }},
		{"KILL", func() error { return f.c.Kill(ctx, mesos.TaskID{Value: "none"}, nil) }},
		{"UPDATE_FRAMEWORK", func() error {
			return f.c.UpdateFramework(ctx, mesos.FrameworkInfo{User: "root", Name: "renamed", FailoverTimeout: 60, Roles: []string{"*"},
				Capabilities: []mesos.FrameworkCapability{{Type: mesos.CapabilityMultiRole}}})
		}},
	}
	for _, c := range calls {
		if err := c.call(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// KILL of a task the master does not know answers as reconciliation.
	if st := f.update(mesos.TaskLost); st.Reason != mesos.ReasonReconciliation || st.Message != "Reconciliation: Task is unknown" {
		t.Fatalf("KILL of an unknown task: %+v", st)
	}
}

// TestRealFailover: a second subscription with the framework's id takes
// over; the first stream ends with ErrFailedOver.
func TestRealFailover(t *testing.T) {
	c := realMesos.Get(t)
	first := subscribeReal(t, c.URL(), mesos.FrameworkInfo{FailoverTimeout: 60})
	id := first.sub.FrameworkID
	second := subscribeReal(t, c.URL(), mesos.FrameworkInfo{FailoverTimeout: 60, ID: &id})
	if second.sub.FrameworkID != id || second.sub.StreamID == first.sub.StreamID {
		t.Fatalf("re-subscription: framework %s stream %s", second.sub.FrameworkID.Value, second.sub.StreamID)
	}
	if err := first.ended(); !errors.Is(err, scheduler.ErrFailedOver) {
		t.Fatalf("the first stream ended with %v, want ErrFailedOver", err)
	}
	if err := second.c.Revive(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestRealLeaderRedirect: two real masters in one ZooKeeper. A client
// pointed at the one that does not lead is redirected (307) to the
// leader; when the leader stops, a client given the zk:// URL finds the
// new one and the framework re-subscribes there.
func TestRealLeaderRedirect(t *testing.T) {
	t.Parallel()
	zk := zktest.Start(t)
	// A short ZooKeeper session: the stopped leader's node goes in 2 s, not 10.
	c := mesostest.Start(t, mesostest.Options{ZK: zk.URL("/mesos"), Docker: mesostest.DockerOff, MasterFlags: []string{"--zk_session_timeout=2secs"}})
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	leader, err := c.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	follower := c.Masters[0]
	if follower == leader {
		follower = c.Masters[1]
	}
	f := subscribeReal(t, follower.URL, mesos.FrameworkInfo{FailoverTimeout: 600})
	if f.sub.Master != leader.URL {
		t.Fatalf("the stream is held by %s, want the leader %s", f.sub.Master, leader.URL)
	}
	if got, _ := f.c.Leader(ctx); got != leader.URL {
		t.Fatalf("the client sends to %s, want the leader %s", got, leader.URL)
	}
	if err := f.c.Revive(ctx); err != nil {
		t.Fatal(err)
	}

	leader.Stop()
	if err := f.ended(); err == nil {
		t.Fatal("the stream outlived its master")
	}
	next, err := c.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := f.sub.FrameworkID
	g := subscribeReal(t, zk.URL("/mesos"), mesos.FrameworkInfo{FailoverTimeout: 600, ID: &id})
	if g.sub.Master != next.URL || g.sub.FrameworkID != id {
		t.Fatalf("re-subscribed to %s as %s, want %s as %s", g.sub.Master, g.sub.FrameworkID.Value, next.URL, id.Value)
	}
	g.next(mesos.EventOffers)
}
