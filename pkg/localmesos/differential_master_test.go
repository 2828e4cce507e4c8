package localmesos_test

// The differential test's master operator calls (master.proto), each as
// Mesos validates it and, where the stand-in runs it, as it answers: the
// cases of Mesos' api_tests.cpp, master_quota_tests.cpp,
// master_maintenance_tests.cpp, master_drain_tests.cpp and
// reservation_endpoints_tests.cpp that a learner meets. What changes the
// cluster for good runs fresh (a real master and agent of its own).

import (
	"sort"
	"strings"
)

var _ = register("operator", masterPayloads()...)
var _ = register("operator", quiet(masterReads())...)
var _ = register("operator", masterRefusals()...)

// masterPayloadNames is each master call that needs a payload, and the
// payload's required fields (as the protobuf conversion names them).
var masterPayloadNames = map[string]string{
	"GET_METRICS": "", "SET_LOGGING_LEVEL": "set_logging_level.level, set_logging_level.duration",
	"LIST_FILES": "list_files.path", "READ_FILE": "read_file.path, read_file.offset", "UPDATE_WEIGHTS": "",
	"RESERVE_RESOURCES": "reserve_resources.agent_id", "UNRESERVE_RESOURCES": "unreserve_resources.agent_id",
	"CREATE_VOLUMES": "create_volumes.agent_id", "DESTROY_VOLUMES": "destroy_volumes.agent_id",
	"GROW_VOLUME": "grow_volume.volume, grow_volume.addition", "SHRINK_VOLUME": "shrink_volume.volume, shrink_volume.subtract",
	"UPDATE_MAINTENANCE_SCHEDULE": "update_maintenance_schedule.schedule", "START_MAINTENANCE": "", "STOP_MAINTENANCE": "",
	"DRAIN_AGENT": "drain_agent.agent_id", "DEACTIVATE_AGENT": "deactivate_agent.agent_id",
	"REACTIVATE_AGENT": "reactivate_agent.agent_id", "UPDATE_QUOTA": "", "SET_QUOTA": "set_quota.quota_request",
	"REMOVE_QUOTA": "remove_quota.role", "TEARDOWN": "teardown.framework_id", "MARK_AGENT_GONE": "mark_agent_gone.agent_id",
}

// masterPayloads: every call without its payload, and with an empty one
// (validation::master::call::validate, then the protobuf conversion).
func masterPayloads() []sequence {
	var types []string
	for t := range masterPayloadNames {
		types = append(types, t)
	}
	sort.Strings(types)
	var missing, empty []step
	for _, t := range types {
		missing = append(missing, operatorCall(t, `{"type":"`+t+`"}`))
		if masterPayloadNames[t] != "" {
			empty = append(empty, operatorCall(t, `{"type":"`+t+`","`+strings.ToLower(t)+`":{}}`))
		}
	}
	return []sequence{
		{name: "payload missing", steps: missing},
		{name: "payload empty", steps: empty},
	}
}

// learnerMetrics are the master's metrics a learner meets: the notebooks'
// and the operator docs' examples.
var learnerMetrics = []string{
	"master/uptime_secs", "master/elected", "master/frameworks_active", "master/frameworks_connected",
	"master/frameworks_inactive", "master/slaves_active", "master/slaves_connected", "master/outstanding_offers",
	"master/tasks_staging", "master/tasks_starting", "master/tasks_running", "master/tasks_finished",
	"master/tasks_killed", "master/tasks_failed", "master/tasks_lost", "master/tasks_gone_by_operator",
	"master/cpus_total", "master/cpus_used", "master/cpus_percent", "master/mem_total", "master/mem_used",
	"master/disk_total", "master/disk_used", "master/slave_registrations", "master/slave_removals",
	"master/valid_status_updates", "master/operator_event_stream_subscribers",
	"system/cpus_total", "system/load_1min", "system/mem_total_bytes", "system/mem_free_bytes",
}

// masterReads: the calls that read the master, on a master with no
// history.
func masterReads() []sequence {
	return []sequence{
		one("GET_FLAGS", operatorCall("call", `{"type":"GET_FLAGS"}`)),
		one("GET_METRICS", metrics("call", false, learnerMetrics...)),
		one("GET_METRICS timeout", operatorCall("call", `{"type":"GET_METRICS","get_metrics":{"timeout":{"nanoseconds":1000000000}}}`)),
		{name: "LOGGING_LEVEL", steps: []step{
			operatorCall("get", `{"type":"GET_LOGGING_LEVEL"}`),
			operatorCall("set", `{"type":"SET_LOGGING_LEVEL","set_logging_level":{"level":1,"duration":{"nanoseconds":1000000000}}}`),
			operatorCall("get again", `{"type":"GET_LOGGING_LEVEL"}`),
			operatorCall("set back", `{"type":"SET_LOGGING_LEVEL","set_logging_level":{"level":0,"duration":{"nanoseconds":1}}}`),
		}},
		one("GET_EXECUTORS", operatorCall("call", `{"type":"GET_EXECUTORS"}`)),
		one("GET_OPERATIONS", operatorCall("call", `{"type":"GET_OPERATIONS"}`)),
		one("GET_ROLES", operatorCall("call", `{"type":"GET_ROLES"}`)),
		one("GET_WEIGHTS", operatorCall("call", `{"type":"GET_WEIGHTS"}`)),
		one("GET_QUOTA", operatorCall("call", `{"type":"GET_QUOTA"}`)),
		one("GET_MAINTENANCE_SCHEDULE", operatorCall("call", `{"type":"GET_MAINTENANCE_SCHEDULE"}`)),
		one("GET_MAINTENANCE_STATUS", operatorCall("call", `{"type":"GET_MAINTENANCE_STATUS"}`)),
		one("GET /metrics/snapshot", getPath("get", "/metrics/snapshot")),
	}
}

// agentIs names the learnt agent in a payload.
const agentIs = `"agent_id":{"value":"{agent}"}`

// masterRefusals: calls Mesos refuses after validation, on a cluster they
// leave as it was: unknown agents, machines not scheduled, quotas and
// weights that fail their checks, reservations of what is not there.
func masterRefusals() []sequence {
	cpus := func(v, extra string) string {
		return `{"name":"cpus","type":"SCALAR","scalar":{"value":` + v + `}` + extra + `}`
	}
	dev := `,"reservations":[{"type":"DYNAMIC","role":"dev"}]`
	machine := `{"hostname":"{hostname}","ip":"127.0.0.1"}`
	volume := `{"name":"disk","type":"SCALAR","scalar":{"value":1},"reservations":[{"type":"DYNAMIC","role":"dev"}],"disk":{"persistence":{"id":"v1"},"volume":{"mode":"RW","container_path":"v"}}}`
	return []sequence{
		{name: "agents unknown", steps: []step{
			operatorCall("drain", `{"type":"DRAIN_AGENT","drain_agent":{"agent_id":{"value":"nope"}}}`),
			operatorCall("deactivate", `{"type":"DEACTIVATE_AGENT","deactivate_agent":{"agent_id":{"value":"nope"}}}`),
			operatorCall("reactivate", `{"type":"REACTIVATE_AGENT","reactivate_agent":{"agent_id":{"value":"nope"}}}`),
			operatorCall("mark gone", `{"type":"MARK_AGENT_GONE","mark_agent_gone":{"agent_id":{"value":"nope"}}}`),
			operatorCall("reserve", `{"type":"RESERVE_RESOURCES","reserve_resources":{"agent_id":{"value":"nope"},"resources":[`+cpus("1", dev)+`]}}`),
			operatorCall("unreserve", `{"type":"UNRESERVE_RESOURCES","unreserve_resources":{"agent_id":{"value":"nope"},"resources":[`+cpus("1", dev)+`]}}`),
			operatorCall("create volumes", `{"type":"CREATE_VOLUMES","create_volumes":{"agent_id":{"value":"nope"},"volumes":[]}}`),
			operatorCall("destroy volumes", `{"type":"DESTROY_VOLUMES","destroy_volumes":{"agent_id":{"value":"nope"},"volumes":[]}}`),
			operatorCall("grow volume", `{"type":"GROW_VOLUME","grow_volume":{"agent_id":{"value":"nope"},"volume":{"name":"disk","type":"SCALAR","scalar":{"value":1}},"addition":{"name":"disk","type":"SCALAR","scalar":{"value":1}}}}`),
			operatorCall("grow volume without agent", `{"type":"GROW_VOLUME","grow_volume":{"volume":{"name":"disk","type":"SCALAR","scalar":{"value":1}},"addition":{"name":"disk","type":"SCALAR","scalar":{"value":1}}}}`),
			operatorCall("shrink volume without agent", `{"type":"SHRINK_VOLUME","shrink_volume":{"volume":{"name":"disk","type":"SCALAR","scalar":{"value":1}},"subtract":{"value":1}}}`),
		}},
		{name: "agent active", steps: []step{
			learnAgent(),
			operatorCall("reactivate", `{"type":"REACTIVATE_AGENT","reactivate_agent":{`+agentIs+`}}`),
		}},
		{name: "reservations invalid", steps: []step{
			learnAgent(),
			operatorCall("negative", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[`+cpus("-1", dev)+`]}}`),
			operatorCall("unreserved", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[`+cpus("1", "")+`]}}`),
			operatorCall("static", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[`+cpus("1", `,"reservations":[{"type":"STATIC","role":"dev"}]`)+`]}}`),
			operatorCall("bad role", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[`+cpus("1", `,"reservations":[{"type":"DYNAMIC","role":"/x"}]`)+`]}}`),
			operatorCall("too much", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[`+cpus("100", dev)+`]}}`),
			operatorCall("unreserve unreserved", `{"type":"UNRESERVE_RESOURCES","unreserve_resources":{`+agentIs+`,"resources":[`+cpus("1", "")+`]}}`),
			operatorCall("unreserve not reserved", `{"type":"UNRESERVE_RESOURCES","unreserve_resources":{`+agentIs+`,"resources":[`+cpus("1", dev)+`]}}`),
			operatorCall("empty", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[]}}`),
			operatorCall("unreserve empty", `{"type":"UNRESERVE_RESOURCES","unreserve_resources":{`+agentIs+`,"resources":[]}}`),
			operatorCall("reserve star", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[`+cpus("1", `,"reservations":[{"type":"DYNAMIC","role":"*"}]`)+`]}}`),
		}},
		{name: "quota invalid", steps: []step{
			operatorCall("nested", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"a/b","guarantees":{"cpus":{"value":1}}}]}}`),
			operatorCall("bad role", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"/x","guarantees":{"cpus":{"value":1}}}]}}`),
			operatorCall("negative", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev","guarantees":{"cpus":{"value":-1}}}]}}`),
			operatorCall("guarantee above limit", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev","guarantees":{"cpus":{"value":2}},"limits":{"cpus":{"value":1}}}]}}`),
			operatorCall("overcommit", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev","guarantees":{"cpus":{"value":100}}}]}}`),
			operatorCall("set overcommit", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"dev","guarantee":[`+cpus("100", "")+`]}}}`),
			operatorCall("set nested", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"a/b","guarantee":[`+cpus("1", "")+`]}}}`),
			operatorCall("set empty", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"dev","guarantee":[]}}}`),
			operatorCall("set twice", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"dev","guarantee":[`+cpus("1", "")+","+cpus("1", "")+`]}}}`),
			operatorCall("set ranges", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"dev","guarantee":[{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":1,"end":2}]}}]}}}`),
			operatorCall("set no role", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"guarantee":[`+cpus("1", "")+`]}}}`),
			operatorCall("set bad role", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"-x","guarantee":[`+cpus("1", "")+`]}}}`),
			operatorCall("set deep", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"a/b/c","guarantee":[`+cpus("1", "")+`]}}}`),
			operatorCall("set negative", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"dev","guarantee":[`+cpus("-1", "")+`]}}}`),
			operatorCall("too large", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev","guarantees":{"cpus":{"value":1e13}}}]}}`),
			operatorCall("no role", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"guarantees":{"cpus":{"value":1}}}]}}`),
			operatorCall("set reserved", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"dev","guarantee":[`+cpus("1", dev)+`]}}}`),
		}},
		{name: "weights invalid", steps: []step{
			operatorCall("negative", `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"dev","weight":-1}]}}`),
			operatorCall("zero", `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"dev","weight":0}]}}`),
			operatorCall("bad role", `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"/x","weight":1}]}}`),
		}},
		{name: "maintenance invalid", steps: []step{
			learnAgent(),
			operatorCall("no machines", `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{"windows":[{"machine_ids":[],"unavailability":{"start":{"nanoseconds":1}}}]}}}`),
			operatorCall("negative duration", `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{"windows":[{"machine_ids":[`+machine+`],"unavailability":{"start":{"nanoseconds":1},"duration":{"nanoseconds":-1}}}]}}}`),
			operatorCall("empty machine", `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{"windows":[{"machine_ids":[{}],"unavailability":{"start":{"nanoseconds":1}}}]}}}`),
			operatorCall("bad ip", `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{"windows":[{"machine_ids":[{"ip":"1.2.3"}],"unavailability":{"start":{"nanoseconds":1}}}]}}}`),
			operatorCall("machine twice", `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{"windows":[{"machine_ids":[`+machine+`,`+machine+`],"unavailability":{"start":{"nanoseconds":1}}}]}}}`),
			operatorCall("no unavailability", `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{"windows":[{"machine_ids":[`+machine+`]}]}}}`),
			operatorCall("start none", `{"type":"START_MAINTENANCE","start_maintenance":{"machines":[]}}`),
			operatorCall("start unscheduled", `{"type":"START_MAINTENANCE","start_maintenance":{"machines":[`+machine+`]}}`),
			operatorCall("stop unscheduled", `{"type":"STOP_MAINTENANCE","stop_maintenance":{"machines":[`+machine+`]}}`),
			operatorCall("start bad ip", `{"type":"START_MAINTENANCE","start_maintenance":{"machines":[{"ip":"x"}]}}`),
			operatorCall("empty schedule", `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{}}}`),
		}},
		{name: "volumes refused", steps: []step{
			learnAgent(),
			operatorCall("create", `{"type":"CREATE_VOLUMES","create_volumes":{`+agentIs+`,"volumes":[{"name":"disk","type":"SCALAR","scalar":{"value":1}}]}}`),
			operatorCall("destroy", `{"type":"DESTROY_VOLUMES","destroy_volumes":{`+agentIs+`,"volumes":[{"name":"disk","type":"SCALAR","scalar":{"value":1}}]}}`),
			operatorCall("create empty", `{"type":"CREATE_VOLUMES","create_volumes":{`+agentIs+`,"volumes":[]}}`),
			operatorCall("destroy persistent", `{"type":"DESTROY_VOLUMES","destroy_volumes":{`+agentIs+`,"volumes":[`+volume+`]}}`),
			operatorCall("create no persistence", `{"type":"CREATE_VOLUMES","create_volumes":{`+agentIs+`,"volumes":[{"name":"disk","type":"SCALAR","scalar":{"value":1},"disk":{}}]}}`),
			operatorCall("grow", `{"type":"GROW_VOLUME","grow_volume":{`+agentIs+`,"volume":{"name":"disk","type":"SCALAR","scalar":{"value":1}},"addition":{"name":"disk","type":"SCALAR","scalar":{"value":1}}}}`),
			operatorCall("grow by nothing", `{"type":"GROW_VOLUME","grow_volume":{`+agentIs+`,"volume":`+volume+`,"addition":{"name":"disk","type":"SCALAR","scalar":{"value":0}}}}`),
			operatorCall("shrink", `{"type":"SHRINK_VOLUME","shrink_volume":{`+agentIs+`,"volume":{"name":"disk","type":"SCALAR","scalar":{"value":2}},"subtract":{"value":1}}}`),
			operatorCall("shrink too much", `{"type":"SHRINK_VOLUME","shrink_volume":{`+agentIs+`,"volume":`+volume+`,"subtract":{"value":1}}}`),
		}},
	}
}
