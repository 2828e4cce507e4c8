package localmesos

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// This file is the agent's side of custom executors, as src/slave/slave.cpp
// has it: a task whose TaskInfo names an ExecutorInfo goes to that
// executor, started as a local process the first time, which subscribes to
// /api/v1/executor (api_executor.go), gets the task as a LAUNCH event and
// reports on it with UPDATE calls. The agent forwards those updates
// reliably, on the same per-task streams as its own (agent.go), and
// acknowledges each to the executor with ACKNOWLEDGED once it has taken it
// over.

// execState is where an executor is in its life (Executor::State).
type execState int

const (
	execRegistering execState = iota // started, not subscribed yet
	execRunning                      // subscribed
	execTerminating                  // SHUTDOWN sent, or being killed
	execTerminated                   // its process has ended
)

// agentExecutors is an agent's custom executors, and whether the agent is
// stopped or recovering (agent_restart.go). Guarded by agent.mu, except
// down.
type agentExecutors struct {
	byKey       map[string]*agentExecutor // by framework id + "/" + executor id
	terminating map[string]bool           // frameworks being shut down
	recovering  bool                      // restarted, waiting for executors to subscribe again
	down        atomic.Bool               // stopped: no HTTP, no work
	resume      chan struct{}             // closed when a stopped agent starts again
}

// agentExecutor is one custom executor on the agent.
type agentExecutor struct {
	key         string
	fwID        string
	fwInfo      mesos.FrameworkInfo
	info        mesos.ExecutorInfo
	containerID string
	sandbox     string
	state       execState
	run         *processRun
	stream      *opSubscriber          // the open SUBSCRIBE stream, if any
	queued      []*agentTask           // given before the executor subscribed
	launched    map[string]*agentTask  // sent to the executor, by task id
	seen        map[string]bool        // uuids of updates taken over: duplicates are acknowledged, not forwarded
	everSent    bool                   // a task was ever sent (MESOS-8411)
	termination *execTermination       // why the agent is ending it
	timers      map[string]*time.Timer // registration and shutdown timeouts
}

// execTermination is what the tasks of an executor the agent ends are
// told (Slave's pendingTermination).
type execTermination struct {
	state   mesos.TaskState
	reason  string
	message string
}

func executorKey(fwID, executorID string) string { return fwID + "/" + executorID }

// launchOnExecutor gives a task to its executor, starting the executor
// first if the agent does not run it yet (Slave::run, __run, ___run).
func (a *agent) launchOnExecutor(fwID string, task mesos.TaskInfo) {
	fwInfo, _ := a.m.frameworkInfo(fwID)
	info := *task.Executor
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	if a.ex.byKey == nil {
		a.ex.byKey = map[string]*agentExecutor{}
	}
	key := taskKey(fwID, task.TaskID.Value)
	t := &agentTask{key: key, info: task, fwID: fwID, state: mesos.TaskStaging, cancel: func() {}}
	a.tasks[key] = t
	ex := a.ex.byKey[executorKey(fwID, info.ExecutorID.Value)]
	if ex != nil && (ex.state == execTerminating || ex.state == execTerminated) {
		a.mu.Unlock()
		state := mesos.TaskLost
		if fwInfo.HasCapability(mesos.CapabilityPartitionAware) {
			state = mesos.TaskDropped
		}
		a.enqueue(t, a.agentStatus(t, nil, state, mesos.ReasonExecutorTerminated, textExecutorTerminating))
		return
	}
	if ex != nil {
		ex.queued = append(ex.queued, t)
		running := ex.state == execRunning
		a.mu.Unlock()
		if running {
			a.sendQueued(ex)
		}
		return
	}
	containerID := uuidString(newUUID())
	ex = &agentExecutor{
		key: executorKey(fwID, info.ExecutorID.Value), fwID: fwID, fwInfo: fwInfo, info: info,
		containerID: containerID, sandbox: a.sandboxFor(fwID, info.ExecutorID.Value, containerID),
		queued: []*agentTask{t}, launched: map[string]*agentTask{}, seen: map[string]bool{}, timers: map[string]*time.Timer{},
	}
	a.ex.byKey[ex.key] = ex
	// Started under the lock, so that whoever finds the executor finds
	// its process too.
	if err := a.startExecutor(ex); err != nil {
		ex.termination = &execTermination{state: mesos.TaskFailed, reason: mesos.ReasonContainerLaunchFailed, message: textLaunchFailed + err.Error()}
		a.mu.Unlock()
		a.executorExited(ex, -1)
		return
	}
	ex.timers["registration"] = time.AfterFunc(a.m.cfg.ExecutorRegistrationTimeout, func() { a.registrationTimeout(ex) })
	a.mu.Unlock()
}

// startExecutor runs the executor's command as a local process in its
// sandbox, with the environment a Mesos agent gives its executors. Called
// with a.mu held.
func (a *agent) startExecutor(ex *agentExecutor) error {
	if msg := executorRefusal(a.runner, ex.info); msg != "" {
		return errors.New(msg)
	}
	if err := a.makeSandbox(ex.fwID, ex.info.ExecutorID.Value, ex.sandbox); err != nil { // sandbox.go: served by /files
		return fmt.Errorf("create sandbox: %w", err)
	}
	cmd, err := processCommand(ex.info.ExecutorID.Value, ex.info.Command, ex.sandbox, processEnv(a.executorEnv(ex)))
	if err != nil {
		return err
	}
	run, err := startProcess(cmd, ex.sandbox)
	if err != nil {
		return err
	}
	ex.run = run
	a.log.Info("executor started", "executor", ex.info.ExecutorID.Value, "framework", ex.fwID, "pid", run.pid, "sandbox", ex.sandbox)
	go func() {
		<-run.done
		// Mesos destroys an executor's container when it ends, killing
		// whatever it left running.
		killSession(run.pid)
		a.executorExited(ex, waitStatus(run))
	}()
	return nil
}

// destroy kills an executor's whole container at once: the executor and
// every process of its session, tasks in process groups of their own
// included, as Mesos' POSIX launcher does with os::killtree.
func (ex *agentExecutor) destroy() {
	if ex.run != nil {
		killSession(ex.run.pid) // SIGKILL first: no SIGTERM, as a container's destruction
		ex.run.Kill(0)
	}
}

// killSession sends SIGKILL to every process in a session.
func killSession(sid int) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp session ...: comm may hold spaces
		// and parentheses, so count from the last ')'.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 3 && fields[3] == strconv.Itoa(sid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// executorRefusal says why this stand-in cannot start an executor, or "".
func executorRefusal(r Runner, info mesos.ExecutorInfo) string {
	if c := info.Container; c != nil && (c.Type == mesos.ContainerDocker || c.Mesos != nil && c.Mesos.Image != nil) {
		return fmt.Sprintf(textExecutorContainer, info.ExecutorID.Value, containerKind(mesos.TaskInfo{Container: c}))
	}
	switch r.Name() {
	case RunnerProcess, RunnerAuto:
		return ""
	}
	return fmt.Sprintf(textExecutorNeedsProcess, r.Name(), info.ExecutorID.Value)
}

// executorEnv is src/slave/slave.cpp executorEnvironment as a Mesos
// containerizer passes it on: the MESOS_* variables (not the agent's own
// environment), then the executor's CommandInfo.environment.
func (a *agent) executorEnv(ex *agentExecutor) []string {
	ip := a.rec.ip()
	grace := executorShutdownGrace(ex.info)
	env := []string{
		"LIBPROCESS_IP=" + ip,
		"LIBPROCESS_PORT=0",
		"MESOS_FRAMEWORK_ID=" + ex.fwID,
		"MESOS_EXECUTOR_ID=" + ex.info.ExecutorID.Value,
		"MESOS_DIRECTORY=" + ex.sandbox,
		"MESOS_SANDBOX=" + ex.sandbox,
		"MESOS_SLAVE_ID=" + a.rec.id,
		"MESOS_SLAVE_PID=" + a.rec.pid(),
		"MESOS_AGENT_ENDPOINT=" + net.JoinHostPort(ip, strconv.Itoa(a.rec.port)),
		"MESOS_CHECKPOINT=" + boolDigit(ex.fwInfo.Checkpoint),
		"MESOS_HTTP_COMMAND_EXECUTOR=0",
		"MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD=" + mesos.FormatDuration(grace),
	}
	if ex.fwInfo.Checkpoint {
		env = append(env,
			"MESOS_RECOVERY_TIMEOUT="+mesos.FormatDuration(recoveryTimeout),
			"MESOS_SUBSCRIPTION_BACKOFF_MAX="+mesos.FormatDuration(a.m.cfg.ExecutorReregistrationTimeout))
	}
	if c := ex.info.Command; c != nil && c.Environment != nil {
		for _, v := range c.Environment.Variables {
			env = append(env, v.Name+"="+v.Value)
		}
	}
	return env
}

// recoveryTimeout is the agent's --recovery_timeout, which it passes on to
// executors of checkpointing frameworks.
const recoveryTimeout = 15 * time.Minute

// defaultExecutorGrace is the agent's --executor_shutdown_grace_period.
const defaultExecutorGrace = 5 * time.Second

func executorShutdownGrace(info mesos.ExecutorInfo) time.Duration {
	if g := info.ShutdownGracePeriod; g != nil && g.Nanoseconds >= 0 {
		return time.Duration(g.Nanoseconds)
	}
	return defaultExecutorGrace
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// waitStatus is the raw wait status of a reaped process, as Mesos reports
// it in FAILURE events (killed by SIGKILL: 9; exit 1: 256).
func waitStatus(r *processRun) int32 {
	if ps := r.cmd.ProcessState; ps != nil {
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok {
			return int32(ws)
		}
	}
	return -1
}

// agentStatus is an update the agent makes about an executor's task.
func (a *agent) agentStatus(t *agentTask, ex *agentExecutor, state mesos.TaskState, reason, message string) mesos.TaskStatus {
	agentID := mesos.AgentID{Value: a.rec.id}
	st := mesos.TaskStatus{TaskID: t.info.TaskID, State: state, Source: mesos.SourceAgent, Reason: reason, Message: message,
		AgentID: &agentID, Timestamp: float64(time.Now().UnixNano()) / 1e9, UUID: newUUID()}
	if ex != nil {
		id := ex.info.ExecutorID
		st.ExecutorID = &id
	}
	return st
}

// send pushes an event on the executor's stream; without one it is lost,
// as in Mesos (the executor re-sends what matters when it subscribes).
func (ex *agentExecutor) send(ev mesos.ExecutorEvent) {
	if ex.stream != nil {
		ex.stream.push(eventJSON(ev))
	}
}

// sendQueued sends the queued tasks of a subscribed executor as LAUNCH
// events (___run).
func (a *agent) sendQueued(ex *agentExecutor) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ex.state != execRunning {
		return
	}
	for _, t := range ex.queued {
		ex.launched[t.info.TaskID.Value] = t
		ex.everSent = true
		ex.send(mesos.ExecutorEvent{Type: mesos.ExecutorEventLaunch, Launch: &mesos.ExecutorLaunch{Task: t.info}})
	}
	ex.queued = nil
}

// registrationTimeout destroys an executor that never subscribed.
func (a *agent) registrationTimeout(ex *agentExecutor) {
	a.mu.Lock()
	if ex.state != execRegistering || a.ex.recovering {
		a.mu.Unlock()
		return
	}
	ex.state = execTerminating
	ex.termination = &execTermination{state: mesos.TaskFailed, reason: mesos.ReasonExecutorRegistrationTimeout,
		message: fmt.Sprintf(textExecutorNotRegistered, mesos.FormatDuration(a.m.cfg.ExecutorRegistrationTimeout))}
	a.mu.Unlock()
	a.log.Info("executor did not subscribe in time; killing it", "executor", ex.info.ExecutorID.Value)
	ex.destroy()
}

// executorExited is Slave::executorTerminated: the executor's live and
// queued tasks fail (or get what the agent ended it for), the master is
// told (a FAILURE event for the framework), and the executor is gone.
func (a *agent) executorExited(ex *agentExecutor, status int32) {
	a.waitIfStopped()
	a.mu.Lock()
	if ex.state == execTerminated {
		a.mu.Unlock()
		return
	}
	ex.state = execTerminated
	for _, tm := range ex.timers {
		tm.Stop()
	}
	if ex.stream != nil {
		ex.stream.end()
		ex.stream = nil
	}
	frameworkGone := a.ex.terminating[ex.fwID]
	var live []*agentTask
	for _, t := range ex.launched {
		if !t.state.Terminal() {
			live = append(live, t)
		}
	}
	live = append(live, ex.queued...)
	ex.queued = nil
	if a.ex.byKey[ex.key] == ex {
		delete(a.ex.byKey, ex.key)
	}
	term := execTermination{state: mesos.TaskFailed, reason: mesos.ReasonExecutorTerminated, message: textExecutorTerminated}
	if ex.termination != nil {
		term = *ex.termination
	}
	a.mu.Unlock()
	a.log.Info("executor exited", "executor", ex.info.ExecutorID.Value, "framework", ex.fwID, "status", status)
	if frameworkGone {
		return
	}
	a.m.exitedExecutor(a.rec, ex.fwID, ex.info.ExecutorID, status)
	for _, t := range live {
		a.enqueue(t, a.agentStatus(t, ex, term.state, term.reason, term.message))
	}
}

// shutdownExecutor is Slave::shutdownExecutor and _shutdownExecutor: the
// executor gets SHUTDOWN and its grace period to kill its tasks and exit;
// after that the agent kills it.
func (a *agent) shutdownExecutor(fwID, executorID string) {
	a.mu.Lock()
	ex := a.ex.byKey[executorKey(fwID, executorID)]
	if ex == nil || ex.state == execTerminating || ex.state == execTerminated {
		a.mu.Unlock()
		a.log.Info("SHUTDOWN for an executor that is not running; ignored", "executor", executorID, "framework", fwID)
		return
	}
	a.shutdownLocked(ex)
	a.mu.Unlock()
}

// shutdownLocked is _shutdownExecutor. Called with a.mu held.
func (a *agent) shutdownLocked(ex *agentExecutor) {
	ex.state = execTerminating
	ex.send(mesos.ExecutorEvent{Type: mesos.ExecutorEventShutdown})
	ex.timers["shutdown"] = time.AfterFunc(executorShutdownGrace(ex.info), func() {
		a.log.Info("executor still running after its shutdown grace period; killing it", "executor", ex.info.ExecutorID.Value)
		ex.destroy()
	})
}

// shutdownFrameworkExecutors shuts down every executor of a removed
// framework; their tasks' updates are no longer sent (Slave::
// shutdownFramework).
func (a *agent) shutdownFrameworkExecutors(fwID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ex.terminating == nil {
		a.ex.terminating = map[string]bool{}
	}
	a.ex.terminating[fwID] = true
	for _, ex := range a.ex.byKey {
		if ex.fwID == fwID && (ex.state == execRegistering || ex.state == execRunning) {
			a.shutdownLocked(ex)
		}
	}
}

// executorRuns are the processes of all executors, for the agent's
// shutdown.
func (a *agent) executorRuns() []Run {
	a.mu.Lock()
	defer a.mu.Unlock()
	var runs []Run
	for _, ex := range a.ex.byKey {
		for _, tm := range ex.timers {
			tm.Stop()
		}
		if ex.run != nil {
			runs = append(runs, ex.run)
		}
	}
	return runs
}

// killOnExecutor is Slave::kill for a task of a custom executor: a task
// not yet sent to the executor is killed by the agent, a launched one by
// the executor, which gets KILL.
func (a *agent) killOnExecutor(fwID, taskID string, policy *mesos.KillPolicy) {
	a.mu.Lock()
	var ex *agentExecutor
	var queuedAt = -1
	for _, e := range a.ex.byKey {
		if e.fwID != fwID {
			continue
		}
		if _, ok := e.launched[taskID]; ok {
			ex = e
			break
		}
		for i, t := range e.queued {
			if t.info.TaskID.Value == taskID {
				ex, queuedAt = e, i
			}
		}
		if ex != nil {
			break
		}
	}
	if ex == nil || ex.state == execTerminating || ex.state == execTerminated {
		a.mu.Unlock()
		return
	}
	if queuedAt < 0 {
		ex.send(mesos.ExecutorEvent{Type: mesos.ExecutorEventKill, Kill: &mesos.ExecutorKill{TaskID: mesos.TaskID{Value: taskID}, KillPolicy: policy}})
		a.mu.Unlock()
		return
	}
	t := ex.queued[queuedAt]
	ex.queued = append(ex.queued[:queuedAt], ex.queued[queuedAt+1:]...)
	// MESOS-8411: an executor never sent a task and left with none is
	// shut down, once it has subscribed.
	if ex.state == execRunning && !ex.everSent && len(ex.queued) == 0 {
		a.shutdownLocked(ex)
	}
	a.mu.Unlock()
	a.enqueue(t, a.agentStatus(t, ex, mesos.TaskKilled, mesos.ReasonTaskKilledDuringLaunch, textKilledBeforeLaunch))
}

// frameworkMessage delivers a framework's MESSAGE to a subscribed
// executor; otherwise it is dropped (Slave::schedulerMessage).
func (a *agent) frameworkMessage(fwID, executorID string, data []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ex := a.ex.byKey[executorKey(fwID, executorID)]
	if ex == nil || ex.state != execRunning {
		a.log.Info("framework message for an executor that is not running; dropped", "executor", executorID, "framework", fwID)
		return
	}
	ex.send(mesos.ExecutorEvent{Type: mesos.ExecutorEventMessage, Message: &mesos.ExecutorData{Data: data}})
}
