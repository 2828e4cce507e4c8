package localmesos

// The schema of the executor Call (include/mesos/v1/executor/executor.proto)
// and of the TaskStatus it carries (mesos.proto), for the checks in
// protojson.go, in declaration order.

var taskStates = []string{"TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_FINISHED",
	"TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_UNREACHABLE", "TASK_GONE",
	"TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN"}

var taskStatusReasons = []string{"REASON_COMMAND_EXECUTOR_FAILED", "REASON_CONTAINER_LAUNCH_FAILED",
	"REASON_CONTAINER_LIMITATION", "REASON_CONTAINER_LIMITATION_DISK", "REASON_CONTAINER_LIMITATION_MEMORY",
	"REASON_CONTAINER_PREEMPTED", "REASON_CONTAINER_UPDATE_FAILED", "REASON_MAX_COMPLETION_TIME_REACHED",
	"REASON_EXECUTOR_REGISTRATION_TIMEOUT", "REASON_EXECUTOR_REREGISTRATION_TIMEOUT", "REASON_EXECUTOR_TERMINATED",
	"REASON_EXECUTOR_UNREGISTERED", "REASON_FRAMEWORK_REMOVED", "REASON_GC_ERROR", "REASON_INVALID_FRAMEWORKID",
	"REASON_INVALID_OFFERS", "REASON_IO_SWITCHBOARD_EXITED", "REASON_MASTER_DISCONNECTED", "REASON_RECONCILIATION",
	"REASON_RESOURCES_UNKNOWN", "REASON_AGENT_DISCONNECTED", "REASON_AGENT_DRAINING", "REASON_AGENT_REMOVED",
	"REASON_AGENT_REMOVED_BY_OPERATOR", "REASON_AGENT_REREGISTERED", "REASON_AGENT_RESTARTED", "REASON_AGENT_UNKNOWN",
	"REASON_TASK_KILLED_DURING_LAUNCH", "REASON_TASK_CHECK_STATUS_UPDATED", "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED",
	"REASON_TASK_GROUP_INVALID", "REASON_TASK_GROUP_UNAUTHORIZED", "REASON_TASK_INVALID", "REASON_TASK_UNAUTHORIZED",
	"REASON_TASK_UNKNOWN"}

var taskStatusMsg = &message{name: "TaskStatus", fields: []field{
	reqMsg("task_id", idMsg),
	reqEnum("state", taskStates...),
	str("message"),
	enum("source", "SOURCE_MASTER", "SOURCE_AGENT", "SOURCE_EXECUTOR"),
	enum("reason", taskStatusReasons...),
	byts("data"),
	msg("agent_id", idMsg),
	msg("executor_id", idMsg),
	num("timestamp"),
	byts("uuid"),
	boolean("healthy"),
	any_("check_status"),
	msg("labels", labelsMsg),
	any_("container_status"),
	any_("unreachable_time"),
	any_("limitation"),
}}

var executorUpdateMsg = &message{name: "Call.Update", fields: []field{reqMsg("status", taskStatusMsg)}}

var executorCallMsg = &message{name: "Call", fields: []field{
	reqMsg("executor_id", idMsg),
	reqMsg("framework_id", idMsg),
	enum("type", "UNKNOWN", "SUBSCRIBE", "UPDATE", "MESSAGE", "HEARTBEAT"),
	msg("subscribe", &message{name: "Call.Subscribe", fields: []field{
		msgs("unacknowledged_tasks", taskMsg),
		msgs("unacknowledged_updates", executorUpdateMsg),
	}}),
	msg("update", executorUpdateMsg),
	msg("message", &message{name: "Call.Message", fields: []field{reqBytes("data")}}),
}}

// Field numbers where the declaration order is not the number order (see
// findMissing).
func init() {
	for name, n := range map[string]int{"task_id": 1, "state": 2, "data": 3, "message": 4, "agent_id": 5, "timestamp": 6,
		"executor_id": 7, "healthy": 8, "source": 9, "reason": 10, "uuid": 11, "labels": 12, "container_status": 13,
		"unreachable_time": 14, "check_status": 15, "limitation": 16} {
		taskStatusMsg.field(name).number = n
	}
}
