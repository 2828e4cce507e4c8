package session

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The waits take a ctx whose deadline is how long to wait (DefaultWait
// when it has none). While they wait they tell the Observer what they wait
// for and where things stand, so that a waiting cell never looks hung. A
// listener that dies meanwhile is restarted (a failover, as Resume does);
// one that is re-subscribing (a master restarting) is waited for.

// awayLimit is how long a wait waits for a listener that cannot reach
// its master. A real leader failover took about 8 s here (two masters, one ZooKeeper); a busy cluster takes longer.
const awayLimit = 45 * time.Second

// waitFor polls check until it says done, fails, or ctx ends; then
// expired explains the timeout.
func (s *Session) waitFor(ctx context.Context, what string, check func() (done bool, now string, err error), expired func(time.Duration) error) error {
	limit := DefaultWait
	if d, ok := ctx.Deadline(); ok {
		limit = time.Until(d)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	obs := s.observer()
	defer obs.Waiting(what, "")
	began := time.Now()
	var away time.Time // since when the listener has held no stream
	for {
		done, now, err := check()
		if done || err != nil {
			if took := time.Since(began); done && took > 3*time.Second {
				obs.Note(fmt.Sprintf("Waited %s for %s.", took.Round(100*time.Millisecond), what))
			}
			return err
		}
		if err := s.KeepListening(ctx); err != nil {
			return err
		}
		if st, _ := readState(s.Dir); st.Status == StatusReconnecting || st.Status == StatusStarting {
			now = fmt.Sprintf("the listener is re-subscribing (%s)", st.Message)
			if away.IsZero() {
				away = time.Now()
			}
			// A master that stays away is not worth a long wait: say so,
			// with the next step; the listener keeps trying meanwhile.
			if time.Since(away) > awayLimit {
				return fmt.Errorf("the listener has not reached the master for %s (%s): %s; it keeps trying: run this cell again once the master is back",
					awayLimit, st.Message, nextStep(st))
			}
		} else {
			away = time.Time{}
		}
		obs.Waiting(what, fmt.Sprintf("%s: %s", time.Since(began).Round(100*time.Millisecond), now))
		if sleep(ctx, 20*time.Millisecond) != nil {
			return expired(limit.Round(100 * time.Millisecond))
		}
	}
}

// KeepListening restarts a listener that is gone while its framework
// lives (a failover, as Resume does, told to the Observer); nothing will
// arrive without one. The waits call it; so does any long-running reader
// of the journal, such as a framework's driver process. The new listener
// watches the kernel that owns the session now (Owner.KernelPID): a
// process that heals the session on a kernel's behalf never ties the
// listener to itself.
func (s *Session) KeepListening(ctx context.Context) error {
	if listenerRunning(s.Dir) {
		return nil
	}
	opts := s.opts
	if o, ok := readOwner(s.Dir); ok && o.KernelPID > 0 && o.Kernel == opts.Kernel {
		opts.ParentPID = o.KernelPID
	}
	healed, err := Resume(ctx, opts)
	if err != nil {
		return err
	}
	s.How, s.Note = healed.How, healed.Note
	return nil
}

// WaitOffer waits for an outstanding offer and returns the first. When
// none is outstanding and the framework's own DECLINE (or ACCEPT) asked
// the master not to offer again for longer than reviveAfter, it sends
// REVIVE once, as a scheduler that wants offers again must: the master
// clears the framework's filters (Mesos' reviveOffers), and the Observer
// is told why.
func (s *Session) WaitOffer(ctx context.Context) (mesos.Offer, error) {
	var offer mesos.Offer
	revived := false
	err := s.waitFor(ctx, "an offer", func() (bool, string, error) {
		offers, err := s.Offers()
		if err != nil || len(offers) > 0 {
			if len(offers) > 0 {
				offer = offers[0]
			}
			return len(offers) > 0, "", err
		}
		st, _ := readState(s.Dir)
		if !revived {
			if f, ok := s.ownFilter(st.FrameworkID, time.Now()); ok {
				revived = true
				if err := s.revive(ctx, f); err != nil {
					return false, "", err
				}
			}
		}
		return false, fmt.Sprintf("listener %s, last event %s", st.Status, ago(st.LastEvent)), nil
	}, func(d time.Duration) error {
		st, _ := readState(s.Dir)
		return fmt.Errorf("no offer within %s (listener %s %s): are the agents' resources all taken (other frameworks, a task of yours), or refused to you by a DECLINE's filter (REVIVE clears filters)?", d, st.Status, st.Message)
	})
	return offer, err
}

// reviveAfter: a filter of ours that ends sooner than this is waited out
// (ACCEPT's refuse_seconds 1 in Demo-API), not revived.
const reviveAfter = 2 * time.Second

// filterCall is a call of ours that set an offer filter.
type filterCall struct {
	Type  string
	Until time.Time
}

// ownFilter is the longest offer filter the framework's own DECLINE or
// ACCEPT calls set that is still in force, with no REVIVE after it, if it
// lasts beyond reviveAfter. Mesos' default refuse_seconds is 5.
func (s *Session) ownFilter(frameworkID string, now time.Time) (filterCall, bool) {
	calls, err := readCalls(filepath.Join(s.Dir, callsFile))
	if err != nil || frameworkID == "" {
		return filterCall{}, false
	}
	var in filterCall
	for _, c := range calls {
		var call mesos.Call
		if c.Status/100 != 2 || json.Unmarshal(c.Request, &call) != nil || call.FrameworkID == nil || call.FrameworkID.Value != frameworkID {
			continue
		}
		var f *mesos.Filters
		switch {
		case call.Type == mesos.CallRevive:
			in = filterCall{}
			continue
		case call.Decline != nil:
			f = call.Decline.Filters
		case call.Accept != nil:
			f = call.Accept.Filters
		default:
			continue
		}
		refuse := 5.0
		if f != nil && f.RefuseSeconds != nil && *f.RefuseSeconds >= 0 {
			refuse = *f.RefuseSeconds
		}
		if until := c.Time.Add(time.Duration(min(refuse, 365*24*3600) * float64(time.Second))); until.After(in.Until) {
			in = filterCall{Type: c.Type, Until: until}
		}
	}
	return in, in.Until.Sub(now) > reviveAfter
}

// revive sends REVIVE for a filter of ours, saying why.
func (s *Session) revive(ctx context.Context, f filterCall) error {
	c, err := s.Client()
	if err != nil {
		return err
	}
	defer c.Close()
	s.observer().Note(fmt.Sprintf("This framework's %s asked the master not to offer those resources again until %s: sending REVIVE, which clears its filters.",
		f.Type, f.Until.Local().Format("15:04:05")))
	if err := c.Revive(ctx); err != nil {
		return fmt.Errorf("REVIVE, to clear the filter of this framework's %s: %w", f.Type, err)
	}
	return nil
}

// WaitTask waits until the task reaches one of the states. It fails at
// once, saying which state and why in words, if the task ends in another
// terminal state; a state the master has not confirmed since the last
// re-subscription (Task.Unconfirmed) is waited on, not believed.
func (s *Session) WaitTask(ctx context.Context, id mesos.TaskID, states ...mesos.TaskState) (Task, error) {
	var t Task
	what := fmt.Sprintf("task %s to reach %s", id.Value, orStates(states))
	err := s.waitFor(ctx, what, func() (bool, string, error) {
		var ok bool
		var err error
		if t, ok, err = s.Task(id); err != nil || !ok {
			return false, "no update for it yet", err
		}
		switch {
		case t.Unconfirmed:
			return false, fmt.Sprintf("last known %s; the master has not confirmed it since the listener re-subscribed (a new leader elected after a failover needs a few seconds more to recover its agents)", t.State), nil
		case slices.Contains(states, t.State):
			return true, "", nil
		case t.State.Terminal():
			return false, "", &TaskEndedError{Task: t, Want: states}
		}
		return false, fmt.Sprintf("%s after %s", t.State, joinStates(t.States)), nil
	}, func(d time.Duration) error {
		switch {
		case t.ID.Value == "":
			return fmt.Errorf("no update for task %s within %s: was it launched (look at the ACCEPT cell's answer)?", id.Value, d)
		case t.Unconfirmed:
			return fmt.Errorf("task %s: the master has not confirmed its state within %s of the listener re-subscribing (last known %s); run this cell again", id.Value, d, t.State)
		}
		return fmt.Errorf("task %s still %s after %s", id.Value, t.State, d)
	})
	return t, err
}

// WaitEvent waits for the first event of one of the types after the
// journal entry since (take s.Seq() before the call whose answer you wait
// for): the MESSAGE an executor answers with, the FAILURE of an executor
// that ended.
func (s *Session) WaitEvent(ctx context.Context, since int64, types ...mesos.EventType) (Entry, error) {
	var found Entry
	what := "a " + joinTypes(types) + " event"
	err := s.waitFor(ctx, what, func() (bool, string, error) {
		entries, err := s.Events(since)
		if err != nil {
			return false, "", err
		}
		for _, e := range entries {
			if slices.Contains(types, e.Event.Type) {
				found = e
				return true, "", nil
			}
		}
		return false, fmt.Sprintf("%d other event(s) since", len(entries)), nil
	}, func(d time.Duration) error {
		return fmt.Errorf("no %s within %s", what, d)
	})
	return found, err
}

func joinTypes(types []mesos.EventType) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = string(t)
	}
	return strings.Join(parts, " or ")
}

// TaskEndedError is WaitTask's answer when the task ended in another state
// than the ones waited for.
type TaskEndedError struct {
	Task Task
	Want []mesos.TaskState
}

func (e *TaskEndedError) Error() string {
	return fmt.Sprintf("task %s ended %s (%s) instead of reaching %s", e.Task.ID.Value, e.Task.State, Explain(e.Task.Status), orStates(e.Want))
}

// WaitStatus waits until the listener reports one of the statuses (see
// State.Status). It does not restart a stopped listener.
func (s *Session) WaitStatus(ctx context.Context, statuses ...string) (State, error) {
	limit := DefaultWait
	if d, ok := ctx.Deadline(); ok {
		limit = time.Until(d)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		st, err := s.State()
		if err != nil || slices.Contains(statuses, st.Status) {
			return st, err
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return st, fmt.Errorf("listener still %s (%s) after %s", st.Status, st.Message, limit.Round(100*time.Millisecond))
		}
	}
}

// Explain says in words why a task is in its state: the reason, as a
// learner would want it, and the message.
func Explain(st mesos.TaskStatus) string {
	why, ok := reasons[st.Reason]
	switch {
	case st.Reason == mesos.ReasonReconciliation && st.State == mesos.TaskLost:
		why = "the master does not know the task: it restarted, or lost the agent"
	case st.Reason == mesos.ReasonReconciliation:
		why = "the master's answer to reconciliation"
	case !ok && st.Reason != "":
		why = st.Reason
	}
	if st.Message != "" && why != "" {
		return why + ": " + st.Message
	}
	return why + st.Message
}

var reasons = map[string]string{
	mesos.ReasonCommandExecutorFailed:  "the command exited with an error",
	mesos.ReasonContainerLaunchFailed:  "the container did not start (an image that cannot be pulled?)",
	mesos.ReasonExecutorTerminated:     "its executor ended",
	mesos.ReasonFrameworkRemoved:       "the framework was torn down",
	mesos.ReasonInvalidOffers:          "the offer was no longer valid (used, rescinded or expired)",
	mesos.ReasonTaskInvalid:            "the master refused the TaskInfo",
	mesos.ReasonTaskKilledDuringLaunch: "it was killed while launching",
	mesos.ReasonTaskUnknown:            "the agent does not know the task",
	mesos.ReasonAgentRemoved:           "its agent was removed",
	mesos.ReasonAgentDisconnected:      "its agent disconnected",
	"REASON_AGENT_REREGISTERED":        "its agent re-registered with the master after a failover",
	"REASON_SLAVE_REREGISTERED":        "its agent re-registered with the master after a failover",
	"REASON_SLAVE_REMOVED":             "its agent was removed",
	"REASON_SLAVE_DISCONNECTED":        "its agent disconnected",
}

// Path is the states the task went through, as "TASK_STARTING → TASK_RUNNING".
func (t Task) Path() string { return joinStates(t.States) }

func joinStates(states []mesos.TaskState) string {
	parts := make([]string, len(states))
	for i, s := range states {
		parts[i] = string(s)
	}
	return strings.Join(parts, " → ")
}

func orStates(states []mesos.TaskState) string {
	parts := make([]string, len(states))
	for i, s := range states {
		parts[i] = string(s)
	}
	return strings.Join(parts, " or ")
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return time.Since(t).Round(100*time.Millisecond).String() + " ago"
}
