package localmesos

// The schemas of the operator API's calls, master.proto's and agent.proto's
// Call as they declare them, for the checks in protojson.go: a payload
// missing a required field is refused in protobuf's words ("Missing
// required fields: drain_agent.agent_id") before the call is validated.

// numbered gives a field its proto number, which orders the missing
// fields of sub-messages (see findMissing).
func numbered(n int, f field) field {
	f.number = n
	return f
}

var (
	durationInfoMsg = &message{name: "DurationInfo", fields: []field{reqInt("nanoseconds", numInt64)}}
	timeInfoMsg     = &message{name: "TimeInfo", fields: []field{reqInt("nanoseconds", numInt64)}}
	protoDuration   = &message{name: "google.protobuf.Duration", fields: []field{
		{name: "seconds", kind: kNumber, num: numInt64}, {name: "nanos", kind: kNumber, num: numInt64}}}
	machineIDMsg = &message{name: "MachineID", fields: []field{str("hostname"), str("ip")}}
	scheduleMsg  = &message{name: "maintenance.Schedule", fields: []field{
		msgs("windows", &message{name: "maintenance.Window", fields: []field{
			msgs("machine_ids", machineIDMsg),
			reqMsg("unavailability", &message{name: "Unavailability", fields: []field{
				reqMsg("start", timeInfoMsg), msg("duration", durationInfoMsg)}}),
		}}),
	}}
	scalarMap      = func(name string) field { return field{name: name, kind: kMap, msg: scalarMsg} }
	quotaConfigMsg = &message{name: "quota.QuotaConfig", fields: []field{reqStr("role"), scalarMap("guarantees"), scalarMap("limits")}}
	listFilesMsg   = &message{name: "ListFiles", fields: []field{reqStr("path")}}
	readFileMsg    = &message{name: "ReadFile", fields: []field{reqStr("path"), reqInt("offset", numUint64), {name: "length", kind: kNumber, num: numUint64}}}
	getMetricsMsg  = &message{name: "GetMetrics", fields: []field{msg("timeout", durationInfoMsg)}}
	setLoggingMsg  = &message{name: "SetLoggingLevel", fields: []field{reqInt("level", numUint32), reqMsg("duration", durationInfoMsg)}}
	agentIDOnly    = func(name string) *message {
		return &message{name: name, fields: []field{reqMsg("agent_id", idMsg)}}
	}
)

// masterCallTypes are master.proto's Call.Type names.
var masterCallTypes = []string{"UNKNOWN", "GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_METRICS", "GET_LOGGING_LEVEL",
	"SET_LOGGING_LEVEL", "LIST_FILES", "READ_FILE", "GET_STATE", "GET_AGENTS", "GET_FRAMEWORKS",
	"GET_EXECUTORS", "GET_OPERATIONS", "GET_TASKS", "GET_ROLES", "GET_WEIGHTS", "UPDATE_WEIGHTS",
	"GET_MASTER", "SUBSCRIBE", "RESERVE_RESOURCES", "UNRESERVE_RESOURCES", "CREATE_VOLUMES",
	"DESTROY_VOLUMES", "GROW_VOLUME", "SHRINK_VOLUME", "GET_MAINTENANCE_STATUS",
	"GET_MAINTENANCE_SCHEDULE", "UPDATE_MAINTENANCE_SCHEDULE", "START_MAINTENANCE", "STOP_MAINTENANCE",
	"DRAIN_AGENT", "DEACTIVATE_AGENT", "REACTIVATE_AGENT", "GET_QUOTA", "UPDATE_QUOTA", "SET_QUOTA",
	"REMOVE_QUOTA", "TEARDOWN", "MARK_AGENT_GONE"}

// operatorCallMsg is master.proto's Call.
var operatorCallMsg = &message{name: "master.Call", fields: []field{
	numbered(1, enum("type", masterCallTypes...)),
	numbered(2, msg("get_metrics", getMetricsMsg)),
	numbered(3, msg("set_logging_level", setLoggingMsg)),
	numbered(4, msg("list_files", listFilesMsg)),
	numbered(5, msg("read_file", readFileMsg)),
	numbered(6, msg("update_weights", &message{name: "UpdateWeights", fields: []field{
		msgs("weight_infos", &message{name: "WeightInfo", fields: []field{reqNum("weight"), str("role")}})}})),
	numbered(7, msg("reserve_resources", &message{name: "ReserveResources", fields: []field{
		reqMsg("agent_id", idMsg), msgs("resources", resourceMsg), msgs("source", resourceMsg)}})),
	numbered(8, msg("unreserve_resources", &message{name: "UnreserveResources", fields: []field{
		reqMsg("agent_id", idMsg), msgs("resources", resourceMsg)}})),
	numbered(9, msg("create_volumes", &message{name: "CreateVolumes", fields: []field{reqMsg("agent_id", idMsg), msgs("volumes", resourceMsg)}})),
	numbered(10, msg("destroy_volumes", &message{name: "DestroyVolumes", fields: []field{reqMsg("agent_id", idMsg), msgs("volumes", resourceMsg)}})),
	numbered(11, msg("update_maintenance_schedule", &message{name: "UpdateMaintenanceSchedule", fields: []field{reqMsg("schedule", scheduleMsg)}})),
	numbered(12, msg("start_maintenance", &message{name: "StartMaintenance", fields: []field{msgs("machines", machineIDMsg)}})),
	numbered(13, msg("stop_maintenance", &message{name: "StopMaintenance", fields: []field{msgs("machines", machineIDMsg)}})),
	numbered(14, msg("set_quota", &message{name: "SetQuota", fields: []field{reqMsg("quota_request", &message{name: "quota.QuotaRequest",
		fields: []field{boolean("force"), str("role"), msgs("guarantee", resourceMsg)}})}})),
	numbered(15, msg("remove_quota", &message{name: "RemoveQuota", fields: []field{reqStr("role")}})),
	numbered(16, msg("teardown", &message{name: "Teardown", fields: []field{reqMsg("framework_id", idMsg)}})),
	numbered(17, msg("mark_agent_gone", agentIDOnly("MarkAgentGone"))),
	numbered(18, msg("grow_volume", &message{name: "GrowVolume", fields: []field{
		msg("agent_id", idMsg), reqMsg("volume", resourceMsg), reqMsg("addition", resourceMsg)}})),
	numbered(19, msg("shrink_volume", &message{name: "ShrinkVolume", fields: []field{
		msg("agent_id", idMsg), reqMsg("volume", resourceMsg), reqMsg("subtract", scalarMsg)}})),
	numbered(20, msg("update_quota", &message{name: "UpdateQuota", fields: []field{boolean("force"), msgs("quota_configs", quotaConfigMsg)}})),
	numbered(21, msg("drain_agent", &message{name: "DrainAgent", fields: []field{
		reqMsg("agent_id", idMsg), msg("max_grace_period", protoDuration), boolean("mark_gone")}})),
	numbered(22, msg("deactivate_agent", agentIDOnly("DeactivateAgent"))),
	numbered(23, msg("reactivate_agent", agentIDOnly("ReactivateAgent"))),
}}

// masterPayload names the payload each master call must carry (those
// without one take none).
var masterPayload = map[string]string{
	"GET_METRICS": "get_metrics", "SET_LOGGING_LEVEL": "set_logging_level", "LIST_FILES": "list_files",
	"READ_FILE": "read_file", "UPDATE_WEIGHTS": "update_weights", "RESERVE_RESOURCES": "reserve_resources",
	"UNRESERVE_RESOURCES": "unreserve_resources", "CREATE_VOLUMES": "create_volumes",
	"DESTROY_VOLUMES": "destroy_volumes", "GROW_VOLUME": "grow_volume", "SHRINK_VOLUME": "shrink_volume",
	"UPDATE_MAINTENANCE_SCHEDULE": "update_maintenance_schedule", "START_MAINTENANCE": "start_maintenance",
	"STOP_MAINTENANCE": "stop_maintenance", "DRAIN_AGENT": "drain_agent", "DEACTIVATE_AGENT": "deactivate_agent",
	"REACTIVATE_AGENT": "reactivate_agent", "UPDATE_QUOTA": "update_quota", "SET_QUOTA": "set_quota",
	"REMOVE_QUOTA": "remove_quota", "TEARDOWN": "teardown", "MARK_AGENT_GONE": "mark_agent_gone",
}

// agentCallTypes are agent.proto's Call.Type names.
var agentCallTypes = []string{"UNKNOWN", "GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_METRICS", "GET_LOGGING_LEVEL",
	"SET_LOGGING_LEVEL", "LIST_FILES", "READ_FILE", "GET_STATE", "GET_CONTAINERS", "GET_FRAMEWORKS",
	"GET_EXECUTORS", "GET_OPERATIONS", "GET_TASKS", "GET_AGENT", "GET_RESOURCE_PROVIDERS",
	"LAUNCH_NESTED_CONTAINER", "WAIT_NESTED_CONTAINER", "KILL_NESTED_CONTAINER", "REMOVE_NESTED_CONTAINER",
	"LAUNCH_NESTED_CONTAINER_SESSION", "ATTACH_CONTAINER_INPUT", "ATTACH_CONTAINER_OUTPUT", "LAUNCH_CONTAINER",
	"WAIT_CONTAINER", "KILL_CONTAINER", "REMOVE_CONTAINER", "ADD_RESOURCE_PROVIDER_CONFIG",
	"UPDATE_RESOURCE_PROVIDER_CONFIG", "REMOVE_RESOURCE_PROVIDER_CONFIG", "MARK_RESOURCE_PROVIDER_GONE", "PRUNE_IMAGES"}

// containerIDMsg is ContainerID, whose parent is a ContainerID (see init).
var containerIDMsg = &message{name: "ContainerID", fields: []field{reqStr("value")}}

func containerOnly(name string, extra ...field) *message {
	return &message{name: name, fields: append([]field{reqMsg("container_id", containerIDMsg)}, extra...)}
}

var (
	signalField   = field{name: "signal", kind: kNumber, num: numInt64}
	launchNested  = &message{name: "LaunchNestedContainer", fields: []field{reqMsg("container_id", containerIDMsg), msg("command", commandMsg), msg("container", containerMsg)}}
	rpInfoMsg     = &message{name: "ResourceProviderInfo", fields: []field{msg("id", idMsg), anys("attributes"), reqStr("type"), reqStr("name"), anys("default_reservations"), any_("storage")}}
	agentCallMsg  = &message{name: "agent.Call"}
	agentPayloads = map[string]string{
		"GET_METRICS": "get_metrics", "SET_LOGGING_LEVEL": "set_logging_level", "LIST_FILES": "list_files",
		"READ_FILE": "read_file", "LAUNCH_NESTED_CONTAINER": "launch_nested_container",
		"WAIT_NESTED_CONTAINER": "wait_nested_container", "KILL_NESTED_CONTAINER": "kill_nested_container",
		"REMOVE_NESTED_CONTAINER": "remove_nested_container", "LAUNCH_NESTED_CONTAINER_SESSION": "launch_nested_container_session",
		"ATTACH_CONTAINER_INPUT": "attach_container_input", "ATTACH_CONTAINER_OUTPUT": "attach_container_output",
		"LAUNCH_CONTAINER": "launch_container", "WAIT_CONTAINER": "wait_container", "KILL_CONTAINER": "kill_container",
		"REMOVE_CONTAINER": "remove_container", "ADD_RESOURCE_PROVIDER_CONFIG": "add_resource_provider_config",
		"UPDATE_RESOURCE_PROVIDER_CONFIG": "update_resource_provider_config",
		"REMOVE_RESOURCE_PROVIDER_CONFIG": "remove_resource_provider_config",
		"MARK_RESOURCE_PROVIDER_GONE":     "mark_resource_provider_gone",
	}
)

func init() {
	containerIDMsg.fields = append(containerIDMsg.fields, msg("parent", containerIDMsg))
	agentCallMsg.fields = []field{
		numbered(1, enum("type", agentCallTypes...)),
		numbered(2, msg("get_metrics", getMetricsMsg)),
		numbered(3, msg("set_logging_level", setLoggingMsg)),
		numbered(4, msg("list_files", listFilesMsg)),
		numbered(5, msg("read_file", readFileMsg)),
		numbered(6, msg("launch_nested_container", launchNested)),
		numbered(7, msg("wait_nested_container", containerOnly("WaitNestedContainer"))),
		numbered(8, msg("kill_nested_container", containerOnly("KillNestedContainer", signalField))),
		numbered(9, msg("launch_nested_container_session", launchNested)),
		numbered(10, msg("attach_container_input", &message{name: "AttachContainerInput", fields: []field{
			enum("type", "UNKNOWN", "CONTAINER_ID", "PROCESS_IO"), msg("container_id", containerIDMsg), any_("process_io")}})),
		numbered(11, msg("attach_container_output", containerOnly("AttachContainerOutput"))),
		numbered(12, msg("remove_nested_container", containerOnly("RemoveNestedContainer"))),
		numbered(13, msg("launch_container", &message{name: "LaunchContainer", fields: []field{
			reqMsg("container_id", containerIDMsg), msg("command", commandMsg), msgs("resources", resourceMsg),
			msg("container", containerMsg), {name: "limits", kind: kMap, msg: scalarMsg}}})),
		numbered(14, msg("wait_container", containerOnly("WaitContainer"))),
		numbered(15, msg("kill_container", containerOnly("KillContainer", signalField))),
		numbered(16, msg("remove_container", containerOnly("RemoveContainer"))),
		numbered(17, msg("add_resource_provider_config", &message{name: "AddResourceProviderConfig", fields: []field{reqMsg("info", rpInfoMsg)}})),
		numbered(18, msg("update_resource_provider_config", &message{name: "UpdateResourceProviderConfig", fields: []field{reqMsg("info", rpInfoMsg)}})),
		numbered(19, msg("remove_resource_provider_config", &message{name: "RemoveResourceProviderConfig", fields: []field{reqStr("type"), reqStr("name")}})),
		numbered(20, msg("get_containers", &message{name: "GetContainers", fields: []field{boolean("show_nested"), boolean("show_standalone")}})),
		numbered(21, msg("prune_images", &message{name: "PruneImages", fields: []field{msgs("excluded_images", imageMsg)}})),
		numbered(22, msg("mark_resource_provider_gone", &message{name: "MarkResourceProviderGone", fields: []field{reqMsg("resource_provider_id", idMsg)}})),
	}
}
