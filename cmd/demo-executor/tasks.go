package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/executor"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// defaultGrace is how long a killed task gets between SIGTERM and SIGKILL
// when neither the KILL nor the task says (Mesos' command executor waits 3
// seconds too).
const defaultGrace = 3 * time.Second

// demo is the executor's state: its tasks and where it writes.
type demo struct {
	c   *executor.Client
	ctx context.Context

	logMu sync.Mutex
	out   io.Writer

	mu           sync.Mutex
	tasks        map[string]*task
	killingState bool // the framework asked for TASK_KILLING
	shuttingDown bool

	// wake tells the event loop to look again whether it may exit: the
	// agent may acknowledge an update before its POST has returned.
	wake chan struct{}
}

// task is one launched task: its process and how it ends.
type task struct {
	info     mesos.TaskInfo
	cmd      *exec.Cmd
	killed   bool
	ended    bool
	reported bool // its last update's POST has returned
	grace    time.Duration
}

func newDemo(out io.Writer) *demo {
	return &demo{out: out, tasks: map[string]*task{}, wake: make(chan struct{}, 1)}
}

// logf writes one line: time, direction, text.
func (d *demo) logf(dir, format string, args ...any) {
	d.logMu.Lock()
	defer d.logMu.Unlock()
	fmt.Fprintf(d.out, "%s %s %s\n", stamp(), dir, fmt.Sprintf(format, args...))
}

// launch starts a task's command (its TaskInfo.data) and reports
// TASK_RUNNING; a watcher reports its end.
func (d *demo) launch(info mesos.TaskInfo) {
	script := string(info.Data)
	if script == "" {
		script = "exec sleep 2147483647" // no command: run until killed
	}
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a kill reaches what the shell starts
	stdout, err := cmd.StdoutPipe()
	if err == nil {
		cmd.Stderr = cmd.Stdout
		err = cmd.Start()
	}
	if err != nil {
		d.update(info.TaskID, mesos.TaskFailed, "could not start: "+err.Error())
		return
	}
	t := &task{info: info, cmd: cmd}
	d.mu.Lock()
	d.tasks[info.TaskID.Value] = t
	d.mu.Unlock()
	d.update(info.TaskID, mesos.TaskRunning, "pid "+strconv.Itoa(cmd.Process.Pid))
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			d.logf(" ", "[%s] %s", info.TaskID.Value, sc.Text())
		}
		d.finished(t, cmd.Wait())
	}()
}

// finished reports how a task ended. Until the report's POST has returned
// the executor does not exit: the task is no longer running, but its last
// update (and the line saying so) is not out yet.
func (d *demo) finished(t *task, err error) {
	d.mu.Lock()
	t.ended = true
	killed := t.killed
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		t.reported = true
		d.mu.Unlock()
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}()
	switch {
	case killed:
		d.update(t.info.TaskID, mesos.TaskKilled, describeExit(err))
	case err == nil:
		d.update(t.info.TaskID, mesos.TaskFinished, "exited with status 0")
	default:
		d.update(t.info.TaskID, mesos.TaskFailed, describeExit(err))
	}
}

func describeExit(err error) string {
	if err == nil {
		return "exited with status 0"
	}
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return fmt.Sprintf("terminated by signal %d (%s)", int(ws.Signal()), ws.Signal())
		}
		return "exited with status " + strconv.Itoa(ee.ExitCode())
	}
	return err.Error()
}

// kill stops a task: SIGTERM to its process group, SIGKILL after the
// grace period (the KILL's policy, else the task's, else 3 s).
func (d *demo) kill(taskID string, policy *mesos.KillPolicy) {
	d.mu.Lock()
	t := d.tasks[taskID]
	if t == nil || t.ended {
		d.mu.Unlock()
		if t == nil {
			// A task this executor never ran: say so, or the framework
			// waits forever for its end.
			d.update(mesos.TaskID{Value: taskID}, mesos.TaskLost, "unknown to demo-executor")
		}
		return
	}
	first := !t.killed
	t.killed = true
	t.grace = graceOf(policy, t.info.KillPolicy)
	killing := d.killingState && first
	d.mu.Unlock()
	if killing {
		d.update(t.info.TaskID, mesos.TaskKilling, "")
	}
	pid := t.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	time.AfterFunc(t.grace, func() {
		d.mu.Lock()
		ended := t.ended
		d.mu.Unlock()
		if !ended {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	})
}

func graceOf(policies ...*mesos.KillPolicy) time.Duration {
	for _, p := range policies {
		if p != nil && p.GracePeriod != nil {
			return time.Duration(p.GracePeriod.Nanoseconds)
		}
	}
	return defaultGrace
}

// shutdown kills every task within the executor's grace period.
func (d *demo) shutdown(grace time.Duration) {
	d.mu.Lock()
	d.shuttingDown = true
	d.mu.Unlock()
	// Leave the tasks half the grace period, and the updates the rest.
	d.killAll(grace / 2)
}

func (d *demo) killAll(grace time.Duration) {
	policy := &mesos.KillPolicy{GracePeriod: &mesos.DurationInfo{Nanoseconds: grace.Nanoseconds()}}
	for _, id := range d.running() {
		d.kill(id, policy)
	}
}

// running lists the tasks still running, sorted.
func (d *demo) running() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var ids []string
	for id, t := range d.tasks {
		if !t.ended {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// done tells whether the executor may exit: it was told to shut down,
// every task has ended and been reported, and the agent has acknowledged
// every update.
func (d *demo) done() bool {
	d.mu.Lock()
	waiting := !d.shuttingDown
	for _, t := range d.tasks {
		waiting = waiting || !t.reported
	}
	d.mu.Unlock()
	if waiting {
		return false
	}
	updates, _ := d.c.Unacknowledged()
	return len(updates) == 0
}

// update sends a status update; the client keeps it until acknowledged.
func (d *demo) update(id mesos.TaskID, state mesos.TaskState, message string) {
	if _, err := d.c.Update(d.ctx, mesos.TaskStatus{TaskID: id, State: state, Message: message}); err != nil {
		d.logf("!", "UPDATE %s %s: %v", id.Value, state, err)
	}
}

// callSummary describes a call body in one line.
func callSummary(body []byte) string {
	var call mesos.ExecutorCall
	if json.Unmarshal(body, &call) != nil {
		return "?"
	}
	switch call.Type {
	case mesos.ExecutorCallUpdate:
		st := call.Update.Status
		s := fmt.Sprintf("UPDATE %s %s %s", st.TaskID.Value, st.State, shortUUID(st.UUID))
		if st.Message != "" {
			s += fmt.Sprintf(" (%s)", st.Message)
		}
		return s
	case mesos.ExecutorCallMessage:
		return fmt.Sprintf("MESSAGE %q", call.Message.Data)
	case mesos.ExecutorCallSubscribe:
		return fmt.Sprintf("SUBSCRIBE with %d unacknowledged updates, %d unacknowledged tasks",
			len(call.Subscribe.UnacknowledgedUpdates), len(call.Subscribe.UnacknowledgedTasks))
	}
	return string(call.Type)
}

// killNow ends every running task's process group at once: the executor
// is about to exit, and a task that ignores SIGTERM must not outlive it.
func (d *demo) killNow() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, t := range d.tasks {
		if !t.ended && t.cmd != nil && t.cmd.Process != nil {
			_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
}
