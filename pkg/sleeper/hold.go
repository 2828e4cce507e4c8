package sleeper

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// A task that stays: Launch starts one command task that sleeps for an
// hour, for the notebook's later sections to look at (metrics that move,
// the agent's containers and files, a drain that ends it). Its id starts
// with holdPrefix, which tells it from Start's short-lived tasks in the
// same session.

const holdPrefix = "hold"

// Held is the task Launch started, with its framework: where its sandbox
// is.
type Held struct {
	session.Task
	Framework mesos.FrameworkID
}

// Sandbox is the path its agent serves its sandbox at.
func (h Held) Sandbox() string { return operator.SandboxPath(h.Framework, h.ID.Value) }

// launchFirst ends the one line a cell that needs the held task answers
// with when there is none.
const launchFirst = "run the Metrics cell first: it launches the task"

// Launch makes sure the session's framework has one held task running:
// it subscribes (or attaches) through opts' session, and, unless a held
// task already runs, launches "sleep 3600" (0.1 cpus, 32 MB) on an offer
// and waits for TASK_RUNNING. Bounded to a minute.
func Launch(ctx context.Context, opts session.Options) (Held, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := session.Start(ctx, named(opts))
	if err != nil {
		return Held{}, err
	}
	if h, err := running(s); err == nil {
		return h, nil
	}
	offer, err := s.WaitOffer(ctx)
	if err != nil {
		return Held{}, err
	}
	task := mesos.TaskInfo{Name: "holder", TaskID: session.TaskID(holdPrefix), AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "echo sleeper: holding 0.1 cpus and 32 MB for an hour; sleep 3600"}}
	c, err := s.Client()
	if err != nil {
		return Held{}, err
	}
	defer c.Close()
	if err := c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
		return Held{}, err
	}
	t, err := s.WaitTask(ctx, task.TaskID, mesos.TaskRunning)
	if err != nil {
		return Held{}, err
	}
	return held(s, t)
}

// Running is the held task, running. Its error, when there is none (not
// yet, or no longer), names the cell that launches one.
func Running(ctx context.Context, opts session.Options) (Held, error) {
	s, err := session.Resume(ctx, named(opts))
	if errors.Is(err, session.ErrNoSession) {
		return Held{}, fmt.Errorf("no task of this notebook's framework yet: %s", launchFirst)
	}
	if err != nil {
		return Held{}, err
	}
	return running(s)
}

// Launched is the latest held task, in whatever state, from the session's
// journal alone: where it ran, after it ended.
func Launched(opts session.Options) (Held, error) {
	s, err := session.Open(named(opts))
	if err != nil {
		return Held{}, fmt.Errorf("no task of this notebook's framework yet: %s", launchFirst)
	}
	t, err := latest(s)
	if err != nil {
		return Held{}, err
	}
	return held(s, t)
}

// running is the latest held task if it runs.
func running(s *session.Session) (Held, error) {
	t, err := latest(s)
	if err != nil {
		return Held{}, err
	}
	if t.State != mesos.TaskRunning || t.Unconfirmed {
		return Held{}, fmt.Errorf("task %s is %s (%s): run the Metrics cell first: it launches another", t.ID.Value, t.State, session.Explain(t.Status))
	}
	return held(s, t)
}

// latest is the session's latest held task.
func latest(s *session.Session) (session.Task, error) {
	infos, err := s.Launches()
	if err != nil {
		return session.Task{}, err
	}
	for i := len(infos) - 1; i >= 0; i-- {
		if !strings.HasPrefix(infos[i].TaskID.Value, holdPrefix+"-") {
			continue
		}
		t, ok, err := s.Task(infos[i].TaskID)
		if !ok {
			t = session.Task{ID: infos[i].TaskID, AgentID: infos[i].AgentID}
		}
		return t, err
	}
	return session.Task{}, fmt.Errorf("no task of this notebook's framework yet: %s", launchFirst)
}

func held(s *session.Session, t session.Task) (Held, error) {
	st, err := s.State()
	if err != nil {
		return Held{}, err
	}
	return Held{Task: t, Framework: mesos.FrameworkID{Value: st.FrameworkID}}, nil
}
