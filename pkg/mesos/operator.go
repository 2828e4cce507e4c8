package mesos

// The operator API (POST /api/v1 on the master) answers one call per
// request with a Response, and its SUBSCRIBE call streams OperatorEvents.

// OperatorCallType names an operator API call.
type OperatorCallType string

// Operator calls (master.proto Call.Type; the rest are in operator_calls.go).
const (
	GetHealth         OperatorCallType = "GET_HEALTH"
	GetVersion        OperatorCallType = "GET_VERSION"
	GetMaster         OperatorCallType = "GET_MASTER"
	GetState          OperatorCallType = "GET_STATE"
	GetAgents         OperatorCallType = "GET_AGENTS"
	GetFrameworks     OperatorCallType = "GET_FRAMEWORKS"
	GetExecutors      OperatorCallType = "GET_EXECUTORS"
	GetTasks          OperatorCallType = "GET_TASKS"
	OperatorSubscribe OperatorCallType = "SUBSCRIBE"
	OperatorTeardown  OperatorCallType = "TEARDOWN"
)

// OperatorCall is the body of a POST to /api/v1.
type OperatorCall struct {
	Type                      OperatorCallType               `json:"type"`
	GetMetrics                *GetMetricsCall                `json:"get_metrics,omitempty"`
	SetLoggingLevel           *SetLoggingLevelCall           `json:"set_logging_level,omitempty"`
	ListFiles                 *ListFilesCall                 `json:"list_files,omitempty"`
	ReadFile                  *ReadFileCall                  `json:"read_file,omitempty"`
	UpdateWeights             *UpdateWeightsCall             `json:"update_weights,omitempty"`
	ReserveResources          *ReserveResourcesCall          `json:"reserve_resources,omitempty"`
	UnreserveResources        *UnreserveResourcesCall        `json:"unreserve_resources,omitempty"`
	CreateVolumes             *VolumesCall                   `json:"create_volumes,omitempty"`
	DestroyVolumes            *VolumesCall                   `json:"destroy_volumes,omitempty"`
	GrowVolume                *GrowVolumeCall                `json:"grow_volume,omitempty"`
	ShrinkVolume              *ShrinkVolumeCall              `json:"shrink_volume,omitempty"`
	UpdateMaintenanceSchedule *UpdateMaintenanceScheduleCall `json:"update_maintenance_schedule,omitempty"`
	StartMaintenance          *MachinesCall                  `json:"start_maintenance,omitempty"`
	StopMaintenance           *MachinesCall                  `json:"stop_maintenance,omitempty"`
	DrainAgent                *DrainAgentCall                `json:"drain_agent,omitempty"`
	DeactivateAgent           *AgentCall                     `json:"deactivate_agent,omitempty"`
	ReactivateAgent           *AgentCall                     `json:"reactivate_agent,omitempty"`
	UpdateQuota               *UpdateQuotaCall               `json:"update_quota,omitempty"`
	Teardown                  *TeardownFramework             `json:"teardown,omitempty"`
	MarkAgentGone             *AgentCall                     `json:"mark_agent_gone,omitempty"`
	SetQuota                  *SetQuotaCall                  `json:"set_quota,omitempty"`
	RemoveQuota               *RemoveQuotaCall               `json:"remove_quota,omitempty"`
}

// TeardownFramework is the operator TEARDOWN payload: it removes a
// framework, killing its tasks.
type TeardownFramework struct {
	FrameworkID FrameworkID `json:"framework_id"`
}

// OperatorResponse is the answer to a synchronous operator call; the field
// named after Type is set.
type OperatorResponse struct {
	Type                   OperatorCallType                `json:"type"`
	GetHealth              *GetHealthResponse              `json:"get_health,omitempty"`
	GetFlags               *GetFlagsResponse               `json:"get_flags,omitempty"`
	GetVersion             *GetVersionResponse             `json:"get_version,omitempty"`
	GetMetrics             *GetMetricsResponse             `json:"get_metrics,omitempty"`
	GetLoggingLevel        *GetLoggingLevelResponse        `json:"get_logging_level,omitempty"`
	ListFiles              *ListFilesResponse              `json:"list_files,omitempty"`
	ReadFile               *ReadFileResponse               `json:"read_file,omitempty"`
	GetState               *GetStateResponse               `json:"get_state,omitempty"`
	GetAgents              *GetAgentsResponse              `json:"get_agents,omitempty"`
	GetFrameworks          *GetFrameworksResponse          `json:"get_frameworks,omitempty"`
	GetExecutors           *GetExecutorsResponse           `json:"get_executors,omitempty"`
	GetOperations          *GetOperationsResponse          `json:"get_operations,omitempty"`
	GetTasks               *GetTasksResponse               `json:"get_tasks,omitempty"`
	GetRoles               *GetRolesResponse               `json:"get_roles,omitempty"`
	GetWeights             *GetWeightsResponse             `json:"get_weights,omitempty"`
	GetMaster              *GetMasterResponse              `json:"get_master,omitempty"`
	GetMaintenanceStatus   *GetMaintenanceStatusResponse   `json:"get_maintenance_status,omitempty"`
	GetMaintenanceSchedule *GetMaintenanceScheduleResponse `json:"get_maintenance_schedule,omitempty"`
	GetQuota               *GetQuotaResponse               `json:"get_quota,omitempty"`
}

// GetHealthResponse says whether the master is healthy.
type GetHealthResponse struct {
	Healthy bool `json:"healthy"`
}

// GetVersionResponse carries the master's version.
type GetVersionResponse struct {
	VersionInfo VersionInfo `json:"version_info"`
}

// VersionInfo is a Mesos build's version and provenance.
type VersionInfo struct {
	Version   string  `json:"version"`
	BuildDate string  `json:"build_date,omitempty"`
	BuildTime float64 `json:"build_time,omitempty"`
	BuildUser string  `json:"build_user,omitempty"`
	GitSHA    string  `json:"git_sha,omitempty"`
	GitBranch string  `json:"git_branch,omitempty"`
	GitTag    string  `json:"git_tag,omitempty"`
}

// GetMasterResponse describes the master answering.
type GetMasterResponse struct {
	MasterInfo  MasterInfo `json:"master_info"`
	StartTime   float64    `json:"start_time,omitempty"`
	ElectedTime float64    `json:"elected_time,omitempty"`
}

// GetStateResponse is the whole cluster state in one answer.
type GetStateResponse struct {
	GetTasks      GetTasksResponse      `json:"get_tasks"`
	GetExecutors  GetExecutorsResponse  `json:"get_executors"`
	GetFrameworks GetFrameworksResponse `json:"get_frameworks"`
	GetAgents     GetAgentsResponse     `json:"get_agents"`
}

// GetAgentsResponse lists the registered agents.
type GetAgentsResponse struct {
	Agents          []AgentState `json:"agents"`
	RecoveredAgents []AgentInfo  `json:"recovered_agents"`
}

// AgentState is one agent as the operator API describes it (the proto's
// GetAgents.Agent).
type AgentState struct {
	AgentInfo          AgentInfo         `json:"agent_info"`
	Active             bool              `json:"active"`
	Deactivated        bool              `json:"deactivated"`
	Version            string            `json:"version"`
	PID                string            `json:"pid,omitempty"`
	RegisteredTime     *TimeInfo         `json:"registered_time,omitempty"`
	ReregisteredTime   *TimeInfo         `json:"reregistered_time,omitempty"`
	TotalResources     Resources         `json:"total_resources,omitempty"`
	AllocatedResources Resources         `json:"allocated_resources,omitempty"`
	OfferedResources   Resources         `json:"offered_resources,omitempty"`
	Capabilities       []AgentCapability `json:"capabilities,omitempty"`
	DrainInfo          *DrainInfo        `json:"drain_info,omitempty"`
	// EstimatedDrainStartTime is when the agent's maintenance window
	// starts, if one is scheduled.
	EstimatedDrainStartTime *TimeInfo `json:"estimated_drain_start_time,omitempty"`
}

// AgentInfo describes an agent: where it is and what it has.
type AgentInfo struct {
	Hostname   string      `json:"hostname"`
	Port       int32       `json:"port,omitempty"`
	Resources  Resources   `json:"resources,omitempty"`
	Attributes []Attribute `json:"attributes,omitempty"`
	ID         *AgentID    `json:"id,omitempty"`
	Domain     *DomainInfo `json:"domain,omitempty"`
	// Checkpoint is true in the master's record of an agent (agents always
	// checkpoint since Mesos 1.4); the agent's own record leaves it out.
	Checkpoint bool `json:"checkpoint,omitempty"`
}

// AgentCapability is one capability an agent announces.
type AgentCapability struct {
	Type string `json:"type"`
}

// GetFrameworksResponse lists frameworks.
type GetFrameworksResponse struct {
	Frameworks          []FrameworkState `json:"frameworks"`
	CompletedFrameworks []FrameworkState `json:"completed_frameworks"`
}

// FrameworkState is one framework as the operator API describes it (the
// proto's GetFrameworks.Framework).
type FrameworkState struct {
	FrameworkInfo      FrameworkInfo  `json:"framework_info"`
	Active             bool           `json:"active"`
	Connected          bool           `json:"connected"`
	Recovered          bool           `json:"recovered"`
	RegisteredTime     *TimeInfo      `json:"registered_time,omitempty"`
	ReregisteredTime   *TimeInfo      `json:"reregistered_time,omitempty"`
	UnregisteredTime   *TimeInfo      `json:"unregistered_time,omitempty"`
	Offers             []Offer        `json:"offers,omitempty"`
	InverseOffers      []InverseOffer `json:"inverse_offers,omitempty"`
	AllocatedResources Resources      `json:"allocated_resources,omitempty"`
	OfferedResources   Resources      `json:"offered_resources,omitempty"`
	// OfferConstraints are the framework's, {} when it has none.
	OfferConstraints *OfferConstraints `json:"offer_constraints,omitempty"`
}

// GetExecutorsResponse lists executors.
type GetExecutorsResponse struct {
	Executors []ExecutorState `json:"executors"`
}

// ExecutorState is one executor and the agent it runs on.
type ExecutorState struct {
	ExecutorInfo ExecutorInfo `json:"executor_info"`
	AgentID      AgentID      `json:"agent_id"`
}

// GetTasksResponse lists tasks: running, unreachable and completed.
type GetTasksResponse struct {
	Tasks            []Task `json:"tasks"`
	UnreachableTasks []Task `json:"unreachable_tasks"`
	CompletedTasks   []Task `json:"completed_tasks"`
}

// Task is a task as the master knows it. State is the latest state the
// agent reported; StatusUpdateState and Statuses follow acknowledgements.
type Task struct {
	Name              string                 `json:"name"`
	TaskID            TaskID                 `json:"task_id"`
	FrameworkID       FrameworkID            `json:"framework_id"`
	ExecutorID        *ExecutorID            `json:"executor_id,omitempty"`
	AgentID           AgentID                `json:"agent_id"`
	State             TaskState              `json:"state"`
	Resources         Resources              `json:"resources,omitempty"`
	Statuses          []TaskStatus           `json:"statuses,omitempty"`
	StatusUpdateState TaskState              `json:"status_update_state,omitempty"`
	StatusUpdateUUID  []byte                 `json:"status_update_uuid,omitempty"`
	Labels            *Labels                `json:"labels,omitempty"`
	Discovery         *DiscoveryInfo         `json:"discovery,omitempty"`
	Container         *ContainerInfo         `json:"container,omitempty"`
	HealthCheck       *HealthCheck           `json:"health_check,omitempty"`
	KillPolicy        *KillPolicy            `json:"kill_policy,omitempty"`
	User              string                 `json:"user,omitempty"`
	Limits            map[string]ScalarValue `json:"limits,omitempty"`
}

// OperatorEventType names an operator event.
type OperatorEventType string

// Operator event types (master.proto Event.Type).
const (
	OperatorSubscribed OperatorEventType = "SUBSCRIBED"
	TaskAdded          OperatorEventType = "TASK_ADDED"
	TaskUpdated        OperatorEventType = "TASK_UPDATED"
	AgentAdded         OperatorEventType = "AGENT_ADDED"
	AgentRemoved       OperatorEventType = "AGENT_REMOVED"
	FrameworkAdded     OperatorEventType = "FRAMEWORK_ADDED"
	FrameworkUpdated   OperatorEventType = "FRAMEWORK_UPDATED"
	FrameworkRemoved   OperatorEventType = "FRAMEWORK_REMOVED"
	OperatorHeartbeat  OperatorEventType = "HEARTBEAT"
)

// OperatorEvent is one record of the operator SUBSCRIBE stream; the field
// named after Type is set.
type OperatorEvent struct {
	Type             OperatorEventType        `json:"type"`
	Subscribed       *OperatorSubscribedEvent `json:"subscribed,omitempty"`
	TaskAdded        *TaskAddedEvent          `json:"task_added,omitempty"`
	TaskUpdated      *TaskUpdatedEvent        `json:"task_updated,omitempty"`
	AgentAdded       *AgentAddedEvent         `json:"agent_added,omitempty"`
	AgentRemoved     *AgentRemovedEvent       `json:"agent_removed,omitempty"`
	FrameworkAdded   *FrameworkEvent          `json:"framework_added,omitempty"`
	FrameworkUpdated *FrameworkEvent          `json:"framework_updated,omitempty"`
	FrameworkRemoved *FrameworkRemovedEvent   `json:"framework_removed,omitempty"`
}

// OperatorSubscribedEvent opens the operator stream with the whole state.
type OperatorSubscribedEvent struct {
	GetState                 GetStateResponse `json:"get_state"`
	HeartbeatIntervalSeconds float64          `json:"heartbeat_interval_seconds,omitempty"`
}

// TaskAddedEvent reports a new task.
type TaskAddedEvent struct {
	Task Task `json:"task"`
}

// TaskUpdatedEvent reports a task's new state. Status is the latest
// acknowledged status and State the latest known state: they differ until
// the scheduler acknowledges.
type TaskUpdatedEvent struct {
	FrameworkID FrameworkID `json:"framework_id"`
	Status      TaskStatus  `json:"status"`
	State       TaskState   `json:"state"`
}

// AgentAddedEvent reports a new agent.
type AgentAddedEvent struct {
	Agent AgentState `json:"agent"`
}

// AgentRemovedEvent reports a removed agent.
type AgentRemovedEvent struct {
	AgentID AgentID `json:"agent_id"`
}

// FrameworkEvent reports a framework added or updated.
type FrameworkEvent struct {
	Framework FrameworkState `json:"framework"`
}

// FrameworkRemovedEvent reports a removed framework.
type FrameworkRemovedEvent struct {
	FrameworkInfo FrameworkInfo `json:"framework_info"`
}
