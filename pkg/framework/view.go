package framework

import (
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
