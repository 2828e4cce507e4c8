package localmesos

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// SimulatedMessage is said by every status update of a simulated task, so
// that nobody mistakes a simulated run for a real one: the agent puts it on
// TASK_STARTING and TASK_RUNNING (see StatusMessage), and the terminal
// update's message ends with it in parentheses.
const SimulatedMessage = "simulated by localmesos: no process was started"

// SimulatedStdout is the line a simulated task's sandbox stdout holds, in
// place of the output a real task would write there.
func SimulatedStdout(taskID string) string {
	return "Task '" + taskID + "' was " + SimulatedMessage + ", so it wrote nothing; on a real agent this file holds the task's standard output.\n"
}

// Labels a task may carry to make a simulated run end by itself. Without
// them, a simulated task runs until it is killed (TASK_KILLED), which is
// what a long-running service does.
//
//   - localmesos.simulate.exit: the exit status the simulated command ends
//     with, an integer from 0 to 255. 0 gives TASK_FINISHED, anything else
//     TASK_FAILED, with the message Mesos' executor would send ("Command
//     exited with status 1 (simulated by localmesos: ...)").
//   - localmesos.simulate.seconds: how long it runs before that, in
//     seconds (a decimal number such as 0.5); when only this label is
//     given, the task exits with status 0.
//
// Both labels are only read by the simulated runner; the process and docker
// runners ignore them.
const (
	LabelSimulateExit    = "localmesos.simulate.exit"
	LabelSimulateSeconds = "localmesos.simulate.seconds"
)

// simulatedRunner walks tasks through their states without running
// anything. It costs a timer per task at most, so a load test can run
// thousands of tasks with it.
type simulatedRunner struct{}

// Name is "simulated".
func (simulatedRunner) Name() string { return RunnerSimulated }

// Launch "starts" the task at once. It fails only when the simulation
// labels are malformed, so a mistake there is seen rather than silently
// turned into a task that never ends.
func (simulatedRunner) Launch(ctx context.Context, spec RunSpec) (Run, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("launch cancelled: %w", err)
	}
	plan, err := simulationPlan(spec.Task)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, SimulatedMessage)
	}
	if spec.Sandbox != "" {
		// The sandbox says it too, where a learner looks for the output.
		appendSandboxLog(spec.Sandbox, "stdout", SimulatedStdout(spec.Task.TaskID.Value))
	}
	r := &simulatedRun{what: "Command", done: make(chan struct{})}
	if isContainerTask(spec.Task) && spec.Task.Container.Type == mesos.ContainerDocker {
		// The docker executor speaks of its container, not a command.
		r.what = "Container"
	}
	if plan.exits {
		r.mu.Lock()
		r.timer = time.AfterFunc(plan.after, func() { r.end(plan.status, false) })
		r.mu.Unlock()
	}
	return r, nil
}

// simulation is what a task's labels ask of a simulated run.
type simulation struct {
	exits  bool // ends by itself
	status int  // with this exit status
	after  time.Duration
}

// simulationPlan reads the simulation labels of a task.
func simulationPlan(task mesos.TaskInfo) (simulation, error) {
	var plan simulation
	if task.Labels == nil {
		return plan, nil
	}
	for _, l := range task.Labels.Labels {
		switch l.Key {
		case LabelSimulateExit:
			n, err := strconv.Atoi(l.Value)
			if err != nil || n < 0 || n > 255 {
				return plan, fmt.Errorf("label %s=%q: want an exit status from 0 to 255", l.Key, l.Value)
			}
			plan.exits, plan.status = true, n
		case LabelSimulateSeconds:
			s, err := strconv.ParseFloat(l.Value, 64)
			if err != nil || s < 0 || s > 1e9 {
				return plan, fmt.Errorf("label %s=%q: want a number of seconds, such as 0.5", l.Key, l.Value)
			}
			plan.exits, plan.after = true, time.Duration(s*float64(time.Second))
		}
	}
	return plan, nil
}

// simulatedRun is one simulated task.
type simulatedRun struct {
	what string // "Command" or "Container", as Mesos' messages begin
	once sync.Once
	done chan struct{}
	exit Exit // set before done is closed

	mu    sync.Mutex
	timer *time.Timer // the planned exit, if any
}

// Status is nil: nothing runs, so there is no pid and no address.
func (r *simulatedRun) Status() *mesos.ContainerStatus { return nil }

// Wait blocks until the simulated task ends.
func (r *simulatedRun) Wait() Exit {
	<-r.done
	return r.exit
}

// Kill ends the task at once, as a process that does not resist SIGTERM
// would: there is nothing to wait for, so the grace period is not used.
func (r *simulatedRun) Kill(time.Duration) {
	r.mu.Lock()
	if r.timer != nil {
		// A pending timer would keep the run alive until it fires.
		r.timer.Stop()
	}
	r.mu.Unlock()
	r.end(0, true)
}

// end records how the task ended, once: a kill racing the planned exit
// loses or wins as a signal racing a real exit would.
func (r *simulatedRun) end(status int, killed bool) {
	r.once.Do(func() {
		switch {
		case killed:
			r.exit = Exit{State: mesos.TaskKilled, Message: r.what + " terminated with signal Terminated (" + SimulatedMessage + ")"}
		case status == 0:
			r.exit = Exit{State: mesos.TaskFinished, Message: r.what + " exited with status 0 (" + SimulatedMessage + ")"}
		default:
			r.exit = Exit{State: mesos.TaskFailed, Message: r.what + " exited with status " + strconv.Itoa(status) + " (" + SimulatedMessage + ")"}
		}
		close(r.done)
	})
}
