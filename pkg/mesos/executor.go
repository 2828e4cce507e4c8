package mesos

// The executor API (include/mesos/v1/executor/executor.proto): what an
// executor posts to /api/v1/executor on its agent, and the events the agent
// streams back on the SUBSCRIBE answer. The names carry an Executor prefix
// where the scheduler API already uses the plain one (Call, Event, Message).

// ExecutorCallType names an executor call.
type ExecutorCallType string

// Executor call types (executor.proto Call.Type).
const (
	ExecutorCallSubscribe ExecutorCallType = "SUBSCRIBE"
	ExecutorCallUpdate    ExecutorCallType = "UPDATE"
	ExecutorCallMessage   ExecutorCallType = "MESSAGE"
	ExecutorCallHeartbeat ExecutorCallType = "HEARTBEAT"
)

// ExecutorCall is the body of every POST to /api/v1/executor. Both ids are
// required on every call, SUBSCRIBE included: the executor takes them from
// MESOS_EXECUTOR_ID and MESOS_FRAMEWORK_ID.
type ExecutorCall struct {
	ExecutorID  ExecutorID       `json:"executor_id"`
	FrameworkID FrameworkID      `json:"framework_id"`
	Type        ExecutorCallType `json:"type"`

	Subscribe *ExecutorSubscribe `json:"subscribe,omitempty"`
	Update    *ExecutorUpdate    `json:"update,omitempty"`
	Message   *ExecutorData      `json:"message,omitempty"`
}

// ExecutorSubscribe opens the executor's event stream. After a
// disconnection the executor re-sends what the agent may have missed:
// the tasks it was given whose updates were never acknowledged, and the
// updates themselves.
type ExecutorSubscribe struct {
	UnacknowledgedTasks   []TaskInfo       `json:"unacknowledged_tasks,omitempty"`
	UnacknowledgedUpdates []ExecutorUpdate `json:"unacknowledged_updates,omitempty"`
}

// ExecutorUpdate carries a status update of one of the executor's tasks.
// The agent refuses it (400) unless Status has a valid uuid, source
// SOURCE_EXECUTOR and a state other than TASK_STAGING. The same shape is
// an element of ExecutorSubscribe.UnacknowledgedUpdates: {"status": {...}}
// (the upstream docs show another, which Mesos does not read).
type ExecutorUpdate struct {
	Status TaskStatus `json:"status"`
}

// ExecutorData is the payload of MESSAGE both ways: opaque bytes from the
// executor to its framework (a call) or from the framework to the
// executor (an event), delivered best effort.
type ExecutorData struct {
	Data []byte `json:"data"`
}

// ExecutorEventType names an executor event.
type ExecutorEventType string

// Executor event types (executor.proto Event.Type).
const (
	ExecutorEventSubscribed   ExecutorEventType = "SUBSCRIBED"
	ExecutorEventLaunch       ExecutorEventType = "LAUNCH"
	ExecutorEventLaunchGroup  ExecutorEventType = "LAUNCH_GROUP"
	ExecutorEventKill         ExecutorEventType = "KILL"
	ExecutorEventAcknowledged ExecutorEventType = "ACKNOWLEDGED"
	ExecutorEventMessage      ExecutorEventType = "MESSAGE"
	ExecutorEventError        ExecutorEventType = "ERROR"
	ExecutorEventShutdown     ExecutorEventType = "SHUTDOWN"
	ExecutorEventHeartbeat    ExecutorEventType = "HEARTBEAT"
)

// ExecutorEvent is one record of the executor's SUBSCRIBE stream. The
// payload named after Type is set; SHUTDOWN and HEARTBEAT have none.
type ExecutorEvent struct {
	Type ExecutorEventType `json:"type"`

	Subscribed   *ExecutorSubscribed   `json:"subscribed,omitempty"`
	Acknowledged *ExecutorAcknowledged `json:"acknowledged,omitempty"`
	Launch       *ExecutorLaunch       `json:"launch,omitempty"`
	LaunchGroup  *ExecutorLaunchGroup  `json:"launch_group,omitempty"`
	Kill         *ExecutorKill         `json:"kill,omitempty"`
	Message      *ExecutorData         `json:"message,omitempty"`
	Error        *ExecutorErrorEvent   `json:"error,omitempty"`
}

// ExecutorSubscribed is the first event of the stream: who the executor
// is, for which framework, on which agent, in which container.
type ExecutorSubscribed struct {
	ExecutorInfo  ExecutorInfo  `json:"executor_info"`
	FrameworkInfo FrameworkInfo `json:"framework_info"`
	AgentInfo     AgentInfo     `json:"agent_info"`
	ContainerID   *ContainerID  `json:"container_id,omitempty"`
}

// ExecutorLaunch gives the executor a task to run. It answers with an
// UPDATE (TASK_STARTING or TASK_RUNNING, or a terminal state).
type ExecutorLaunch struct {
	Task TaskInfo `json:"task"`
}

// ExecutorLaunchGroup gives the executor a group of tasks to run together.
type ExecutorLaunchGroup struct {
	TaskGroup TaskGroupInfo `json:"task_group"`
}

// ExecutorKill asks the executor to kill a task and send its terminal
// update. KillPolicy, when set, overrides the task's own.
type ExecutorKill struct {
	TaskID     TaskID      `json:"task_id"`
	KillPolicy *KillPolicy `json:"kill_policy,omitempty"`
}

// ExecutorAcknowledged tells the executor the agent has taken an update
// over: the agent now delivers it reliably, and the executor must not send
// it again.
type ExecutorAcknowledged struct {
	TaskID TaskID `json:"task_id"`
	UUID   []byte `json:"uuid"`
}

// ExecutorErrorEvent reports an asynchronous error; the executor should
// give up and subscribe again.
type ExecutorErrorEvent struct {
	Message string `json:"message"`
}

// Status update reasons of executors' tasks, beside those in status.go.
const (
	ReasonAgentRestarted                = "REASON_AGENT_RESTARTED"
	ReasonExecutorRegistrationTimeout   = "REASON_EXECUTOR_REGISTRATION_TIMEOUT"
	ReasonExecutorReregistrationTimeout = "REASON_EXECUTOR_REREGISTRATION_TIMEOUT"
)
