package localmesos

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
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

// DefaultDockerHost is the Docker engine's socket when DOCKER_HOST is not
// set.
const DefaultDockerHost = "unix:///var/run/docker.sock"

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
	ins, err := r.engine.inspect(cctx, run.id)
	if err != nil {
		run.remove() // forced: it stops the container too
		return nil, fmt.Errorf("Failed to inspect docker container '%s': %w", name, err)
	}
	run.status = ins.containerStatus(task)
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

// dockerHostIP is the address mapped ports are bound to: the agent's
// hostname as an IP address, loopback when the agent has none. Mesos binds
// them on every interface; a stand-in that binds loopback unless told
// otherwise must not.
func dockerHostIP(ctx context.Context, hostname string) (string, error) {
	if hostname == "" || hostname == "localhost" {
		return "127.0.0.1", nil
	}
	if ip := net.ParseIP(strings.Trim(hostname, "[]")); ip != nil {
		return ip.String(), nil
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(lctx, hostname)
	if err != nil || len(addrs) == 0 {
		return "", fmt.Errorf("cannot bind mapped ports to the agent's hostname %q: %v", hostname, err)
	}
	for _, a := range addrs {
		if a.IP.To4() != nil {
			return a.IP.String(), nil
		}
	}
	return addrs[0].IP.String(), nil
}

// dockerContainerConfig is the body of POST /containers/create: the subset
// of the Engine API's container configuration a Mesos task can ask for.
type dockerContainerConfig struct {
	Hostname     string              `json:",omitempty"`
	User         string              `json:",omitempty"`
	Env          []string            `json:",omitempty"`
	Cmd          []string            `json:",omitempty"`
	Entrypoint   []string            `json:",omitempty"`
	Image        string              `json:"Image"`
	WorkingDir   string              `json:",omitempty"`
	Labels       map[string]string   `json:",omitempty"`
	ExposedPorts map[string]struct{} `json:",omitempty"`
	Volumes      map[string]struct{} `json:",omitempty"`
	StopSignal   string              `json:",omitempty"`
	HostConfig   dockerHostConfig    `json:"HostConfig"`
}

// dockerHostConfig is the host side of a container's configuration.
type dockerHostConfig struct {
	Binds             []string                       `json:",omitempty"`
	NetworkMode       string                         `json:",omitempty"`
	PortBindings      map[string][]dockerPortBinding `json:",omitempty"`
	Privileged        bool                           `json:",omitempty"`
	CPUShares         int64                          `json:"CpuShares,omitempty"`
	CPUQuota          int64                          `json:"CpuQuota,omitempty"`
	NanoCPUs          int64                          `json:"NanoCpus,omitempty"`
	Memory            int64                          `json:",omitempty"`
	MemoryReservation int64                          `json:",omitempty"`
	ShmSize           int64                          `json:",omitempty"`
	CapAdd            []string                       `json:",omitempty"`
	CapDrop           []string                       `json:",omitempty"`
	DNS               []string                       `json:"Dns,omitempty"`
	DNSSearch         []string                       `json:"DnsSearch,omitempty"`
	DNSOptions        []string                       `json:"DnsOptions,omitempty"`
	ExtraHosts        []string                       `json:",omitempty"`
	SecurityOpt       []string                       `json:",omitempty"`
	Sysctls           map[string]string              `json:",omitempty"`
	Tmpfs             map[string]string              `json:",omitempty"`
	LogConfig         *dockerLogConfig               `json:",omitempty"`
	Init              *bool                          `json:",omitempty"`
	ReadonlyRootfs    bool                           `json:",omitempty"`
	PidMode           string                         `json:",omitempty"`
	IpcMode           string                         `json:",omitempty"`
	Ulimits           []dockerUlimit                 `json:",omitempty"`
	Devices           []dockerDevice                 `json:",omitempty"`
}

// dockerPortBinding is one host address and port a container port is
// published on.
type dockerPortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// dockerLogConfig picks a container's log driver.
type dockerLogConfig struct {
	Type   string            `json:"Type"`
	Config map[string]string `json:"Config,omitempty"`
}

// dockerUlimit is one resource limit.
type dockerUlimit struct {
	Name string `json:"Name"`
	Soft int64  `json:"Soft"`
	Hard int64  `json:"Hard"`
}

// dockerDevice is a host device made visible in the container.
type dockerDevice struct {
	PathOnHost        string `json:"PathOnHost"`
	PathInContainer   string `json:"PathInContainer"`
	CgroupPermissions string `json:"CgroupPermissions"`
}

// Mesos' resource floors (src/slave/containerizer/mesos/isolators/cgroups/
// constants.hpp and src/slave/constants.hpp).
const (
	cpuSharesPerCPU = 1024
	minCPUShares    = 2
	cpuCFSPeriodUS  = 100_000
	minCPUQuotaUS   = 1_000
	minMemoryBytes  = 32 << 20
)

// dockerCreateConfig builds the container a task asks for, following
// Mesos' Docker::RunOptions::create (src/docker/docker.cpp) for DOCKER
// containers, with its error texts, and the unified containerizer's command
// rules for MESOS containers with a Docker image.
func dockerCreateConfig(spec RunSpec, name, hostIP string) (*dockerContainerConfig, error) {
	task := spec.Task
	ci := task.Container
	sandbox, err := filepath.Abs(spec.Sandbox)
	if err != nil {
		return nil, fmt.Errorf("sandbox path: %w", err)
	}
	cfg := &dockerContainerConfig{
		Labels: map[string]string{
			DockerLabelAgentID:     spec.AgentID,
			DockerLabelFrameworkID: spec.FrameworkID,
			DockerLabelTaskID:      task.TaskID.Value,
		},
	}
	hc := &cfg.HostConfig

	var (
		network      string
		portMappings []mesos.PortMapping
	)
	if ci.Type == mesos.ContainerDocker {
		if ci.Docker == nil {
			return nil, errors.New("No docker info found in container info")
		}
		cfg.Image = ci.Docker.Image
		hc.Privileged = ci.Docker.Privileged
		if network, err = dockerNetworkMode(ci); err != nil {
			return nil, err
		}
		portMappings = ci.Docker.PortMappings
	} else {
		if ci.Mesos.Image.Docker == nil {
			return nil, fmt.Errorf("image type %q: only Docker images can run in a Docker engine", ci.Mesos.Image.Type)
		}
		cfg.Image = ci.Mesos.Image.Docker.Name
		// The Mesos containerizer joins the host's network unless the
		// task names one (a CNI network there, a Docker network here).
		network = "host"
		if len(ci.NetworkInfos) > 0 && ci.NetworkInfos[0].Name != "" {
			network = ci.NetworkInfos[0].Name
			portMappings = ci.NetworkInfos[0].PortMappings
		}
	}
	if cfg.Image == "" {
		return nil, errors.New("No image found in container info")
	}
	cfg.Image = normalizeImageRef(cfg.Image)
	if !imageRefPattern.MatchString(cfg.Image) {
		return nil, fmt.Errorf("Invalid image reference '%s'", cfg.Image)
	}
	hc.NetworkMode = network

	if ci.Hostname != "" {
		if network == "host" {
			return nil, errors.New("Unable to set hostname with host network mode")
		}
		cfg.Hostname = ci.Hostname
	}

	if len(portMappings) > 0 {
		if network == "host" || network == "none" {
			return nil, errors.New("Port mappings are only supported for bridge and user-defined networks")
		}
		ports := task.Resources.Ports()
		if len(ports.Range) == 0 {
			return nil, errors.New("Port mappings require port resources")
		}
		cfg.ExposedPorts = map[string]struct{}{}
		hc.PortBindings = map[string][]dockerPortBinding{}
		for _, m := range portMappings {
			if !ports.Contains(uint64(m.HostPort)) {
				return nil, fmt.Errorf("Port [%d] not included in resources", m.HostPort)
			}
			proto := strings.ToLower(m.Protocol)
			if proto == "" {
				proto = "tcp"
			}
			key := strconv.FormatUint(uint64(m.ContainerPort), 10) + "/" + proto
			cfg.ExposedPorts[key] = struct{}{}
			hc.PortBindings[key] = append(hc.PortBindings[key], dockerPortBinding{HostIP: hostIP, HostPort: strconv.FormatUint(uint64(m.HostPort), 10)})
		}
	}

	for _, v := range ci.Volumes {
		bind, err := dockerBind(v, sandbox)
		if err != nil {
			return nil, err
		}
		hc.Binds = append(hc.Binds, bind)
	}
	hc.Binds = append(hc.Binds, sandbox+":"+DockerSandboxPath)

	cfg.Env = dockerEnv(spec.Env, task.Command, name)
	dockerResources(task, hc)

	if ci.Type == mesos.ContainerDocker {
		for _, p := range ci.Docker.Parameters {
			set, ok := dockerParameters[p.Key]
			if !ok {
				return nil, fmt.Errorf("unsupported docker parameter '%s': localmesos creates containers through the Docker Engine API and translates only these docker run options: %s",
					p.Key, strings.Join(dockerParameterNames(), ", "))
			}
			if err := set(cfg, p.Value); err != nil {
				return nil, fmt.Errorf("docker parameter --%s=%s: %w", p.Key, p.Value, err)
			}
		}
	}
	// The command last: Mesos gives --entrypoint /bin/sh before the
	// parameters, so a parameter's entrypoint wins over the shell's.
	if err := dockerCommand(cfg, task); err != nil {
		return nil, err
	}
	return cfg, nil
}

// dockerNetworkMode is the Docker network of a DOCKER container (HOST when
// none is given, as on Linux).
func dockerNetworkMode(ci *mesos.ContainerInfo) (string, error) {
	switch n := ci.Docker.Network; n {
	case "", mesos.NetworkHost:
		return "host", nil
	case mesos.NetworkBridge:
		return "bridge", nil
	case mesos.NetworkNone:
		return "none", nil
	case mesos.NetworkUser:
		switch {
		case len(ci.NetworkInfos) == 0:
			return "", errors.New("No network info found in container info")
		case len(ci.NetworkInfos) > 1:
			return "", errors.New("Only a single network can be defined in Docker run")
		case ci.NetworkInfos[0].Name == "":
			return "", errors.New("No network name found in network info")
		}
		return ci.NetworkInfos[0].Name, nil
	default:
		return "", fmt.Errorf("Unsupported Network mode: %s", n)
	}
}

// dockerBind turns a Volume into a bind mount: a relative container path is
// inside the sandbox, a relative host path is in the sandbox.
func dockerBind(v mesos.Volume, sandbox string) (string, error) {
	target := v.ContainerPath
	if !filepath.IsAbs(target) {
		target = filepath.Join(DockerSandboxPath, target)
	}
	if v.HostPath == "" {
		return "", errors.New("Host path or volume source is required")
	}
	if !filepath.IsAbs(v.HostPath) && !filepath.IsAbs(v.ContainerPath) {
		return "", fmt.Errorf("Both host_path '%s' and container_path '%s' of a volume are relative", v.HostPath, v.ContainerPath)
	}
	source := v.HostPath
	if !filepath.IsAbs(source) {
		source = filepath.Join(sandbox, source)
	}
	switch v.Mode {
	case "RW":
		return source + ":" + target + ":rw", nil
	case "RO":
		return source + ":" + target + ":ro", nil
	}
	return "", errors.New("Unsupported volume mode")
}

// dockerEnv is the container's environment: what the agent gives, then the
// task's own variables it does not already set, then MESOS_SANDBOX and
// MESOS_CONTAINER_NAME as the container sees them. The agent's PATH is
// left out unless the task sets one: a host path means nothing in the
// image, and it would hide the image's own.
func dockerEnv(agentEnv []string, cmd *mesos.CommandInfo, name string) []string {
	taskSets := map[string]bool{}
	var taskVars []mesos.EnvironmentVariable
	if cmd != nil && cmd.Environment != nil {
		for _, v := range cmd.Environment.Variables {
			if v.Type == "SECRET" {
				continue // an unresolved secret is not passed on, as in Mesos
			}
			taskSets[v.Name] = true
			taskVars = append(taskVars, v)
		}
	}
	seen := map[string]bool{}
	var env []string
	add := func(k, v string) {
		if seen[k] {
			for i, kv := range env {
				if strings.HasPrefix(kv, k+"=") {
					env[i] = k + "=" + v
				}
			}
			return
		}
		seen[k] = true
		env = append(env, k+"="+v)
	}
	for _, kv := range agentEnv {
		k, v, _ := strings.Cut(kv, "=")
		if k == "PATH" && !taskSets["PATH"] {
			continue
		}
		add(k, v)
	}
	for _, v := range taskVars {
		if !seen[v.Name] {
			add(v.Name, v.Value)
		}
	}
	add("MESOS_SANDBOX", DockerSandboxPath)
	add("MESOS_CONTAINER_NAME", name)
	return env
}

// dockerResources sets CPU shares and quota and the memory limit from the
// task's resources and limits, with Mesos' floors.
func dockerResources(task mesos.TaskInfo, hc *dockerHostConfig) {
	if cpus := task.Resources.CPUs(); cpus > 0 {
		hc.CPUShares = max(int64(cpuSharesPerCPU*cpus), minCPUShares)
	}
	memRequest := int64(task.Resources.Mem() * (1 << 20))
	cpuLimit, hasCPULimit := task.Limits["cpus"]
	memLimit, hasMemLimit := task.Limits["mem"]
	if hasCPULimit && !math.IsInf(cpuLimit.Value, 1) {
		hc.CPUQuota = max(int64(cpuCFSPeriodUS*cpuLimit.Value), minCPUQuotaUS)
	}
	switch {
	case hasMemLimit:
		if !math.IsInf(memLimit.Value, 1) {
			hc.Memory = max(int64(memLimit.Value)<<20, minMemoryBytes)
		}
		if memRequest > 0 {
			hc.MemoryReservation = max(memRequest, minMemoryBytes)
		}
	case memRequest > 0:
		hc.Memory = max(memRequest, minMemoryBytes)
	}
}

// dockerCommand sets what the container runs, by Mesos' rules. DOCKER
// containers (Docker::RunOptions::create): with shell (the default) the
// entrypoint becomes /bin/sh and the arguments -c value; without, value and
// arguments follow the image name, so they replace the image's CMD and keep
// its ENTRYPOINT. MESOS containers with an image (the unified
// containerizer): with shell, /bin/sh -c value; without, value replaces the
// ENTRYPOINT with arguments after argv[0] as its arguments, and without a
// value the arguments replace the CMD.
func dockerCommand(cfg *dockerContainerConfig, task mesos.TaskInfo) error {
	c := task.Command
	if c == nil {
		return nil // the image's own entrypoint and command
	}
	if c.Shell == nil || *c.Shell {
		if c.Value == "" {
			return errors.New("Shell specified but no command value provided")
		}
		if cfg.Entrypoint == nil {
			cfg.Entrypoint = []string{"/bin/sh"}
		}
		cfg.Cmd = []string{"-c", c.Value}
		return nil
	}
	if task.Container.Type == mesos.ContainerDocker {
		if c.Value != "" {
			cfg.Cmd = append(cfg.Cmd, c.Value)
		}
		cfg.Cmd = append(cfg.Cmd, c.Arguments...)
		return nil
	}
	if c.Value != "" {
		cfg.Entrypoint = []string{c.Value}
		if len(c.Arguments) > 1 {
			cfg.Cmd = c.Arguments[1:]
		}
		return nil
	}
	cfg.Cmd = c.Arguments
	return nil
}

// imageRefPattern is the character set of a Docker image reference; it
// keeps references safe to put in request paths.
var imageRefPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._:/@+-]*$`)

// normalizeImageRef adds :latest to a reference without tag or digest, as
// Mesos does before pulling: the engine would otherwise pull every tag.
func normalizeImageRef(ref string) string {
	last := ref[strings.LastIndex(ref, "/")+1:]
	if strings.Contains(last, ":") || strings.Contains(ref, "@") {
		return ref
	}
	return ref + ":latest"
}

// dockerParameter applies one DockerInfo parameter (a docker run option,
// without its dashes) to the container's configuration.
type dockerParameter func(cfg *dockerContainerConfig, value string) error

// dockerParameters are the docker run options a task may pass as
// DockerInfo.parameters. Mesos hands them to the docker CLI as --key=value;
// here each one is translated to the Engine API field the CLI would set.
// Anything else is refused by name rather than dropped, so a task never
// runs differently from what it asked for without saying so.
var dockerParameters = map[string]dockerParameter{
	"env":        paramEnv,
	"e":          paramEnv,
	"label":      paramLabel,
	"l":          paramLabel,
	"v":          paramVolume,
	"volume":     paramVolume,
	"workdir":    paramWorkdir,
	"w":          paramWorkdir,
	"user":       paramUser,
	"u":          paramUser,
	"hostname":   paramHostname,
	"h":          paramHostname,
	"entrypoint": func(cfg *dockerContainerConfig, v string) error { cfg.Entrypoint = []string{v}; return nil },
	"stop-signal": func(cfg *dockerContainerConfig, v string) error {
		cfg.StopSignal = v
		return nil
	},
	"add-host": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.ExtraHosts = append(cfg.HostConfig.ExtraHosts, v)
		return nil
	},
	"cap-add": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.CapAdd = append(cfg.HostConfig.CapAdd, v)
		return nil
	},
	"cap-drop": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.CapDrop = append(cfg.HostConfig.CapDrop, v)
		return nil
	},
	"dns": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.DNS = append(cfg.HostConfig.DNS, v)
		return nil
	},
	"dns-search": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.DNSSearch = append(cfg.HostConfig.DNSSearch, v)
		return nil
	},
	"dns-opt":    paramDNSOption,
	"dns-option": paramDNSOption,
	"security-opt": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.SecurityOpt = append(cfg.HostConfig.SecurityOpt, v)
		return nil
	},
	"sysctl": func(cfg *dockerContainerConfig, v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return errors.New("want name=value")
		}
		if cfg.HostConfig.Sysctls == nil {
			cfg.HostConfig.Sysctls = map[string]string{}
		}
		cfg.HostConfig.Sysctls[k] = val
		return nil
	},
	"tmpfs": func(cfg *dockerContainerConfig, v string) error {
		path, opts, _ := strings.Cut(v, ":")
		if cfg.HostConfig.Tmpfs == nil {
			cfg.HostConfig.Tmpfs = map[string]string{}
		}
		cfg.HostConfig.Tmpfs[path] = opts
		return nil
	},
	"log-driver": func(cfg *dockerContainerConfig, v string) error {
		if cfg.HostConfig.LogConfig == nil {
			cfg.HostConfig.LogConfig = &dockerLogConfig{}
		}
		cfg.HostConfig.LogConfig.Type = v
		return nil
	},
	"log-opt": func(cfg *dockerContainerConfig, v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return errors.New("want name=value")
		}
		if cfg.HostConfig.LogConfig == nil {
			cfg.HostConfig.LogConfig = &dockerLogConfig{}
		}
		if cfg.HostConfig.LogConfig.Config == nil {
			cfg.HostConfig.LogConfig.Config = map[string]string{}
		}
		cfg.HostConfig.LogConfig.Config[k] = val
		return nil
	},
	"init": func(cfg *dockerContainerConfig, v string) error {
		b, err := strconv.ParseBool(v)
		cfg.HostConfig.Init = &b
		return err
	},
	"read-only": func(cfg *dockerContainerConfig, v string) error {
		b, err := strconv.ParseBool(v)
		cfg.HostConfig.ReadonlyRootfs = b
		return err
	},
	"privileged": func(cfg *dockerContainerConfig, v string) error {
		b, err := strconv.ParseBool(v)
		cfg.HostConfig.Privileged = b
		return err
	},
	"memory": paramMemory,
	"m":      paramMemory,
	"memory-reservation": func(cfg *dockerContainerConfig, v string) error {
		return setBytes(&cfg.HostConfig.MemoryReservation, v)
	},
	"shm-size":   func(cfg *dockerContainerConfig, v string) error { return setBytes(&cfg.HostConfig.ShmSize, v) },
	"cpu-shares": paramCPUShares,
	"c":          paramCPUShares,
	"cpu-quota": func(cfg *dockerContainerConfig, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		cfg.HostConfig.CPUQuota = n
		return err
	},
	"cpus": func(cfg *dockerContainerConfig, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return errors.New("want a number of CPUs, such as 1.5")
		}
		cfg.HostConfig.NanoCPUs = int64(f * 1e9)
		return nil
	},
	"pid": func(cfg *dockerContainerConfig, v string) error { cfg.HostConfig.PidMode = v; return nil },
	"ipc": func(cfg *dockerContainerConfig, v string) error { cfg.HostConfig.IpcMode = v; return nil },
	"ulimit": func(cfg *dockerContainerConfig, v string) error {
		name, limits, ok := strings.Cut(v, "=")
		if !ok {
			return errors.New("want name=soft[:hard]")
		}
		softS, hardS, hasHard := strings.Cut(limits, ":")
		soft, err := strconv.ParseInt(softS, 10, 64)
		if err != nil {
			return errors.New("want name=soft[:hard]")
		}
		hard := soft
		if hasHard {
			if hard, err = strconv.ParseInt(hardS, 10, 64); err != nil {
				return errors.New("want name=soft[:hard]")
			}
		}
		cfg.HostConfig.Ulimits = append(cfg.HostConfig.Ulimits, dockerUlimit{Name: name, Soft: soft, Hard: hard})
		return nil
	},
	"device": func(cfg *dockerContainerConfig, v string) error {
		parts := strings.Split(v, ":")
		d := dockerDevice{PathOnHost: parts[0], PathInContainer: parts[0], CgroupPermissions: "rwm"}
		if len(parts) > 1 && parts[1] != "" {
			d.PathInContainer = parts[1]
		}
		if len(parts) > 2 {
			d.CgroupPermissions = parts[2]
		}
		cfg.HostConfig.Devices = append(cfg.HostConfig.Devices, d)
		return nil
	},
}

// dockerParameterNames lists the parameters dockerParameters knows, for the
// message refusing another one.
func dockerParameterNames() []string {
	names := make([]string, 0, len(dockerParameters))
	for k := range dockerParameters {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// paramEnv is --env NAME=value, or --env NAME to pass the variable from the
// environment of whoever runs docker (here localmesos), as the CLI does.
func paramEnv(cfg *dockerContainerConfig, v string) error {
	if v == "" {
		return errors.New("want NAME=value")
	}
	if !strings.Contains(v, "=") {
		val, ok := os.LookupEnv(v)
		if !ok {
			return nil
		}
		v += "=" + val
	}
	// Replace rather than append: with a name twice, which one the task
	// sees would be up to its libc.
	k, _, _ := strings.Cut(v, "=")
	for i, kv := range cfg.Env {
		if strings.HasPrefix(kv, k+"=") {
			cfg.Env[i] = v
			return nil
		}
	}
	cfg.Env = append(cfg.Env, v)
	return nil
}

// paramVolume is --volume host:container[:mode], or a path alone for an
// anonymous volume.
func paramVolume(cfg *dockerContainerConfig, v string) error {
	if !strings.Contains(v, ":") {
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		cfg.Volumes[v] = struct{}{}
		return nil
	}
	cfg.HostConfig.Binds = append(cfg.HostConfig.Binds, v)
	return nil
}

// paramWorkdir is --workdir.
func paramWorkdir(cfg *dockerContainerConfig, v string) error { cfg.WorkingDir = v; return nil }

// paramUser is --user.
func paramUser(cfg *dockerContainerConfig, v string) error { cfg.User = v; return nil }

// paramHostname is --hostname.
func paramHostname(cfg *dockerContainerConfig, v string) error { cfg.Hostname = v; return nil }

// paramLabel is --label key=value (or a bare key, with an empty value).
func paramLabel(cfg *dockerContainerConfig, v string) error {
	k, val, _ := strings.Cut(v, "=")
	if k == "" {
		return errors.New("want key=value")
	}
	cfg.Labels[k] = val
	return nil
}

// paramDNSOption is --dns-opt (--dns-option since Docker 1.13).
func paramDNSOption(cfg *dockerContainerConfig, v string) error {
	cfg.HostConfig.DNSOptions = append(cfg.HostConfig.DNSOptions, v)
	return nil
}

// paramMemory is --memory, which overrides the limit the mem resource set.
func paramMemory(cfg *dockerContainerConfig, v string) error {
	return setBytes(&cfg.HostConfig.Memory, v)
}

// paramCPUShares is --cpu-shares, which overrides what the cpus resource set.
func paramCPUShares(cfg *dockerContainerConfig, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	cfg.HostConfig.CPUShares = n
	return err
}

// bytesPattern is the docker CLI's size syntax: 512m, 1g, 1.5GB, 1024.
var bytesPattern = regexp.MustCompile(`^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$`)

// setBytes parses a size as the docker CLI does (units are powers of 1024).
func setBytes(dst *int64, v string) error {
	m := bytesPattern.FindStringSubmatch(v)
	if m == nil {
		return errors.New("want a size such as 512m or 1g")
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return errors.New("want a size such as 512m or 1g")
	}
	if m[2] != "" {
		f *= math.Pow(1024, float64(strings.Index("kmgtp", strings.ToLower(m[2]))+1))
	}
	*dst = int64(f)
	return nil
}

// dockerRun is one running container.
type dockerRun struct {
	engine *dockerEngine
	id     string
	name   string
	what   string // "Container" or "Command", how the exit message begins
	status *mesos.ContainerStatus
	done   chan struct{}
	exit   Exit // set before done is closed

	mu       sync.Mutex
	killed   bool
	killedAt time.Time
	deadline time.Time
}

// Status gives the container's address(es) on its network, as the docker
// executor puts them in TASK_RUNNING; none on the host network, where the
// agent adds its own.
func (r *dockerRun) Status() *mesos.ContainerStatus { return r.status }

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

// dockerInspect is the part of GET /containers/{id}/json localmesos reads.
type dockerInspect struct {
	HostConfig struct {
		NetworkMode string
	}
	NetworkSettings struct {
		IPAddress string
		Networks  map[string]struct {
			IPAddress         string
			GlobalIPv6Address string
		}
	}
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

// dockerEngine is a client of the Docker Engine HTTP API: plain net/http
// over the engine's unix socket (or a loopback TCP port). Paths carry no
// API version, so the engine answers in its own current one: the few
// fields read here have not changed in years, while a pinned version would
// be refused by engines that have dropped it.
type dockerEngine struct {
	host   string // as given, for messages
	base   string // URL prefix of every request
	client *http.Client
}

// newDockerEngine makes a client for host (unix:///path or
// tcp://127.0.0.1:port); empty means $DOCKER_HOST, then DefaultDockerHost.
// Only loopback TCP addresses are accepted, and no TLS.
func newDockerEngine(host string) (*dockerEngine, error) {
	if host == "" {
		host = os.Getenv("DOCKER_HOST")
	}
	if host == "" {
		host = DefaultDockerHost
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("Docker host %q: %w", host, err)
	}
	tr := &http.Transport{
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     30 * time.Second,
		// Proxy stays nil: HTTP_PROXY must never see engine traffic.
	}
	e := &dockerEngine{host: host, client: &http.Client{Transport: tr}}
	switch u.Scheme {
	case "unix":
		path := u.Host + u.Path
		if path == "" {
			return nil, fmt.Errorf("Docker host %q: no socket path", host)
		}
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
		e.base = "http://docker"
	case "tcp", "http":
		if os.Getenv("DOCKER_TLS_VERIFY") != "" {
			return nil, fmt.Errorf("Docker host %q: DOCKER_TLS_VERIFY is set, and localmesos speaks to the engine without TLS; use its unix socket", host)
		}
		h := u.Hostname()
		ip := net.ParseIP(h)
		if h != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("Docker host %q: localmesos only talks to an engine on a unix socket or a loopback address", host)
		}
		if u.Port() == "" {
			return nil, fmt.Errorf("Docker host %q: no port", host)
		}
		e.base = "http://" + u.Host
	default:
		return nil, fmt.Errorf("Docker host %q: only unix:// and tcp:// (loopback) engines are supported", host)
	}
	return e, nil
}

// dockerError is an error answer of the engine, in its own words.
type dockerError struct {
	Status  int
	Message string
}

// Error reads as the docker CLI prints it, which is also what Mesos quotes
// from the CLI's stderr.
func (e *dockerError) Error() string { return "Error response from daemon: " + e.Message }

// send makes one request and returns the response of a successful one
// (status below 400); the caller closes its body.
func (e *dockerEngine) send(ctx context.Context, method, path string, q url.Values, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	target := e.base + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the Docker engine at %s: %w", e.host, err)
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var m struct{ Message string }
		if json.Unmarshal(b, &m) != nil || m.Message == "" {
			m.Message = strings.TrimSpace(string(b))
		}
		return nil, &dockerError{Status: resp.StatusCode, Message: m.Message}
	}
	return resp, nil
}

// do makes one request and decodes its JSON answer into out, if not nil.
func (e *dockerEngine) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	resp, err := e.send(ctx, method, path, q, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("reading the Docker engine's answer to %s %s: %w", method, path, err)
	}
	return nil
}

// ping tells whether the engine answers GET /_ping with OK.
func (e *dockerEngine) ping(ctx context.Context) error {
	resp, err := e.send(ctx, http.MethodGet, "/_ping", nil, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	if strings.TrimSpace(string(b)) != "OK" {
		return fmt.Errorf("the Docker engine at %s answered %q to a ping", e.host, b)
	}
	return nil
}

// inspect reads a container's state and network settings.
func (e *dockerEngine) inspect(ctx context.Context, id string) (*dockerInspect, error) {
	var ins dockerInspect
	if err := e.do(ctx, http.MethodGet, "/containers/"+id+"/json", nil, nil, &ins); err != nil {
		return nil, err
	}
	return &ins, nil
}

// ensureImage makes sure the engine has the image, pulling it when it is
// missing or when force is set, as Docker::pull does. A failed pull says
// what to do about it: localmesos is often used where no registry answers.
func (e *dockerEngine) ensureImage(ctx context.Context, ref string, force bool) error {
	if !force {
		ictx, cancel := context.WithTimeout(ctx, dockerRequestTimeout)
		err := e.do(ictx, http.MethodGet, "/images/"+ref+"/json", nil, nil, nil)
		cancel()
		var de *dockerError
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &de) || de.Status != http.StatusNotFound:
			return fmt.Errorf("Failed to inspect image '%s': %w", ref, err)
		}
	}
	if err := e.pull(ctx, ref); err != nil {
		advice := "the image is not in the local Docker engine and no registry could provide it: build it (docker build -t " + ref + " ...) or load it (docker load) on this machine, then launch the task again"
		if force {
			advice = "force_pull_image is set, so the image is pulled even when the engine has it, and no registry could provide it: unset force_pull_image to use a locally built or loaded image"
		}
		return fmt.Errorf("Failed to pull image '%s': %w (%s)", ref, err, advice)
	}
	return nil
}

// pull asks the engine to pull an image and waits until it is done. The
// engine reports a failure either as an error answer or, once the pull has
// begun, as an "error" object in its progress stream.
func (e *dockerEngine) pull(ctx context.Context, ref string) error {
	ctx, cancel := context.WithTimeout(ctx, dockerPullTimeout)
	defer cancel()
	resp, err := e.send(ctx, http.MethodPost, "/images/create", url.Values{"fromImage": {ref}}, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the pull's progress: %w", err)
		}
		if msg.Error != "" {
			return &dockerError{Status: http.StatusOK, Message: msg.Error}
		}
	}
}
