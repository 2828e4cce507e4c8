package localmesos_test

import (
	"context"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// TestTaskLifecycle walks a task through the whole story the Demo-API
// notebook tells: subscribe, offer, launch, STARTING, RUNNING, kill,
// KILLED, each update acknowledged.
func TestTaskLifecycle(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	offer := f.next(mesos.EventOffers).Offers.Offers[0]
	if offer.Resources.CPUs() != 4 || offer.Resources.Ports().String() != "[9000-10000]" || offer.Attributes[0].String() != "rack:r2d2" {
		t.Fatalf("offer %+v", offer)
	}
	ctx := context.Background()
	if err := f.c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(simpleTask("t1", offer))}, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning} {
		st := f.update()
		if st.State != want || len(st.UUID) != 16 || st.ExecutorID.Value != "t1" || st.Source != mesos.SourceExecutor {
			t.Fatalf("update %+v, want %s", st, want)
		}
	}
	if err := f.c.Kill(ctx, mesos.TaskID{Value: "t1"}, nil); err != nil {
		t.Fatal(err)
	}
	if st := f.update(); st.State != mesos.TaskKilled {
		t.Fatalf("after KILL: %+v", st)
	}
}
