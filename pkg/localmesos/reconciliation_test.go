package localmesos_test

// Ports of Mesos 1.11.0's src/tests/reconciliation_tests.cpp. In the v1
// API a reconciled task names only its id and agent, so TaskStateMismatch
// and TaskStateMatch differ here in what they name, not in a state. The
// tests of recovering and removed agents (RecoveredAgent,
// RecoveredAgentReregistrationInProgress, DISABLED_RemovalInProgress,
// PartitionedAgentThenMasterFailover) have no counterpart: the stand-in's
// agents live in its own process and never go away.

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// wantReconciled checks a reconciliation answer: from the master, with
// REASON_RECONCILIATION and without a uuid (it needs no acknowledgement).
func wantReconciled(t *testing.T, st mesos.TaskStatus, state mesos.TaskState, message string, agent *mesos.AgentID) {
	t.Helper()
	if st.State != state || st.Message != message || st.Reason != mesos.ReasonReconciliation || st.Source != mesos.SourceMaster || len(st.UUID) != 0 {
		t.Fatalf("%s, want %s %q from the master with REASON_RECONCILIATION and no uuid", mustJSON(st), state, message)
	}
	if (agent == nil) != (st.AgentID == nil) || agent != nil && *agent != *st.AgentID {
		t.Fatalf("agent_id %v, want %v", st.AgentID, agent)
	}
}

func TestReconciliation_TaskStateMismatch(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	ti := f.runTask("t1")
	if err := f.c.Reconcile(context.Background(), mesos.ReconcileTask{TaskID: ti.TaskID}); err != nil {
		t.Fatal(err)
	}
	wantReconciled(t, f.status(), mesos.TaskRunning, "Reconciliation: Latest task state", &ti.AgentID)
}

func TestReconciliation_TaskStateMatch(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	ti := f.runTask("t1")
	if err := f.c.Reconcile(context.Background(), mesos.ReconcileTask{TaskID: ti.TaskID, AgentID: &ti.AgentID}); err != nil {
		t.Fatal(err)
	}
	wantReconciled(t, f.status(), mesos.TaskRunning, "Reconciliation: Latest task state", &ti.AgentID)
}

func partitionAware() mesos.FrameworkInfo {
	info := defaultFramework()
	info.Capabilities = append(info.Capabilities, mesos.FrameworkCapability{Type: mesos.CapabilityPartitionAware})
	return info
}

// A task on an agent the master never heard of is unknown.
func TestReconciliation_UnknownSlave(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, partitionAware())
	agent := mesos.AgentID{Value: "2a5b2e0e-0000-4000-8000-000000000000-S99"}
	if err := f.c.Reconcile(context.Background(), mesos.ReconcileTask{TaskID: mesos.TaskID{Value: "nope"}, AgentID: &agent}); err != nil {
		t.Fatal(err)
	}
	st := f.status()
	wantReconciled(t, st, mesos.TaskUnknown, "Reconciliation: Task is unknown", &agent)
	if st.UnreachableTime != nil {
		t.Fatalf("unreachable_time set: %s", mustJSON(st))
	}
}

func TestReconciliation_UnknownTask(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	agent := f.offer().AgentID
	if err := f.c.Reconcile(context.Background(), mesos.ReconcileTask{TaskID: mesos.TaskID{Value: "nope"}, AgentID: &agent}); err != nil {
		t.Fatal(err)
	}
	wantReconciled(t, f.status(), mesos.TaskLost, "Reconciliation: Task is unknown to the agent", &agent)
}

func TestReconciliation_UnknownTaskPartitionAware(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, partitionAware())
	agent := f.offer().AgentID
	if err := f.c.Reconcile(context.Background(), mesos.ReconcileTask{TaskID: mesos.TaskID{Value: "nope"}, AgentID: &agent}); err != nil {
		t.Fatal(err)
	}
	wantReconciled(t, f.status(), mesos.TaskGone, "Reconciliation: Task is unknown to the agent", &agent)
}

// KILL of a task the master does not know is answered by reconciling it.
func TestReconciliation_UnknownKillTask(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	if err := f.c.Kill(context.Background(), mesos.TaskID{Value: "nope"}, nil); err != nil {
		t.Fatal(err)
	}
	wantReconciled(t, f.status(), mesos.TaskLost, "Reconciliation: Task is unknown", nil)
}

func TestReconciliation_ImplicitNonTerminalTask(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	ti := f.runTask("t1")
	if err := f.c.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := f.status()
	wantReconciled(t, st, mesos.TaskRunning, "Reconciliation: Latest task state", &ti.AgentID)
	if st.TaskID != ti.TaskID {
		t.Fatalf("reconciled %s", st.TaskID.Value)
	}
}

// gate is a file a process task waits for: the test decides when the task
// finishes.
type gate string

func newGate(t *testing.T) gate { return gate(filepath.Join(t.TempDir(), "go")) }

// task waits for the gate, then exits 0.
func (g gate) task(id string, offer mesos.Offer) mesos.TaskInfo {
	ti := simpleTask(id, offer)
	ti.Command = &mesos.CommandInfo{Value: "while [ ! -e " + string(g) + " ]; do sleep 0.02; done"}
	return ti
}

func (g gate) open(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(string(g), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// processRunner runs tasks as local processes, for the tests that need a
// task to finish on its own.
func processRunner(c *localmesos.Config) { c.Runner = "process" }

// finishTask runs a gated task to TASK_FINISHED; ack says whether the
// finishing update is acknowledged.
func finishTask(t *testing.T, f *framework, id string, ack bool) (mesos.TaskInfo, mesos.TaskStatus) {
	t.Helper()
	g := newGate(t)
	offer := f.offer()
	ti := g.task(id, offer)
	f.launch(offer, ti)
	for _, want := range []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning} {
		if st := f.update(); st.State != want {
			t.Fatalf("%s, want %s", mustJSON(st), want)
		}
	}
	g.open(t)
	st := f.status()
	if st.State != mesos.TaskFinished {
		t.Fatalf("%s, want TASK_FINISHED", mustJSON(st))
	}
	if ack {
		f.ack(st)
	}
	return ti, st
}

// A task whose terminal update was acknowledged is forgotten: implicit
// reconciliation says nothing about it.
func TestReconciliation_ImplicitTerminalTask(t *testing.T) {
	t.Parallel()
	srv := start(t, processRunner)
	f := subscribe(t, srv, defaultFramework())
	finishTask(t, f, "t1", true)
	op := operatorClient(t, srv)
	testenv.Eventually(t, 10*time.Second, "task completed", func() bool {
		tasks, err := op.Tasks(context.Background())
		return err == nil && len(tasks.Tasks) == 0 && len(tasks.CompletedTasks) == 1
	})
	if err := f.c.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.none(300*time.Millisecond, mesos.EventUpdate)
}

// Until its terminal update is acknowledged a task is still reconciled.
func TestReconciliation_UnacknowledgedTerminalTask(t *testing.T) {
	t.Parallel()
	srv := start(t, processRunner)
	f := subscribe(t, srv, defaultFramework())
	ti, _ := finishTask(t, f, "t1", false)
	if err := f.c.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	for {
		st := f.status()
		if len(st.UUID) > 0 {
			continue // the agent re-sending the unacknowledged update
		}
		wantReconciled(t, st, mesos.TaskFinished, "Reconciliation: Latest task state", &ti.AgentID)
		return
	}
}

// The master answers with the state of the update the scheduler has yet
// to acknowledge, not the task's latest state.
func TestReconciliation_ReconcileStatusUpdateTaskState(t *testing.T) {
	t.Parallel()
	srv := start(t, processRunner)
	f := subscribe(t, srv, defaultFramework())
	g := newGate(t)
	offer := f.offer()
	ti := g.task("t1", offer)
	f.launch(offer, ti)
	if st := f.update(); st.State != mesos.TaskStarting {
		t.Fatalf("%s", mustJSON(st))
	}
	if st := f.status(); st.State != mesos.TaskRunning { // not acknowledged
		t.Fatalf("%s", mustJSON(st))
	}
	g.open(t) // TASK_FINISHED now waits behind TASK_RUNNING
	op := operatorClient(t, srv)
	testenv.Eventually(t, 10*time.Second, "the master learns the task finished", func() bool {
		tasks, err := op.Tasks(context.Background())
		return err == nil && len(tasks.Tasks) == 1 && tasks.Tasks[0].State == mesos.TaskFinished
	})
	if err := f.c.Reconcile(context.Background(), mesos.ReconcileTask{TaskID: ti.TaskID}); err != nil {
		t.Fatal(err)
	}
	for {
		st := f.status()
		if len(st.UUID) > 0 {
			if st.State != mesos.TaskRunning {
				t.Fatalf("%s delivered before TASK_RUNNING was acknowledged", st.State)
			}
			continue
		}
		wantReconciled(t, st, mesos.TaskRunning, "Reconciliation: Latest task state", &ti.AgentID)
		return
	}
}
