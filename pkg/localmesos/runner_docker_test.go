package localmesos

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// requireDocker gives a client of the local Docker engine, or skips the
// test when none answers (fails it under CI, where one must).
func requireDocker(t *testing.T) *dockerEngine {
	t.Helper()
	testenv.RequireDocker(t)
	engine, err := newDockerEngine("")
	if err != nil {
		t.Fatal(err)
	}
	return engine
}

// buildTestImage builds testdata/webserver into an image FROM scratch with
// a tag of this test run's own, through the Engine API (no docker CLI
// needed), and removes it when t ends.
func buildTestImage(t *testing.T, engine *dockerEngine) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "webserver")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./testdata/webserver")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the test program: %v\n%s", err, out)
	}
	program, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buildContext bytes.Buffer
	tw := tar.NewWriter(&buildContext)
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{
		{"Dockerfile", 0o644, []byte("FROM scratch\nCOPY webserver /webserver\nENTRYPOINT [\"/webserver\"]\n")},
		{"webserver", 0o755, program},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}

	// The name's registry is a loopback port nobody listens on, so that
	// even a pull of it (force_pull_image) never leaves the machine.
	tag := fmt.Sprintf("127.0.0.1:1/localmesos-runner-test:%d-%d", os.Getpid(), time.Now().UnixNano())
	q := url.Values{"t": {tag}, "rm": {"1"}, "forcerm": {"1"}, "labels": {`{"localmesos.test":"runner"}`}}
	req, err := http.NewRequest(http.MethodPost, engine.base+"/build?"+q.Encode(), &buildContext)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := engine.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := engine.do(ctx, http.MethodDelete, "/images/"+tag, url.Values{"force": {"1"}}, nil, nil); err != nil {
			t.Errorf("removing the test image: %v", err)
		}
	})
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"error"`)) {
		t.Fatalf("building the test image: %s\n%s", resp.Status, out)
	}
	return tag
}

// fetchPage GETs a loopback URL, retrying while the server starts.
func fetchPage(t *testing.T, u string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(u)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(b)
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", u, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// containersOf lists the engine's containers (running or not) carrying
// a task id's label.
func containersOf(t *testing.T, engine *dockerEngine, taskID string) []string {
	t.Helper()
	filters, _ := json.Marshal(map[string][]string{"label": {DockerLabelTaskID + "=" + taskID}})
	var list []struct{ ID string }
	if err := engine.do(context.Background(), http.MethodGet, "/containers/json", url.Values{"all": {"1"}, "filters": {string(filters)}}, nil, &list); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

// assertRemoved checks that the container of a run is gone.
func assertRemoved(t *testing.T, engine *dockerEngine, run Run) {
	t.Helper()
	err := engine.do(context.Background(), http.MethodGet, "/containers/"+run.(*dockerRun).id+"/json", nil, nil, nil)
	var de *dockerError
	if !errors.As(err, &de) || de.Status != http.StatusNotFound {
		t.Errorf("container %s still exists (inspect: %v)", run.(*dockerRun).name, err)
	}
}

// TestRunnerDocker runs real containers of an image built for the test.
// The subtests share the image, which is built once and removed when they
// have all ended.
func TestRunnerDocker(t *testing.T) {
	t.Parallel()
	engine := requireDocker(t)
	image := buildTestImage(t, engine)
	runner := &dockerRunner{engine: engine}

	t.Run("bridge network, port mapping, kill", func(t *testing.T) {
		t.Parallel()
		port := uint32(testenv.Port(t))
		task := bridgeTask(image, port)
		task.Command.Environment = &mesos.Environment{Variables: []mesos.EnvironmentVariable{{Name: "GREETING", Value: "and Mesos"}}}
		hostDir := t.TempDir()
		task.Container.Volumes = []mesos.Volume{{Mode: "RO", ContainerPath: "/data", HostPath: hostDir}}
		task.Container.Docker.Parameters = []mesos.Parameter{{Key: "label", Value: "team=ops"}, {Key: "env", Value: "EXTRA=1"}}
		spec := runnerTestSpec(t, task)
		task = spec.Task
		spec.Env = append(spec.Env, "PATH=/host/only")

		run, err := runner.Launch(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		st := run.Status()
		if st == nil || len(st.NetworkInfos) != 1 || len(st.NetworkInfos[0].IPAddresses) == 0 || net.ParseIP(st.NetworkInfos[0].IPAddresses[0].IPAddress) == nil {
			t.Errorf("Status() = %+v, want the bridge address", st)
		}
		page := fetchPage(t, fmt.Sprintf("http://127.0.0.1:%d/", port))
		if page != "hello from the localmesos test image and Mesos\n" {
			t.Errorf("page = %q", page)
		}
		waitFile(t, filepath.Join(spec.Sandbox, "webserver.started"), DockerSandboxPath)

		var ins struct {
			Config struct {
				Env    []string
				Labels map[string]string
			}
			HostConfig struct{ Binds []string }
		}
		if err := engine.do(context.Background(), http.MethodGet, "/containers/"+run.(*dockerRun).id+"/json", nil, nil, &ins); err != nil {
			t.Fatal(err)
		}
		if ins.Config.Labels["team"] != "ops" || ins.Config.Labels[DockerLabelTaskID] != task.TaskID.Value {
			t.Errorf("labels = %v", ins.Config.Labels)
		}
		if !slices.Contains(ins.Config.Env, "EXTRA=1") || !slices.Contains(ins.Config.Env, "MESOS_SANDBOX="+DockerSandboxPath) || slices.Contains(ins.Config.Env, "PATH=/host/only") {
			t.Errorf("env = %q", ins.Config.Env)
		}
		if !slices.Contains(ins.HostConfig.Binds, hostDir+":/data:ro") {
			t.Errorf("binds = %q", ins.HostConfig.Binds)
		}

		start := time.Now()
		run.Kill(5 * time.Second)
		got := waitExit(t, run, 30*time.Second)
		if want := (Exit{State: mesos.TaskKilled, Message: "Container exited with status 0"}); got != want {
			t.Errorf("exit = %+v, want %+v", got, want)
		}
		if took := time.Since(start); took > 4*time.Second {
			t.Errorf("stopping took %v, but the program exits on SIGTERM", took)
		}
		assertRemoved(t, engine, run)
		if out := readSandbox(t, spec, "stdout"); !strings.Contains(out, "webserver: started") || !strings.Contains(out, "SIGTERM, exiting") {
			t.Errorf("sandbox stdout = %q", out)
		}
		if errOut := readSandbox(t, spec, "stderr"); !strings.Contains(errOut, "this line goes to stderr") {
			t.Errorf("sandbox stderr = %q", errOut)
		}
	})

	t.Run("host network", func(t *testing.T) {
		t.Parallel()
		port := uint32(testenv.Port(t))
		task := dockerTask(image)
		task.Command.Value = fmt.Sprintf("-listen=127.0.0.1:%d", port)
		run, err := runner.Launch(context.Background(), runnerTestSpec(t, task))
		if err != nil {
			t.Fatal(err)
		}
		if st := run.Status(); st == nil || len(st.NetworkInfos) != 0 {
			t.Errorf("Status() = %+v, want no address on the host network", st)
		}
		fetchPage(t, fmt.Sprintf("http://127.0.0.1:%d/", port))
		run.Kill(5 * time.Second)
		if got := waitExit(t, run, 30*time.Second); got.State != mesos.TaskKilled {
			t.Errorf("exit = %+v", got)
		}
		assertRemoved(t, engine, run)
	})

	t.Run("exit status", func(t *testing.T) {
		t.Parallel()
		for _, c := range []struct {
			status int
			state  mesos.TaskState
		}{{0, mesos.TaskFinished}, {3, mesos.TaskFailed}} {
			task := dockerTask(image)
			task.TaskID.Value = fmt.Sprintf("exit-%d-%d", c.status, time.Now().UnixNano())
			task.Command.Arguments = []string{fmt.Sprintf("-exit=%d", c.status)}
			spec := runnerTestSpec(t, task)
			run, err := runner.Launch(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			got := waitExit(t, run, 30*time.Second)
			if want := (Exit{State: c.state, Message: fmt.Sprintf("Container exited with status %d", c.status)}); got != want {
				t.Errorf("exit = %+v, want %+v", got, want)
			}
			assertRemoved(t, engine, run)
			if errOut := readSandbox(t, spec, "stderr"); !strings.Contains(errOut, "this line goes to stderr") {
				t.Errorf("sandbox stderr = %q", errOut)
			}
		}
	})

	t.Run("SIGTERM ignored", func(t *testing.T) {
		t.Parallel()
		task := dockerTask(image)
		task.Container.Docker.Network = mesos.NetworkBridge
		task.Command.Value = "-ignore-term"
		spec := runnerTestSpec(t, task)
		run, err := runner.Launch(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		waitFile(t, filepath.Join(spec.Sandbox, "stdout"), "webserver: started")
		start := time.Now()
		run.Kill(time.Hour)
		run.Kill(1500 * time.Millisecond) // shortened: docker stop -t 1, as Mesos truncates
		got := waitExit(t, run, 30*time.Second)
		if want := (Exit{State: mesos.TaskKilled, Message: "Container exited with status 137"}); got != want {
			t.Errorf("exit = %+v, want %+v", got, want)
		}
		if took := time.Since(start); took < time.Second || took > 10*time.Second {
			t.Errorf("kill took %v, want the one-second grace period", took)
		}
		assertRemoved(t, engine, run)
	})

	t.Run("missing image", func(t *testing.T) {
		t.Parallel()
		// A registry on a loopback port nobody listens on: the pull
		// fails at once and no traffic leaves the machine.
		spec := runnerTestSpec(t, dockerTask("127.0.0.1:1/localmesos-missing:none"))
		_, err := runner.Launch(context.Background(), spec)
		for _, want := range []string{
			"Failed to pull image '127.0.0.1:1/localmesos-missing:none': Error response from daemon: ",
			"connection refused",
			"build it (docker build -t 127.0.0.1:1/localmesos-missing:none ...) or load it (docker load) on this machine",
		} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Launch error = %v, want it to contain %q", err, want)
			}
		}
		if ids := containersOf(t, engine, spec.Task.TaskID.Value); len(ids) != 0 {
			t.Errorf("containers left behind: %v", ids)
		}
	})

	t.Run("force pull without registry", func(t *testing.T) {
		t.Parallel()
		task := dockerTask(image)
		task.Container.Docker.ForcePullImage = true
		_, err := runner.Launch(context.Background(), runnerTestSpec(t, task))
		if err == nil || !strings.Contains(err.Error(), "unset force_pull_image") {
			t.Errorf("Launch error = %v, want advice on force_pull_image", err)
		}
	})

	t.Run("shell on an image without a shell", func(t *testing.T) {
		t.Parallel()
		task := dockerTask(image)
		task.Command = &mesos.CommandInfo{Value: "echo hello"}
		spec := runnerTestSpec(t, task)
		_, err := runner.Launch(context.Background(), spec)
		if err == nil || !strings.Contains(err.Error(), "Failed to run docker container: Error response from daemon: ") || !strings.Contains(err.Error(), "set shell to false") {
			t.Errorf("Launch error = %v", err)
		}
		if ids := containersOf(t, engine, spec.Task.TaskID.Value); len(ids) != 0 {
			t.Errorf("containers left behind: %v", ids)
		}
		if errOut := readSandbox(t, spec, "stderr"); !strings.Contains(errOut, "/bin/sh") {
			t.Errorf("sandbox stderr = %q, want the engine's message", errOut)
		}
	})

	t.Run("invalid options", func(t *testing.T) {
		t.Parallel()
		task := bridgeTask(image, 31000)
		task.Container.Docker.Network = mesos.NetworkHost
		_, err := runner.Launch(context.Background(), runnerTestSpec(t, task))
		if err == nil || err.Error() != "Failed to create docker run options: Port mappings are only supported for bridge and user-defined networks" {
			t.Errorf("Launch error = %v", err)
		}
	})

	t.Run("command task refused", func(t *testing.T) {
		t.Parallel()
		_, err := runner.Launch(context.Background(), runnerTestSpec(t, shellTask("true")))
		if err == nil || !strings.HasPrefix(err.Error(), "None of the enabled containerizers (docker) could create a container") {
			t.Errorf("Launch error = %v", err)
		}
	})

	t.Run("auto", func(t *testing.T) {
		t.Parallel()
		r, err := NewRunner(RunnerAuto)
		if err != nil {
			t.Fatal(err)
		}
		if got := Containerizers(r); got != "docker,mesos" {
			t.Errorf("Containerizers = %q, want docker,mesos", got)
		}
		if got := RunnerFor(r, dockerTask(image)).Name(); got != RunnerDocker {
			t.Errorf("RunnerFor(docker task) = %s", got)
		}
		if got := RunnerFor(r, shellTask("true")).Name(); got != RunnerProcess {
			t.Errorf("RunnerFor(command task) = %s", got)
		}
		if got := StatusMessage(r, dockerTask(image)); got != "" {
			t.Errorf("StatusMessage = %q, want none for a real container", got)
		}
		task := dockerTask(image)
		task.Command.Value = "-exit=0"
		run, err := r.Launch(context.Background(), runnerTestSpec(t, task))
		if err != nil {
			t.Fatal(err)
		}
		if RunnerName(run) != RunnerDocker {
			t.Errorf("RunnerName = %q", RunnerName(run))
		}
		if got := waitExit(t, run, 30*time.Second); got.State != mesos.TaskFinished {
			t.Errorf("exit = %+v", got)
		}
		d, err := NewRunner(RunnerDocker)
		if err != nil || d.Name() != RunnerDocker || Containerizers(d) != "docker" {
			t.Errorf("NewRunner(docker) = %v, %v", d, err)
		}
	})
}
