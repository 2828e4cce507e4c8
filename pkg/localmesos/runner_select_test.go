package localmesos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// dockerTask is a DOCKER container task.
func dockerTask(image string) mesos.TaskInfo {
	return mesos.TaskInfo{
		Name:      "t",
		Command:   &mesos.CommandInfo{Shell: new(false)},
		Container: &mesos.ContainerInfo{Type: mesos.ContainerDocker, Docker: &mesos.DockerInfo{Image: image}},
	}
}

// noDocker is a Docker host where no engine answers.
func noDocker(t *testing.T) string {
	return "unix://" + t.TempDir() + "/docker.sock"
}

func TestRunnerSelectKinds(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{RunnerProcess, RunnerSimulated, RunnerAuto} {
		r, err := NewRunner(kind)
		if err != nil {
			t.Fatalf("NewRunner(%q): %v", kind, err)
		}
		if r.Name() != kind {
			t.Errorf("NewRunner(%q).Name() = %q", kind, r.Name())
		}
	}
	if r, err := NewRunner(""); err != nil || r.Name() != RunnerAuto {
		t.Errorf(`NewRunner("") = %v, %v; want the auto runner`, r, err)
	}
	if _, err := NewRunner("vm"); err == nil || !strings.Contains(err.Error(), `unknown runner "vm"`) {
		t.Errorf(`NewRunner("vm") error = %v`, err)
	}
	_, err := NewRunner(RunnerDocker, WithDockerHost(noDocker(t)))
	if err == nil || !strings.Contains(err.Error(), "docker runner: no Docker engine answers") {
		t.Errorf("NewRunner(docker) without an engine: error = %v", err)
	}
}

func TestRunnerSelectAutoWithoutDocker(t *testing.T) {
	t.Parallel()
	r, err := NewRunner(RunnerAuto, WithDockerHost(noDocker(t)))
	if err != nil {
		t.Fatal(err)
	}
	a := r.(*AutoRunner)
	if err := a.CheckDocker(); err == nil || !strings.Contains(err.Error(), "cannot reach the Docker engine") {
		t.Errorf("CheckDocker() = %v, want why not", err)
	}
	if got := a.For(shellTask("true")).Name(); got != RunnerProcess {
		t.Errorf("For(command task) = %s, want process", got)
	}
	docker := dockerTask("demo")
	if got := a.For(docker).Name(); got != RunnerSimulated {
		t.Errorf("For(docker task) = %s, want simulated", got)
	}
	if got := StatusMessage(r, docker); got != SimulatedMessage {
		t.Errorf("StatusMessage(docker task) = %q, want %q", got, SimulatedMessage)
	}
	if got := Containerizers(r); got != "mesos" {
		t.Errorf("Containerizers = %q, want mesos", got)
	}

	// Launch goes to the chosen runner, and RunnerName tells which.
	run, err := r.Launch(context.Background(), runnerTestSpec(t, docker))
	if err != nil {
		t.Fatal(err)
	}
	if got := RunnerName(run); got != RunnerSimulated {
		t.Errorf("RunnerName = %q, want simulated", got)
	}
	run.Kill(0)
	if e := run.Wait(); e.State != mesos.TaskKilled || !strings.Contains(e.Message, "Container terminated with signal Terminated") {
		t.Errorf("exit = %+v", e)
	}
	run, err = r.Launch(context.Background(), runnerTestSpec(t, shellTask("exit 0")))
	if err != nil {
		t.Fatal(err)
	}
	if got := RunnerName(run); got != RunnerProcess {
		t.Errorf("RunnerName = %q, want process", got)
	}
	if e := waitExit(t, run, 10*time.Second); e.Message != "Command exited with status 0" {
		t.Errorf("exit = %+v", e)
	}
}

func TestRunnerSelectDockerHosts(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"tcp://127.0.0.1:2375", "tcp://localhost:2375", "tcp://[::1]:2375", "unix:///var/run/docker.sock"} {
		if _, err := newDockerEngine(host); err != nil {
			t.Errorf("newDockerEngine(%q): %v", host, err)
		}
	}
	for _, host := range []string{"tcp://192.0.2.1:2375", "ssh://me@host", "npipe:////./pipe/docker_engine", "tcp://127.0.0.1"} {
		if _, err := newDockerEngine(host); err == nil {
			t.Errorf("newDockerEngine(%q) accepted it", host)
		}
	}
	// The auto runner is not stopped by an unusable host: it says why.
	r, err := NewRunner(RunnerAuto, WithDockerHost("tcp://192.0.2.1:2375"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.(*AutoRunner).CheckDocker(); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("CheckDocker() = %v, want the loopback rule", err)
	}
}

func TestRunnerSelectKillGracePeriod(t *testing.T) {
	t.Parallel()
	policy := func(d time.Duration) *mesos.KillPolicy {
		return &mesos.KillPolicy{GracePeriod: &mesos.DurationInfo{Nanoseconds: int64(d)}}
	}
	withPolicy := shellTask("true")
	withPolicy.KillPolicy = policy(7 * time.Second)
	cases := []struct {
		name     string
		task     mesos.TaskInfo
		override *mesos.KillPolicy
		want     time.Duration
	}{
		{"command default", shellTask("true"), nil, 3 * time.Second},
		{"docker default", dockerTask("demo"), nil, 5 * time.Second},
		{"task policy", withPolicy, nil, 7 * time.Second},
		{"kill override", withPolicy, policy(time.Second), time.Second},
		{"override without grace", withPolicy, &mesos.KillPolicy{}, 7 * time.Second},
	}
	for _, c := range cases {
		if got := KillGracePeriod(c.task, c.override); got != c.want {
			t.Errorf("%s: KillGracePeriod = %v, want %v", c.name, got, c.want)
		}
	}
}

// A runner launches a task in its sandbox; Wait says how it ended, in the
// words of Mesos' executors.
func ExampleNewRunner() {
	runner, err := NewRunner("process")
	if err != nil {
		panic(err)
	}
	sandbox, err := os.MkdirTemp("", "sandbox")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(sandbox)

	task := mesos.TaskInfo{
		Name:    "hello",
		TaskID:  mesos.TaskID{Value: "hello-1"},
		Command: &mesos.CommandInfo{Value: "echo hello from $MESOS_TASK_ID"},
	}
	run, err := runner.Launch(context.Background(), RunSpec{
		Task:    task,
		Sandbox: sandbox,
		Env:     []string{"MESOS_SANDBOX=" + sandbox, "MESOS_TASK_ID=hello-1"},
	})
	if err != nil {
		panic(err)
	}
	exit := run.Wait()
	out, _ := os.ReadFile(filepath.Join(sandbox, "stdout"))
	fmt.Println(exit.State, exit.Message)
	fmt.Print(string(out))
	// Output:
	// TASK_FINISHED Command exited with status 0
	// hello from hello-1
}
