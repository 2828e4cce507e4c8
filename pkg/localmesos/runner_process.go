package localmesos

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// hostDefaultPath is the PATH Mesos gives a task whose environment has none
// (stout's os::host_default_path), so that shell=false programs and the
// commands of a shell=true task are found as on a real agent.
const hostDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// processRunner runs command tasks as local processes, the way Mesos'
// command executor (src/launcher/executor.cpp) does under the Mesos
// containerizer with the POSIX launcher: in the sandbox, in a session of its
// own, output to the sandbox's stdout and stderr files. It does not switch
// to CommandInfo.user and does not fetch CommandInfo.uris: the agent owns
// the sandbox and anything put into it before the launch.
type processRunner struct{}

// Name is "process".
func (processRunner) Name() string { return RunnerProcess }

// Launch starts the task's command and returns once the process exists.
func (processRunner) Launch(ctx context.Context, spec RunSpec) (Run, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("launch cancelled: %w", err)
	}
	task := spec.Task
	if isContainerTask(task) {
		// A Mesos agent whose only containerizer is "mesos" and has no
		// image provisioner turns such a task down in the same words.
		return nil, fmt.Errorf("None of the enabled containerizers (mesos) could create a container for the provided TaskInfo/ExecutorInfo message: task '%s' asks for a %s container image and the process runner runs command tasks only (use the docker or auto runner)",
			task.TaskID.Value, containerKind(task))
	}
	if task.Command == nil {
		return nil, fmt.Errorf("task '%s' has no command", task.TaskID.Value)
	}
	cmd, err := processCommand(task.TaskID.Value, task.Command, spec.Sandbox, processEnv(spec.Env))
	if err != nil {
		return nil, err
	}

	run, err := startProcess(cmd, spec.Sandbox)
	if err != nil {
		return nil, err // not a nil *processRun in a non-nil Run
	}
	return run, nil
}

// startProcess starts a task's or an executor's command in its sandbox
// and reaps it when it ends.
func startProcess(cmd *exec.Cmd, sandbox string) (*processRun, error) {
	// The sandbox's stdout and stderr may already hold the fetcher's
	// output, so they are appended to, never truncated.
	stdout, err := openSandboxLog(sandbox, "stdout")
	if err != nil {
		return nil, err
	}
	defer stdout.Close()
	stderr, err := openSandboxLog(sandbox, "stderr")
	if err != nil {
		return nil, err
	}
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Setsid, as Mesos' executor does for its task (ChildHook::SETSID): the
	// task leads a session and a process group of its own, so a kill
	// reaches everything it started and a Ctrl-C meant for localmesos does
	// not reach it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}

	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "Failed to execute '%s': %v\n", cmd.Path, err)
		return nil, fmt.Errorf("Failed to execute '%s': %w", cmd.Path, err)
	}
	r := &processRun{cmd: cmd, pid: cmd.Process.Pid, done: make(chan struct{})}
	go r.reap()
	return r, nil
}

// processCommand builds the exec.Cmd for a CommandInfo with Mesos'
// semantics: shell (the default) runs value with /bin/sh -c; otherwise
// value is the program, looked up in the task's own PATH, and arguments is
// its whole argv, argv[0] included.
func processCommand(taskID string, c *mesos.CommandInfo, sandbox string, env []string) (*exec.Cmd, error) {
	if c.Shell == nil || *c.Shell {
		if c.Value == "" {
			return nil, fmt.Errorf("Shell command of task '%s' is not specified", taskID)
		}
		return &exec.Cmd{Path: "/bin/sh", Args: []string{"sh", "-c", c.Value}, Dir: sandbox, Env: env}, nil
	}
	if c.Value == "" {
		return nil, fmt.Errorf("Executable of task '%s' is not specified", taskID)
	}
	path, err := lookPathIn(c.Value, envValue(env, "PATH"), sandbox)
	if err != nil {
		return nil, fmt.Errorf("Failed to execute '%s': %w", c.Value, err)
	}
	args := c.Arguments
	if len(args) == 0 {
		args = []string{c.Value}
	}
	return &exec.Cmd{Path: path, Args: args, Dir: sandbox, Env: env}, nil
}

// processEnv is the task's environment: what the agent gives (RunSpec.Env)
// plus a PATH when it has none, as Mesos' launcher adds one.
func processEnv(env []string) []string {
	out := append([]string(nil), env...)
	if _, ok := lookupEnv(env, "PATH"); !ok {
		out = append(out, "PATH="+hostDefaultPath)
	}
	return out
}

// lookPathIn finds a program as execvp does with the task's PATH (not
// localmesos' own): a name with a slash is taken as is (relative to the
// sandbox, the task's working directory), other names are searched in path.
func lookPathIn(file, path, dir string) (string, error) {
	if strings.Contains(file, "/") {
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		if err := checkExecutable(file); err != nil {
			return "", err
		}
		return file, nil
	}
	for _, d := range filepath.SplitList(path) {
		if d == "" || !filepath.IsAbs(d) {
			// Relative PATH entries would depend on the working
			// directory; execvp's "current directory" meaning of an
			// empty entry is a classic trap, so neither is searched.
			continue
		}
		p := filepath.Join(d, file)
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("executable file not found in the task's PATH (%s)", path)
}

// checkExecutable tells whether file is a regular file someone may execute.
func checkExecutable(file string) error {
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fs.ErrPermission
	}
	return nil
}

// openSandboxLog opens the sandbox's stdout or stderr file for appending.
func openSandboxLog(sandbox, name string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(sandbox, name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the sandbox's %s file: %w", name, err)
	}
	return f, nil
}

// processRun is one running process task.
type processRun struct {
	cmd  *exec.Cmd
	pid  int
	done chan struct{}
	exit Exit // set before done is closed

	mu       sync.Mutex
	killed   bool
	killedAt time.Time   // when the first Kill sent SIGTERM
	deadline time.Time   // when SIGKILL is (or was) due
	escalate *time.Timer // sends SIGKILL at deadline
}

// Status gives the task's pid as the executor pid: here the task is its own
// executor.
func (r *processRun) Status() *mesos.ContainerStatus {
	return &mesos.ContainerStatus{ExecutorPID: uint32(r.pid)}
}

// Wait blocks until the process has ended and been reaped.
func (r *processRun) Wait() Exit {
	<-r.done
	return r.exit
}

// Kill sends SIGTERM to the task's process group, then SIGKILL once grace
// has passed. A later Kill can only shorten the grace period, counted from
// the first one, as Mesos' command executor does.
func (r *processRun) Kill(grace time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.done:
		return
	default:
	}
	if grace < 0 {
		grace = 0
	}
	now := time.Now()
	if !r.killed {
		r.killed, r.killedAt = true, now
		r.deadline = now.Add(grace)
		// The whole group, as Mesos' os::killtree does: a shell's
		// children must not outlive it.
		_ = syscall.Kill(-r.pid, syscall.SIGTERM)
		r.escalate = time.AfterFunc(max(grace, minEscalation), r.forceKill)
		return
	}
	if d := r.killedAt.Add(grace); d.Before(r.deadline) {
		r.deadline = d
		r.escalate.Reset(max(time.Until(d), minEscalation))
	}
}

// minEscalation is the least time between SIGTERM and SIGKILL. Mesos'
// executor escalates from its event loop, after the signal, so that even
// with no grace period a task that ends on SIGTERM says so (signal
// Terminated) rather than dying of a SIGKILL sent in the same instant.
const minEscalation = 20 * time.Millisecond

// forceKill is the escalation: SIGKILL to the group, unless the task has
// ended meanwhile.
func (r *processRun) forceKill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.done:
	default:
		_ = syscall.Kill(-r.pid, syscall.SIGKILL)
	}
}

// reap waits for the process, cleans up what it left behind and records how
// it ended.
func (r *processRun) reap() {
	err := r.cmd.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	// Mesos destroys the task's container when the executor ends, which
	// kills whatever the task left running; here that is the rest of its
	// process group. The group id is the reaped leader's pid, which POSIX
	// does not hand out again while the group has members, so this
	// reaches the stragglers or no one.
	_ = syscall.Kill(-r.pid, syscall.SIGKILL)
	if r.escalate != nil {
		r.escalate.Stop()
	}
	r.exit = processExit(r.cmd.ProcessState, err, r.killed, "Command")
	close(r.done)
}

// processExit turns a wait status into the Exit Mesos' executors report:
// TASK_KILLED whenever a kill was asked for (whatever the status, as
// src/launcher/executor.cpp and src/docker/executor.cpp decide), otherwise
// TASK_FINISHED for status 0 and TASK_FAILED for anything else, with the
// message "<what> " + WSTRINGIFY(status).
func processExit(ps *os.ProcessState, err error, killed bool, what string) Exit {
	if ps == nil {
		return Exit{State: mesos.TaskFailed, Message: "Failed to get exit status for " + what + ": " + err.Error()}
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok {
		return Exit{State: mesos.TaskFailed, Message: "Failed to get exit status for " + what}
	}
	state := mesos.TaskFailed
	switch {
	case killed:
		state = mesos.TaskKilled
	case ws.Exited() && ws.ExitStatus() == 0:
		state = mesos.TaskFinished
	}
	return Exit{State: state, Message: what + " " + wstringify(ws)}
}

// wstringify describes a wait status in the words of Mesos'
// src/common/status_utils.hpp WSTRINGIFY, signal names being glibc's
// strsignal texts.
func wstringify(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return "exited with status " + strconv.Itoa(ws.ExitStatus())
	case ws.Signaled():
		s := "terminated with signal " + strsignal(ws.Signal())
		if ws.CoreDump() {
			s += " (core dumped)"
		}
		return s
	case ws.Stopped():
		return "stopped on signal " + strsignal(ws.StopSignal())
	}
	return "wait status " + strconv.Itoa(int(ws))
}

// signalNames are glibc's strsignal texts on Linux. Go's own signal names
// are lower case, and Mesos' messages must match byte for byte.
var signalNames = [...]string{
	1: "Hangup", 2: "Interrupt", 3: "Quit", 4: "Illegal instruction",
	5: "Trace/breakpoint trap", 6: "Aborted", 7: "Bus error",
	8: "Floating point exception", 9: "Killed", 10: "User defined signal 1",
	11: "Segmentation fault", 12: "User defined signal 2", 13: "Broken pipe",
	14: "Alarm clock", 15: "Terminated", 16: "Stack fault", 17: "Child exited",
	18: "Continued", 19: "Stopped (signal)", 20: "Stopped",
	21: "Stopped (tty input)", 22: "Stopped (tty output)",
	23: "Urgent I/O condition", 24: "CPU time limit exceeded",
	25: "File size limit exceeded", 26: "Virtual timer expired",
	27: "Profiling timer expired", 28: "Window changed", 29: "I/O possible",
	30: "Power failure", 31: "Bad system call",
}

// strsignal is glibc's strsignal(3), real-time signals included (glibc
// keeps 32 and 33 for itself, so SIGRTMIN is 34).
func strsignal(s syscall.Signal) string {
	switch {
	case s > 0 && int(s) < len(signalNames):
		return signalNames[s]
	case s >= 34 && s <= 64:
		return "Real-time signal " + strconv.Itoa(int(s)-34)
	}
	return "Unknown signal " + strconv.Itoa(int(s))
}

// lookupEnv finds a variable in a KEY=value list; the last one wins, as
// for exec.Cmd.
func lookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// envValue is lookupEnv without the "found" flag.
func envValue(env []string, key string) string {
	v, _ := lookupEnv(env, key)
	return v
}

// isContainerTask tells whether a task needs a container image: a DOCKER
// container, or a MESOS one with an image. A MESOS container without an
// image (volumes, networks only) is a plain command task.
func isContainerTask(task mesos.TaskInfo) bool {
	c := task.Container
	if c == nil {
		return false
	}
	return c.Type == mesos.ContainerDocker || (c.Mesos != nil && c.Mesos.Image != nil)
}

// containerKind names the container of a container task, for messages.
func containerKind(task mesos.TaskInfo) string {
	if task.Container.Type == "" {
		return "MESOS"
	}
	return string(task.Container.Type)
}
