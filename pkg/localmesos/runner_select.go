package localmesos

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Runner kinds, as --runner takes them.
const (
	RunnerDocker    = "docker"
	RunnerProcess   = "process"
	RunnerSimulated = "simulated"
	RunnerAuto      = "auto"
)

// Default kill grace periods, used when neither the KILL call nor the task
// has a kill policy: Mesos' command executor waits 3 seconds
// (src/launcher/executor.cpp, "for backwards compatibility"), its docker
// executor the executor shutdown grace period, 5 seconds by default
// (DEFAULT_EXECUTOR_SHUTDOWN_GRACE_PERIOD in src/slave/constants.hpp).
const (
	DefaultCommandGracePeriod = 3 * time.Second
	DefaultDockerGracePeriod  = 5 * time.Second
)

// dockerPingTimeout bounds the check for a Docker engine: an engine on the
// local socket answers in milliseconds, and the auto runner must not stall
// a launch waiting for one that is not there.
const dockerPingTimeout = time.Second

// dockerCheckInterval is how long the auto runner trusts its last check of
// the engine, so that an engine started (or stopped) while localmesos runs
// is noticed without a ping per task.
const dockerCheckInterval = 5 * time.Second

// A RunnerOption changes how NewRunner builds a runner.
type RunnerOption func(*runnerOptions)

// runnerOptions are the settings RunnerOptions change.
type runnerOptions struct {
	dockerHost string
}

// WithDockerHost makes the docker and auto runners use this Docker engine
// (unix:///path/to/socket or tcp://127.0.0.1:port) instead of $DOCKER_HOST
// or DefaultDockerHost.
func WithDockerHost(host string) RunnerOption {
	return func(o *runnerOptions) { o.dockerHost = host }
}

// NewRunner builds the runner of a kind: "docker", "process", "simulated"
// or "auto" (also what an empty kind means). "docker" fails at once when no
// Docker engine answers, so a misconfigured agent is noticed when it
// starts, not at its first task.
func NewRunner(kind string, opts ...RunnerOption) (Runner, error) {
	var o runnerOptions
	for _, opt := range opts {
		opt(&o)
	}
	switch kind {
	case RunnerProcess:
		return processRunner{}, nil
	case RunnerSimulated:
		return simulatedRunner{}, nil
	case RunnerDocker:
		engine, err := newDockerEngine(o.dockerHost)
		if err != nil {
			return nil, fmt.Errorf("docker runner: %w", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), dockerPingTimeout)
		defer cancel()
		if err := engine.ping(ctx); err != nil {
			return nil, fmt.Errorf("docker runner: no Docker engine answers: %w", err)
		}
		return &dockerRunner{engine: engine}, nil
	case RunnerAuto, "":
		a := &AutoRunner{}
		engine, err := newDockerEngine(o.dockerHost)
		if err != nil {
			// A DOCKER_HOST localmesos cannot use is not fatal here:
			// auto means "whatever works", and CheckDocker says why.
			a.configErr = err
		} else {
			a.docker = &dockerRunner{engine: engine}
		}
		return a, nil
	}
	return nil, fmt.Errorf("unknown runner %q: want %s, %s, %s or %s", kind, RunnerDocker, RunnerProcess, RunnerSimulated, RunnerAuto)
}

// PingDocker tells whether a Docker engine answers at host (empty means
// $DOCKER_HOST, then DefaultDockerHost): nil when it does, otherwise why
// not. Tests use it to decide whether they can run containers.
func PingDocker(ctx context.Context, host string) error {
	engine, err := newDockerEngine(host)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, dockerPingTimeout)
	defer cancel()
	return engine.ping(ctx)
}

// AutoRunner picks a runner per task: container tasks run in Docker when
// an engine answers and are simulated when none does; command tasks run as
// local processes. For says which one a task gets.
type AutoRunner struct {
	docker    *dockerRunner // nil when the Docker host setting is unusable
	configErr error         // why docker is nil

	mu        sync.Mutex
	checkedAt time.Time
	dockerErr error // result of the last check
}

// Name is "auto".
func (a *AutoRunner) Name() string { return RunnerAuto }

// Launch launches the task with the runner For picks.
func (a *AutoRunner) Launch(ctx context.Context, spec RunSpec) (Run, error) {
	return a.For(spec.Task).Launch(ctx, spec)
}

// For is the runner the task gets: process for a command task, docker for
// a container task when an engine answers, simulated otherwise.
func (a *AutoRunner) For(task mesos.TaskInfo) Runner {
	if !isContainerTask(task) {
		return processRunner{}
	}
	if a.CheckDocker() == nil {
		return a.docker
	}
	return simulatedRunner{}
}

// CheckDocker tells whether the Docker engine answers: nil when it does,
// otherwise why not. The answer is kept for a few seconds.
func (a *AutoRunner) CheckDocker() error {
	if a.docker == nil {
		return a.configErr
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if time.Since(a.checkedAt) < dockerCheckInterval {
		return a.dockerErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), dockerPingTimeout)
	defer cancel()
	a.dockerErr = a.docker.engine.ping(ctx)
	a.checkedAt = time.Now()
	return a.dockerErr
}

// RunnerFor is the runner that runs task when r is asked to: r itself, or
// for an AutoRunner the one it picks.
func RunnerFor(r Runner, task mesos.TaskInfo) Runner {
	if a, ok := r.(*AutoRunner); ok {
		return a.For(task)
	}
	return r
}

// StatusMessage is the message of the task's TASK_STARTING and
// TASK_RUNNING updates when r runs it: none, as Mesos' executors send those
// updates without one, except for a simulated task, whose every update
// says it is simulated (SimulatedMessage).
func StatusMessage(r Runner, task mesos.TaskInfo) string {
	if RunnerFor(r, task).Name() == RunnerSimulated {
		return SimulatedMessage
	}
	return ""
}

// Containerizers is what the agent's /state shows as its containerizers
// flag with this runner: "docker,mesos" when Docker tasks really run in
// Docker and command tasks as processes, "docker" when only container tasks
// run, "mesos" otherwise.
func Containerizers(r Runner) string {
	switch r.Name() {
	case RunnerDocker:
		return "docker"
	case RunnerAuto:
		if a, ok := r.(*AutoRunner); ok && a.CheckDocker() == nil {
			return "docker,mesos"
		}
	}
	return "mesos"
}

// KillGracePeriod is how long a task gets between SIGTERM and SIGKILL when
// killed: the KILL call's kill policy (override, may be nil) wins over the
// task's, and without either the executor's default applies:
// DefaultDockerGracePeriod for a DOCKER container, DefaultCommandGracePeriod
// for anything else.
func KillGracePeriod(task mesos.TaskInfo, override *mesos.KillPolicy) time.Duration {
	switch {
	case override != nil && override.GracePeriod != nil:
		return time.Duration(override.GracePeriod.Nanoseconds)
	case task.KillPolicy != nil && task.KillPolicy.GracePeriod != nil:
		return time.Duration(task.KillPolicy.GracePeriod.Nanoseconds)
	case task.Container != nil && task.Container.Type == mesos.ContainerDocker:
		return DefaultDockerGracePeriod
	}
	return DefaultCommandGracePeriod
}

// RunnerName is the name of the runner that started run ("docker",
// "process" or "simulated"), or "" for a Run this package did not make.
func RunnerName(run Run) string {
	switch run.(type) {
	case *dockerRun:
		return RunnerDocker
	case *processRun:
		return RunnerProcess
	case *simulatedRun:
		return RunnerSimulated
	}
	return ""
}
