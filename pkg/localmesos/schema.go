package localmesos

// The schema of the scheduler Call as scheduler.proto and mesos.proto
// declare it, in field order, for the checks in protojson.go. Messages the
// stand-in never looks inside (health checks, discovery, volumes' sources)
// are kAny: they must be objects, nothing more.

func str(name string) field    { return field{name: name, kind: kString} }
func reqStr(name string) field { return field{name: name, kind: kString, required: true} }
func strs(name string) field   { return field{name: name, kind: kString, repeated: true} }
func num(name string) field    { return field{name: name, kind: kNumber} }
func reqNum(name string) field { return field{name: name, kind: kNumber, required: true} }
func reqInt(name string, t numType) field {
	return field{name: name, kind: kNumber, num: t, required: true}
}
func boolean(name string) field         { return field{name: name, kind: kBool} }
func byts(name string) field            { return field{name: name, kind: kBytes} }
func reqBytes(name string) field        { return field{name: name, kind: kBytes, required: true} }
func any_(name string) field            { return field{name: name, kind: kAny} }
func anys(name string) field            { return field{name: name, kind: kAny, repeated: true} }
func msg(name string, m *message) field { return field{name: name, kind: kMessage, msg: m} }
func reqMsg(name string, m *message) field {
	return field{name: name, kind: kMessage, msg: m, required: true}
}
func msgs(name string, m *message) field {
	return field{name: name, kind: kMessage, msg: m, repeated: true}
}
func enum(name string, values ...string) field { return field{name: name, kind: kEnum, enum: values} }
func reqEnum(name string, values ...string) field {
	return field{name: name, kind: kEnum, enum: values, required: true}
}

var idMsg = &message{name: "ID", fields: []field{reqStr("value")}}

var scalarMsg = &message{name: "Value.Scalar", fields: []field{reqNum("value")}}

var rangeMsg = &message{name: "Value.Range", fields: []field{reqInt("begin", numUint64), reqInt("end", numUint64)}}

var labelsMsg = &message{name: "Labels", fields: []field{
	msgs("labels", &message{name: "Label", fields: []field{reqStr("key"), str("value")}}),
}}

var resourceMsg = &message{name: "Resource", fields: []field{
	reqStr("name"),
	reqEnum("type", "SCALAR", "RANGES", "SET", "TEXT"),
	msg("scalar", scalarMsg),
	msg("ranges", &message{name: "Value.Ranges", fields: []field{msgs("range", rangeMsg)}}),
	msg("set", &message{name: "Value.Set", fields: []field{strs("item")}}),
	str("role"),
	msg("allocation_info", &message{name: "AllocationInfo", fields: []field{str("role")}}),
	any_("reservation"),
	anys("reservations"),
	any_("disk"),
	any_("revocable"),
	any_("shared"),
	msg("provider_id", idMsg),
}}

var filtersMsg = &message{name: "Filters", fields: []field{num("refuse_seconds")}}

var imageMsg = &message{name: "Image", fields: []field{
	reqEnum("type", "APPC", "DOCKER"),
	any_("appc"),
	msg("docker", &message{name: "Image.Docker", fields: []field{reqStr("name"), any_("credential"), any_("config")}}),
	boolean("cached"),
}}

var portMappingMsg = &message{name: "PortMapping", fields: []field{reqInt("host_port", numUint32), reqInt("container_port", numUint32), str("protocol")}}

var commandMsg = &message{name: "CommandInfo", fields: []field{
	msgs("uris", &message{name: "CommandInfo.URI", fields: []field{reqStr("value"), boolean("executable"), boolean("extract"), boolean("cache"), str("output_file")}}),
	msg("environment", &message{name: "Environment", fields: []field{
		msgs("variables", &message{name: "Environment.Variable", fields: []field{reqStr("name"), enum("type", "UNKNOWN", "VALUE", "SECRET"), str("value"), any_("secret")}}),
	}}),
	boolean("shell"),
	str("value"),
	strs("arguments"),
	str("user"),
}}

var networkInfoMsg = &message{name: "NetworkInfo", fields: []field{anys("ip_addresses"), str("name"), strs("groups"), msg("labels", labelsMsg), msgs("port_mappings", portMappingMsg)}}

var containerMsg = &message{name: "ContainerInfo", fields: []field{
	reqEnum("type", "DOCKER", "MESOS"),
	msgs("volumes", &message{name: "Volume", fields: []field{enum("mode", "RW", "RO"), reqStr("container_path"), str("host_path"), msg("image", imageMsg), any_("source")}}),
	str("hostname"),
	msg("docker", &message{name: "ContainerInfo.DockerInfo", fields: []field{
		reqStr("image"),
		enum("network", "HOST", "BRIDGE", "NONE", "USER"),
		msgs("port_mappings", portMappingMsg),
		boolean("privileged"),
		msgs("parameters", &message{name: "Parameter", fields: []field{reqStr("key"), reqStr("value")}}),
		boolean("force_pull_image"),
		str("volume_driver"),
	}}),
	msg("mesos", &message{name: "ContainerInfo.MesosInfo", fields: []field{msg("image", imageMsg)}}),
	msgs("network_infos", networkInfoMsg),
	any_("linux_info"),
	any_("rlimit_info"),
	any_("tty_info"),
}}

var executorMsg = &message{name: "ExecutorInfo", fields: []field{
	enum("type", "UNKNOWN", "DEFAULT", "CUSTOM"),
	reqMsg("executor_id", idMsg),
	msg("framework_id", idMsg),
	msg("command", commandMsg),
	msg("container", containerMsg),
	msgs("resources", resourceMsg),
	str("name"),
	str("source"),
	byts("data"),
	any_("discovery"),
	any_("shutdown_grace_period"),
	msg("labels", labelsMsg),
}}

var taskMsg = &message{name: "TaskInfo", fields: []field{
	reqStr("name"),
	reqMsg("task_id", idMsg),
	reqMsg("agent_id", idMsg),
	msgs("resources", resourceMsg),
	msg("executor", executorMsg),
	msg("command", commandMsg),
	msg("container", containerMsg),
	any_("health_check"),
	any_("check"),
	msg("kill_policy", &message{name: "KillPolicy", fields: []field{msg("grace_period", &message{name: "DurationInfo", fields: []field{reqInt("nanoseconds", numInt64)}})}}),
	byts("data"),
	msg("labels", labelsMsg),
	any_("discovery"),
	any_("max_completion_time"),
	{name: "limits", kind: kMap, msg: scalarMsg},
}}

var operationMsg = &message{name: "Offer.Operation", fields: []field{
	enum("type", "UNKNOWN", "LAUNCH", "LAUNCH_GROUP", "RESERVE", "UNRESERVE", "CREATE", "DESTROY", "GROW_VOLUME", "SHRINK_VOLUME", "CREATE_DISK", "DESTROY_DISK"),
	msg("id", idMsg),
	msg("launch", &message{name: "Offer.Operation.Launch", fields: []field{msgs("task_infos", taskMsg)}}),
	msg("launch_group", &message{name: "Offer.Operation.LaunchGroup", fields: []field{
		reqMsg("executor", executorMsg),
		reqMsg("task_group", &message{name: "TaskGroupInfo", fields: []field{msgs("tasks", taskMsg)}}),
	}}),
	any_("reserve"), any_("unreserve"), any_("create"), any_("destroy"),
	any_("grow_volume"), any_("shrink_volume"), any_("create_disk"), any_("destroy_disk"),
}}

var frameworkInfoMsg = &message{name: "FrameworkInfo", fields: []field{
	reqStr("user"),
	reqStr("name"),
	msg("id", idMsg),
	num("failover_timeout"),
	boolean("checkpoint"),
	str("role"),
	strs("roles"),
	str("hostname"),
	str("principal"),
	str("webui_url"),
	msgs("capabilities", &message{name: "FrameworkInfo.Capability", fields: []field{enum("type",
		"UNKNOWN", "REVOCABLE_RESOURCES", "TASK_KILLING_STATE", "GPU_RESOURCES", "SHARED_RESOURCES",
		"PARTITION_AWARE", "MULTI_ROLE", "RESERVATION_REFINEMENT", "REGION_AWARE")}}),
	msg("labels", labelsMsg),
	{name: "offer_filters", kind: kMap, msg: &message{name: "OfferFilters", fields: []field{any_("min_allocatable_resources")}}},
}}

// callTypes are scheduler.proto's Call.Type names.
var callTypes = []string{"UNKNOWN", "SUBSCRIBE", "TEARDOWN", "ACCEPT", "DECLINE", "ACCEPT_INVERSE_OFFERS",
	"DECLINE_INVERSE_OFFERS", "REVIVE", "KILL", "SHUTDOWN", "ACKNOWLEDGE", "ACKNOWLEDGE_OPERATION_STATUS",
	"RECONCILE", "RECONCILE_OPERATIONS", "MESSAGE", "REQUEST", "SUPPRESS", "UPDATE_FRAMEWORK"}

var callMsg = &message{name: "Call", fields: []field{
	msg("framework_id", idMsg),
	enum("type", callTypes...),
	msg("subscribe", &message{name: "Call.Subscribe", fields: []field{
		reqMsg("framework_info", frameworkInfoMsg), strs("suppressed_roles"), any_("offer_constraints"),
	}}),
	msg("accept", &message{name: "Call.Accept", fields: []field{msgs("offer_ids", idMsg), msgs("operations", operationMsg), msg("filters", filtersMsg)}}),
	msg("decline", &message{name: "Call.Decline", fields: []field{msgs("offer_ids", idMsg), msg("filters", filtersMsg)}}),
	msg("accept_inverse_offers", &message{name: "Call.AcceptInverseOffers", fields: []field{msgs("inverse_offer_ids", idMsg), msg("filters", filtersMsg)}}),
	msg("decline_inverse_offers", &message{name: "Call.DeclineInverseOffers", fields: []field{msgs("inverse_offer_ids", idMsg), msg("filters", filtersMsg)}}),
	msg("revive", &message{name: "Call.Revive", fields: []field{strs("roles")}}),
	msg("kill", &message{name: "Call.Kill", fields: []field{reqMsg("task_id", idMsg), msg("agent_id", idMsg), any_("kill_policy")}}),
	msg("shutdown", &message{name: "Call.Shutdown", fields: []field{reqMsg("executor_id", idMsg), reqMsg("agent_id", idMsg)}}),
	msg("acknowledge", &message{name: "Call.Acknowledge", fields: []field{reqMsg("agent_id", idMsg), reqMsg("task_id", idMsg), reqBytes("uuid")}}),
	msg("acknowledge_operation_status", &message{name: "Call.AcknowledgeOperationStatus", fields: []field{msg("agent_id", idMsg), msg("resource_provider_id", idMsg), reqBytes("uuid"), reqMsg("operation_id", idMsg)}}),
	msg("reconcile", &message{name: "Call.Reconcile", fields: []field{msgs("tasks", &message{name: "Call.Reconcile.Task", fields: []field{reqMsg("task_id", idMsg), msg("agent_id", idMsg)}})}}),
	msg("reconcile_operations", &message{name: "Call.ReconcileOperations", fields: []field{msgs("operations", &message{name: "Call.ReconcileOperations.Operation", fields: []field{reqMsg("operation_id", idMsg), msg("agent_id", idMsg), msg("resource_provider_id", idMsg)}})}}),
	msg("message", &message{name: "Call.Message", fields: []field{reqMsg("agent_id", idMsg), reqMsg("executor_id", idMsg), reqBytes("data")}}),
	msg("request", &message{name: "Call.Request", fields: []field{msgs("requests", &message{name: "Request", fields: []field{msg("agent_id", idMsg), msgs("resources", resourceMsg)}})}}),
	msg("suppress", &message{name: "Call.Suppress", fields: []field{strs("roles")}}),
	msg("update_framework", &message{name: "Call.UpdateFramework", fields: []field{reqMsg("framework_info", frameworkInfoMsg), strs("suppressed_roles"), any_("offer_constraints")}}),
}}

// Field numbers of the messages whose sub-messages are not declared in
// number order: protobuf lists missing required fields of sub-messages in
// number order (see findMissing).
func init() {
	numbered := []struct {
		m    *message
		nums map[string]int
	}{
		{callMsg, map[string]int{"framework_id": 1, "subscribe": 3, "accept": 4, "decline": 5, "kill": 6, "shutdown": 7,
			"acknowledge": 8, "reconcile": 9, "message": 10, "request": 11, "accept_inverse_offers": 13,
			"decline_inverse_offers": 14, "revive": 15, "suppress": 16, "acknowledge_operation_status": 17,
			"reconcile_operations": 18, "update_framework": 19}},
		{taskMsg, map[string]int{"task_id": 2, "agent_id": 3, "resources": 4, "executor": 5, "command": 7,
			"health_check": 8, "container": 9, "labels": 10, "discovery": 11, "kill_policy": 12, "check": 13,
			"max_completion_time": 14, "limits": 15}},
		{executorMsg, map[string]int{"executor_id": 1, "resources": 5, "command": 7, "framework_id": 8,
			"container": 11, "discovery": 12, "shutdown_grace_period": 13, "labels": 14}},
		{resourceMsg, map[string]int{"scalar": 3, "ranges": 4, "set": 5, "disk": 7, "reservation": 8,
			"revocable": 9, "shared": 10, "allocation_info": 11, "provider_id": 12, "reservations": 13}},
		{operationMsg, map[string]int{"launch": 2, "reserve": 3, "unreserve": 4, "create": 5, "destroy": 6,
			"launch_group": 7, "id": 12, "grow_volume": 13, "shrink_volume": 14, "create_disk": 15, "destroy_disk": 16}},
		{networkInfoMsg, map[string]int{"labels": 4, "ip_addresses": 5, "port_mappings": 7}},
	}
	for _, n := range numbered {
		for i := range n.m.fields {
			n.m.fields[i].number = n.nums[n.m.fields[i].name]
		}
	}
}
