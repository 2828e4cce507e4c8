// Package sleeper runs a small framework of its own for the Operator-API
// notebook: Start launches one short command task and kills it, something
// for the event stream to show while a cell watches it; Launch starts one
// that stays, for the metrics, the agent's containers and files, and a
// drain to look at.
//
//	done := sleeper.Start(ctx, session.Options{Name: "operator-api"})
//	// ... watch the operator stream until sleeper.Killed(ev) ...
//	err := <-done
//
//	task, err := sleeper.Launch(ctx, session.Options{Name: "operator-api"})
//	// ... task.AgentID, task.Sandbox() ...
package sleeper

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// Start runs the framework in the background: it subscribes through its
// own session (opts), takes an offer, launches "sleep 30", waits for
// TASK_RUNNING, kills the task and waits for TASK_KILLED. The channel
// gets the outcome once; the whole run is bounded to a minute.
func Start(ctx context.Context, opts session.Options) <-chan error {
	done := make(chan error, 1)
	go func() { done <- run(ctx, opts) }()
	return done
}

func run(ctx context.Context, opts session.Options) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := session.Start(ctx, named(opts))
	if err != nil {
		return err
	}
	offer, err := s.WaitOffer(ctx)
	if err != nil {
		return err
	}
	task := mesos.TaskInfo{Name: "sleeper", TaskID: session.TaskID("sleep"), AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 30"}}
	c, err := s.Client()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
		return err
	}
	launched.Store(task.TaskID.Value)
	if _, err := s.WaitTask(ctx, task.TaskID, mesos.TaskRunning); err != nil {
		return err
	}
	if err := c.Kill(ctx, task.TaskID, &offer.AgentID); err != nil {
		return err
	}
	_, err = s.WaitTask(ctx, task.TaskID, mesos.TaskKilled, mesos.TaskFinished, mesos.TaskFailed)
	return err
}

// named gives the framework its default name: the notebook's and yours.
func named(opts session.Options) session.Options {
	if opts.Framework.Name == "" {
		opts.Framework.Name = "Operator-API demo (" + session.Identity() + ")"
	}
	return opts
}

// Killed reports whether an operator event is the end of the task this
// program's sleeper launched: where a cell that watches the sleeper can
// stop. Other frameworks' tasks (a workshop's other attendees) ending on
// the same stream do not count.
func Killed(ev mesos.OperatorEvent) bool {
	id, _ := launched.Load().(string)
	return id != "" && ev.TaskUpdated != nil && ev.TaskUpdated.State.Terminal() &&
		ev.TaskUpdated.Status.TaskID.Value == id
}

// launched is the id of the last task a sleeper in this program launched.
var launched atomic.Value

// Framework is the framework the sleeper registered in opts' session, for
// an operator's TEARDOWN. Its error, when there is none (or it is gone),
// names the cell to run first.
func Framework(opts session.Options) (mesos.FrameworkID, error) {
	s, err := session.Open(opts)
	if err != nil {
		return mesos.FrameworkID{}, fmt.Errorf("no demo framework to remove: run the event stream cell first")
	}
	st, err := s.State()
	if err != nil {
		return mesos.FrameworkID{}, err
	}
	if st.FrameworkID == "" || st.Status == session.StatusRemoved {
		return mesos.FrameworkID{}, fmt.Errorf("no demo framework to remove (the last one, %s, is gone): run the event stream cell first", st.FrameworkID)
	}
	return mesos.FrameworkID{Value: st.FrameworkID}, nil
}
