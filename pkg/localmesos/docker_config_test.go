package localmesos

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// bridgeTask is a DOCKER task on the bridge network mapping hostPort to the
// container's port 8080.
func bridgeTask(image string, hostPort uint32) mesos.TaskInfo {
	task := dockerTask(image)
	task.Resources = mesos.TaskResources(0.5, 64, uint64(hostPort))
	task.Container.Docker.Network = mesos.NetworkBridge
	task.Container.Docker.PortMappings = []mesos.PortMapping{{HostPort: hostPort, ContainerPort: 8080}}
	return task
}

func TestRunnerDockerCreateConfig(t *testing.T) {
	t.Parallel()
	task := bridgeTask("demo", 31000)
	task.Command.Environment = &mesos.Environment{Variables: []mesos.EnvironmentVariable{
		{Name: "GREETING", Value: "hi"},
		{Name: "MESOS_TASK_ID", Value: "not-this-one"}, // the agent's wins
		{Name: "TOKEN", Type: "SECRET"},
	}}
	task.Container.Volumes = []mesos.Volume{
		{Mode: "RO", ContainerPath: "/data", HostPath: "/srv/data"},
		{Mode: "RW", ContainerPath: "cache", HostPath: "/tmp/cache"},
		{Mode: "RW", ContainerPath: "/work", HostPath: "work"},
	}
	task.Container.Docker.Parameters = []mesos.Parameter{
		{Key: "label", Value: "team=ops"},
		{Key: "env", Value: "EXTRA=1"},
		{Key: "e", Value: "GREETING=overridden"},
		{Key: "v", Value: "/srv/logs:/logs:ro"},
		{Key: "memory", Value: "512m"},
		{Key: "init", Value: "true"},
	}
	spec := runnerTestSpec(t, task)
	task = spec.Task
	spec.Env = append(spec.Env, "PATH=/host/bin", "GREETING=from-agent")
	cfg, err := dockerCreateConfig(spec, "mesos-x", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Image != "demo:latest" {
		t.Errorf("Image = %q, want demo:latest", cfg.Image)
	}
	if cfg.HostConfig.NetworkMode != "bridge" {
		t.Errorf("NetworkMode = %q", cfg.HostConfig.NetworkMode)
	}
	if got := cfg.HostConfig.PortBindings["8080/tcp"]; len(got) != 1 || got[0] != (dockerPortBinding{HostIP: "127.0.0.1", HostPort: "31000"}) {
		t.Errorf("PortBindings = %v", cfg.HostConfig.PortBindings)
	}
	if _, ok := cfg.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("ExposedPorts = %v", cfg.ExposedPorts)
	}
	wantBinds := []string{
		"/srv/data:/data:ro",
		"/tmp/cache:/mnt/mesos/sandbox/cache:rw",
		filepath.Join(spec.Sandbox, "work") + ":/work:rw",
		spec.Sandbox + ":/mnt/mesos/sandbox",
		"/srv/logs:/logs:ro",
	}
	if !slices.Equal(cfg.HostConfig.Binds, wantBinds) {
		t.Errorf("Binds = %q\nwant %q", cfg.HostConfig.Binds, wantBinds)
	}
	for _, want := range []string{"MESOS_SANDBOX=/mnt/mesos/sandbox", "MESOS_CONTAINER_NAME=mesos-x", "MESOS_TASK_ID=" + task.TaskID.Value, "EXTRA=1", "GREETING=overridden"} {
		if !slices.Contains(cfg.Env, want) {
			t.Errorf("Env lacks %s: %q", want, cfg.Env)
		}
	}
	for _, bad := range []string{"PATH=", "TOKEN=", "GREETING=hi", "GREETING=from-agent", "MESOS_TASK_ID=not-this-one"} {
		for _, kv := range cfg.Env {
			if strings.HasPrefix(kv, bad) {
				t.Errorf("Env has %s: %q", kv, cfg.Env)
			}
		}
	}
	if cfg.Labels["team"] != "ops" || cfg.Labels[DockerLabelTaskID] != task.TaskID.Value || cfg.Labels[DockerLabelFrameworkID] != "fw-0000" {
		t.Errorf("Labels = %v", cfg.Labels)
	}
	if cfg.HostConfig.CPUShares != 512 || cfg.HostConfig.Memory != 512<<20 || cfg.HostConfig.Init == nil || !*cfg.HostConfig.Init {
		t.Errorf("CpuShares %d, Memory %d, Init %v", cfg.HostConfig.CPUShares, cfg.HostConfig.Memory, cfg.HostConfig.Init)
	}
	if cfg.Entrypoint != nil || cfg.Cmd != nil {
		t.Errorf("Entrypoint %q, Cmd %q: want the image's own", cfg.Entrypoint, cfg.Cmd)
	}
}

func TestRunnerDockerCommand(t *testing.T) {
	t.Parallel()
	mesosImage := func(c *mesos.CommandInfo) mesos.TaskInfo {
		return mesos.TaskInfo{Command: c, Container: &mesos.ContainerInfo{Type: mesos.ContainerMesos,
			Mesos: &mesos.MesosInfo{Image: &mesos.Image{Type: "DOCKER", Docker: &mesos.DockerImage{Name: "demo"}}}}}
	}
	docker := func(c *mesos.CommandInfo, params ...mesos.Parameter) mesos.TaskInfo {
		task := dockerTask("demo")
		task.Command = c
		task.Container.Docker.Parameters = params
		return task
	}
	cases := []struct {
		name             string
		task             mesos.TaskInfo
		entrypoint, args []string
	}{
		{"docker shell", docker(&mesos.CommandInfo{Value: "echo hi"}), []string{"/bin/sh"}, []string{"-c", "echo hi"}},
		{"docker value and arguments", docker(&mesos.CommandInfo{Shell: new(false), Value: "-exit=3", Arguments: []string{"a", "b"}}), nil, []string{"-exit=3", "a", "b"}},
		{"docker image default", docker(&mesos.CommandInfo{Shell: new(false)}), nil, nil},
		{"docker no command", docker(nil), nil, nil},
		{"docker entrypoint parameter", docker(&mesos.CommandInfo{Value: "echo hi"}, mesos.Parameter{Key: "entrypoint", Value: "/busybox/sh"}), []string{"/busybox/sh"}, []string{"-c", "echo hi"}},
		{"mesos shell", mesosImage(&mesos.CommandInfo{Value: "echo hi"}), []string{"/bin/sh"}, []string{"-c", "echo hi"}},
		{"mesos value", mesosImage(&mesos.CommandInfo{Shell: new(false), Value: "/bin/app", Arguments: []string{"app", "-v"}}), []string{"/bin/app"}, []string{"-v"}},
		{"mesos arguments only", mesosImage(&mesos.CommandInfo{Shell: new(false), Arguments: []string{"-v"}}), nil, []string{"-v"}},
	}
	for _, c := range cases {
		cfg, err := dockerCreateConfig(runnerTestSpec(t, c.task), "mesos-x", "127.0.0.1")
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(cfg.Entrypoint, c.entrypoint) || !slices.Equal(cfg.Cmd, c.args) {
			t.Errorf("%s: Entrypoint %q Cmd %q, want %q %q", c.name, cfg.Entrypoint, cfg.Cmd, c.entrypoint, c.args)
		}
	}
}

func TestRunnerDockerCreateConfigErrors(t *testing.T) {
	t.Parallel()
	type edit func(*mesos.TaskInfo)
	cases := []struct {
		name string
		edit edit
		want string
	}{
		{"ports on host network", func(t *mesos.TaskInfo) { t.Container.Docker.Network = mesos.NetworkHost },
			"Port mappings are only supported for bridge and user-defined networks"},
		{"port outside resources", func(t *mesos.TaskInfo) { t.Container.Docker.PortMappings[0].HostPort = 9 }, "Port [9] not included in resources"},
		{"no port resources", func(t *mesos.TaskInfo) { t.Resources = mesos.TaskResources(0.1, 32) }, "Port mappings require port resources"},
		{"user network without info", func(t *mesos.TaskInfo) { t.Container.Docker.Network = mesos.NetworkUser }, "No network info found in container info"},
		{"user network without name", func(t *mesos.TaskInfo) {
			t.Container.Docker.Network = mesos.NetworkUser
			t.Container.NetworkInfos = []mesos.NetworkInfo{{}}
		}, "No network name found in network info"},
		{"two user networks", func(t *mesos.TaskInfo) {
			t.Container.Docker.Network = mesos.NetworkUser
			t.Container.NetworkInfos = []mesos.NetworkInfo{{Name: "a"}, {Name: "b"}}
		}, "Only a single network can be defined in Docker run"},
		{"unknown network", func(t *mesos.TaskInfo) { t.Container.Docker.Network = "OVERLAY" }, "Unsupported Network mode: OVERLAY"},
		{"hostname on host network", func(t *mesos.TaskInfo) {
			t.Container.Docker.Network = ""
			t.Container.Docker.PortMappings = nil
			t.Container.Hostname = "web"
		}, "Unable to set hostname with host network mode"},
		{"relative volume", func(t *mesos.TaskInfo) {
			t.Container.Volumes = []mesos.Volume{{Mode: "RW", ContainerPath: "b", HostPath: "a"}}
		}, "Both host_path 'a' and container_path 'b' of a volume are relative"},
		{"volume mode", func(t *mesos.TaskInfo) {
			t.Container.Volumes = []mesos.Volume{{Mode: "RX", ContainerPath: "/b", HostPath: "/a"}}
		}, "Unsupported volume mode"},
		{"volume without host path", func(t *mesos.TaskInfo) {
			t.Container.Volumes = []mesos.Volume{{Mode: "RW", ContainerPath: "/b"}}
		}, "Host path or volume source is required"},
		{"shell without value", func(t *mesos.TaskInfo) { t.Command = &mesos.CommandInfo{} }, "Shell specified but no command value provided"},
		{"unknown parameter", func(t *mesos.TaskInfo) {
			t.Container.Docker.Parameters = []mesos.Parameter{{Key: "publish-all", Value: "true"}}
		}, "unsupported docker parameter 'publish-all': localmesos creates containers through the Docker Engine API and translates only these docker run options: add-host, c, cap-add"},
		{"bad parameter value", func(t *mesos.TaskInfo) {
			t.Container.Docker.Parameters = []mesos.Parameter{{Key: "memory", Value: "lots"}}
		}, "docker parameter --memory=lots: want a size such as 512m or 1g"},
		{"no docker info", func(t *mesos.TaskInfo) { t.Container.Docker = nil }, "No docker info found in container info"},
	}
	for _, c := range cases {
		task := bridgeTask("demo", 31000)
		c.edit(&task)
		_, err := dockerCreateConfig(runnerTestSpec(t, task), "mesos-x", "127.0.0.1")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestRunnerDockerDemux(t *testing.T) {
	t.Parallel()
	var in bytes.Buffer
	frame := func(stream byte, s string) {
		h := [8]byte{stream}
		binary.BigEndian.PutUint32(h[4:], uint32(len(s)))
		in.Write(h[:])
		in.WriteString(s)
	}
	frame(1, "out 1\n")
	frame(2, "err 1\n")
	frame(1, strings.Repeat("x", 70000))
	frame(0, "stdin is dropped")
	frame(2, "err 2\n")
	var stdout, stderr bytes.Buffer
	if err := demuxDockerStream(&in, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if want := "out 1\n" + strings.Repeat("x", 70000); stdout.String() != want {
		t.Errorf("stdout has %d bytes, want %d", stdout.Len(), len(want))
	}
	if stderr.String() != "err 1\nerr 2\n" {
		t.Errorf("stderr = %q", stderr.String())
	}
	in.Write([]byte{1, 0, 0, 0, 0, 0, 0, 9, 'x'})
	if err := demuxDockerStream(&in, io.Discard, io.Discard); !errors.Is(err, io.EOF) {
		t.Errorf("truncated frame: error = %v, want EOF", err)
	}
}

func TestRunnerDockerContainerStatus(t *testing.T) {
	t.Parallel()
	var ins dockerInspect
	raw := `{"HostConfig":{"NetworkMode":"mynet"},
		"NetworkSettings":{"IPAddress":"","Networks":{"mynet":{"IPAddress":"10.5.0.2","GlobalIPv6Address":"fd00::2"}}}}`
	if err := json.Unmarshal([]byte(raw), &ins); err != nil {
		t.Fatal(err)
	}
	task := dockerTask("demo")
	task.Container.NetworkInfos = []mesos.NetworkInfo{{Name: "mynet", IPAddresses: []mesos.IPAddress{{IPAddress: "1.2.3.4"}}}}
	st := ins.containerStatus(task)
	b, _ := json.Marshal(st)
	want := `{"network_infos":[{"name":"mynet","ip_addresses":[{"protocol":"IPv4","ip_address":"10.5.0.2"},{"protocol":"IPv6","ip_address":"fd00::2"}]}]}`
	if string(b) != want {
		t.Errorf("container status = %s\nwant %s", b, want)
	}
	ins.HostConfig.NetworkMode = "host"
	if b, _ := json.Marshal(ins.containerStatus(task)); string(b) != `{}` {
		t.Errorf("host network status = %s, want no address", b)
	}
}

func TestRunnerDockerNames(t *testing.T) {
	t.Parallel()
	name := dockerContainerName("m1-S0", "web server/1")
	if !strings.HasPrefix(name, "mesos-m1-S0-web_server_1-") || len(name) != len("mesos-m1-S0-web_server_1-")+8 {
		t.Errorf("name = %q", name)
	}
	for ref, want := range map[string]string{
		"demo":                    "demo:latest",
		"demo:1":                  "demo:1",
		"127.0.0.1:5000/demo":     "127.0.0.1:5000/demo:latest",
		"127.0.0.1:5000/demo:v2":  "127.0.0.1:5000/demo:v2",
		"demo@sha256:0123456789a": "demo@sha256:0123456789a",
	} {
		if got := normalizeImageRef(ref); got != want {
			t.Errorf("normalizeImageRef(%q) = %q, want %q", ref, got, want)
		}
	}
	var n int64
	for v, want := range map[string]int64{"1024": 1024, "512m": 512 << 20, "1g": 1 << 30, "1.5GB": 3 << 29, "64Mi": 64 << 20} {
		if err := setBytes(&n, v); err != nil || n != want {
			t.Errorf("setBytes(%q) = %d, %v; want %d", v, n, err, want)
		}
	}
}
