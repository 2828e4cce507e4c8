package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// testFramework is a scheduler driving the demo executor: it acknowledges
// every update that has a uuid, once, and writes down what it saw.
type testFramework struct {
	t      *testing.T
	c      *scheduler.Client
	id     mesos.FrameworkID
	events chan mesos.Event
	end    chan error
	seen   []string                      // the transcript: one line per UPDATE, MESSAGE or FAILURE
	acks   map[string]int                // uuid -> acknowledgements sent
	states map[string][]mesos.TaskStatus // by task id, in order
}

func subscribeFramework(t *testing.T, master string, info mesos.FrameworkInfo) *testFramework {
	t.Helper()
	c, err := scheduler.New(scheduler.Config{Master: master})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sub, err := c.Subscribe(ctx, info)
	if err != nil {
		t.Fatal(err)
	}
	f := &testFramework{t: t, c: c, id: sub.FrameworkID, events: make(chan mesos.Event, 1000), end: make(chan error, 1), acks: map[string]int{}, states: map[string][]mesos.TaskStatus{}}
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
	t.Cleanup(func() { c.Teardown(context.Background()) })
	return f
}

// next waits for the next event of one of the types, writing down and
// acknowledging the updates it passes on the way.
func (f *testFramework) next(types ...mesos.EventType) mesos.Event {
	f.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-f.events:
			if !ok {
				f.t.Fatalf("framework stream ended while waiting for %v: %v", types, <-f.end)
			}
			f.note(ev)
			for _, typ := range types {
				if ev.Type == typ {
					return ev
				}
			}
		case <-timeout:
			f.t.Fatalf("no %v within 30s; saw:\n%s", types, strings.Join(f.seen, "\n"))
		}
	}
}

func (f *testFramework) note(ev mesos.Event) {
	switch ev.Type {
	case mesos.EventUpdate:
		st := ev.Update.Status
		line := fmt.Sprintf("UPDATE %s %s %s", st.TaskID.Value, st.State, st.Source)
		if st.Reason != "" {
			line += " " + st.Reason
		}
		if st.Source != mesos.SourceExecutor && st.Message != "" {
			line += fmt.Sprintf(" %q", st.Message) // the agent's and master's texts must match
		}
		f.seen = append(f.seen, line)
		f.states[st.TaskID.Value] = append(f.states[st.TaskID.Value], st)
		if len(st.UUID) > 0 {
			f.acks[string(st.UUID)]++
			if f.acks[string(st.UUID)] == 1 {
				if err := f.c.Acknowledge(context.Background(), st); err != nil {
					f.t.Errorf("ACKNOWLEDGE %s: %v", line, err)
				}
			}
		}
	case mesos.EventMessage:
		f.seen = append(f.seen, fmt.Sprintf("MESSAGE from %s: %s", ev.Message.ExecutorID.Value, ev.Message.Data))
	case mesos.EventFailure:
		status := int32(-1)
		if ev.Failure.Status != nil {
			status = *ev.Failure.Status
		}
		f.seen = append(f.seen, fmt.Sprintf("FAILURE executor %s status %d", ev.Failure.ExecutorID.Value, status))
	}
}

// state waits until the task has reached the state (now or before) and
// returns that update.
func (f *testFramework) state(taskID string, want mesos.TaskState) mesos.TaskStatus {
	f.t.Helper()
	for {
		for _, st := range f.states[taskID] {
			if st.State == want {
				return st
			}
			if st.State.Terminal() {
				f.t.Fatalf("task %s ended %s (%s), want %s", taskID, st.State, st.Message, want)
			}
		}
		f.next(mesos.EventUpdate)
	}
}

// demoExecutorInfo runs the demo executor from a path the agent can see.
func demoExecutorInfo(id string) mesos.ExecutorInfo {
	return mesos.ExecutorInfo{
		ExecutorID: mesos.ExecutorID{Value: id}, Name: "demo-executor",
		Command:             &mesos.CommandInfo{Value: demoBinary, Shell: new(false)},
		Resources:           mesos.TaskResources(0.1, 32),
		ShutdownGracePeriod: &mesos.DurationInfo{Nanoseconds: (5 * time.Second).Nanoseconds()},
	}
}

// demoTask is a task of the executor: data is its shell command.
func demoTask(id string, offer mesos.Offer, exec mesos.ExecutorInfo, script string) mesos.TaskInfo {
	return mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Executor: &exec, Data: []byte(script)}
}

// exchange is the executor's whole story, as the notebook tells it: two
// tasks launched on one executor, one finishes, a MESSAGE and its reply,
// a KILL, a SHUTDOWN. It returns what the framework saw.
func exchange(t *testing.T, master string) []string {
	f := subscribeFramework(t, master, mesos.FrameworkInfo{User: "root", Name: "demo-executor test", Checkpoint: true, FailoverTimeout: 60})
	exec := demoExecutorInfo("demo")
	offer := f.next(mesos.EventOffers).Offers.Offers[0]
	ctx := context.Background()
	err := f.c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(
		demoTask("t1", offer, exec, "echo hello from t1; exec sleep 300"),
		demoTask("t2", offer, exec, "echo t2 works; sleep 0.2"),
	)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.state("t2", mesos.TaskFinished)
	f.state("t1", mesos.TaskRunning)

	if err := f.c.Call(ctx, mesos.Call{Type: mesos.CallMessage, Message: &mesos.Message{AgentID: offer.AgentID, ExecutorID: exec.ExecutorID, Data: []byte("ping")}}); err != nil {
		t.Fatal(err)
	}
	reply := f.next(mesos.EventMessage).Message
	if want := `demo got "ping"; running: [t1]`; string(reply.Data) != want {
		t.Errorf("reply %q, want %q", reply.Data, want)
	}

	if err := f.c.Kill(ctx, mesos.TaskID{Value: "t1"}, &offer.AgentID); err != nil {
		t.Fatal(err)
	}
	f.state("t1", mesos.TaskKilled)

	if err := f.c.Shutdown(ctx, exec.ExecutorID, offer.AgentID); err != nil {
		t.Fatal(err)
	}
	failure := f.next(mesos.EventFailure).Failure
	if failure.Status == nil || *failure.Status != 0 {
		t.Errorf("executor ended with %s, want status 0: it exits by itself once its updates are acknowledged", mustJSON(failure))
	}
	for uuid, n := range f.acks {
		if n != 1 {
			t.Errorf("update %x delivered %d times", uuid, n)
		}
	}
	return f.seen
}

// wantTranscript is what the framework sees of exchange, in order.
var wantTranscript = []string{
	"UPDATE t1 TASK_RUNNING SOURCE_EXECUTOR",
	"UPDATE t2 TASK_RUNNING SOURCE_EXECUTOR",
	"UPDATE t2 TASK_FINISHED SOURCE_EXECUTOR",
	`MESSAGE from demo: demo got "ping"; running: [t1]`,
	"UPDATE t1 TASK_KILLED SOURCE_EXECUTOR",
	"FAILURE executor demo status 0",
}

func TestExchangeWithLocalmesos(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	srv, err := localmesos.New(localmesos.Config{Runner: "process", AllocationInterval: 50 * time.Millisecond, WorkDir: work})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	seen := exchange(t, srv.URL)
	checkTranscript(t, seen, wantTranscript)
	log := sandboxLog(t, work, "demo")
	for _, want := range []string{
		"← SUBSCRIBED executor demo of framework", "← LAUNCH t1", "← LAUNCH t2", "[t1] hello from t1", "[t2] t2 works",
		"→ UPDATE t2 TASK_FINISHED", "← ACKNOWLEDGED t2", `← MESSAGE "ping"`, `→ MESSAGE "demo got \"ping\"; running: [t1]"`,
		"← KILL t1", "→ UPDATE t1 TASK_KILLED", "← SHUTDOWN", "every update acknowledged; exiting",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the sandbox's stdout lacks %q:\n%s", want, log)
		}
	}
	t.Logf("the executor's side, from its sandbox:\n%s", log)
}

// checkTranscript compares what the framework saw with what it should
// have. TASK_RUNNING of t1 and t2 may come in either order.
func checkTranscript(t *testing.T, got, want []string) {
	t.Helper()
	norm := func(lines []string) string {
		if len(lines) >= 2 && strings.HasPrefix(lines[0], "UPDATE t2 TASK_RUNNING") {
			lines = append([]string{lines[1], lines[0]}, lines[2:]...)
		}
		return strings.Join(lines, "\n")
	}
	if norm(got) != norm(want) {
		t.Errorf("the framework saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sandboxLog is the stdout the agent kept for an executor's latest run
// under its work directory.
func sandboxLog(t *testing.T, workDir, executorID string) string {
	t.Helper()
	var found string
	filepath.WalkDir(workDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "stdout" && strings.Contains(p, "/executors/"+executorID+"/runs/") && !strings.Contains(p, "/latest/") {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no sandbox stdout of executor %s under %s", executorID, workDir)
	}
	b, err := os.ReadFile(found)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
