package mesos

// TaskInfo describes a task to launch: what to run (Command, optionally in a
// Container), where (AgentID, from the offer) and with which resources.
type TaskInfo struct {
	Name        string         `json:"name"`
	TaskID      TaskID         `json:"task_id"`
	AgentID     AgentID        `json:"agent_id"`
	Resources   Resources      `json:"resources,omitempty"`
	Executor    *ExecutorInfo  `json:"executor,omitempty"`
	Command     *CommandInfo   `json:"command,omitempty"`
	Container   *ContainerInfo `json:"container,omitempty"`
	HealthCheck *HealthCheck   `json:"health_check,omitempty"`
	KillPolicy  *KillPolicy    `json:"kill_policy,omitempty"`
	Data        []byte         `json:"data,omitempty"`
	Labels      *Labels        `json:"labels,omitempty"`
	Discovery   *DiscoveryInfo `json:"discovery,omitempty"`
	// Limits maps a resource name to its limit, each value an object:
	// {"cpus": {"value": 2}} (the upstream docs show bare numbers, which
	// Mesos rejects).
	Limits map[string]ScalarValue `json:"limits,omitempty"`
}

// CommandInfo is what a task runs. With Shell unset or true, Value is run by
// /bin/sh -c and must be set. With Shell false, Value is the program and
// Arguments its argv; for a Docker task with neither, the image's own
// entrypoint runs.
type CommandInfo struct {
	// Shell defaults to true in Mesos, so it is a pointer: nil means "not
	// sent", which Mesos reads as true.
	Shell       *bool        `json:"shell,omitempty"`
	Value       string       `json:"value,omitempty"`
	Arguments   []string     `json:"arguments,omitempty"`
	URIs        []CommandURI `json:"uris,omitempty"`
	Environment *Environment `json:"environment,omitempty"`
	User        string       `json:"user,omitempty"`
}

// CommandURI is a file the fetcher downloads into the sandbox before the
// task starts (the proto's CommandInfo.URI).
type CommandURI struct {
	Value      string `json:"value"`
	Executable *bool  `json:"executable,omitempty"`
	// Extract defaults to true in Mesos: archives are unpacked.
	Extract    *bool  `json:"extract,omitempty"`
	Cache      *bool  `json:"cache,omitempty"`
	OutputFile string `json:"output_file,omitempty"`
}

// Environment is a list of environment variables.
type Environment struct {
	Variables []EnvironmentVariable `json:"variables,omitempty"`
}

// EnvironmentVariable is one variable. Type is VALUE (the default) or SECRET.
type EnvironmentVariable struct {
	Name  string `json:"name"`
	Type  string `json:"type,omitempty"`
	Value string `json:"value,omitempty"`
}

// ContainerType is DOCKER (the Docker containerizer) or MESOS (the Mesos
// containerizer, which can also run Docker images).
type ContainerType string

// Container types.
const (
	ContainerDocker ContainerType = "DOCKER"
	ContainerMesos  ContainerType = "MESOS"
)

// ContainerInfo says how to containerize a task.
type ContainerInfo struct {
	Type         ContainerType `json:"type"`
	Volumes      []Volume      `json:"volumes,omitempty"`
	Hostname     string        `json:"hostname,omitempty"`
	Docker       *DockerInfo   `json:"docker,omitempty"`
	Mesos        *MesosInfo    `json:"mesos,omitempty"`
	NetworkInfos []NetworkInfo `json:"network_infos,omitempty"`
}

// DockerNetwork is the network mode of a Docker container.
type DockerNetwork string

// Docker network modes. HOST is the default; port mappings need BRIDGE or USER.
const (
	NetworkHost   DockerNetwork = "HOST"
	NetworkBridge DockerNetwork = "BRIDGE"
	NetworkNone   DockerNetwork = "NONE"
	NetworkUser   DockerNetwork = "USER"
)

// DockerInfo configures a Docker container.
type DockerInfo struct {
	Image          string        `json:"image"`
	Network        DockerNetwork `json:"network,omitempty"`
	PortMappings   []PortMapping `json:"port_mappings,omitempty"`
	Privileged     bool          `json:"privileged,omitempty"`
	Parameters     []Parameter   `json:"parameters,omitempty"`
	ForcePullImage bool          `json:"force_pull_image,omitempty"`
}

// PortMapping maps a host port (which must be in the task's ports resource)
// to a container port. Protocol is tcp unless set.
type PortMapping struct {
	HostPort      uint32 `json:"host_port"`
	ContainerPort uint32 `json:"container_port"`
	Protocol      string `json:"protocol,omitempty"`
}

// MesosInfo configures a Mesos-containerizer container, optionally from an image.
type MesosInfo struct {
	Image *Image `json:"image,omitempty"`
}

// Image is a container image for the Mesos containerizer.
type Image struct {
	Type   string       `json:"type"` // DOCKER or APPC
	Docker *DockerImage `json:"docker,omitempty"`
	Cached *bool        `json:"cached,omitempty"`
}

// DockerImage names a Docker image for the Mesos containerizer.
type DockerImage struct {
	Name string `json:"name"`
}

// Volume mounts a host path (or an image) into a container.
type Volume struct {
	Mode          string `json:"mode"` // RW or RO
	ContainerPath string `json:"container_path"`
	HostPath      string `json:"host_path,omitempty"`
	Image         *Image `json:"image,omitempty"`
}

// NetworkInfo attaches a container to a named network (CNI or Docker user network).
type NetworkInfo struct {
	Name         string        `json:"name,omitempty"`
	IPAddresses  []IPAddress   `json:"ip_addresses,omitempty"`
	Groups       []string      `json:"groups,omitempty"`
	Labels       *Labels       `json:"labels,omitempty"`
	PortMappings []PortMapping `json:"port_mappings,omitempty"`
}

// IPAddress is an address a container got on a network.
type IPAddress struct {
	Protocol  string `json:"protocol,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
}

// HealthCheck describes how the executor checks a task's health. Fields
// with Mesos defaults other than zero are pointers, so leaving them nil
// keeps the default: delay 15 s, interval 10 s, timeout 20 s, 3 consecutive
// failures, grace period 10 s.
type HealthCheck struct {
	Type                string         `json:"type,omitempty"` // COMMAND, HTTP or TCP
	DelaySeconds        *float64       `json:"delay_seconds,omitempty"`
	IntervalSeconds     *float64       `json:"interval_seconds,omitempty"`
	TimeoutSeconds      *float64       `json:"timeout_seconds,omitempty"`
	ConsecutiveFailures *uint32        `json:"consecutive_failures,omitempty"`
	GracePeriodSeconds  *float64       `json:"grace_period_seconds,omitempty"`
	Command             *CommandInfo   `json:"command,omitempty"`
	HTTP                *HTTPCheckInfo `json:"http,omitempty"`
	TCP                 *TCPCheckInfo  `json:"tcp,omitempty"`
}

// HTTPCheckInfo is an HTTP health check. Port is the container's port: the
// check runs inside the container's network namespace.
type HTTPCheckInfo struct {
	Protocol string   `json:"protocol,omitempty"`
	Scheme   string   `json:"scheme,omitempty"`
	Port     uint32   `json:"port"`
	Path     string   `json:"path,omitempty"`
	Statuses []uint32 `json:"statuses,omitempty"`
}

// TCPCheckInfo is a TCP health check on a container port.
type TCPCheckInfo struct {
	Protocol string `json:"protocol,omitempty"`
	Port     uint32 `json:"port"`
}

// KillPolicy says how long a task gets between SIGTERM and SIGKILL.
type KillPolicy struct {
	GracePeriod *DurationInfo `json:"grace_period,omitempty"`
}

// DiscoveryInfo is service discovery metadata for a task.
type DiscoveryInfo struct {
	Visibility string `json:"visibility"`
	Name       string `json:"name,omitempty"`
	Ports      *struct {
		Ports []struct {
			Number   uint32 `json:"number"`
			Name     string `json:"name,omitempty"`
			Protocol string `json:"protocol,omitempty"`
		} `json:"ports"`
	} `json:"ports,omitempty"`
	Labels *Labels `json:"labels,omitempty"`
}

// ExecutorInfo describes an executor: a custom one, or the DEFAULT executor
// that LAUNCH_GROUP uses.
type ExecutorInfo struct {
	Type        string         `json:"type,omitempty"` // DEFAULT or CUSTOM
	ExecutorID  ExecutorID     `json:"executor_id"`
	FrameworkID *FrameworkID   `json:"framework_id,omitempty"`
	Command     *CommandInfo   `json:"command,omitempty"`
	Container   *ContainerInfo `json:"container,omitempty"`
	Resources   Resources      `json:"resources,omitempty"`
	Name        string         `json:"name,omitempty"`
	Source      string         `json:"source,omitempty"`
	Data        []byte         `json:"data,omitempty"`
	Labels      *Labels        `json:"labels,omitempty"`
	// ShutdownGracePeriod is how long the agent waits, after SHUTDOWN,
	// before it kills the executor (its --executor_shutdown_grace_period,
	// 5 s by default, when unset).
	ShutdownGracePeriod *DurationInfo `json:"shutdown_grace_period,omitempty"`
}

// TaskGroupInfo is a group of tasks launched together by one executor.
type TaskGroupInfo struct {
	Tasks []TaskInfo `json:"tasks"`
}
