package localmesos_test

// Ports of the master tests of Mesos 1.11.0's src/tests/api_tests.cpp
// (the operator API, JSON leg). Upstream launches tasks through a mock
// executor; these use command tasks. The flags, metrics, files, roles,
// weights, quota, reservation, volume and gone-agent tests are in
// operator_api_test.go, the maintenance ones in maintenance_test.go, the
// agent's in agent_api_test.go.

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

func TestMasterAPI_GetAgents(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	agents, err := operatorClient(t, srv).Agents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(agents.Agents) != 1 || len(agents.RecoveredAgents) != 0 {
		t.Fatalf("GET_AGENTS %s", mustJSON(agents))
	}
	a := agents.Agents[0]
	port := srv.AgentURLs[0][len("http://127.0.0.1:"):]
	if a.AgentInfo.Hostname != "127.0.0.1" || a.PID != "slave(1)@127.0.0.1:"+port || !a.Active || a.Version != "1.11.0" || len(a.TotalResources) != 4 {
		t.Fatalf("agent %s", mustJSON(a))
	}
}

func TestMasterAPI_GetFrameworks(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	subscribe(t, srv, defaultFramework())
	fws, err := operatorClient(t, srv).Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fws.Frameworks) != 1 {
		t.Fatalf("GET_FRAMEWORKS %s", mustJSON(fws))
	}
	fw := fws.Frameworks[0]
	if fw.FrameworkInfo.Name != "default" || fw.FrameworkInfo.Roles[0] != "*" || fw.FrameworkInfo.Checkpoint || !fw.Active || !fw.Connected || fw.Recovered {
		t.Fatalf("framework %s", mustJSON(fw))
	}
}

func TestMasterAPI_GetHealth(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	healthy, err := operatorClient(t, srv).Health(context.Background())
	if err != nil || !healthy {
		t.Fatalf("GET_HEALTH: %v, %v", healthy, err)
	}
}

func TestMasterAPI_GetVersion(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	v, err := operatorClient(t, srv).Version(context.Background())
	if err != nil || v.Version != "1.11.0" {
		t.Fatalf("GET_VERSION: %+v, %v", v, err)
	}
}

// healthChecked is a task with a command health check, as the upstream
// tests launch.
func healthChecked(ti mesos.TaskInfo) mesos.TaskInfo {
	one, n := 1.0, uint32(1)
	ti.HealthCheck = &mesos.HealthCheck{Type: "COMMAND", Command: &mesos.CommandInfo{Value: "exit 0"},
		DelaySeconds: &one, IntervalSeconds: &one, TimeoutSeconds: &one, ConsecutiveFailures: &n, GracePeriodSeconds: &one}
	return ti
}

func TestMasterAPI_GetState(t *testing.T) {
	t.Parallel()
	srv := start(t, processRunner)
	op := operatorClient(t, srv)
	f := subscribe(t, srv, defaultFramework())
	offer := f.offer()

	st, err := op.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.GetFrameworks.Frameworks) != 1 || len(st.GetAgents.Agents) != 1 || len(st.GetTasks.Tasks) != 0 || len(st.GetExecutors.Executors) != 0 {
		t.Fatalf("GET_STATE %s", mustJSON(st))
	}

	g := newGate(t)
	f.launch(offer, healthChecked(g.task("t1", offer)))
	for _, want := range []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning} {
		if s := f.update(); s.State != want {
			t.Fatalf("%s, want %s", mustJSON(s), want)
		}
	}
	st, err = op.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.GetTasks.Tasks) != 1 || len(st.GetTasks.CompletedTasks) != 0 {
		t.Fatalf("GET_STATE tasks %s", mustJSON(st.GetTasks))
	}
	hc := st.GetTasks.Tasks[0].HealthCheck
	if hc == nil || hc.Type != "COMMAND" || hc.Command.Value != "exit 0" || *hc.DelaySeconds != 1 || *hc.IntervalSeconds != 1 ||
		*hc.TimeoutSeconds != 1 || *hc.ConsecutiveFailures != 1 || *hc.GracePeriodSeconds != 1 {
		t.Fatalf("health check %s", mustJSON(hc))
	}

	g.open(t)
	if s := f.update(); s.State != mesos.TaskFinished {
		t.Fatalf("%s, want TASK_FINISHED", mustJSON(s))
	}
	testenv.Eventually(t, 10*time.Second, "the finished task is completed", func() bool {
		st, err := op.State(context.Background())
		return err == nil && len(st.GetTasks.Tasks) == 0 && len(st.GetTasks.CompletedTasks) == 1
	})
}

func TestMasterAPI_GetTasksNoRunningTask(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	a := do(t, http.MethodPost, srv.URL+"/api/v1", jsonHeaders(), `{"type":"GET_TASKS"}`)
	a.want(t, http.StatusOK, `{"type":"GET_TASKS","get_tasks":{"tasks":[],"unreachable_tasks":[],"completed_tasks":[]}}`)
}

// A running task is in tasks; once its TASK_FINISHED is acknowledged it is
// in completed_tasks.
func TestMasterAPI_GetTasks(t *testing.T) {
	t.Parallel()
	srv := start(t, processRunner)
	op := operatorClient(t, srv)
	f := subscribe(t, srv, defaultFramework())
	g := newGate(t)
	offer := f.offer()
	f.launch(offer, g.task("t1", offer))
	for _, want := range []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning} {
		if s := f.update(); s.State != want {
			t.Fatalf("%s, want %s", mustJSON(s), want)
		}
	}
	tasks, err := op.Tasks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks.Tasks) != 1 || tasks.Tasks[0].TaskID.Value != "t1" || tasks.Tasks[0].State != mesos.TaskRunning {
		t.Fatalf("GET_TASKS %s", mustJSON(tasks))
	}
	g.open(t)
	if s := f.update(); s.State != mesos.TaskFinished {
		t.Fatalf("%s", mustJSON(s))
	}
	testenv.Eventually(t, 10*time.Second, "the task is completed", func() bool {
		tasks, err = op.Tasks(context.Background())
		return err == nil && len(tasks.Tasks) == 0 && len(tasks.CompletedTasks) == 1
	})
	if c := tasks.CompletedTasks[0]; c.TaskID.Value != "t1" || c.State != mesos.TaskFinished {
		t.Fatalf("completed %s", mustJSON(c))
	}
}

func TestMasterAPI_GetMaster(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	m, err := operatorClient(t, srv).Master(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	now := float64(time.Now().UnixNano()) / 1e9
	if m.MasterInfo.IP != mesos.PackIP("127.0.0.1") || m.MasterInfo.Domain != nil || m.MasterInfo.ID != srv.ID() {
		t.Fatalf("master_info %s", mustJSON(m.MasterInfo))
	}
	if m.StartTime <= 0 || m.StartTime >= now || m.ElectedTime <= 0 || m.ElectedTime >= now {
		t.Fatalf("start_time %f, elected_time %f, now %f", m.StartTime, m.ElectedTime, now)
	}
}

// The operator stream sees a task added (STAGING, with its health check)
// and then running.
func TestMasterAPI_Subscribe(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	ops := operatorSubscribe(t, srv)
	if ev := ops.next(); ev.Type != mesos.OperatorSubscribed {
		t.Fatalf("first event %s", mustJSON(ev))
	}
	f := subscribe(t, srv, defaultFramework())
	offer := f.offer()
	f.launch(offer, healthChecked(simpleTask("t1", offer)))
	added := ops.nextOf(mesos.TaskAdded).TaskAdded.Task
	if added.TaskID.Value != "t1" || added.State != mesos.TaskStaging || added.HealthCheck == nil {
		t.Fatalf("TASK_ADDED %s", mustJSON(added))
	}
	for {
		up := ops.nextOf(mesos.TaskUpdated).TaskUpdated
		if up.Status.State == mesos.TaskStarting {
			f.update()
			continue
		}
		if up.State != mesos.TaskRunning || up.Status.State != mesos.TaskRunning || up.Status.TaskID.Value != "t1" || up.FrameworkID != f.id() {
			t.Fatalf("TASK_UPDATED %s", mustJSON(up))
		}
		return
	}
}

// The stand-in's agents register when it starts, before anyone can
// subscribe, so their AGENT_ADDED events are seen as agents in SUBSCRIBED;
// agents are never removed, so there is no AGENT_REMOVED to see.
func TestMasterAPI_SubscribeAgentEvents(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	ev := operatorSubscribe(t, srv).next()
	if ev.Type != mesos.OperatorSubscribed || len(ev.Subscribed.GetState.GetAgents.Agents) != 1 {
		t.Fatalf("SUBSCRIBED %s", mustJSON(ev))
	}
	a := ev.Subscribed.GetState.GetAgents.Agents[0]
	if a.AgentInfo.Hostname != "127.0.0.1" || a.AgentInfo.ID == nil || a.AgentInfo.ID.Value != srv.ID()+"-S0" ||
		a.PID == "" || a.Version != "1.11.0" || len(a.TotalResources) != 4 {
		t.Fatalf("agent %s", mustJSON(a))
	}
}

// A framework's life as the operator stream tells it: added, updated on
// re-subscription (registered_time kept), removed on TEARDOWN.
func TestMasterAPI_FrameworksEvent(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	ops := operatorSubscribe(t, srv)
	ev := ops.next()
	if ev.Type != mesos.OperatorSubscribed || len(ev.Subscribed.GetState.GetFrameworks.Frameworks) != 0 {
		t.Fatalf("SUBSCRIBED %s", mustJSON(ev))
	}
	if ev := ops.next(); ev.Type != mesos.OperatorHeartbeat {
		t.Fatalf("second event %s, want HEARTBEAT", mustJSON(ev))
	}

	f := subscribe(t, srv, defaultFramework())
	added := ops.nextOf(mesos.FrameworkAdded).FrameworkAdded.Framework
	if !added.Active || !added.Connected || added.FrameworkInfo.ID == nil || *added.FrameworkInfo.ID != f.id() || added.RegisteredTime == nil {
		t.Fatalf("FRAMEWORK_ADDED %s", mustJSON(added))
	}

	time.Sleep(10 * time.Millisecond) // so that reregistered_time is later
	g := subscribe(t, srv, f.resubscribeInfo(defaultFramework()))
	updated := ops.nextOf(mesos.FrameworkUpdated).FrameworkUpdated.Framework
	if updated.RegisteredTime == nil || updated.RegisteredTime.Nanoseconds != added.RegisteredTime.Nanoseconds ||
		updated.ReregisteredTime == nil || updated.ReregisteredTime.Nanoseconds <= added.RegisteredTime.Nanoseconds {
		t.Fatalf("FRAMEWORK_UPDATED %s after FRAMEWORK_ADDED %s", mustJSON(updated), mustJSON(added))
	}

	if err := g.c.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rm := ops.nextOf(mesos.FrameworkRemoved).FrameworkRemoved; rm.FrameworkInfo.ID == nil || *rm.FrameworkInfo.ID != f.id() {
		t.Fatalf("FRAMEWORK_REMOVED %s", mustJSON(rm))
	}
}

// The operator stream's first HEARTBEAT comes at once, the next one an
// interval later.
func TestMasterAPI_Heartbeat(t *testing.T) {
	t.Parallel()
	const interval = 300 * time.Millisecond
	srv := start(t, func(c *localmesos.Config) { c.Heartbeat = interval })
	s := openStream(t, srv.URL+"/api/v1", jsonHeaders(), `{"type":"SUBSCRIBE"}`)
	var ev mesos.OperatorEvent
	if err := jsonInto(string(s.record()), &ev); err != nil || ev.Type != mesos.OperatorSubscribed || ev.Subscribed.HeartbeatIntervalSeconds != interval.Seconds() {
		t.Fatalf("first event %+v, %v", ev, err)
	}
	if got := string(s.record()); got != `{"type":"HEARTBEAT"}` {
		t.Fatalf("second record %s", got)
	}
	first := time.Now()
	if got := string(s.record()); got != `{"type":"HEARTBEAT"}` {
		t.Fatalf("third record %s", got)
	}
	if gap := time.Since(first); gap < interval/2 || gap > 3*interval {
		t.Fatalf("next HEARTBEAT after %v, want about %v", gap, interval)
	}
}

// Past the subscriber limit the oldest operator stream is closed.
func TestMasterAPI_MaxEventStreamSubscribers(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.MaxOperatorSubscribers = 2 })
	var streams []*rawStream
	for range 3 {
		s := openStream(t, srv.URL+"/api/v1", jsonHeaders(), `{"type":"SUBSCRIBE"}`)
		s.record() // SUBSCRIBED: the stream is registered
		s.record() // HEARTBEAT
		streams = append(streams, s)
	}
	streams[0].closed()
	for _, s := range streams[1:] {
		select {
		case rec, ok := <-s.recs:
			if !ok {
				t.Fatal("a newer stream was closed")
			}
			t.Fatalf("unexpected record %s", rec)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Operator TEARDOWN answers an empty 200 and moves the framework to the
// completed ones.
func TestMasterAPI_Teardown(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	a := do(t, http.MethodPost, srv.URL+"/api/v1", jsonHeaders(), `{"type":"TEARDOWN","teardown":{"framework_id":{"value":"`+f.id().Value+`"}}}`)
	a.want(t, http.StatusOK, "")
	if ct := a.header.Get("Content-Type"); ct != "" {
		t.Fatalf("Content-Type %q on an empty 200", ct)
	}
	fws, err := operatorClient(t, srv).Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fws.Frameworks) != 0 || len(fws.CompletedFrameworks) != 1 || *fws.CompletedFrameworks[0].FrameworkInfo.ID != f.id() {
		t.Fatalf("GET_FRAMEWORKS %s", mustJSON(fws))
	}
}
