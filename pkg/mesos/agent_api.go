package mesos

import (
	"net"
	"strconv"
)

// The agent's own operator API (POST /api/v1 on an agent, agent.proto):
// the agent's health, flags, metrics, files, and what runs on it.

// AgentCallType names an agent API call.
type AgentCallType string

// Agent API calls (agent.proto Call.Type).
const (
	AgentGetHealth                    AgentCallType = "GET_HEALTH"
	AgentGetFlags                     AgentCallType = "GET_FLAGS"
	AgentGetVersion                   AgentCallType = "GET_VERSION"
	AgentGetMetrics                   AgentCallType = "GET_METRICS"
	AgentGetLoggingLevel              AgentCallType = "GET_LOGGING_LEVEL"
	AgentSetLoggingLevel              AgentCallType = "SET_LOGGING_LEVEL"
	AgentListFiles                    AgentCallType = "LIST_FILES"
	AgentReadFile                     AgentCallType = "READ_FILE"
	AgentGetState                     AgentCallType = "GET_STATE"
	AgentGetContainers                AgentCallType = "GET_CONTAINERS"
	AgentGetFrameworks                AgentCallType = "GET_FRAMEWORKS"
	AgentGetExecutors                 AgentCallType = "GET_EXECUTORS"
	AgentGetOperations                AgentCallType = "GET_OPERATIONS"
	AgentGetTasks                     AgentCallType = "GET_TASKS"
	AgentGetAgent                     AgentCallType = "GET_AGENT"
	AgentGetResourceProviders         AgentCallType = "GET_RESOURCE_PROVIDERS"
	AgentLaunchNestedContainer        AgentCallType = "LAUNCH_NESTED_CONTAINER"
	AgentWaitNestedContainer          AgentCallType = "WAIT_NESTED_CONTAINER"
	AgentKillNestedContainer          AgentCallType = "KILL_NESTED_CONTAINER"
	AgentRemoveNestedContainer        AgentCallType = "REMOVE_NESTED_CONTAINER"
	AgentLaunchNestedContainerSession AgentCallType = "LAUNCH_NESTED_CONTAINER_SESSION"
	AgentAttachContainerInput         AgentCallType = "ATTACH_CONTAINER_INPUT"
	AgentAttachContainerOutput        AgentCallType = "ATTACH_CONTAINER_OUTPUT"
	AgentLaunchContainer              AgentCallType = "LAUNCH_CONTAINER"
	AgentWaitContainer                AgentCallType = "WAIT_CONTAINER"
	AgentKillContainer                AgentCallType = "KILL_CONTAINER"
	AgentRemoveContainer              AgentCallType = "REMOVE_CONTAINER"
	AgentAddResourceProviderConfig    AgentCallType = "ADD_RESOURCE_PROVIDER_CONFIG"
	AgentUpdateResourceProviderConfig AgentCallType = "UPDATE_RESOURCE_PROVIDER_CONFIG"
	AgentRemoveResourceProviderConfig AgentCallType = "REMOVE_RESOURCE_PROVIDER_CONFIG"
	AgentMarkResourceProviderGone     AgentCallType = "MARK_RESOURCE_PROVIDER_GONE"
	AgentPruneImages                  AgentCallType = "PRUNE_IMAGES"
)

// AgentAPICall is the body of a POST to an agent's /api/v1. The calls
// this project makes take at most these payloads; the container and
// resource provider calls take others (see agent.proto).
type AgentAPICall struct {
	Type                         AgentCallType             `json:"type"`
	GetMetrics                   *GetMetricsCall           `json:"get_metrics,omitempty"`
	SetLoggingLevel              *SetLoggingLevelCall      `json:"set_logging_level,omitempty"`
	ListFiles                    *ListFilesCall            `json:"list_files,omitempty"`
	ReadFile                     *ReadFileCall             `json:"read_file,omitempty"`
	GetContainers                *GetContainersCall        `json:"get_containers,omitempty"`
	LaunchNestedContainer        *ContainerCall            `json:"launch_nested_container,omitempty"`
	WaitNestedContainer          *ContainerCall            `json:"wait_nested_container,omitempty"`
	KillNestedContainer          *ContainerCall            `json:"kill_nested_container,omitempty"`
	RemoveNestedContainer        *ContainerCall            `json:"remove_nested_container,omitempty"`
	LaunchNestedContainerSession *ContainerCall            `json:"launch_nested_container_session,omitempty"`
	AttachContainerOutput        *ContainerCall            `json:"attach_container_output,omitempty"`
	LaunchContainer              *ContainerCall            `json:"launch_container,omitempty"`
	WaitContainer                *ContainerCall            `json:"wait_container,omitempty"`
	KillContainer                *ContainerCall            `json:"kill_container,omitempty"`
	RemoveContainer              *ContainerCall            `json:"remove_container,omitempty"`
	RemoveResourceProviderConfig *ResourceProviderConfigID `json:"remove_resource_provider_config,omitempty"`
	MarkResourceProviderGone     *struct {
		ResourceProviderID ResourceProviderID `json:"resource_provider_id"`
	} `json:"mark_resource_provider_gone,omitempty"`
	PruneImages *struct {
		ExcludedImages []Image `json:"excluded_images,omitempty"`
	} `json:"prune_images,omitempty"`
}

// ContainerCall is the payload of the container calls: the container, and
// for a launch what to run in it, for a kill the signal.
type ContainerCall struct {
	ContainerID ContainerID    `json:"container_id"`
	Command     *CommandInfo   `json:"command,omitempty"`
	Resources   Resources      `json:"resources,omitempty"`
	Container   *ContainerInfo `json:"container,omitempty"`
	Signal      int32          `json:"signal,omitempty"`
}

// ResourceProviderConfigID names a resource provider's configuration.
type ResourceProviderConfigID struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// GetContainersCall asks for nested and standalone containers too.
type GetContainersCall struct {
	ShowNested     bool `json:"show_nested,omitempty"`
	ShowStandalone bool `json:"show_standalone,omitempty"`
}

// AgentAPIResponse is the answer to an agent API call; the field named
// after Type is set.
type AgentAPIResponse struct {
	Type            AgentCallType            `json:"type"`
	GetHealth       *GetHealthResponse       `json:"get_health,omitempty"`
	GetFlags        *GetFlagsResponse        `json:"get_flags,omitempty"`
	GetVersion      *GetVersionResponse      `json:"get_version,omitempty"`
	GetMetrics      *GetMetricsResponse      `json:"get_metrics,omitempty"`
	GetLoggingLevel *GetLoggingLevelResponse `json:"get_logging_level,omitempty"`
	ListFiles       *ListFilesResponse       `json:"list_files,omitempty"`
	ReadFile        *ReadFileResponse        `json:"read_file,omitempty"`
	GetState        *AgentStateResponse      `json:"get_state,omitempty"`
	GetContainers   *GetContainersResponse   `json:"get_containers,omitempty"`
	GetFrameworks   *AgentFrameworksResponse `json:"get_frameworks,omitempty"`
	GetExecutors    *AgentExecutorsResponse  `json:"get_executors,omitempty"`
	GetOperations   *GetOperationsResponse   `json:"get_operations,omitempty"`
	GetTasks        *AgentTasksResponse      `json:"get_tasks,omitempty"`
	GetAgent        *GetAgentResponse        `json:"get_agent,omitempty"`
	WaitContainer   *WaitContainerResponse   `json:"wait_container,omitempty"`
	// WaitNestedContainer is WAIT_NESTED_CONTAINER's answer.
	WaitNestedContainer *WaitContainerResponse `json:"wait_nested_container,omitempty"`
	// GetResourceProviders lists the agent's resource providers.
	GetResourceProviders *GetResourceProvidersResponse `json:"get_resource_providers,omitempty"`
}

// GetResourceProvidersResponse lists an agent's resource providers (local
// storage plug-ins; the stand-in has none).
type GetResourceProvidersResponse struct {
	ResourceProviders []struct {
		ResourceProviderInfo map[string]any `json:"resource_provider_info"`
		TotalResources       Resources      `json:"total_resources,omitempty"`
	} `json:"resource_providers,omitempty"`
}

// AgentStateResponse is the agent's tasks, executors and frameworks in
// one answer.
type AgentStateResponse struct {
	GetTasks      AgentTasksResponse      `json:"get_tasks"`
	GetExecutors  AgentExecutorsResponse  `json:"get_executors"`
	GetFrameworks AgentFrameworksResponse `json:"get_frameworks"`
}

// AgentTasksResponse lists the agent's tasks by stage: launched (running
// or starting), terminated (ended, update not yet acknowledged), completed.
type AgentTasksResponse struct {
	PendingTasks    []Task `json:"pending_tasks"`
	QueuedTasks     []Task `json:"queued_tasks"`
	LaunchedTasks   []Task `json:"launched_tasks"`
	TerminatedTasks []Task `json:"terminated_tasks"`
	CompletedTasks  []Task `json:"completed_tasks"`
}

// AgentExecutor is one executor on the agent.
type AgentExecutor struct {
	ExecutorInfo ExecutorInfo `json:"executor_info"`
}

// AgentExecutorsResponse lists the agent's executors, running and ended.
type AgentExecutorsResponse struct {
	Executors          []AgentExecutor `json:"executors"`
	CompletedExecutors []AgentExecutor `json:"completed_executors"`
}

// AgentFramework is one framework with executors on the agent.
type AgentFramework struct {
	FrameworkInfo FrameworkInfo `json:"framework_info"`
}

// AgentFrameworksResponse lists the frameworks with executors on the
// agent, and those whose executors have all ended.
type AgentFrameworksResponse struct {
	Frameworks          []AgentFramework `json:"frameworks"`
	CompletedFrameworks []AgentFramework `json:"completed_frameworks"`
}

// Container is one container on the agent: a task's, under its executor.
type Container struct {
	FrameworkID        *FrameworkID        `json:"framework_id,omitempty"`
	ExecutorID         *ExecutorID         `json:"executor_id,omitempty"`
	ExecutorName       string              `json:"executor_name,omitempty"`
	ContainerID        ContainerID         `json:"container_id"`
	ContainerStatus    *ContainerStatus    `json:"container_status,omitempty"`
	ResourceStatistics *ResourceStatistics `json:"resource_statistics,omitempty"`
}

// ResourceStatistics is what a container uses and may use (the common
// part of mesos.proto's ResourceStatistics).
type ResourceStatistics struct {
	Timestamp float64 `json:"timestamp"`
	// The CPU times are set when measured, 0 included.
	CPUsUserTimeSecs   *float64 `json:"cpus_user_time_secs,omitempty"`
	CPUsSystemTimeSecs *float64 `json:"cpus_system_time_secs,omitempty"`
	CPUsLimit          float64  `json:"cpus_limit,omitempty"`
	CPUsSoftLimit      float64  `json:"cpus_soft_limit,omitempty"`
	MemLimitBytes      uint64   `json:"mem_limit_bytes,omitempty"`
	MemSoftLimitBytes  uint64   `json:"mem_soft_limit_bytes,omitempty"`
	MemRSSBytes        uint64   `json:"mem_rss_bytes,omitempty"`
}

// GetContainersResponse lists the agent's containers.
type GetContainersResponse struct {
	Containers []Container `json:"containers,omitempty"`
}

// GetAgentResponse describes the agent.
type GetAgentResponse struct {
	AgentInfo               *AgentInfo   `json:"agent_info,omitempty"`
	DrainConfig             *DrainConfig `json:"drain_config,omitempty"`
	EstimatedDrainStartTime *TimeInfo    `json:"estimated_drain_start_time,omitempty"`
}

// WaitContainerResponse says how a container ended.
type WaitContainerResponse struct {
	ExitStatus *int32    `json:"exit_status,omitempty"`
	State      TaskState `json:"state,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Message    string    `json:"message,omitempty"`
}

// Address is where the agent answers: http://hostname:port, from its
// AgentInfo, for an agent client.
func (a AgentState) Address() string {
	return "http://" + net.JoinHostPort(a.AgentInfo.Hostname, strconv.Itoa(int(a.AgentInfo.Port)))
}
