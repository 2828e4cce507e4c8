package operator_test

// The operator client against a real Mesos 1.11.0 master and agent
// (pkg/mesostest), one cluster for the package.

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// realMesos is the package's real master and agent (command tasks only).
var realMesos = &mesostest.Shared{Options: mesostest.Options{Docker: mesostest.DockerOff}}

func TestMain(m *testing.M) {
	code := m.Run()
	realMesos.Stop()
	os.Exit(code)
}

// realEvents reads an operator stream into a channel.
func realEvents(t *testing.T, op *operator.Client) chan mesos.OperatorEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := op.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan mesos.OperatorEvent, 1000)
	go func() {
		defer close(events)
		for ev, err := range st.Events() {
			if err != nil {
				return
			}
			events <- ev
		}
	}()
	return events
}

// nextOf waits for the next operator event of a type.
func nextOf(t *testing.T, events chan mesos.OperatorEvent, typ mesos.OperatorEventType) mesos.OperatorEvent {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the operator stream ended while waiting for %s", typ)
			}
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s within 30s", typ)
		}
	}
}

// TestRealOperatorCalls: every v1 call of the client, and its event
// stream, while a framework runs a command task; then an operator
// TEARDOWN ends the framework.
func TestRealOperatorCalls(t *testing.T) {
	c := realMesos.Get(t)
	ctx := t.Context()
	op := client(t, c.URL())

	if healthy, err := op.Health(ctx); err != nil || !healthy {
		t.Fatalf("GET_HEALTH %v, %v", healthy, err)
	}
	if v, err := op.Version(ctx); err != nil || v.Version != "1.11.0" {
		t.Fatalf("GET_VERSION %+v, %v", v, err)
	}
	m, err := op.Master(ctx)
	if err != nil || m.MasterInfo.HostPort() != c.Masters[0].Addr || m.StartTime <= 0 || m.ElectedTime <= 0 {
		t.Fatalf("GET_MASTER %+v, %v", m, err)
	}
	agents, err := op.Agents(ctx)
	if err != nil || len(agents.Agents) != 1 || !agents.Agents[0].Active || agents.Agents[0].Version != "1.11.0" {
		t.Fatalf("GET_AGENTS %+v, %v", agents, err)
	}

	events := realEvents(t, op)
	sub := nextOf(t, events, mesos.OperatorSubscribed).Subscribed
	if len(sub.GetState.GetAgents.Agents) != 1 || sub.HeartbeatIntervalSeconds != 15 {
		t.Fatalf("SUBSCRIBED %+v", sub)
	}

	sched, err := scheduler.New(scheduler.Config{Master: c.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer sched.Close()
	s, err := sched.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: t.Name(), FailoverTimeout: 60})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	added := nextOf(t, events, mesos.FrameworkAdded).FrameworkAdded.Framework
	if added.FrameworkInfo.ID == nil || *added.FrameworkInfo.ID != s.FrameworkID || !added.Active {
		t.Fatalf("FRAMEWORK_ADDED %+v", added)
	}
	var offer mesos.Offer
	var statuses = make(chan mesos.TaskStatus, 100)
	go func() {
		for ev, err := range s.Events() {
			if err != nil {
				close(statuses)
				return
			}
			switch ev.Type {
			case mesos.EventOffers:
				if offer.ID.Value == "" {
					offer = ev.Offers.Offers[0]
					task := mesos.TaskInfo{Name: "sleep", TaskID: mesos.TaskID{Value: "sleep-1"}, AgentID: offer.AgentID,
						Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 600"}}
					_ = sched.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil)
				}
			case mesos.EventUpdate:
				if len(ev.Update.Status.UUID) > 0 {
					_ = sched.Acknowledge(ctx, ev.Update.Status)
				}
				statuses <- ev.Update.Status
			}
		}
	}()
	task := nextOf(t, events, mesos.TaskAdded).TaskAdded.Task
	if task.TaskID.Value != "sleep-1" || task.State != mesos.TaskStaging || task.FrameworkID != s.FrameworkID {
		t.Fatalf("TASK_ADDED %+v", task)
	}
	for {
		up := nextOf(t, events, mesos.TaskUpdated).TaskUpdated
		if up.State == mesos.TaskRunning {
			break
		}
	}

	tasks, err := op.Tasks(ctx)
	if err != nil || len(tasks.Tasks) != 1 || tasks.Tasks[0].State != mesos.TaskRunning {
		t.Fatalf("GET_TASKS %+v, %v", tasks, err)
	}
	fws, err := op.Frameworks(ctx)
	if err != nil || len(fws.Frameworks) == 0 {
		t.Fatalf("GET_FRAMEWORKS %+v, %v", fws, err)
	}
	st, err := op.State(ctx)
	if err != nil || len(st.GetTasks.Tasks) != 1 || len(st.GetAgents.Agents) != 1 || len(st.GetExecutors.Executors) != 0 { // a command executor is not listed
		t.Fatalf("GET_STATE %+v, %v", st, err)
	}

	if err := op.Teardown(ctx, s.FrameworkID); err != nil {
		t.Fatal(err)
	}
	removed := nextOf(t, events, mesos.FrameworkRemoved).FrameworkRemoved
	if removed.FrameworkInfo.ID == nil || *removed.FrameworkInfo.ID != s.FrameworkID {
		t.Fatalf("FRAMEWORK_REMOVED %+v", removed)
	}
	fws, err = op.Frameworks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fws.Frameworks {
		if f.FrameworkInfo.ID != nil && *f.FrameworkInfo.ID == s.FrameworkID {
			t.Fatalf("the torn-down framework is still in frameworks: %+v", f)
		}
	}
	var tornDown bool
	for _, f := range fws.CompletedFrameworks {
		tornDown = tornDown || (f.FrameworkInfo.ID != nil && *f.FrameworkInfo.ID == s.FrameworkID)
	}
	if !tornDown {
		t.Fatal("the torn-down framework is not among the completed ones")
	}

	// TEARDOWN of a framework the master does not know: Mesos' 400.
	var oe *operator.Error
	if err := op.Teardown(ctx, mesos.FrameworkID{Value: "never-seen"}); !errors.As(err, &oe) ||
		oe.StatusCode != http.StatusBadRequest || oe.Body != "No framework found with specified ID" {
		t.Fatalf("TEARDOWN of an unknown framework: %v", err)
	}
}

// TestRealOperatorLeaderRedirect: a client pointed at the master that
// does not lead reaches the leader (Mesos answers the operator API with a
// 307 there), and one given the zk:// URL finds it in ZooKeeper.
func TestRealOperatorLeaderRedirect(t *testing.T) {
	t.Parallel()
	zk := zktest.Start(t)
	c := mesostest.Start(t, mesostest.Options{ZK: zk.URL("/mesos"), Docker: mesostest.DockerOff})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	leader, err := c.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	follower := c.Masters[0]
	if follower == leader {
		follower = c.Masters[1]
	}
	for _, master := range []string{follower.URL, zk.URL("/mesos")} {
		m, err := client(t, master).Master(ctx)
		if err != nil || m.MasterInfo.HostPort() != leader.Addr {
			t.Fatalf("GET_MASTER through %s: %+v, %v; want the leader %s", master, m, err, leader.Addr)
		}
	}
}
