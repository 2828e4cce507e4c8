package executor_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/executor"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/recordio"
)

// fakeAgent is an agent's /api/v1/executor the test scripts: each
// SUBSCRIBE is answered by the next function in subscribes, every other
// call with 202 unless refuse says otherwise. It records every call.
type fakeAgent struct {
	t          *testing.T
	srv        *httptest.Server
	subscribes []func(w http.ResponseWriter, call mesos.ExecutorCall)
	refuse     func(call mesos.ExecutorCall) (int, string)

	mu      sync.Mutex
	calls   []mesos.ExecutorCall
	headers []http.Header
	called  chan mesos.ExecutorCall
}

func newFakeAgent(t *testing.T) *fakeAgent {
	a := &fakeAgent{t: t, called: make(chan mesos.ExecutorCall, 100)}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *fakeAgent) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != executor.Path || r.Method != http.MethodPost {
		http.Error(w, "404 Not Found.", http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var call mesos.ExecutorCall
	if err := json.Unmarshal(body, &call); err != nil {
		a.t.Errorf("call %s: %v", body, err)
	}
	a.mu.Lock()
	a.calls = append(a.calls, call)
	a.headers = append(a.headers, r.Header.Clone())
	n := 0
	for _, c := range a.calls {
		if c.Type == mesos.ExecutorCallSubscribe {
			n++
		}
	}
	a.mu.Unlock()
	a.called <- call
	if call.Type == mesos.ExecutorCallSubscribe {
		if n > len(a.subscribes) {
			http.Error(w, "no more subscriptions scripted", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		a.subscribes[n-1](w, call)
		return
	}
	if a.refuse != nil {
		if code, msg := a.refuse(call); code != 0 {
			http.Error(w, msg, code)
			return
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

// write sends events on a SUBSCRIBE answer.
func write(w http.ResponseWriter, events ...mesos.ExecutorEvent) {
	enc := recordio.NewEncoder(w)
	for _, ev := range events {
		b, _ := json.Marshal(ev)
		enc.Encode(b)
	}
	w.(http.Flusher).Flush()
}

func (a *fakeAgent) config() executor.Config {
	return executor.Config{
		AgentEndpoint: strings.TrimPrefix(a.srv.URL, "http://"),
		FrameworkID:   mesos.FrameworkID{Value: "fw-1"}, ExecutorID: mesos.ExecutorID{Value: "e1"},
		SubscriptionBackoffMax: 50 * time.Millisecond, RecoveryTimeout: 5 * time.Second,
	}
}

func (a *fakeAgent) waitCall(typ mesos.ExecutorCallType) mesos.ExecutorCall {
	a.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case c := <-a.called:
			if c.Type == typ {
				return c
			}
		case <-timeout:
			a.t.Fatalf("no %s call within 10s", typ)
		}
	}
}

func subscribed() mesos.ExecutorEvent {
	return mesos.ExecutorEvent{Type: mesos.ExecutorEventSubscribed, Subscribed: &mesos.ExecutorSubscribed{
		ExecutorInfo: mesos.ExecutorInfo{ExecutorID: mesos.ExecutorID{Value: "e1"}}, ContainerID: &mesos.ContainerID{Value: "c1"},
	}}
}

func mustBase64(t *testing.T, s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The client against a stream a real Mesos 1.11.0 agent wrote
// (testdata/README.md): every event decodes, the books balance, and the
// stream's end after SHUTDOWN ends Events quietly.
func TestRecordedAgentStream(t *testing.T) {
	t.Parallel()
	recording, err := os.ReadFile("testdata/agent-stream.recordio")
	if err != nil {
		t.Fatal(err)
	}
	agent := newFakeAgent(t)
	agent.subscribes = append(agent.subscribes, func(w http.ResponseWriter, _ mesos.ExecutorCall) { w.Write(recording) })
	c, err := executor.New(agent.config())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sub, err := c.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sub.ExecutorInfo.ExecutorID.Value != "e1" || sub.ContainerID == nil || sub.AgentInfo.Port != 53911 || !sub.FrameworkInfo.Checkpoint {
		t.Fatalf("SUBSCRIBED read as %+v", sub)
	}
	// The updates the recorded executor sent, by task and state: each
	// goes out with the uuid the agent acknowledged.
	uuids := map[string]string{
		"t1 TASK_RUNNING": "bvgoGeXNT56AGKrEYuIFAQ==", "t1 TASK_RUNNING again": "8T64iKwARWaAX5BgLIz0sQ==",
		"t2 TASK_RUNNING": "qXprSERjTHirLONxxjazzA==", "t1 TASK_KILLED": "W5VmesSATiKW5qM6BmbqfQ==",
	}
	update := func(task string, state mesos.TaskState, key string) {
		if _, err := c.Update(ctx, mesos.TaskStatus{TaskID: mesos.TaskID{Value: task}, State: state, UUID: mustBase64(t, uuids[key])}); err != nil {
			t.Fatal(err)
		}
	}
	var types []string
	for ev, err := range sub.Events() {
		if err != nil {
			t.Fatalf("after %v: %v", types, err)
		}
		types = append(types, string(ev.Type))
		switch ev.Type {
		case mesos.ExecutorEventLaunch:
			task := ev.Launch.Task
			if _, tasks := c.Unacknowledged(); len(tasks) == 0 || tasks[len(tasks)-1].TaskID != task.TaskID {
				t.Errorf("LAUNCH %s not kept as unacknowledged: %v", task.TaskID.Value, tasks)
			}
			update(task.TaskID.Value, mesos.TaskRunning, task.TaskID.Value+" TASK_RUNNING")
		case mesos.ExecutorEventMessage:
			if string(ev.Message.Data) != "ping" {
				t.Errorf("MESSAGE %q", ev.Message.Data)
			}
			update("t1", mesos.TaskRunning, "t1 TASK_RUNNING again")
		case mesos.ExecutorEventKill:
			update(ev.Kill.TaskID.Value, mesos.TaskKilled, "t1 TASK_KILLED")
		}
	}
	want := "SUBSCRIBED LAUNCH ACKNOWLEDGED MESSAGE ACKNOWLEDGED ACKNOWLEDGED LAUNCH ACKNOWLEDGED KILL ACKNOWLEDGED SHUTDOWN"
	if got := strings.Join(types, " "); got != want {
		t.Fatalf("events %s\nwant   %s", got, want)
	}
	if updates, tasks := c.Unacknowledged(); len(updates) != 0 || len(tasks) != 0 {
		t.Errorf("left unacknowledged: %d updates, %d tasks", len(updates), len(tasks))
	}
	// What went to the agent is what a Mesos agent accepts.
	agent.mu.Lock()
	defer agent.mu.Unlock()
	for i, call := range agent.calls {
		h := agent.headers[i]
		if call.FrameworkID.Value != "fw-1" || call.ExecutorID.Value != "e1" || h.Get("Content-Type") != "application/json" || h.Get("Accept") != "application/json" {
			t.Errorf("call %d: %+v with headers %v", i, call, h)
		}
		if call.Type == mesos.ExecutorCallUpdate {
			st := call.Update.Status
			if st.Source != mesos.SourceExecutor || st.ExecutorID == nil || st.ExecutorID.Value != "e1" || len(st.UUID) != 16 || st.Timestamp == 0 {
				t.Errorf("UPDATE %+v", st)
			}
		}
	}
}

// After the stream drops, a checkpointing executor subscribes again with
// what the agent has not acknowledged, and the books balance once it
// does.
func TestResubscribeWithUnacknowledged(t *testing.T) {
	t.Parallel()
	agent := newFakeAgent(t)
	task := mesos.TaskInfo{Name: "t", TaskID: mesos.TaskID{Value: "t1"}}
	var sent mesos.TaskStatus
	sentReady := make(chan struct{})
	agent.subscribes = []func(http.ResponseWriter, mesos.ExecutorCall){
		func(w http.ResponseWriter, _ mesos.ExecutorCall) {
			write(w, subscribed(), mesos.ExecutorEvent{Type: mesos.ExecutorEventLaunch, Launch: &mesos.ExecutorLaunch{Task: task}})
			<-sentReady // the agent dies after the UPDATE, before acknowledging it
		},
		func(w http.ResponseWriter, call mesos.ExecutorCall) {
			s := call.Subscribe
			if len(s.UnacknowledgedTasks) != 1 || s.UnacknowledgedTasks[0].TaskID.Value != "t1" ||
				len(s.UnacknowledgedUpdates) != 1 || string(s.UnacknowledgedUpdates[0].Status.UUID) != string(sent.UUID) {
				t.Errorf("re-SUBSCRIBE carried %+v, want task t1 and update %x", s, sent.UUID)
			}
			write(w, subscribed(), mesos.ExecutorEvent{Type: mesos.ExecutorEventAcknowledged, Acknowledged: &mesos.ExecutorAcknowledged{TaskID: task.TaskID, UUID: sent.UUID}})
		},
	}
	cfg := agent.config()
	cfg.Checkpoint = true
	c, err := executor.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := c.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for ev, err := range sub.Events() {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, string(ev.Type))
		if ev.Type == mesos.ExecutorEventLaunch {
			if sent, err = c.Update(ctx, mesos.TaskStatus{TaskID: task.TaskID, State: mesos.TaskRunning}); err != nil {
				t.Fatal(err)
			}
			close(sentReady)
		}
		if ev.Type == mesos.ExecutorEventAcknowledged {
			if updates, tasks := c.Unacknowledged(); len(updates) != 0 || len(tasks) != 0 {
				t.Errorf("after ACKNOWLEDGED: %d updates, %d tasks left", len(updates), len(tasks))
			}
			break
		}
	}
	if got := strings.Join(types, " "); got != "SUBSCRIBED LAUNCH SUBSCRIBED ACKNOWLEDGED" {
		t.Fatalf("events %s", got)
	}
}

// Without checkpointing, a dropped stream is the end.
func TestDisconnectedWithoutCheckpoint(t *testing.T) {
	t.Parallel()
	agent := newFakeAgent(t)
	agent.subscribes = append(agent.subscribes, func(w http.ResponseWriter, _ mesos.ExecutorCall) { write(w, subscribed()) })
	c, _ := executor.New(agent.config())
	sub, err := c.Subscribe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for _, err := range sub.Events() {
		last = err
	}
	if !errors.Is(last, executor.ErrDisconnected) {
		t.Fatalf("Events ended with %v, want ErrDisconnected", last)
	}
}

// With checkpointing, an agent that does not come back within the
// recovery timeout is given up on.
func TestRecoveryTimeout(t *testing.T) {
	t.Parallel()
	agent := newFakeAgent(t)
	agent.subscribes = append(agent.subscribes, func(w http.ResponseWriter, _ mesos.ExecutorCall) {
		write(w, subscribed())
		go agent.srv.Close() // the agent is gone: connections are refused from now on
	})
	cfg := agent.config()
	cfg.Checkpoint, cfg.RecoveryTimeout = true, 300*time.Millisecond
	c, _ := executor.New(cfg)
	sub, err := c.Subscribe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	var last error
	for _, err := range sub.Events() {
		last = err
	}
	if !errors.Is(last, executor.ErrRecoveryTimeout) {
		t.Fatalf("Events ended with %v, want ErrRecoveryTimeout", last)
	}
	if waited := time.Since(began); waited < cfg.RecoveryTimeout {
		t.Fatalf("gave up after %v, before the recovery timeout", waited)
	}
	if !strings.Contains(last.Error(), "attempts") {
		t.Fatalf("%v: want the number of attempts", last)
	}
}

// A refused update is dropped, not kept: it would be refused again.
func TestUpdateRefused(t *testing.T) {
	t.Parallel()
	agent := newFakeAgent(t)
	agent.refuse = func(mesos.ExecutorCall) (int, string) {
		return http.StatusBadRequest, "Failed to validate Executor::Call: Received TASK_STAGING from executor e1 of framework fw-1 which is not allowed"
	}
	c, _ := executor.New(agent.config())
	_, err := c.Update(context.Background(), mesos.TaskStatus{TaskID: mesos.TaskID{Value: "t1"}, State: mesos.TaskStaging})
	var refused *executor.Error
	if !errors.As(err, &refused) || refused.StatusCode != http.StatusBadRequest || !strings.Contains(refused.Body, "TASK_STAGING") {
		t.Fatalf("Update: %v, want the agent's 400", err)
	}
	if updates, _ := c.Unacknowledged(); len(updates) != 0 {
		t.Fatalf("refused update kept: %v", updates)
	}
}

// Port of executor_http_api_tests.cpp HeartbeatCalls: while subscribed,
// the client sends HEARTBEAT calls to the agent at its interval.
func TestExecutorHTTPAPI_HeartbeatCalls(t *testing.T) {
	t.Parallel()
	agent := newFakeAgent(t)
	done := make(chan struct{})
	t.Cleanup(func() { close(done) }) // before the server closes: it waits for this handler
	agent.subscribes = append(agent.subscribes, func(w http.ResponseWriter, _ mesos.ExecutorCall) {
		write(w, subscribed())
		<-done
	})
	cfg := agent.config()
	cfg.HeartbeatInterval = 100 * time.Millisecond
	c, _ := executor.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := c.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range sub.Events() {
		}
	}()
	hb := agent.waitCall(mesos.ExecutorCallHeartbeat)
	if hb.FrameworkID.Value != "fw-1" || hb.ExecutorID.Value != "e1" {
		t.Fatalf("HEARTBEAT %+v", hb)
	}
	agent.mu.Lock()
	h := agent.headers[len(agent.headers)-1]
	agent.mu.Unlock()
	if h.Get("Content-Type") != "application/json" {
		t.Fatalf("HEARTBEAT Content-Type %q", h.Get("Content-Type"))
	}
}
