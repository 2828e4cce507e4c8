package localmesos_test

// Ports of Mesos 1.11.0's src/tests/http_fault_tolerance_tests.cpp. The
// upstream tests advance a paused clock; these use short timeouts instead.
// SchedulerFailoverExecutorToFrameworkMessage and
// SchedulerFailoverFrameworkToExecutorMessage have no counterpart: they
// need a custom executor, which the stand-in does not run.

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// A failed-over scheduler may not change the framework's principal: its
// subscription is refused with ERROR, and no SUBSCRIBED comes.
func TestHttpFaultTolerance_FrameworkPrincipalChangeFails(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) {
		c.Credentials = map[string]string{"test-principal": "secret1", "test-principal-2": "secret2"}
	})
	info := defaultFramework()
	info.FailoverTimeout = (2 * 7 * 24 * time.Hour).Seconds()
	first, err := subscribeWith(t, scheduler.Config{Master: srv.URL, Principal: "test-principal", Secret: "secret1"}, info)
	if err != nil {
		t.Fatal(err)
	}
	first.sub.Close()

	again := first.resubscribeInfo(defaultFramework())
	again.Principal = "test-principal-2"
	_, err = subscribeWith(t, scheduler.Config{Master: srv.URL, Principal: "test-principal-2", Secret: "secret2"}, again)
	wantErrorEvent(t, err, "Changing framework's principal is not allowed.")
}

// Once the failover timeout has passed, the framework is gone for good.
func TestHttpFaultTolerance_SchedulerSubscribeAfterFailoverTimeout(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	info := defaultFramework()
	info.FailoverTimeout = 0.2
	f := subscribe(t, srv, info)
	f.sub.Close()
	op := operatorClient(t, srv)
	testenv.Eventually(t, 10*time.Second, "framework removed after its failover timeout", func() bool {
		fws, err := op.Frameworks(context.Background())
		return err == nil && len(fws.Frameworks) == 0 && len(fws.CompletedFrameworks) == 1
	})
	_, err := trySubscribe(t, srv.URL, f.resubscribeInfo(defaultFramework()))
	wantErrorEvent(t, err, "Framework has been removed")
}

// TEARDOWN closes the stream without an ERROR; the framework cannot come
// back.
func TestHttpFaultTolerance_SchedulerSubscribeAfterTeardown(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	if err := f.c.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := f.ended(); !errors.Is(err, io.EOF) {
		t.Fatalf("stream ended with %v, want EOF without ERROR", err)
	}
	_, err := trySubscribe(t, srv.URL, f.resubscribeInfo(defaultFramework()))
	wantErrorEvent(t, err, "Framework has been removed")
}

// An update the failed scheduler never acknowledged is re-sent, with the
// same uuid, to the scheduler that took over; the old one gets ERROR.
func TestHttpFaultTolerance_SchedulerFailoverStatusUpdate(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	offer := f.offer()
	f.launch(offer, simpleTask("t1", offer))
	if st := f.update(); st.State != mesos.TaskStarting {
		t.Fatalf("%s, want TASK_STARTING", mustJSON(st))
	}
	running := f.status() // not acknowledged
	if running.State != mesos.TaskRunning || len(running.UUID) != 16 || running.ExecutorID == nil {
		t.Fatalf("%s, want TASK_RUNNING with uuid and executor_id", mustJSON(running))
	}

	g := subscribe(t, srv, f.resubscribeInfo(defaultFramework()))
	var ee *scheduler.ErrorEvent
	if err := f.ended(); !errors.As(err, &ee) || ee.Message != "Framework failed over" {
		t.Fatalf("old scheduler: %v, want ERROR Framework failed over", err)
	}
	again := g.status()
	if again.State != mesos.TaskRunning || string(again.UUID) != string(running.UUID) || again.ExecutorID.Value != "t1" {
		t.Fatalf("re-sent %s, want the unacknowledged %s", mustJSON(again), mustJSON(running))
	}
	g.ack(again)
}

// TEARDOWN kills the framework's tasks: the master marks them killed
// itself (the scheduler is gone and hears nothing) and the framework is
// removed.
func TestHttpFaultTolerance_SchedulerExit(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	f.runTask("t1")
	ops := operatorSubscribe(t, srv)
	if err := f.c.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	up := ops.nextOf(mesos.TaskUpdated).TaskUpdated
	want := "Framework " + f.id().Value + " removed"
	if up.State != mesos.TaskKilled || up.Status.Message != want || up.Status.Reason != mesos.ReasonFrameworkRemoved || up.Status.Source != mesos.SourceMaster {
		t.Fatalf("TASK_UPDATED %s", mustJSON(up))
	}
	if rm := ops.nextOf(mesos.FrameworkRemoved).FrameworkRemoved; rm.FrameworkInfo.ID.Value != f.id().Value {
		t.Fatalf("FRAMEWORK_REMOVED %s", mustJSON(rm))
	}
	tasks, err := operatorClient(t, srv).Tasks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks.Tasks) != 0 || len(tasks.CompletedTasks) != 1 || tasks.CompletedTasks[0].State != mesos.TaskKilled {
		t.Fatalf("GET_TASKS %s", mustJSON(tasks))
	}
	if err := f.ended(); !errors.Is(err, io.EOF) {
		t.Fatalf("stream ended with %v, want EOF", err)
	}
}
