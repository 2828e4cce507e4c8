package localmesos_test

// The agent's and master's side of custom executors, beyond the ported
// upstream tests: what happens to updates, messages, kills and shutdowns,
// and to executors that never subscribe or do not come back after an
// agent restart. Each expectation is what the real 1.11.0 agent does
// (src/slave/slave.cpp), checked against it where a test says so.

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// pretend is a test speaking for an executor the agent started.
type pretend struct {
	t      *testing.T
	srv    *localmesos.Server
	fwID   string
	execID string
	stream *rawStream
}

// subscribePretend launches tasks on an executor that never subscribes by
// itself and subscribes for it; it returns after SUBSCRIBED.
func subscribePretend(t *testing.T, srv *localmesos.Server, f *framework, execID string, edit func(*mesos.ExecutorInfo), tasks ...string) *pretend {
	t.Helper()
	launchPretend(t, f, execID, edit, tasks...)
	p := &pretend{t: t, srv: srv, fwID: f.id().Value, execID: execID}
	p.stream = subscribeWhenLaunched(t, srv, p.fwID, execID, jsonHeaders())
	if ev := p.event(); ev.Type != mesos.ExecutorEventSubscribed {
		t.Fatalf("first event %s, want SUBSCRIBED", mustJSON(ev))
	}
	return p
}

func launchPretend(t *testing.T, f *framework, execID string, edit func(*mesos.ExecutorInfo), tasks ...string) mesos.ExecutorInfo {
	t.Helper()
	exec := mesos.ExecutorInfo{ExecutorID: mesos.ExecutorID{Value: execID}, Command: &mesos.CommandInfo{Value: "exec sleep 300"},
		Resources: mesos.TaskResources(0.1, 32)}
	if edit != nil {
		edit(&exec)
	}
	offer := f.offer()
	var infos []mesos.TaskInfo
	for _, id := range tasks {
		infos = append(infos, mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: offer.AgentID,
			Resources: mesos.TaskResources(0.1, 32), Executor: &exec})
	}
	launchNow(t, f, offer, infos...)
	return exec
}

// launchNow launches tasks; what they leave of the offer comes back at
// once.
func launchNow(t *testing.T, f *framework, offer mesos.Offer, tasks ...mesos.TaskInfo) {
	t.Helper()
	if err := f.c.Accept(context.Background(), []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(tasks...)}, mesos.RefuseFor(0)); err != nil {
		t.Fatal(err)
	}
}

func (p *pretend) event() mesos.ExecutorEvent {
	p.t.Helper()
	return executorEvent(p.t, p.stream)
}

// expect waits for the next event of a type, passing over HEARTBEAT,
// and ACKNOWLEDGED unless that is the type, and checks nothing else
// comes first.
func (p *pretend) expect(typ mesos.ExecutorEventType) mesos.ExecutorEvent {
	p.t.Helper()
	for {
		ev := p.event()
		if ev.Type == mesos.ExecutorEventHeartbeat || ev.Type == mesos.ExecutorEventAcknowledged && typ != ev.Type {
			continue
		}
		if ev.Type != typ {
			p.t.Fatalf("event %s, want %s", mustJSON(ev), typ)
		}
		return ev
	}
}

// call posts a call as the executor.
func (p *pretend) call(typ, rest string) answer {
	p.t.Helper()
	return postExecutor(p.t, p.srv, jsonHeaders(), executorCall(p.fwID, p.execID, typ, rest))
}

// update posts an UPDATE and returns its uuid.
func (p *pretend) update(task string, state mesos.TaskState, extra string) string {
	p.t.Helper()
	uuid := newUUIDBase64()
	p.call("UPDATE", `"update":{"status":{"task_id":{"value":"`+task+`"},"state":"`+string(state)+`","source":"SOURCE_EXECUTOR","uuid":"`+uuid+`"`+extra+`}}`).
		want(p.t, http.StatusAccepted, "")
	return uuid
}

// An UPDATE is taken over: acknowledged to the executor, forwarded to the
// framework with the agent's id and the container's status; a duplicate
// is acknowledged again but not forwarded (as the real agent did).
func TestExecutorUpdateTakenOver(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	p := subscribePretend(t, srv, f, "e1", nil, "t1")
	p.expect(mesos.ExecutorEventLaunch)
	uuid := p.update("t1", mesos.TaskRunning, `,"message":"hello","data":"ZGF0YQ=="`)
	if ack := p.expect(mesos.ExecutorEventAcknowledged).Acknowledged; ack.TaskID.Value != "t1" || base64.StdEncoding.EncodeToString(ack.UUID) != uuid {
		t.Fatalf("ACKNOWLEDGED %s, want t1 %s", mustJSON(ack), uuid)
	}
	st := f.update()
	cs := st.ContainerStatus
	if st.State != mesos.TaskRunning || st.Source != mesos.SourceExecutor || st.Message != "hello" || string(st.Data) != "data" ||
		base64.StdEncoding.EncodeToString(st.UUID) != uuid || st.AgentID == nil || st.AgentID.Value == "" || st.Timestamp == 0 ||
		cs == nil || cs.ContainerID == nil || cs.ExecutorPID == 0 || cs.NetworkInfos[0].IPAddresses[0].IPAddress != "127.0.0.1" {
		t.Fatalf("framework got %s", mustJSON(st))
	}
	p.call("UPDATE", `"update":{"status":{"task_id":{"value":"t1"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR","uuid":"`+uuid+`"}}`).
		want(t, http.StatusAccepted, "")
	p.expect(mesos.ExecutorEventAcknowledged)
	f.none(500*time.Millisecond, mesos.EventUpdate)
}

// An UPDATE for a task no executor runs reaches the framework, and the
// executor gets no ACKNOWLEDGED for it (as the real agent did).
func TestExecutorUpdateOfUnknownTask(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	p := subscribePretend(t, srv, f, "e1", nil, "t1")
	p.expect(mesos.ExecutorEventLaunch)
	p.update("nosuch", mesos.TaskRunning, "")
	if st := f.update(); st.TaskID.Value != "nosuch" || st.ContainerStatus != nil {
		t.Fatalf("framework got %s", mustJSON(st))
	}
	p.update("t1", mesos.TaskRunning, "")
	if ack := p.expect(mesos.ExecutorEventAcknowledged).Acknowledged; ack.TaskID.Value != "t1" {
		t.Fatalf("ACKNOWLEDGED %s: the update of nosuch must not be acknowledged", mustJSON(ack))
	}
}

func TestExecutorMessagesBothWays(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	p := subscribePretend(t, srv, f, "e1", nil, "t1")
	p.expect(mesos.ExecutorEventLaunch)
	agentID := mesos.AgentID{Value: srv.ID() + "-S0"}
	if err := f.c.Call(context.Background(), mesos.Call{Type: mesos.CallMessage, Message: &mesos.Message{AgentID: agentID, ExecutorID: mesos.ExecutorID{Value: "e1"}, Data: []byte("ping")}}); err != nil {
		t.Fatal(err)
	}
	if m := p.expect(mesos.ExecutorEventMessage).Message; string(m.Data) != "ping" {
		t.Fatalf("MESSAGE %q", m.Data)
	}
	p.call("MESSAGE", `"message":{"data":"cG9uZw=="}`).want(t, http.StatusAccepted, "")
	m := f.next(mesos.EventMessage).Message
	if string(m.Data) != "pong" || m.ExecutorID.Value != "e1" || m.AgentID != agentID {
		t.Fatalf("framework got MESSAGE %s", mustJSON(m))
	}
}

// KILL goes to the executor, with the call's kill policy when it has one;
// SHUTDOWN too; an executor that does not exit within its grace period is
// killed, and its live tasks fail as the real agent reports them.
func TestExecutorKillAndShutdown(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	grace := func(e *mesos.ExecutorInfo) {
		e.ShutdownGracePeriod = &mesos.DurationInfo{Nanoseconds: int64(200 * time.Millisecond)}
	}
	p := subscribePretend(t, srv, f, "e1", grace, "t1", "t2")
	p.expect(mesos.ExecutorEventLaunch)
	p.expect(mesos.ExecutorEventLaunch)
	p.update("t1", mesos.TaskRunning, "")
	p.update("t2", mesos.TaskRunning, "")
	f.update()
	f.update()
	ctx := context.Background()
	agentID := mesos.AgentID{Value: srv.ID() + "-S0"}
	if err := f.c.Kill(ctx, mesos.TaskID{Value: "t1"}, &agentID); err != nil {
		t.Fatal(err)
	}
	if k := p.expect(mesos.ExecutorEventKill).Kill; k.TaskID.Value != "t1" || k.KillPolicy != nil {
		t.Fatalf("KILL %s", mustJSON(k))
	}
	policy := &mesos.KillPolicy{GracePeriod: &mesos.DurationInfo{Nanoseconds: 1e9}}
	if err := f.c.Call(ctx, mesos.Call{Type: mesos.CallKill, Kill: &mesos.Kill{TaskID: mesos.TaskID{Value: "t1"}, KillPolicy: policy}}); err != nil {
		t.Fatal(err)
	}
	if k := p.expect(mesos.ExecutorEventKill).Kill; k.KillPolicy == nil || k.KillPolicy.GracePeriod.Nanoseconds != 1e9 {
		t.Fatalf("KILL %s, want the call's kill policy", mustJSON(k))
	}
	p.update("t1", mesos.TaskKilled, "")
	f.update()
	if err := f.c.Shutdown(ctx, mesos.ExecutorID{Value: "e1"}, agentID); err != nil {
		t.Fatal(err)
	}
	p.expect(mesos.ExecutorEventShutdown)
	failure := f.next(mesos.EventFailure).Failure
	if failure.ExecutorID.Value != "e1" || *failure.AgentID != agentID || *failure.Status != 9 {
		t.Fatalf("FAILURE %s, want executor e1 killed by SIGKILL (status 9)", mustJSON(failure))
	}
	st := f.update()
	if st.TaskID.Value != "t2" || st.State != mesos.TaskFailed || st.Source != mesos.SourceAgent || st.Reason != mesos.ReasonExecutorTerminated ||
		st.Message != "Executor terminated" || st.ExecutorID == nil || st.ExecutorID.Value != "e1" || len(st.UUID) == 0 {
		t.Fatalf("t2 ended with %s", mustJSON(st))
	}
}

// A task killed before its executor subscribed is killed by the agent,
// and the executor, never sent a task, gets SHUTDOWN when it subscribes
// (MESOS-8411).
func TestExecutorKillBeforeSubscribe(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	launchPretend(t, f, "e1", nil, "t1")
	fwID := f.id().Value
	// Wait until the agent has the executor (a MESSAGE is refused 403).
	testenv.Eventually(t, 10*time.Second, "the agent starts executor e1", func() bool {
		return postExecutor(t, srv, jsonHeaders(), executorCall(fwID, "e1", "MESSAGE", `"message":{"data":""}`)).code == http.StatusForbidden
	})
	if err := f.c.Kill(context.Background(), mesos.TaskID{Value: "t1"}, nil); err != nil {
		t.Fatal(err)
	}
	st := f.update()
	if st.State != mesos.TaskKilled || st.Source != mesos.SourceAgent || st.Reason != mesos.ReasonTaskKilledDuringLaunch ||
		st.Message != "Killed before delivery to the executor" || st.ExecutorID.Value != "e1" {
		t.Fatalf("t1 ended with %s", mustJSON(st))
	}
	s := subscribeExecutor(t, srv, fwID, "e1", jsonHeaders())
	if ev := executorEvent(t, s); ev.Type != mesos.ExecutorEventShutdown {
		t.Fatalf("first event %s, want SHUTDOWN", mustJSON(ev))
	}
}

func TestExecutorRegistrationTimeout(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, func(c *localmesos.Config) { c.ExecutorRegistrationTimeout = 300 * time.Millisecond })
	f := subscribe(t, srv, defaultFramework())
	launchPretend(t, f, "e1", nil, "t1")
	if fl := f.next(mesos.EventFailure).Failure; *fl.Status != 9 {
		t.Fatalf("FAILURE %s, want status 9", mustJSON(fl))
	}
	st := f.update()
	if st.State != mesos.TaskFailed || st.Reason != mesos.ReasonExecutorRegistrationTimeout || st.Message != "Executor did not register within 300ms" {
		t.Fatalf("t1 ended with %s", mustJSON(st))
	}
}

// A task sent to the executor that its SUBSCRIBE does not list never
// reached it: the agent reports it lost.
func TestExecutorResubscribeWithoutLaunchedTask(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	p := subscribePretend(t, srv, f, "e1", nil, "t1")
	p.expect(mesos.ExecutorEventLaunch)
	again := subscribeExecutor(t, srv, p.fwID, "e1", jsonHeaders())
	if ev := executorEvent(t, again); ev.Type != mesos.ExecutorEventSubscribed {
		t.Fatalf("first event %s", ev.Type)
	}
	p.stream.closed() // the retried SUBSCRIBE replaced the first stream
	st := f.update()
	if st.State != mesos.TaskLost || st.Reason != mesos.ReasonAgentRestarted || st.Message != "Task launched during agent restart" || st.Source != mesos.SourceAgent {
		t.Fatalf("t1 ended with %s", mustJSON(st))
	}
}

// A restarted agent answers an executor's calls 503 until it has
// recovered, and kills executors that do not subscribe again within
// ExecutorReregistrationTimeout: their tasks are lost.
func TestExecutorAgentRecovering(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, func(c *localmesos.Config) { c.ExecutorReregistrationTimeout = 500 * time.Millisecond })
	info := defaultFramework()
	info.Checkpoint = true
	f := subscribe(t, srv, info)
	p := subscribePretend(t, srv, f, "e1", nil, "t1")
	p.expect(mesos.ExecutorEventLaunch)
	p.update("t1", mesos.TaskRunning, "")
	f.update()
	if err := srv.RestartAgent(0); err != nil {
		t.Fatal(err)
	}
	rawClient.CloseIdleConnections() // they went with the agent
	p.call("MESSAGE", `"message":{"data":""}`).want(t, http.StatusServiceUnavailable, "Agent has not finished recovery")
	if fl := f.next(mesos.EventFailure).Failure; *fl.Status != 9 {
		t.Fatalf("FAILURE %s, want status 9", mustJSON(fl))
	}
	st := f.update()
	if st.State != mesos.TaskLost || st.Reason != mesos.ReasonExecutorReregistrationTimeout || st.Message != "Executor did not reregister within 500ms" {
		t.Fatalf("t1 ended with %s", mustJSON(st))
	}
}

// The master's checks of a task's ExecutorInfo, in its words.
func TestExecutorInfoValidation(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	cases := map[string]struct {
		edit func(*mesos.ExecutorInfo)
		want string
	}{
		"t0": {func(e *mesos.ExecutorInfo) { e.Type = "DEFAULT" }, "'ExecutorInfo.command' must not be set for 'DEFAULT' executor"},
		"t1": {func(e *mesos.ExecutorInfo) { e.Type, e.Command = "DEFAULT", nil }, "'ExecutorInfo.type' must be 'CUSTOM'"},
		"t2": {func(e *mesos.ExecutorInfo) { e.Type, e.Command = "CUSTOM", nil }, "'ExecutorInfo.command' must be set for 'CUSTOM' executor"},
		"t3": {func(e *mesos.ExecutorInfo) { e.Command = nil }, "'ExecutorInfo.command' must be set"},
		"t4": {func(e *mesos.ExecutorInfo) { e.FrameworkID = &mesos.FrameworkID{Value: "other"} }, "ExecutorInfo has an invalid FrameworkID (Actual: other vs Expected: " + f.id().Value + ")"},
		"t5": {func(e *mesos.ExecutorInfo) { e.ShutdownGracePeriod = &mesos.DurationInfo{Nanoseconds: -1} }, "ExecutorInfo's 'shutdown_grace_period' must be non-negative"},
		"t6": {func(e *mesos.ExecutorInfo) { e.Resources = mesos.TaskResources(64, 32) }, "Total resources cpus(allocated: *):0.1; mem(allocated: *):32; cpus(allocated: *):64; mem(allocated: *):32 required by task and its executor is more than available"},
	}
	offer := f.offer()
	var tasks []mesos.TaskInfo
	for id, c := range cases {
		exec := mesos.ExecutorInfo{ExecutorID: mesos.ExecutorID{Value: "bad-" + id}, Command: &mesos.CommandInfo{Value: "exec sleep 300"},
			Resources: mesos.TaskResources(0.1, 32)}
		c.edit(&exec)
		tasks = append(tasks, mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: offer.AgentID,
			Resources: mesos.TaskResources(0.1, 32), Executor: &exec})
	}
	launchNow(t, f, offer, tasks...)
	for range cases {
		st := f.status()
		if c := cases[st.TaskID.Value]; st.State != mesos.TaskError || !strings.HasPrefix(st.Message, c.want) {
			t.Errorf("%s: %s %q, want TASK_ERROR %q", st.TaskID.Value, st.State, st.Message, c.want)
		}
	}
	// Two tasks on one executor: its resources count once; a second
	// ExecutorInfo with the same id must be the same.
	launchPretend(t, f, "e1", nil, "u1", "u2")
	launchPretend(t, f, "e1", func(e *mesos.ExecutorInfo) { e.Command.Value = "exec sleep 301" }, "u3")
	if st := f.status(); st.State != mesos.TaskError || !strings.HasPrefix(st.Message, "ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.\n") {
		t.Errorf("u3: TASK_ERROR %q", st.Message)
	}
	// The executor's 0.1 cpus and the two tasks' are taken from the agent.
	if cpus := f.offer().Resources.CPUs(); cpus != 3.7 {
		t.Errorf("offered %g cpus after an executor and two tasks of 0.1 each, want 3.7", cpus)
	}
}

// Runners that cannot start an executor say so in the task's end.
func TestExecutorRefusedBySimulatedRunner(t *testing.T) {
	t.Parallel()
	srv := start(t, nil) // simulated
	f := subscribe(t, srv, defaultFramework())
	launchPretend(t, f, "e1", nil, "t1")
	if fl := f.next(mesos.EventFailure).Failure; *fl.Status != -1 {
		t.Fatalf("FAILURE %s, want status -1", mustJSON(fl))
	}
	st := f.update()
	want := "Failed to launch container: localmesos runs custom executors as local processes, which its simulated runner does not do: start localmesos with --runner=process or --runner=auto to run executor 'e1'"
	if st.State != mesos.TaskFailed || st.Reason != mesos.ReasonContainerLaunchFailed || st.Message != want {
		t.Fatalf("t1 ended with %s", mustJSON(st))
	}
}
