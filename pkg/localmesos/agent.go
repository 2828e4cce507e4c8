package localmesos

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// agentRec is the master's record of an agent: what it has, what is
// offered and what its tasks use.
type agentRec struct {
	id         string
	hostname   string
	port       int
	attributes []mesos.Attribute
	total      pool
	offered    pool
	used       pool
	registered time.Time
	agent      *agent

	// Set by DEACTIVATE_AGENT and DRAIN_AGENT (drain.go): a deactivated
	// agent's resources are not offered.
	deactivated bool
	drain       *mesos.DrainInfo
	drainStart  time.Time
}

func (a *agentRec) available() pool {
	p := a.total.clone()
	p.subtractPool(a.offered)
	p.subtractPool(a.used)
	return p
}

func (a *agentRec) pid() string { return fmt.Sprintf("slave(1)@%s:%d", a.ip(), a.port) }

func (a *agentRec) ip() string {
	if ip := net.ParseIP(a.hostname); ip != nil {
		return ip.String()
	}
	if addrs, err := net.LookupHost(a.hostname); err == nil && len(addrs) > 0 {
		return addrs[0]
	}
	return a.hostname
}

func (a *agentRec) url() *mesos.URL {
	return &mesos.URL{Scheme: "http", Address: mesos.Address{Hostname: a.hostname, IP: a.ip(), Port: int32(a.port)}, Path: "/slave(1)"}
}

func (a *agentRec) info() mesos.AgentInfo {
	id := mesos.AgentID{Value: a.id}
	// The agent's resources as it registered them, reservations aside.
	return mesos.AgentInfo{Hostname: a.hostname, Port: int32(a.port), Resources: a.total.merged().resources(""), Attributes: a.attributes, ID: &id}
}

// agent runs tasks and delivers their status updates reliably, as a Mesos
// agent's status update manager does: each update carries a fresh uuid, is
// re-sent with backoff until acknowledged, and a task's next update waits
// until the previous one is acknowledged.
type agent struct {
	rec     *agentRec
	m       *master
	runner  Runner
	workDir string
	log     *slog.Logger

	mu        sync.Mutex
	tasks     map[string]*agentTask      // by framework id + "/" + task id
	completed map[string][]*doneExecutor // ended tasks' executors by framework id, oldest first
	closed    bool
	ex        agentExecutors // custom executors and restarts: executor_agent.go

	files *files // the sandboxes and /slave/log

	logging loggingLevel // SET_LOGGING_LEVEL's, guarded by mu

	// Set by DRAIN_AGENT (drain.go): updates of killed tasks say why.
	draining       bool
	drainMarkGone  bool
	partitionAware map[string]bool // by framework id

	// Work from the master (launch, kill, acknowledge) runs in order on
	// one goroutine, so the master never waits on an agent and two
	// acknowledgements of one task are never reordered.
	inbox   []func()
	inboxMu sync.Mutex
	wake    chan struct{}
	stopped chan struct{}
}

func newAgent(rec *agentRec, m *master, runner Runner, workDir string, log *slog.Logger) *agent {
	if real, err := realpath(workDir); err == nil {
		workDir = real // sandboxes are attached by their real paths
	}
	a := &agent{rec: rec, m: m, runner: runner, workDir: workDir, log: log, files: newFiles(),
		tasks: map[string]*agentTask{}, completed: map[string][]*doneExecutor{},
		wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	rec.agent = a
	go a.loop()
	return a
}

// do queues work for the agent's goroutine.
func (a *agent) do(f func()) {
	a.inboxMu.Lock()
	a.inbox = append(a.inbox, f)
	a.inboxMu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *agent) loop() {
	for {
		select {
		case <-a.stopped:
			return
		case <-a.wake:
		}
		for {
			a.inboxMu.Lock()
			q := a.inbox
			a.inbox = nil
			a.inboxMu.Unlock()
			if len(q) == 0 {
				break
			}
			for _, f := range q {
				f()
			}
		}
	}
}

// agentTask is a task on the agent: its run and its update stream.
type agentTask struct {
	key       string
	info      mesos.TaskInfo
	fwID      string
	sandbox   string
	run       Run
	state     mesos.TaskState // latest state, sent or pending
	pending   []mesos.TaskStatus
	inFlight  bool
	retry     *time.Timer
	backoff   time.Duration
	killed    bool
	grace     time.Duration
	completed bool
	cancel    context.CancelFunc
	statuses  []mesos.TaskStatus     // every update, for the agent API's tasks
	container *mesos.ContainerStatus // where it runs, from TASK_RUNNING
}

// maxRetry caps the re-send delay of an unacknowledged update (Mesos'
// STATUS_UPDATE_RETRY_INTERVAL_MAX).
const maxRetry = 10 * time.Minute

func taskKey(fwID, taskID string) string { return fwID + "/" + taskID }

func (a *agent) sandboxFor(fwID, taskID, runID string) string {
	return filepath.Join(a.workDir, "slaves", a.rec.id, "frameworks", fwID, "executors", taskID, "runs", runID)
}

// launch starts a task; the master has already accounted its resources.
func (a *agent) launch(fwID string, info mesos.TaskInfo) {
	if info.Executor != nil {
		a.launchOnExecutor(fwID, info) // executor_agent.go
		return
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	key := taskKey(fwID, info.TaskID.Value)
	ctx, cancel := context.WithCancel(context.Background())
	t := &agentTask{key: key, info: info, fwID: fwID, cancel: cancel, state: mesos.TaskStaging}
	t.sandbox = a.sandboxFor(fwID, info.TaskID.Value, uuidString(newUUID()))
	a.tasks[key] = t
	a.mu.Unlock()
	go a.execute(ctx, t)
}

// execute drives one task: TASK_STARTING, launch, TASK_RUNNING, wait, end.
func (a *agent) execute(ctx context.Context, t *agentTask) {
	runner := RunnerFor(a.runner, t.info)
	a.mu.Lock()
	killedEarly := t.killed
	a.mu.Unlock()
	if killedEarly {
		a.update(t, mesos.TaskKilled, mesos.SourceAgent, mesos.ReasonTaskKilledDuringLaunch, textKilledBeforeLaunch, nil)
		return
	}
	// Every task has a sandbox, a simulated one too: its stdout says
	// that nothing ran.
	if err := a.createSandbox(t); err != nil {
		a.update(t, mesos.TaskFailed, mesos.SourceAgent, mesos.ReasonContainerLaunchFailed, textLaunchFailed+"create sandbox: "+err.Error(), nil)
		return
	}
	// A simulated task says so in every update; real executors send
	// TASK_STARTING and TASK_RUNNING without a message.
	startMsg := StatusMessage(runner, t.info)
	// The container exists from TASK_STARTING on, and every update of its
	// executor says which it is, as a Mesos agent adds it. Until the task
	// runs the stand-in itself is its executor.
	// (A Docker container's status has no executor pid.)
	cs := &mesos.ContainerStatus{}
	if c := t.info.Container; c == nil || c.Type != mesos.ContainerDocker {
		cs.ExecutorPID = uint32(os.Getpid())
	}
	a.mu.Lock()
	t.container = a.containerStatus(cs)
	a.mu.Unlock()
	a.update(t, mesos.TaskStarting, mesos.SourceExecutor, "", startMsg, a.current(t))
	// What Mesos' executors refuse once they have started: the Docker
	// executor's run options, the command executor's shell without a
	// command (it aborts, and the agent reports the executor's end).
	if c := t.info.Container; c != nil && c.Type == mesos.ContainerDocker && c.Docker != nil {
		if msg := dockerRunError(t.info); msg != "" {
			a.update(t, mesos.TaskFailed, mesos.SourceExecutor, "", textDockerRunOptions+msg, a.current(t))
			return
		}
	} else if cmd := t.info.Command; cmd != nil && (cmd.Shell == nil || *cmd.Shell) && cmd.Value == "" {
		a.update(t, mesos.TaskFailed, mesos.SourceAgent, mesos.ReasonExecutorTerminated, textExecutorTerminated, nil)
		return
	}
	spec := RunSpec{Task: t.info, FrameworkID: t.fwID, AgentID: a.rec.id, Sandbox: t.sandbox, Env: a.env(t), Hostname: a.rec.hostname}
	run, err := runner.Launch(ctx, spec)
	a.mu.Lock()
	killedEarly = t.killed
	grace := t.grace
	t.run = run
	a.mu.Unlock()
	if err != nil {
		if killedEarly {
			a.update(t, mesos.TaskKilled, mesos.SourceAgent, mesos.ReasonTaskKilledDuringLaunch, textKilledBeforeLaunch, nil)
			return
		}
		a.update(t, mesos.TaskFailed, mesos.SourceAgent, mesos.ReasonContainerLaunchFailed, textLaunchFailed+err.Error(), nil)
		return
	}
	if killedEarly {
		run.Kill(grace)
	} else {
		a.running(t, startMsg, run)
	}
	exit := run.Wait()
	a.update(t, exit.State, mesos.SourceExecutor, exit.Reason, exit.Message, a.current(t))
}

// running sends TASK_RUNNING with the container's status as the runner
// knows it, in the container the task started in; and for a Docker
// container the output of docker inspect as data, as Mesos' Docker
// executor sends it.
func (a *agent) running(t *agentTask, msg string, run Run) {
	cs := run.Status()
	if cs == nil {
		cs = &mesos.ContainerStatus{}
	}
	a.mu.Lock()
	cs.ContainerID = t.container.ContainerID
	if cs.ExecutorPID == 0 {
		cs.ExecutorPID = t.container.ExecutorPID
	}
	a.mu.Unlock()
	st := a.status(t, mesos.TaskRunning, mesos.SourceExecutor, "", msg, a.containerStatus(cs))
	if d, ok := run.(interface{ InspectData() []byte }); ok {
		st.Data = d.InspectData()
	}
	a.enqueue(t, st)
}

// current is a copy of the task's container status, for its next update.
func (a *agent) current(t *agentTask) *mesos.ContainerStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t.container == nil {
		return nil
	}
	cs := *t.container
	return &cs
}

// containerStatus fills in what the agent adds to an executor's update: a
// container id, and the agent's address when the container has none of
// its own (host networking).
func (a *agent) containerStatus(cs *mesos.ContainerStatus) *mesos.ContainerStatus {
	if cs == nil {
		cs = &mesos.ContainerStatus{}
	}
	if cs.ContainerID == nil {
		cs.ContainerID = &mesos.ContainerID{Value: uuidString(newUUID())}
	}
	if len(cs.NetworkInfos) == 0 {
		cs.NetworkInfos = []mesos.NetworkInfo{{IPAddresses: []mesos.IPAddress{{Protocol: "IPv4", IPAddress: a.rec.ip()}}}}
	}
	return cs
}

// env is the environment Mesos' command executor gives a task.
func (a *agent) env(t *agentTask) []string {
	env := []string{
		"MESOS_SANDBOX=" + t.sandbox,
		"MESOS_TASK_ID=" + t.info.TaskID.Value,
		"MESOS_FRAMEWORK_ID=" + t.fwID,
		"MESOS_AGENT_ID=" + a.rec.id,
		"MESOS_SLAVE_ID=" + a.rec.id,
		"MESOS_EXECUTOR_ID=" + t.info.TaskID.Value,
		"MESOS_AGENT_ENDPOINT=" + net.JoinHostPort(a.rec.ip(), strconv.Itoa(a.rec.port)),
		"MESOS_DIRECTORY=" + t.sandbox,
	}
	if c := t.info.Command; c != nil && c.Environment != nil {
		for _, v := range c.Environment.Variables {
			env = append(env, v.Name+"="+v.Value)
		}
	}
	return env
}

// update queues a status update for the task; the head of the queue is
// sent to the master and re-sent until acknowledged.
func (a *agent) update(t *agentTask, state mesos.TaskState, source, reason, message string, cs *mesos.ContainerStatus) {
	a.enqueue(t, a.status(t, state, source, reason, message, cs))
}

// status is a new status update of the task.
func (a *agent) status(t *agentTask, state mesos.TaskState, source, reason, message string, cs *mesos.ContainerStatus) mesos.TaskStatus {
	agentID := mesos.AgentID{Value: a.rec.id}
	execID := mesos.ExecutorID{Value: t.info.TaskID.Value}
	return mesos.TaskStatus{
		TaskID: t.info.TaskID, State: state, Source: source, Reason: reason, Message: message,
		AgentID: &agentID, ExecutorID: &execID, Timestamp: float64(time.Now().UnixNano()) / 1e9,
		UUID: newUUID(), ContainerStatus: cs,
	}
}

// enqueue queues a status update, made by the agent or received from an
// executor, on the task's update stream.
func (a *agent) enqueue(t *agentTask, st mesos.TaskStatus) {
	a.mu.Lock()
	if t.completed || a.tasks[t.key] != t {
		a.mu.Unlock()
		return
	}
	st.State, st.Reason = a.drainedStatus(t.fwID, st.State, st.Reason)
	t.state = st.State
	if st.ContainerStatus != nil {
		t.container = st.ContainerStatus
	}
	if len(t.statuses) < maxStatuses {
		t.statuses = append(t.statuses, st)
	}
	t.pending = append(t.pending, st)
	send := !t.inFlight
	if send {
		t.inFlight = true
		t.backoff = a.m.cfg.StatusUpdateRetry
	}
	a.mu.Unlock()
	if send {
		a.forward(t)
	}
}

// forward sends the task's oldest unacknowledged update to the master and
// arms the retry timer.
func (a *agent) forward(t *agentTask) {
	a.mu.Lock()
	if len(t.pending) == 0 || a.closed {
		t.inFlight = false
		a.mu.Unlock()
		return
	}
	head := t.pending[0]
	latest := t.state
	if t.retry != nil {
		t.retry.Stop()
	}
	delay := t.backoff
	t.backoff = min(t.backoff*2, maxRetry)
	t.retry = time.AfterFunc(delay, func() { a.forward(t) })
	a.mu.Unlock()
	a.m.statusUpdate(a.rec, t.fwID, head, latest, t.info)
}

// acknowledge removes the acknowledged update from the task's queue and
// sends the next one. An unknown uuid is ignored, as Mesos' agent does.
func (a *agent) acknowledge(fwID, taskID string, uuid []byte) {
	a.mu.Lock()
	t := a.tasks[taskKey(fwID, taskID)]
	if t == nil || len(t.pending) == 0 || string(t.pending[0].UUID) != string(uuid) {
		a.mu.Unlock()
		return
	}
	acked := t.pending[0]
	t.pending = t.pending[1:]
	if t.retry != nil {
		t.retry.Stop()
	}
	t.backoff = a.m.cfg.StatusUpdateRetry
	next := len(t.pending) > 0
	if !next {
		t.inFlight = false
		if acked.State.Terminal() {
			// The task's story is complete: only its sandbox is
			// left to read.
			t.completed = true
			delete(a.tasks, t.key)
			a.retire(t)
		}
	}
	a.mu.Unlock()
	if next {
		a.forward(t)
	}
}

// kill stops a task: TERM, then KILL after the grace period. A running
// task of a framework with the TASK_KILLING_STATE capability first
// reports TASK_KILLING, as Mesos' executors do.
func (a *agent) kill(fwID, taskID string, grace time.Duration, killingState bool) {
	a.mu.Lock()
	t := a.tasks[taskKey(fwID, taskID)]
	if t == nil || t.killed {
		a.mu.Unlock()
		return
	}
	t.killed, t.grace = true, grace
	run := t.run
	running := run != nil && !t.state.Terminal()
	a.mu.Unlock()
	if running && killingState {
		a.update(t, mesos.TaskKilling, mesos.SourceExecutor, "", "", a.current(t))
	}
	if run != nil {
		run.Kill(grace)
	}
}

// killFramework kills every task of a removed framework and drops their
// updates: nobody is left to acknowledge them.
func (a *agent) killFramework(fwID string) {
	a.mu.Lock()
	var runs []Run
	for key, t := range a.tasks {
		if t.fwID != fwID {
			continue
		}
		t.completed = true
		t.killed = true
		a.retire(t)
		if t.retry != nil {
			t.retry.Stop()
		}
		if t.run != nil {
			runs = append(runs, t.run)
		} else {
			t.cancel()
		}
		delete(a.tasks, key)
	}
	a.mu.Unlock()
	for _, r := range runs {
		r.Kill(0)
	}
	a.shutdownFrameworkExecutors(fwID) // executor_agent.go
}

// shutdown kills every task and waits up to grace for them to stop.
func (a *agent) shutdown(grace time.Duration) {
	a.mu.Lock()
	a.closed = true
	var runs []Run
	for _, t := range a.tasks {
		if t.retry != nil {
			t.retry.Stop()
		}
		t.cancel()
		if t.run != nil {
			runs = append(runs, t.run)
		}
	}
	a.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range append(runs, a.executorRuns()...) { // executor_agent.go
		wg.Go(func() {
			r.Kill(grace)
			r.Wait()
		})
	}
	wg.Wait()
	close(a.stopped)
}
