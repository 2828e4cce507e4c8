package sleeper

import (
	"testing"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// In a workshop the operator stream carries everyone's tasks: the watch
// must stop at the end of this program's task only.
func TestKilledMatchesOwnTaskOnly(t *testing.T) {
	update := func(id string, state mesos.TaskState) mesos.OperatorEvent {
		return mesos.OperatorEvent{TaskUpdated: &mesos.TaskUpdatedEvent{
			State: state, Status: mesos.TaskStatus{TaskID: mesos.TaskID{Value: id}, State: state}}}
	}
	if Killed(update("sleep-x-1", mesos.TaskKilled)) {
		t.Fatal("Killed before any sleeper launched a task")
	}
	launched.Store("sleep-me-2")
	t.Cleanup(func() { launched.Store("") })
	cases := []struct {
		ev   mesos.OperatorEvent
		want bool
	}{
		{update("sleep-other-3", mesos.TaskKilled), false},
		{update("sleep-me-2", mesos.TaskRunning), false},
		{update("sleep-me-2", mesos.TaskKilled), true},
		{update("sleep-me-2", mesos.TaskFailed), true},
		{mesos.OperatorEvent{Type: mesos.OperatorHeartbeat}, false},
	}
	for _, c := range cases {
		if got := Killed(c.ev); got != c.want {
			t.Errorf("Killed(%+v) = %v, want %v", c.ev.TaskUpdated, got, c.want)
		}
	}
}
