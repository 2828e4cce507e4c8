package localmesos

import (
	"context"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// A Runner runs tasks for an agent: as Docker containers, as local
// processes, or in simulation. The agent turns what a Runner reports into
// status updates (TASK_STARTING, TASK_RUNNING, then a terminal state).
type Runner interface {
	// Name is "docker", "process" or "simulated"; it appears in status
	// messages and in the agent's /state flags.
	Name() string
	// Launch starts the task and returns once it runs. An error means the
	// task never started (image missing, command not found...): the agent
	// reports TASK_FAILED with REASON_CONTAINER_LAUNCH_FAILED and the error
	// as the message.
	Launch(ctx context.Context, spec RunSpec) (Run, error)
}

// RunSpec is what a Runner needs to start one task.
type RunSpec struct {
	Task        mesos.TaskInfo
	FrameworkID string
	AgentID     string
	// Sandbox is the task's own directory, already created; process tasks
	// run in it and Docker tasks get it mounted at /mnt/mesos/sandbox, as
	// Mesos does.
	Sandbox string
	// Env is the environment Mesos' executors give a task: MESOS_SANDBOX,
	// MESOS_TASK_ID, MESOS_FRAMEWORK_ID, MESOS_AGENT_ID, MESOS_EXECUTOR_ID,
	// plus the task's own CommandInfo.environment.
	Env []string
	// Hostname is the agent's hostname (the address a mapped port is
	// reachable at).
	Hostname string
}

// Run is a started task.
type Run interface {
	// Status describes where the task runs, for TASK_RUNNING's
	// container_status (network addresses, executor pid). It may be nil.
	Status() *mesos.ContainerStatus
	// Wait blocks until the task has ended and says how.
	Wait() Exit
	// Kill asks the task to stop: SIGTERM (docker stop), then SIGKILL once
	// grace has passed. It returns at once; Wait reports the end, with
	// Killed set. Killing a task that already ended does nothing.
	Kill(grace time.Duration)
}

// Exit is how a task ended.
type Exit struct {
	// State is TASK_FINISHED (exit status 0), TASK_FAILED or TASK_KILLED.
	State mesos.TaskState
	// Message is what Mesos' executors say, such as "Command exited with
	// status 0" or "Command terminated with signal Terminated".
	Message string
	// Reason is set for failures the executor classifies, such as
	// REASON_COMMAND_EXECUTOR_FAILED; empty otherwise.
	Reason string
}
