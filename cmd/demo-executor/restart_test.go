package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The agent restarts mid-task. A task ends while it is away, so the
// executor cannot deliver that update; once the agent is back the
// executor subscribes again with it, and the framework gets every update
// exactly once: nothing is lost, nothing doubled.
func TestAgentRestartMidTask(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	srv, err := localmesos.New(localmesos.Config{Runner: "process", AllocationInterval: 50 * time.Millisecond, WorkDir: work})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	f := subscribeFramework(t, srv.URL, mesos.FrameworkInfo{User: "root", Name: "restart test", Checkpoint: true, FailoverTimeout: 60})
	exec := demoExecutorInfo("demo")
	offer := f.next(mesos.EventOffers).Offers.Offers[0]
	ctx := context.Background()
	err = f.c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(
		demoTask("t1", offer, exec, "exec sleep 300"),
		demoTask("t2", offer, exec, "sleep 1.5; echo t2 ends while the agent is away"),
	)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.state("t1", mesos.TaskRunning)
	f.state("t2", mesos.TaskRunning)
	log := func() string { return sandboxLog(t, work, "demo") }
	testenv.Eventually(t, 10*time.Second, "the agent acknowledges both TASK_RUNNING", func() bool {
		return strings.Count(log(), "← ACKNOWLEDGED") == 2
	})

	if err := srv.StopAgent(0); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "t2 ends while the agent is away", func() bool {
		return strings.Contains(log(), "UPDATE t2 TASK_FINISHED")
	})
	if err := srv.StartAgent(0); err != nil {
		t.Fatal(err)
	}
	f.state("t2", mesos.TaskFinished)

	// The restarted agent runs the executor as before.
	if err := f.c.Kill(ctx, mesos.TaskID{Value: "t1"}, &offer.AgentID); err != nil {
		t.Fatal(err)
	}
	f.state("t1", mesos.TaskKilled)
	checkTranscript(t, f.seen, []string{
		"UPDATE t1 TASK_RUNNING SOURCE_EXECUTOR",
		"UPDATE t2 TASK_RUNNING SOURCE_EXECUTOR",
		"UPDATE t2 TASK_FINISHED SOURCE_EXECUTOR",
		"UPDATE t1 TASK_KILLED SOURCE_EXECUTOR",
	})
	for uuid, n := range f.acks {
		if n != 1 {
			t.Errorf("update %x delivered %d times", uuid, n)
		}
	}
	// The executor writes a call down once it has its answer, which may
	// be after the framework has the update.
	wants := []string{
		"→ UPDATE t2 TASK_FINISHED", "failed", "disconnected from the agent; subscribing again",
		"→ SUBSCRIBE with 1 unacknowledged updates, 0 unacknowledged tasks: 200 OK", "← ACKNOWLEDGED t2",
		"→ UPDATE t1 TASK_KILLED",
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = testenv.Poll(ctx, 20*time.Millisecond, func() (bool, error) {
		for _, want := range wants {
			if !strings.Contains(log(), want) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Errorf("the sandbox's stdout lacks one of %q:\n%s", wants, log())
	}
	t.Logf("the executor's side, from its sandbox:\n%s", log())
}

// A framework that does not checkpoint loses its tasks when the agent
// goes away, and its executor stops: the agent would not take it back.
func TestAgentRestartWithoutCheckpoint(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	srv, err := localmesos.New(localmesos.Config{Runner: "process", AllocationInterval: 50 * time.Millisecond, WorkDir: work})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	f := subscribeFramework(t, srv.URL, mesos.FrameworkInfo{User: "root", Name: "no checkpoint", FailoverTimeout: 60})
	exec := demoExecutorInfo("demo")
	offer := f.next(mesos.EventOffers).Offers.Offers[0]
	if err := f.c.Accept(context.Background(), []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(demoTask("t1", offer, exec, "exec sleep 300"))}, nil); err != nil {
		t.Fatal(err)
	}
	f.state("t1", mesos.TaskRunning)
	if err := srv.RestartAgent(0); err != nil {
		t.Fatal(err)
	}
	lost := f.state("t1", mesos.TaskLost)
	if lost.Source != mesos.SourceMaster || lost.Reason != mesos.ReasonAgentDisconnected || lost.Message != "Agent 127.0.0.1 disconnected" || len(lost.UUID) != 0 {
		t.Errorf("t1 lost with %s, want the master's TASK_LOST for a disconnected agent", mustJSON(lost))
	}
	// The executor stops by itself or the restarted agent destroys it,
	// as an orphan: either way its task's process ends.
	pid, err := strconv.Atoi(strings.TrimPrefix(f.states["t1"][0].Message, "pid "))
	if err != nil {
		t.Fatalf("TASK_RUNNING message %q", f.states["t1"][0].Message)
	}
	testenv.Eventually(t, 10*time.Second, "the task's process ends", func() bool { return !proc.Alive(pid) })
}
