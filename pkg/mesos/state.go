package mesos

import (
	"net"
	"strconv"
)

// The legacy GET /state endpoints (master and agent) answer hand-written
// JSON, not protobuf JSON: agents are "slaves", IDs are plain strings and
// resources are flat maps. These types read the parts this project uses;
// unknown keys are ignored.

// StateLeaderInfo is the leading master as /state names it: of its
// MasterInfo, Mesos writes these fields only (and its domain, if any).
type StateLeaderInfo struct {
	ID       string      `json:"id"`
	PID      string      `json:"pid"`
	Port     uint32      `json:"port"`
	Hostname string      `json:"hostname"`
	Domain   *DomainInfo `json:"domain,omitempty"`
}

// HostPort is the leader's address for HTTP, "host:port".
func (l StateLeaderInfo) HostPort() string {
	return net.JoinHostPort(l.Hostname, strconv.Itoa(int(l.Port)))
}

// StateResources is a resource map as /state writes it, in Mesos' order:
// {"disk":4930.0,"mem":496.0,"gpus":0.0,"cpus":2.0,"ports":"[9000-10000]"}.
type StateResources struct {
	Disk  float64 `json:"disk"`
	Mem   float64 `json:"mem"`
	GPUs  float64 `json:"gpus"`
	CPUs  float64 `json:"cpus"`
	Ports string  `json:"ports,omitempty"`
}

// MasterState is the master's GET /state.
type MasterState struct {
	Version                string            `json:"version"`
	GitTag                 string            `json:"git_tag,omitempty"`
	BuildDate              string            `json:"build_date"`
	BuildTime              float64           `json:"build_time"`
	BuildUser              string            `json:"build_user"`
	StartTime              float64           `json:"start_time"`
	ElectedTime            float64           `json:"elected_time,omitempty"`
	ID                     string            `json:"id"`
	PID                    string            `json:"pid"`
	Hostname               string            `json:"hostname"`
	Capabilities           []string          `json:"capabilities"`
	ActivatedSlaves        float64           `json:"activated_slaves"`
	DeactivatedSlaves      float64           `json:"deactivated_slaves"`
	UnreachableSlaves      float64           `json:"unreachable_slaves"`
	Leader                 string            `json:"leader,omitempty"`
	LogDir                 string            `json:"log_dir,omitempty"`
	LeaderInfo             *StateLeaderInfo  `json:"leader_info,omitempty"`
	Flags                  map[string]string `json:"flags,omitempty"`
	Slaves                 []StateAgent      `json:"slaves"`
	RecoveredSlaves        []StateAgent      `json:"recovered_slaves"`
	Frameworks             []StateFramework  `json:"frameworks"`
	CompletedFrameworks    []StateFramework  `json:"completed_frameworks"`
	OrphanTasks            []StateTask       `json:"orphan_tasks"`
	UnregisteredFrameworks []string          `json:"unregistered_frameworks"`
}

// StateAgent is one agent in the master's /state.
type StateAgent struct {
	ID                  string                    `json:"id"`
	PID                 string                    `json:"pid"`
	Hostname            string                    `json:"hostname"`
	Port                int                       `json:"port"`
	RegisteredTime      float64                   `json:"registered_time"`
	Resources           StateResources            `json:"resources"`
	UsedResources       StateResources            `json:"used_resources"`
	OfferedResources    StateResources            `json:"offered_resources"`
	ReservedResources   map[string]StateResources `json:"reserved_resources"`
	UnreservedResources StateResources            `json:"unreserved_resources"`
	Attributes          map[string]any            `json:"attributes"`
	Active              bool                      `json:"active"`
	Deactivated         bool                      `json:"deactivated"`
	Version             string                    `json:"version"`
	Capabilities        []string                  `json:"capabilities"`
	// DrainInfo is set while an agent drains or once it has drained.
	DrainInfo                      *DrainInfo `json:"drain_info,omitempty"`
	EstimatedDrainStartTimeSeconds float64    `json:"estimated_drain_start_time_seconds,omitempty"`
}

// StateFramework is one framework in /state.
type StateFramework struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	PID              string         `json:"pid,omitempty"`
	User             string         `json:"user"`
	Hostname         string         `json:"hostname"`
	Principal        string         `json:"principal,omitempty"`
	WebUIURL         string         `json:"webui_url"`
	Active           bool           `json:"active"`
	Connected        bool           `json:"connected"`
	Recovered        bool           `json:"recovered"`
	Role             string         `json:"role,omitempty"`
	Roles            []string       `json:"roles,omitempty"`
	Capabilities     []string       `json:"capabilities"`
	FailoverTimeout  float64        `json:"failover_timeout"`
	Checkpoint       bool           `json:"checkpoint"`
	RegisteredTime   float64        `json:"registered_time"`
	UnregisteredTime float64        `json:"unregistered_time"`
	ReregisteredTime float64        `json:"reregistered_time,omitempty"`
	Resources        StateResources `json:"resources"`
	UsedResources    StateResources `json:"used_resources"`
	OfferedResources StateResources `json:"offered_resources"`
	Tasks            []StateTask    `json:"tasks"`
	UnreachableTasks []StateTask    `json:"unreachable_tasks"`
	CompletedTasks   []StateTask    `json:"completed_tasks"`
	Offers           []StateOffer   `json:"offers"`
	// OfferConstraints are the framework's, {} when it has none.
	OfferConstraints *OfferConstraints `json:"offer_constraints,omitempty"`
	Executors        []any             `json:"executors"`
}

// StateOffer is an outstanding offer in /state.
type StateOffer struct {
	ID          string         `json:"id"`
	FrameworkID string         `json:"framework_id"`
	SlaveID     string         `json:"slave_id"`
	Resources   StateResources `json:"resources"`
}

// StateTask is one task in /state.
type StateTask struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	FrameworkID string         `json:"framework_id"`
	ExecutorID  string         `json:"executor_id"`
	SlaveID     string         `json:"slave_id"`
	State       TaskState      `json:"state"`
	Resources   StateResources `json:"resources"`
	Role        string         `json:"role,omitempty"`
	Statuses    []StateStatus  `json:"statuses"`
	Container   *ContainerInfo `json:"container,omitempty"`
}

// StateStatus is one status of a task in /state.
type StateStatus struct {
	State           TaskState        `json:"state"`
	Timestamp       float64          `json:"timestamp"`
	ContainerStatus *ContainerStatus `json:"container_status,omitempty"`
}

// SlaveState is the agent's own GET /state (also /slave(1)/state); the
// legacy endpoints still say "slave". Flags tells which containerizers the
// agent runs (flags["containerizers"]).
type SlaveState struct {
	Version             string            `json:"version"`
	ID                  string            `json:"id"`
	PID                 string            `json:"pid"`
	Hostname            string            `json:"hostname"`
	StartTime           float64           `json:"start_time"`
	MasterHostname      string            `json:"master_hostname,omitempty"`
	LogDir              string            `json:"log_dir,omitempty"`
	Resources           StateResources    `json:"resources"`
	Attributes          map[string]any    `json:"attributes"`
	Flags               map[string]string `json:"flags"`
	Frameworks          []SlaveFramework  `json:"frameworks"`
	CompletedFrameworks []SlaveFramework  `json:"completed_frameworks"`
}

// SlaveFramework is a framework with executors on the agent.
type SlaveFramework struct {
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	Executors          []SlaveExecutor `json:"executors"`
	CompletedExecutors []SlaveExecutor `json:"completed_executors"`
}

// SlaveExecutor is an executor on the agent with its tasks.
type SlaveExecutor struct {
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	Directory      string      `json:"directory"`
	Tasks          []StateTask `json:"tasks"`
	CompletedTasks []StateTask `json:"completed_tasks"`
}
