package localmesos

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// runnerTestSpec is a RunSpec for a task with its own sandbox and the
// environment an agent gives (without PATH, which the runners add or
// drop themselves).
func runnerTestSpec(t *testing.T, task mesos.TaskInfo) RunSpec {
	t.Helper()
	if task.TaskID.Value == "" {
		task.TaskID.Value = strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	}
	sandbox := t.TempDir()
	return RunSpec{
		Task:        task,
		FrameworkID: "fw-0000",
		AgentID:     "m1-S0",
		Sandbox:     sandbox,
		Env: []string{
			"MESOS_SANDBOX=" + sandbox,
			"MESOS_TASK_ID=" + task.TaskID.Value,
			"MESOS_FRAMEWORK_ID=fw-0000",
			"MESOS_AGENT_ID=m1-S0",
			"MESOS_EXECUTOR_ID=" + task.TaskID.Value,
		},
		Hostname: "127.0.0.1",
	}
}

// shellTask is a command task running cmd with /bin/sh -c.
func shellTask(cmd string) mesos.TaskInfo {
	return mesos.TaskInfo{Name: "t", Command: &mesos.CommandInfo{Value: cmd}}
}

// waitExit waits for a run to end, failing the test if it takes longer
// than limit.
func waitExit(t *testing.T, run Run, limit time.Duration) Exit {
	t.Helper()
	ch := make(chan Exit, 1)
	go func() { ch <- run.Wait() }()
	select {
	case e := <-ch:
		return e
	case <-time.After(limit):
		run.Kill(0)
		t.Fatalf("task still running after %v", limit)
		return Exit{}
	}
}

// waitFile waits until a sandbox file contains want.
func waitFile(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %q never appeared; it holds %q", path, want, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readSandbox reads a file of the sandbox.
func readSandbox(t *testing.T, spec RunSpec, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(spec.Sandbox, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRunnerProcessExit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, cmd      string
		state          mesos.TaskState
		message        string
		stdout, stderr string
	}{
		{"status 0", "echo out; echo err >&2", mesos.TaskFinished, "Command exited with status 0", "out\n", "err\n"},
		{"status 3", "echo failing; exit 3", mesos.TaskFailed, "Command exited with status 3", "failing\n", ""},
		{"not found", "no-such-command-localmesos", mesos.TaskFailed, "Command exited with status 127", "", "not found"},
		{"signal", "kill -USR1 $$", mesos.TaskFailed, "Command terminated with signal User defined signal 1", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			spec := runnerTestSpec(t, shellTask(c.cmd))
			run, err := processRunner{}.Launch(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			if st := run.Status(); st == nil || st.ExecutorPID == 0 {
				t.Errorf("Status() = %+v, want the executor pid", st)
			}
			got := waitExit(t, run, 10*time.Second)
			want := Exit{State: c.state, Message: c.message}
			if got != want {
				t.Errorf("exit = %+v, want %+v", got, want)
			}
			if out := readSandbox(t, spec, "stdout"); out != c.stdout {
				t.Errorf("stdout = %q, want %q", out, c.stdout)
			}
			if errOut := readSandbox(t, spec, "stderr"); !strings.Contains(errOut, c.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, c.stderr)
			}
			// Waiting again gives the same answer; killing now does nothing.
			run.Kill(0)
			if again := run.Wait(); again != got {
				t.Errorf("second Wait = %+v, want %+v", again, got)
			}
		})
	}
}

func TestRunnerProcessEnvironmentAndSandbox(t *testing.T) {
	t.Parallel()
	task := shellTask(`printf '%s|%s|%s|%s\n' "$GREETING" "$MESOS_SANDBOX" "$(pwd)" "$PATH"`)
	spec := runnerTestSpec(t, task)
	spec.Env = append(spec.Env, "GREETING=hello")
	run, err := processRunner{}.Launch(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if e := waitExit(t, run, 10*time.Second); e.State != mesos.TaskFinished {
		t.Fatalf("exit = %+v", e)
	}
	want := "hello|" + spec.Sandbox + "|" + spec.Sandbox + "|" + hostDefaultPath + "\n"
	if got := readSandbox(t, spec, "stdout"); got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}

func TestRunnerProcessArgv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		value string
		args  []string
		want  string
	}{
		// Found in PATH; arguments are the whole argv, argv[0] included.
		{"path lookup", "printf", []string{"printf", "%s|%s\n", "a b", "c"}, "a b|c\n"},
		{"argv0", "/bin/sh", []string{"custom-name", "-c", `echo "$0"`}, "custom-name\n"},
		{"no arguments", "pwd", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			task := mesos.TaskInfo{Command: &mesos.CommandInfo{Shell: new(false), Value: c.value, Arguments: c.args}}
			spec := runnerTestSpec(t, task)
			run, err := processRunner{}.Launch(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			if e := waitExit(t, run, 10*time.Second); e.State != mesos.TaskFinished {
				t.Fatalf("exit = %+v", e)
			}
			want := c.want
			if want == "" {
				want = spec.Sandbox + "\n"
			}
			if got := readSandbox(t, spec, "stdout"); got != want {
				t.Errorf("stdout = %q, want %q", got, want)
			}
		})
	}
}

func TestRunnerProcessRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		task mesos.TaskInfo
		want string
	}{
		{"docker task", mesos.TaskInfo{
			Command:   &mesos.CommandInfo{Shell: new(false)},
			Container: &mesos.ContainerInfo{Type: mesos.ContainerDocker, Docker: &mesos.DockerInfo{Image: "busybox"}},
		}, "None of the enabled containerizers (mesos) could create a container for the provided TaskInfo/ExecutorInfo message: task 'TestRunnerProcessRefuses-docker_task' asks for a DOCKER container image"},
		{"missing program", mesos.TaskInfo{Command: &mesos.CommandInfo{Shell: new(false), Value: "no-such-program-localmesos"}},
			"Failed to execute 'no-such-program-localmesos': executable file not found in the task's PATH"},
		{"no shell command", mesos.TaskInfo{Command: &mesos.CommandInfo{}},
			"Shell command of task 'TestRunnerProcessRefuses-no_shell_command' is not specified"},
		{"no command", mesos.TaskInfo{}, "has no command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := processRunner{}.Launch(context.Background(), runnerTestSpec(t, c.task))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Launch error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestRunnerProcessKill(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		cmd     string
		grace   time.Duration
		regrace time.Duration // a second Kill, if not zero
		message string
		minTime time.Duration // the kill takes at least this long
	}{
		{"SIGTERM", "echo ready; sleep 60", 10 * time.Second, 0, "Command terminated with signal Terminated", 0},
		{"SIGTERM handled", "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.05; done", 10 * time.Second, 0, "Command exited with status 0", 0},
		{"SIGTERM ignored", "trap '' TERM; echo ready; while :; do sleep 0.05; done", 300 * time.Millisecond, 0, "Command terminated with signal Killed", 300 * time.Millisecond},
		{"grace shortened", "trap '' TERM; echo ready; while :; do sleep 0.05; done", time.Hour, 200 * time.Millisecond, "Command terminated with signal Killed", 200 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			spec := runnerTestSpec(t, shellTask(c.cmd))
			run, err := processRunner{}.Launch(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			waitFile(t, filepath.Join(spec.Sandbox, "stdout"), "ready")
			start := time.Now()
			run.Kill(c.grace)
			if c.regrace != 0 {
				run.Kill(c.regrace)
				run.Kill(time.Hour) // a longer one changes nothing
			}
			got := waitExit(t, run, 10*time.Second)
			took := time.Since(start)
			if want := (Exit{State: mesos.TaskKilled, Message: c.message}); got != want {
				t.Errorf("exit = %+v, want %+v", got, want)
			}
			if took < c.minTime || took > c.minTime+5*time.Second {
				t.Errorf("kill took %v, want at least %v and not much more", took, c.minTime)
			}
		})
	}
}

// processGone tells whether pid has ended (a zombie waiting for whoever
// inherited it counts as ended).
func processGone(pid int) bool {
	if _, err := os.Stat("/proc/self"); err != nil {
		// No /proc (macOS): whoever inherits a zombie reaps it soon.
		return syscall.Kill(pid, 0) != nil
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the parenthesised command name.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

func TestRunnerProcessNoLeaks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		cmd   string
		kill  bool
		state mesos.TaskState
	}{
		// The shell exits, its background child must not outlive it.
		{"exit leaves a child", "sleep 300 & echo $! > child.pid; echo ready; exit 0", false, mesos.TaskFinished},
		// Killing the shell kills its children too.
		{"kill with a child", "sleep 300 & echo $! > child.pid; echo ready; wait", true, mesos.TaskKilled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			spec := runnerTestSpec(t, shellTask(c.cmd))
			run, err := processRunner{}.Launch(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			pid := int(run.Status().ExecutorPID)
			waitFile(t, filepath.Join(spec.Sandbox, "stdout"), "ready")
			if c.kill {
				run.Kill(5 * time.Second)
			}
			if e := waitExit(t, run, 10*time.Second); e.State != c.state {
				t.Errorf("exit = %+v, want %s", e, c.state)
			}
			child, err := strconv.Atoi(strings.TrimSpace(readSandbox(t, spec, "child.pid")))
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for !processGone(child) {
				if time.Now().After(deadline) {
					t.Fatalf("child %d of the task still runs", child)
				}
				time.Sleep(10 * time.Millisecond)
			}
			// The task itself was reaped: it is no child of ours any more.
			var ws syscall.WaitStatus
			if _, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); !errors.Is(err, syscall.ECHILD) {
				t.Errorf("wait4(%d) = %v, want ECHILD (reaped)", pid, err)
			}
		})
	}
}

func TestRunnerProcessWstringify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ws   syscall.WaitStatus
		want string
	}{
		{0, "exited with status 0"},
		{3 << 8, "exited with status 3"},
		{syscall.WaitStatus(syscall.SIGTERM), "terminated with signal Terminated"},
		{syscall.WaitStatus(syscall.SIGKILL), "terminated with signal Killed"},
		{syscall.WaitStatus(syscall.SIGSEGV) | 0x80, "terminated with signal Segmentation fault (core dumped)"},
		{syscall.WaitStatus(syscall.SIGSTOP)<<8 | 0x7f, "stopped on signal Stopped (signal)"},
		{syscall.WaitStatus(40), "terminated with signal Real-time signal 6"},
	}
	for _, c := range cases {
		if got := wstringify(c.ws); got != c.want {
			t.Errorf("wstringify(%#x) = %q, want %q", int(c.ws), got, c.want)
		}
	}
}
