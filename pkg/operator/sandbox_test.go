package operator_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// TestSandboxAndDrain: a task's sandbox read through the agent client
// (whose calls the master client's observer sees), then its agent
// drained: WaitDrained returns once it is DRAINED, after which
// REACTIVATE_AGENT is taken; an agent that is not draining is
// ErrNotDraining at once.
func TestSandboxAndDrain(t *testing.T) {
	t.Parallel()
	srv := standIn(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var seen []string
	c, err := operator.New(operator.Config{Master: srv.URL, Observe: func(ex httpapi.Exchange) { seen = append(seen, string(ex.RequestBody)) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	fw, agentID := runTask(ctx, t, srv, "t1")
	if _, err := c.WaitDrained(ctx, agentID); !errors.Is(err, operator.ErrNotDraining) {
		t.Fatalf("WaitDrained of an active agent: %v, want ErrNotDraining", err)
	}
	agent, err := c.AgentOf(ctx, agentID)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := agent.ReadSandbox(ctx, fw, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if sb.Path != operator.SandboxPath(fw, "t1") || !strings.Contains(string(sb.Stdout.Data), localmesos.SimulatedMessage) || sb.Stdout.Size != uint64(len(sb.Stdout.Data)) {
		t.Errorf("sandbox %s: stdout %q (%d bytes), want the simulated runner's line", sb.Path, sb.Stdout.Data, sb.Stdout.Size)
	}
	if n := len(seen); n < 3 || !strings.Contains(seen[n-2], `"READ_FILE"`) || !strings.Contains(seen[n-1], "/stderr") {
		t.Errorf("the observer saw %q: want the agent's two READ_FILE calls last", seen)
	}
	if _, err := agent.ReadSandbox(ctx, fw, "no-such-task"); err == nil || !strings.Contains(err.Error(), "read the stdout of executor no-such-task") {
		t.Errorf("the sandbox of an unknown executor: %v", err)
	}

	if err := c.DrainAgent(ctx, agentID, operator.DrainOptions{}); err != nil {
		t.Fatal(err)
	}
	a, err := c.WaitDrained(ctx, agentID)
	if err != nil {
		t.Fatal(err)
	}
	if a.DrainInfo.State != "DRAINED" || !a.Deactivated {
		t.Errorf("after WaitDrained: drain %+v, deactivated %v", a.DrainInfo, a.Deactivated)
	}
	if err := c.ReactivateAgent(ctx, agentID); err != nil {
		t.Fatalf("REACTIVATE_AGENT once DRAINED: %v", err)
	}
	if _, err := c.WaitDrained(ctx, agentID); !errors.Is(err, operator.ErrNotDraining) {
		t.Fatalf("WaitDrained after REACTIVATE_AGENT: %v, want ErrNotDraining", err)
	}
}

// runTask subscribes a framework, launches a task of that id on its first
// offer, acknowledges its updates, and returns once it runs; the
// framework's stream stays open until the test ends, to acknowledge the
// task's last update.
func runTask(ctx context.Context, t *testing.T, srv *localmesos.Server, id string) (mesos.FrameworkID, mesos.AgentID) {
	t.Helper()
	sc, err := scheduler.New(scheduler.Config{Master: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := sc.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: "sandbox", FailoverTimeout: 60})
	if err != nil {
		t.Fatal(err)
	}
	running := make(chan mesos.AgentID, 1)
	go func() {
		for ev, err := range sub.Events() {
			if err != nil {
				return
			}
			switch ev.Type {
			case mesos.EventOffers:
				o := ev.Offers.Offers[0]
				task := mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: o.AgentID,
					Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 600"}}
				sc.Accept(ctx, []mesos.OfferID{o.ID}, []mesos.Operation{mesos.LaunchOp(task)}, mesos.RefuseFor(600))
			case mesos.EventUpdate:
				if len(ev.Update.Status.UUID) > 0 {
					sc.Acknowledge(ctx, ev.Update.Status)
				}
				if st := ev.Update.Status; st.State == mesos.TaskRunning && st.AgentID != nil {
					select {
					case running <- *st.AgentID:
					default: // an update sent again
					}
				}
			}
		}
	}()
	t.Cleanup(func() { sub.Close() })
	select {
	case a := <-running:
		return sub.FrameworkID, a
	case <-ctx.Done():
		t.Fatalf("task %s not running: %v", id, ctx.Err())
	}
	return mesos.FrameworkID{}, mesos.AgentID{}
}
