package localmesos

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// DockerSandboxPath is where a Docker task finds its sandbox, as under
// Mesos' Docker containerizer; MESOS_SANDBOX says the same inside the
// container.
const DockerSandboxPath = "/mnt/mesos/sandbox"

// Docker labels localmesos puts on the containers it creates, so that they
// can be told apart from everything else on the engine.
const (
	DockerLabelAgentID     = "localmesos.agent_id"
	DockerLabelFrameworkID = "localmesos.framework_id"
	DockerLabelTaskID      = "localmesos.task_id"
)

// Timeouts of the Docker engine requests that should be quick; a pull, a
// wait and a stop take as long as they take.
const (
	dockerRequestTimeout = 30 * time.Second
	dockerPullTimeout    = 10 * time.Minute
	// How long the container's output may keep flowing into the sandbox
	// after the container has stopped, before it is removed anyway.
	dockerLogsDrainTimeout = 10 * time.Second
)

// dockerRunner runs container tasks through the Docker Engine HTTP API, as
// Mesos' Docker containerizer and executor (src/docker/) do through the
// docker CLI: localmesos' image has no CLI, and the API says why something
// failed in words a test can check.
type dockerRunner struct {
	engine *dockerEngine
}

// Name is "docker".
func (*dockerRunner) Name() string { return RunnerDocker }

// Launch makes sure the image is there (pulling it if not, or always with
// force_pull_image), creates and starts the container, and returns once it
// runs. Whatever fails, no container is left behind.
func (r *dockerRunner) Launch(ctx context.Context, spec RunSpec) (Run, error) {
	task := spec.Task
	if !isContainerTask(task) {
		// A Mesos agent whose only containerizer is "docker" turns a
		// command task down in the same words.
		return nil, fmt.Errorf("None of the enabled containerizers (docker) could create a container for the provided TaskInfo/ExecutorInfo message: task '%s' has no Docker image and the docker runner runs container tasks only (use the process or auto runner)",
			task.TaskID.Value)
	}
	hostIP, err := dockerHostIP(ctx, spec.Hostname)
	if err != nil {
		return nil, err
	}
	name := dockerContainerName(spec.AgentID, task.TaskID.Value)
	cfg, err := dockerCreateConfig(spec, name, hostIP)
	if err != nil {
		// The docker executor's words (src/docker/executor.cpp).
		return nil, fmt.Errorf("Failed to create docker run options: %w", err)
	}
	if err := r.engine.ensureImage(ctx, cfg.Image, forcePull(task)); err != nil {
		return nil, err
	}

	cctx, cancel := context.WithTimeout(ctx, dockerRequestTimeout)
	defer cancel()
	var created struct{ ID string }
	if err := r.engine.do(cctx, http.MethodPost, "/containers/create", url.Values{"name": {name}}, cfg, &created); err != nil {
		// The engine may have created it before the request failed
		// (a cancelled launch, a timeout): remove it by name.
		(&dockerRun{engine: r.engine, id: name}).remove()
		return nil, fmt.Errorf("Failed to create docker container '%s': %w", name, err)
	}
	run := &dockerRun{
		engine: r.engine,
		id:     created.ID,
		name:   name,
		what:   dockerExitWhat(task),
		done:   make(chan struct{}),
	}
	if err := r.engine.do(cctx, http.MethodPost, "/containers/"+run.id+"/start", nil, nil, nil); err != nil {
		run.remove()
		msg := fmt.Sprintf("Failed to run docker container: %v", err)
		if cfg.Entrypoint != nil && cfg.Entrypoint[0] == "/bin/sh" && strings.Contains(err.Error(), "/bin/sh") {
			msg += " (CommandInfo.shell is true, or unset, which means true: the command runs with /bin/sh -c, which this image lacks; set shell to false)"
		}
		appendSandboxLog(spec.Sandbox, "stderr", "docker: "+err.Error()+"\n")
		return nil, errors.New(msg)
	}
	ins, raw, err := r.engine.inspect(cctx, run.id)
	if err != nil {
		run.remove() // forced: it stops the container too
		return nil, fmt.Errorf("Failed to inspect docker container '%s': %w", name, err)
	}
	run.status = ins.containerStatus(task)
	if task.Container.Type == mesos.ContainerDocker {
		// docker inspect prints a list: Mesos' Docker executor sends it
		// whole (its command executor, for a MESOS container, nothing).
		run.inspect = append(append([]byte("["), raw...), ']')
	}
	go run.follow(spec.Sandbox)
	return run, nil
}

// forcePull tells whether the task wants its image pulled even when present.
func forcePull(task mesos.TaskInfo) bool {
	c := task.Container
	if c.Docker != nil {
		return c.Docker.ForcePullImage
	}
	// A MESOS container's image is pulled unless cached, which is the
	// default.
	return c.Mesos.Image.Cached != nil && !*c.Mesos.Image.Cached
}

// dockerExitWhat is how the terminal message begins: the docker executor
// speaks of its "Container", the command executor (which runs MESOS
// containers with an image) of its "Command".
func dockerExitWhat(task mesos.TaskInfo) string {
	if task.Container.Type == mesos.ContainerDocker {
		return "Container"
	}
	return "Command"
}

// dockerContainerName is mesos-<agent id>-<task id>-<8 hex digits>: Mesos
// names its containers mesos-<container id>; the ids make a container easy
// to find in `docker ps`, the random part makes a relaunched task id safe.
func dockerContainerName(agentID, taskID string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "mesos-" + dockerNamePart(agentID, 48) + "-" + dockerNamePart(taskID, 64) + "-" + hex.EncodeToString(b[:])
}

// dockerNamePart makes s fit Docker's container name syntax
// ([a-zA-Z0-9][a-zA-Z0-9_.-]*), keeping at most n characters.
func dockerNamePart(s string, n int) string {
	b := []byte(s)
	if len(b) > n {
		b = b[:n]
	}
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "x"
	}
	return string(b)
}

// dockerRun is one running container.
type dockerRun struct {
	engine  *dockerEngine
	id      string
	name    string
	what    string // "Container" or "Command", how the exit message begins
	status  *mesos.ContainerStatus
	inspect []byte // docker inspect's output, TASK_RUNNING's data
	done    chan struct{}
	exit    Exit // set before done is closed

	mu       sync.Mutex
	killed   bool
	killedAt time.Time
	deadline time.Time
}

// Status gives the container's address(es) on its network, as the docker
// executor puts them in TASK_RUNNING; none on the host network, where the
// agent adds its own.
func (r *dockerRun) Status() *mesos.ContainerStatus { return r.status }

// InspectData is what Mesos' Docker executor puts in TASK_RUNNING's data.
func (r *dockerRun) InspectData() []byte { return r.inspect }

// Wait blocks until the container has ended and has been removed.
func (r *dockerRun) Wait() Exit {
	<-r.done
	return r.exit
}

// Kill stops the container as `docker stop -t <grace seconds>` does (Mesos'
// docker executor runs just that): its stop signal, SIGTERM unless the
// image says otherwise, then SIGKILL once the grace period, truncated to
// whole seconds as Mesos does, has passed. A later Kill can only shorten the
// grace period.
func (r *dockerRun) Kill(grace time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.done:
		return
	default:
	}
	grace = max(grace, 0)
	stopIn := grace
	switch {
	case !r.killed:
		r.killed, r.killedAt = true, time.Now()
	case r.killedAt.Add(grace).Before(r.deadline):
		// A shorter grace period: what is left of it, counted from
		// the first Kill.
		stopIn = max(time.Until(r.killedAt.Add(grace)), 0)
	default:
		return
	}
	r.deadline = r.killedAt.Add(grace)
	go r.kill(stopIn)
}

// kill asks the engine to stop the container, giving it grace in whole
// seconds, truncated as Mesos' Docker::stop does.
func (r *dockerRun) kill(grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace+dockerRequestTimeout)
	defer cancel()
	q := url.Values{"t": {strconv.Itoa(int(grace / time.Second))}}
	// 304 (already stopped) and 404 (already gone) are fine: the wait
	// reports how it ended.
	_ = r.engine.do(ctx, http.MethodPost, "/containers/"+r.id+"/stop", q, nil, nil)
}

// follow copies the container's output into the sandbox while it runs,
// waits for it to end, then removes it and records how it ended.
func (r *dockerRun) follow(sandbox string) {
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		if err := r.copyLogs(sandbox); err != nil {
			appendSandboxLog(sandbox, "stderr", "localmesos: could not copy the container's output: "+err.Error()+"\n")
		}
	}()

	code, err := r.wait()
	select {
	case <-logsDone:
	case <-time.After(dockerLogsDrainTimeout):
	}
	r.remove()

	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		r.exit = Exit{State: mesos.TaskFailed, Message: "Failed to run docker container: " + err.Error()}
	case r.killed:
		r.exit = Exit{State: mesos.TaskKilled}
	case code == 0:
		r.exit = Exit{State: mesos.TaskFinished}
	default:
		r.exit = Exit{State: mesos.TaskFailed}
	}
	if err == nil {
		// The docker CLI exits with the container's status, so the
		// executor's WSTRINGIFY always reads "exited with status".
		r.exit.Message = r.what + " exited with status " + strconv.Itoa(code)
	}
	close(r.done)
}

// wait blocks until the container has stopped and gives its exit status. A
// broken connection to the engine is retried a few times, as Mesos' docker
// executor keeps its `docker run` alive across engine hiccups.
func (r *dockerRun) wait() (int, error) {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var res struct {
			StatusCode int
			Error      *struct{ Message string }
		}
		err = r.engine.do(context.Background(), http.MethodPost, "/containers/"+r.id+"/wait", nil, nil, &res)
		if err == nil {
			if res.Error != nil && res.Error.Message != "" {
				return 0, errors.New(res.Error.Message)
			}
			return res.StatusCode, nil
		}
		var de *dockerError
		if errors.As(err, &de) && de.Status == http.StatusNotFound {
			break
		}
		time.Sleep(time.Second)
	}
	return 0, err
}

// copyLogs streams the container's stdout and stderr into the sandbox's
// files of those names, as the docker executor's `docker run` writes them
// there.
func (r *dockerRun) copyLogs(sandbox string) error {
	stdout, err := openSandboxLog(sandbox, "stdout")
	if err != nil {
		return err
	}
	defer stdout.Close()
	stderr, err := openSandboxLog(sandbox, "stderr")
	if err != nil {
		return err
	}
	defer stderr.Close()
	q := url.Values{"follow": {"1"}, "stdout": {"1"}, "stderr": {"1"}}
	resp, err := r.engine.send(context.Background(), http.MethodGet, "/containers/"+r.id+"/logs", q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return demuxDockerStream(bufio.NewReader(resp.Body), stdout, stderr)
}

// demuxDockerStream splits the Engine API's multiplexed stream (containers
// without a TTY): frames of an 8-byte header, [stream, 0, 0, 0, size as
// big-endian uint32], then size bytes; stream 1 is stdout, 2 stderr.
func demuxDockerStream(in io.Reader, stdout, stderr io.Writer) error {
	var h [8]byte
	for {
		if _, err := io.ReadFull(in, h[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		var w io.Writer = io.Discard
		switch h[0] {
		case 1:
			w = stdout
		case 2:
			w = stderr
		}
		if _, err := io.CopyN(w, in, int64(binary.BigEndian.Uint32(h[4:]))); err != nil {
			return err
		}
	}
}

// remove deletes the container, its anonymous volumes with it. The agent
// keeps the sandbox: the output is there.
func (r *dockerRun) remove() {
	ctx, cancel := context.WithTimeout(context.Background(), dockerRequestTimeout)
	defer cancel()
	_ = r.engine.do(ctx, http.MethodDelete, "/containers/"+r.id, url.Values{"force": {"1"}, "v": {"1"}}, nil, nil)
}

// appendSandboxLog adds a line of localmesos' own to a sandbox file, for
// what the task's owner should read next to the task's output.
func appendSandboxLog(sandbox, name, text string) {
	f, err := openSandboxLog(sandbox, name)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(text)
}

// containerStatus is what TASK_RUNNING tells of the container, as the
// docker executor builds it: the address on the container's network (its
// NetworkMode), in a copy of the task's first NetworkInfo if it has one.
// There is no executor pid: the Docker containerizer reports none. The
// protocol is spelled out because Mesos prints its IPv4 default.
func (ins *dockerInspect) containerStatus(task mesos.TaskInfo) *mesos.ContainerStatus {
	st := &mesos.ContainerStatus{}
	ip, ip6 := ins.NetworkSettings.IPAddress, ""
	if n, ok := ins.NetworkSettings.Networks[ins.HostConfig.NetworkMode]; ok {
		ip, ip6 = n.IPAddress, n.GlobalIPv6Address
	}
	if ip == "" && ip6 == "" {
		return st
	}
	var ni mesos.NetworkInfo
	if len(task.Container.NetworkInfos) > 0 {
		ni = task.Container.NetworkInfos[0]
		ni.IPAddresses = nil
	}
	if ip != "" {
		ni.IPAddresses = append(ni.IPAddresses, mesos.IPAddress{Protocol: "IPv4", IPAddress: ip})
	}
	if ip6 != "" {
		ni.IPAddresses = append(ni.IPAddresses, mesos.IPAddress{Protocol: "IPv6", IPAddress: ip6})
	}
	st.NetworkInfos = []mesos.NetworkInfo{ni}
	return st
}
