package localmesos

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// labelled gives a task the labels given as key, value pairs.
func labelled(task mesos.TaskInfo, kv ...string) mesos.TaskInfo {
	task.Labels = &mesos.Labels{}
	for i := 0; i+1 < len(kv); i += 2 {
		task.Labels.Labels = append(task.Labels.Labels, mesos.Label{Key: kv[i], Value: kv[i+1]})
	}
	return task
}

func TestRunnerSimulatedRunsUntilKilled(t *testing.T) {
	t.Parallel()
	spec := runnerTestSpec(t, shellTask("sleep 1000"))
	run, err := simulatedRunner{}.Launch(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if st := run.Status(); st != nil {
		t.Errorf("Status() = %+v, want nil: nothing runs", st)
	}
	ended := make(chan Exit, 1)
	go func() { ended <- run.Wait() }()
	select {
	case e := <-ended:
		t.Fatalf("simulated task ended by itself: %+v", e)
	case <-time.After(50 * time.Millisecond):
	}
	run.Kill(time.Hour) // nothing to wait for: it ends at once
	want := Exit{State: mesos.TaskKilled, Message: "Command terminated with signal Terminated (simulated by localmesos: no process was started)"}
	if got := waitExit(t, run, time.Second); got != want {
		t.Errorf("exit = %+v, want %+v", got, want)
	}
	run.Kill(0) // a second kill changes nothing
	if got := run.Wait(); got != want {
		t.Errorf("exit after a second kill = %+v, want %+v", got, want)
	}
}

func TestRunnerSimulatedLabels(t *testing.T) {
	t.Parallel()
	docker := mesos.TaskInfo{
		Command:   &mesos.CommandInfo{Shell: new(false)},
		Container: &mesos.ContainerInfo{Type: mesos.ContainerDocker, Docker: &mesos.DockerInfo{Image: "demo"}},
	}
	cases := []struct {
		name    string
		task    mesos.TaskInfo
		state   mesos.TaskState
		message string
		after   time.Duration
	}{
		{"exit 0 later", labelled(shellTask("true"), LabelSimulateExit, "0", LabelSimulateSeconds, "0.1"),
			mesos.TaskFinished, "Command exited with status 0 (simulated by localmesos: no process was started)", 100 * time.Millisecond},
		{"exit 1 now", labelled(shellTask("false"), LabelSimulateExit, "1"),
			mesos.TaskFailed, "Command exited with status 1 (simulated by localmesos: no process was started)", 0},
		{"seconds only", labelled(shellTask("true"), LabelSimulateSeconds, "0.05"),
			mesos.TaskFinished, "Command exited with status 0 (simulated by localmesos: no process was started)", 50 * time.Millisecond},
		{"docker container", labelled(docker, LabelSimulateExit, "3"),
			mesos.TaskFailed, "Container exited with status 3 (simulated by localmesos: no process was started)", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			run, err := simulatedRunner{}.Launch(context.Background(), runnerTestSpec(t, c.task))
			if err != nil {
				t.Fatal(err)
			}
			got := waitExit(t, run, 5*time.Second)
			if took := time.Since(start); took < c.after {
				t.Errorf("ended after %v, want at least %v", took, c.after)
			}
			if want := (Exit{State: c.state, Message: c.message}); got != want {
				t.Errorf("exit = %+v, want %+v", got, want)
			}
		})
	}
}

func TestRunnerSimulatedBadLabels(t *testing.T) {
	t.Parallel()
	for _, kv := range [][2]string{{LabelSimulateExit, "one"}, {LabelSimulateExit, "256"}, {LabelSimulateSeconds, "-1"}, {LabelSimulateSeconds, "soon"}} {
		task := labelled(shellTask("true"), kv[0], kv[1])
		_, err := simulatedRunner{}.Launch(context.Background(), runnerTestSpec(t, task))
		if err == nil || !strings.Contains(err.Error(), "label "+kv[0]) || !strings.Contains(err.Error(), SimulatedMessage) {
			t.Errorf("label %s=%s: Launch error = %v, want one naming the label", kv[0], kv[1], err)
		}
	}
}

func TestRunnerSimulatedStatusMessage(t *testing.T) {
	t.Parallel()
	task := shellTask("true")
	if got := StatusMessage(simulatedRunner{}, task); got != SimulatedMessage {
		t.Errorf("StatusMessage(simulated) = %q, want %q", got, SimulatedMessage)
	}
	if got := StatusMessage(processRunner{}, task); got != "" {
		t.Errorf("StatusMessage(process) = %q, want none, as Mesos sends", got)
	}
}
