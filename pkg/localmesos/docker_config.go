package localmesos

// The container a Docker task asks for: Mesos' Docker::RunOptions::create
// (src/docker/docker.cpp) turned into the Engine API's container
// configuration. The runner is in runner_docker.go, the engine client in
// docker_engine.go and DockerInfo.parameters in docker_params.go.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

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
