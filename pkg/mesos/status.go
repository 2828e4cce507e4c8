package mesos

// TaskState is where a task is in its life. The states and what they mean
// are in mesos.proto; Terminal tells the ones a task never leaves.
type TaskState string

// Task states. TASK_DROPPED, TASK_UNREACHABLE, TASK_GONE,
// TASK_GONE_BY_OPERATOR and TASK_UNKNOWN are only sent to PARTITION_AWARE
// frameworks, TASK_KILLING only to those with TASK_KILLING_STATE.
const (
	TaskStaging        TaskState = "TASK_STAGING"
	TaskStarting       TaskState = "TASK_STARTING"
	TaskRunning        TaskState = "TASK_RUNNING"
	TaskKilling        TaskState = "TASK_KILLING"
	TaskFinished       TaskState = "TASK_FINISHED"
	TaskFailed         TaskState = "TASK_FAILED"
	TaskKilled         TaskState = "TASK_KILLED"
	TaskError          TaskState = "TASK_ERROR"
	TaskLost           TaskState = "TASK_LOST"
	TaskDropped        TaskState = "TASK_DROPPED"
	TaskUnreachable    TaskState = "TASK_UNREACHABLE"
	TaskGone           TaskState = "TASK_GONE"
	TaskGoneByOperator TaskState = "TASK_GONE_BY_OPERATOR"
	TaskUnknown        TaskState = "TASK_UNKNOWN"
)

// Terminal reports whether the task will never change state again.
// TASK_LOST counts as terminal, as Mesos' own protobuf::isTerminalState
// does, although a partitioned agent may yet come back.
func (s TaskState) Terminal() bool {
	switch s {
	case TaskFinished, TaskFailed, TaskKilled, TaskError, TaskLost, TaskDropped, TaskGone, TaskGoneByOperator:
		return true
	}
	return false
}

// TaskStatus is one status update of a task, the payload of an UPDATE
// event. UUID is set only on updates the agent sends reliably: those, and
// only those, must be acknowledged.
type TaskStatus struct {
	TaskID          TaskID           `json:"task_id"`
	State           TaskState        `json:"state"`
	Message         string           `json:"message,omitempty"`
	Source          string           `json:"source,omitempty"`
	Reason          string           `json:"reason,omitempty"`
	Data            []byte           `json:"data,omitempty"`
	AgentID         *AgentID         `json:"agent_id,omitempty"`
	ExecutorID      *ExecutorID      `json:"executor_id,omitempty"`
	Timestamp       float64          `json:"timestamp,omitempty"`
	UUID            []byte           `json:"uuid,omitempty"`
	Healthy         *bool            `json:"healthy,omitempty"`
	Labels          *Labels          `json:"labels,omitempty"`
	ContainerStatus *ContainerStatus `json:"container_status,omitempty"`
	UnreachableTime *TimeInfo        `json:"unreachable_time,omitempty"`
	LimitationInfo  *struct {
		Resources Resources `json:"resources,omitempty"`
	} `json:"limitation,omitempty"`
}

// Status update sources.
const (
	SourceMaster   = "SOURCE_MASTER"
	SourceAgent    = "SOURCE_AGENT"
	SourceExecutor = "SOURCE_EXECUTOR"
)

// Status update reasons this project meets; mesos.proto has many more, and
// Reason is a plain string so any of them decodes.
const (
	ReasonCommandExecutorFailed        = "REASON_COMMAND_EXECUTOR_FAILED"
	ReasonContainerLaunchFailed        = "REASON_CONTAINER_LAUNCH_FAILED"
	ReasonExecutorTerminated           = "REASON_EXECUTOR_TERMINATED"
	ReasonFrameworkRemoved             = "REASON_FRAMEWORK_REMOVED"
	ReasonInvalidOffers                = "REASON_INVALID_OFFERS"
	ReasonReconciliation               = "REASON_RECONCILIATION"
	ReasonTaskInvalid                  = "REASON_TASK_INVALID"
	ReasonTaskGroupInvalid             = "REASON_TASK_GROUP_INVALID"
	ReasonTaskKilledDuringLaunch       = "REASON_TASK_KILLED_DURING_LAUNCH"
	ReasonTaskUnknown                  = "REASON_TASK_UNKNOWN"
	ReasonTaskHealthCheckStatusUpdated = "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"
	ReasonAgentRemoved                 = "REASON_AGENT_REMOVED"
	ReasonAgentDisconnected            = "REASON_AGENT_DISCONNECTED"
	ReasonAgentDraining                = "REASON_AGENT_DRAINING"
	ReasonAgentRemovedByOperator       = "REASON_AGENT_REMOVED_BY_OPERATOR"
)

// ContainerStatus tells where a task's container runs: its network
// addresses, its cgroup, the executor's pid.
type ContainerStatus struct {
	ContainerID  *ContainerID  `json:"container_id,omitempty"`
	NetworkInfos []NetworkInfo `json:"network_infos,omitempty"`
	ExecutorPID  uint32        `json:"executor_pid,omitempty"`
}

// OperationStatus is the status of an offer operation that had an id, the
// payload of UPDATE_OPERATION_STATUS.
type OperationStatus struct {
	OperationID        *OperationID        `json:"operation_id,omitempty"`
	State              string              `json:"state"`
	Message            string              `json:"message,omitempty"`
	ConvertedResources Resources           `json:"converted_resources,omitempty"`
	UUID               *UUID               `json:"uuid,omitempty"`
	AgentID            *AgentID            `json:"agent_id,omitempty"`
	ResourceProviderID *ResourceProviderID `json:"resource_provider_id,omitempty"`
}
