package framework

import (
	"errors"
	"slices"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// View is what a framework knows of its tasks at one moment, rebuilt each
// time from what the master said (the session's journal) and what the
// framework asked (its calls), never kept in memory: after a master
// restart or a failover it is what the reconciliation answers say.
type View struct {
	// Running: TASK_RUNNING, said or confirmed by the master since the
	// listener's latest subscription.
	Running int
	// Starting: launched (the master took the ACCEPT) and not running
	// yet: no update yet, TASK_STAGING or TASK_STARTING.
	Starting int
	// Killing: TASK_KILLING, still running until it is killed.
	Killing int
	// Unconfirmed: alive at the last word heard before the latest
	// subscription, and the master has not answered the reconciliation
	// for it yet. It may be gone (a master that restarted forgot it);
	// until the answer comes it counts as alive, so that a framework never
	// runs a copy too many.
	Unconfirmed int
	// Ended: tasks that reached a terminal state (finished, failed,
	// killed, lost...).
	Ended int
	// Tasks are the tasks that run or may (all but the ended ones), in
	// the order the framework first heard of them; one launched and not
	// heard of yet has State "".
	Tasks []session.Task
}

// Live is how many tasks run, or may: Running + Starting + Killing +
// Unconfirmed. A framework that keeps n copies running launches when Live
// is below n.
func (v View) Live() int { return v.Running + v.Starting + v.Killing + v.Unconfirmed }

// Look is what the session's framework knows of its tasks now.
func Look(s *session.Session) (View, error) {
	tasks, err := s.Tasks()
	if err != nil {
		return View{}, err
	}
	launched, err := s.Launches()
	if err != nil {
		return View{}, err
	}
	var v View
	heard := map[string]bool{}
	for _, t := range tasks {
		heard[t.ID.Value] = true
		switch {
		case t.State.Terminal():
			v.Ended++
			continue
		case t.Unconfirmed:
			v.Unconfirmed++
		case t.State == mesos.TaskRunning:
			v.Running++
		case t.State == mesos.TaskKilling:
			v.Killing++
		default:
			v.Starting++
		}
		v.Tasks = append(v.Tasks, t)
	}
	for i := range launched {
		if info := launched[i]; !heard[info.TaskID.Value] {
			v.Starting++
			v.Tasks = append(v.Tasks, session.Task{ID: info.TaskID, AgentID: info.AgentID, Launched: &launched[i]})
		}
	}
	return v, nil
}

// SinceSubscribed is what happened since the listener's latest
// subscription: the events received (SUBSCRIBED first) and the calls made,
// each in order. After a re-subscription it shows the reconciliation's
// answers and what the handlers did about them.
func SinceSubscribed(s *session.Session) ([]session.Entry, []session.Call, error) {
	entries, err := s.Events(0)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.State()
	if err != nil {
		return nil, nil, err
	}
	last := -1
	for i, e := range entries {
		if e.Event.Type == mesos.EventSubscribed && e.FrameworkID == st.FrameworkID {
			last = i
		}
	}
	if last < 0 {
		return nil, nil, nil
	}
	calls, err := s.Calls()
	if err != nil {
		return nil, nil, err
	}
	// Cells and the driver both append calls: nearly, not strictly, in
	// order.
	since := entries[last].Received
	calls = slices.DeleteFunc(calls, func(c session.Call) bool { return c.Time.Before(since) })
	return entries[last:], calls, nil
}

// OldestRunning is the running task the framework heard of first: one
// for a cell to kill by hand. Its error, when none runs, names the cell to
// run first.
func OldestRunning(s *session.Session) (session.Task, error) {
	v, err := Look(s)
	if err != nil {
		return session.Task{}, err
	}
	for _, t := range v.Tasks {
		if t.State == mesos.TaskRunning && !t.Unconfirmed {
			return t, nil
		}
	}
	return session.Task{}, errors.New("no copy is running: run the Start cell first (then the Watch cell, to see them start)")
}
