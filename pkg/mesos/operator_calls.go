package mesos

// The payloads of the master's operator calls (master.proto Call), one
// per call that takes one. The field named after the call's type carries
// it: {"type":"DRAIN_AGENT","drain_agent":{"agent_id":{"value":"..."}}}.

// More operator call types: every one master.proto has.
const (
	GetFlags                  OperatorCallType = "GET_FLAGS"
	GetMetrics                OperatorCallType = "GET_METRICS"
	GetLoggingLevel           OperatorCallType = "GET_LOGGING_LEVEL"
	SetLoggingLevel           OperatorCallType = "SET_LOGGING_LEVEL"
	ListFiles                 OperatorCallType = "LIST_FILES"
	ReadFile                  OperatorCallType = "READ_FILE"
	GetOperations             OperatorCallType = "GET_OPERATIONS"
	GetRoles                  OperatorCallType = "GET_ROLES"
	GetWeights                OperatorCallType = "GET_WEIGHTS"
	UpdateWeights             OperatorCallType = "UPDATE_WEIGHTS"
	ReserveResources          OperatorCallType = "RESERVE_RESOURCES"
	UnreserveResources        OperatorCallType = "UNRESERVE_RESOURCES"
	CreateVolumes             OperatorCallType = "CREATE_VOLUMES"
	DestroyVolumes            OperatorCallType = "DESTROY_VOLUMES"
	GrowVolume                OperatorCallType = "GROW_VOLUME"
	ShrinkVolume              OperatorCallType = "SHRINK_VOLUME"
	GetMaintenanceStatus      OperatorCallType = "GET_MAINTENANCE_STATUS"
	GetMaintenanceSchedule    OperatorCallType = "GET_MAINTENANCE_SCHEDULE"
	UpdateMaintenanceSchedule OperatorCallType = "UPDATE_MAINTENANCE_SCHEDULE"
	StartMaintenance          OperatorCallType = "START_MAINTENANCE"
	StopMaintenance           OperatorCallType = "STOP_MAINTENANCE"
	DrainAgent                OperatorCallType = "DRAIN_AGENT"
	DeactivateAgent           OperatorCallType = "DEACTIVATE_AGENT"
	ReactivateAgent           OperatorCallType = "REACTIVATE_AGENT"
	GetQuota                  OperatorCallType = "GET_QUOTA"
	UpdateQuota               OperatorCallType = "UPDATE_QUOTA"
	SetQuota                  OperatorCallType = "SET_QUOTA"
	RemoveQuota               OperatorCallType = "REMOVE_QUOTA"
	MarkAgentGone             OperatorCallType = "MARK_AGENT_GONE"
	OperatorUnknown           OperatorCallType = "UNKNOWN"
)

// GetMetricsCall asks for the metrics; Timeout bounds how long the master
// waits for slow ones.
type GetMetricsCall struct {
	Timeout *DurationInfo `json:"timeout,omitempty"`
}

// SetLoggingLevelCall raises the verbosity (glog's VLOG level) for a while;
// it falls back to the configured level after Duration.
type SetLoggingLevelCall struct {
	Level    uint32       `json:"level"`
	Duration DurationInfo `json:"duration"`
}

// ListFilesCall lists a folder served by /files: a sandbox, /master/log.
type ListFilesCall struct {
	Path string `json:"path"`
}

// ReadFileCall reads a file served by /files from Offset, at most Length
// bytes (and never more than 64 KiB at once); a nil Length reads to the end.
type ReadFileCall struct {
	Path   string  `json:"path"`
	Offset uint64  `json:"offset"`
	Length *uint64 `json:"length,omitempty"`
}

// WeightInfo is a role's weight: its fair share relative to other roles'.
type WeightInfo struct {
	Weight float64 `json:"weight"`
	Role   string  `json:"role,omitempty"`
}

// UpdateWeightsCall sets roles' weights.
type UpdateWeightsCall struct {
	WeightInfos []WeightInfo `json:"weight_infos,omitempty"`
}

// ReserveResourcesCall reserves resources of an agent for a role (each
// resource's Reservations name it). Source, when set, is what is reserved
// from (for reservation refinement).
type ReserveResourcesCall struct {
	AgentID   AgentID   `json:"agent_id"`
	Source    Resources `json:"source,omitempty"`
	Resources Resources `json:"resources,omitempty"`
}

// UnreserveResourcesCall gives reserved resources of an agent back.
type UnreserveResourcesCall struct {
	AgentID   AgentID   `json:"agent_id"`
	Resources Resources `json:"resources,omitempty"`
}

// VolumesCall creates or destroys persistent volumes on an agent
// (CREATE_VOLUMES, DESTROY_VOLUMES).
type VolumesCall struct {
	AgentID AgentID   `json:"agent_id"`
	Volumes Resources `json:"volumes,omitempty"`
}

// GrowVolumeCall grows a persistent volume by Addition.
type GrowVolumeCall struct {
	AgentID  *AgentID `json:"agent_id,omitempty"`
	Volume   Resource `json:"volume"`
	Addition Resource `json:"addition"`
}

// ShrinkVolumeCall shrinks a persistent volume by Subtract.
type ShrinkVolumeCall struct {
	AgentID  *AgentID    `json:"agent_id,omitempty"`
	Volume   Resource    `json:"volume"`
	Subtract ScalarValue `json:"subtract"`
}

// UpdateMaintenanceScheduleCall replaces the maintenance schedule.
type UpdateMaintenanceScheduleCall struct {
	Schedule MaintenanceSchedule `json:"schedule"`
}

// MachinesCall names machines to take down (START_MAINTENANCE) or bring
// back up (STOP_MAINTENANCE).
type MachinesCall struct {
	Machines []MachineID `json:"machines,omitempty"`
}

// Duration is google.protobuf.Duration, as DRAIN_AGENT takes its grace
// period.
type Duration struct {
	Seconds int64 `json:"seconds,omitempty"`
	Nanos   int32 `json:"nanos,omitempty"`
}

// DrainAgentCall drains an agent: no more offers from it, its tasks
// killed (within MaxGracePeriod when set), and with MarkGone the agent is
// then marked gone.
type DrainAgentCall struct {
	AgentID        AgentID   `json:"agent_id"`
	MaxGracePeriod *Duration `json:"max_grace_period,omitempty"`
	MarkGone       bool      `json:"mark_gone,omitempty"`
}

// AgentCall names one agent: DEACTIVATE_AGENT, REACTIVATE_AGENT,
// MARK_AGENT_GONE.
type AgentCall struct {
	AgentID AgentID `json:"agent_id"`
}

// QuotaConfig is a role's quota: guarantees it is sure to get and limits
// it never exceeds, by resource name (cpus, mem, disk...).
type QuotaConfig struct {
	Role       string                 `json:"role"`
	Guarantees map[string]ScalarValue `json:"guarantees,omitempty"`
	Limits     map[string]ScalarValue `json:"limits,omitempty"`
}

// UpdateQuotaCall sets roles' quotas; Force skips the capacity checks.
type UpdateQuotaCall struct {
	Force        bool          `json:"force,omitempty"`
	QuotaConfigs []QuotaConfig `json:"quota_configs,omitempty"`
}

// QuotaRequest is the deprecated SET_QUOTA's request: guarantees only.
type QuotaRequest struct {
	Force     bool      `json:"force,omitempty"`
	Role      string    `json:"role,omitempty"`
	Guarantee Resources `json:"guarantee,omitempty"`
}

// SetQuotaCall is the deprecated SET_QUOTA.
type SetQuotaCall struct {
	QuotaRequest QuotaRequest `json:"quota_request"`
}

// RemoveQuotaCall is the deprecated REMOVE_QUOTA.
type RemoveQuotaCall struct {
	Role string `json:"role"`
}
