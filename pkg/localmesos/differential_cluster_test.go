package localmesos_test

// The differential test's operator calls that change the cluster: weights
// and quota set, resources reserved, an agent deactivated, drained,
// marked gone or taken down for maintenance, with what frameworks see of
// it (rescinded offers, inverse offers, TASK_KILLED, TASK_GONE_BY_OPERATOR,
// TASK_LOST). Each runs fresh: on a real master and agent of its own.

import "net/http"

var _ = register("operator", fresh(clusterSequences())...)

// fresh marks sequences that run on a real cluster of their own.
func fresh(seqs []sequence) []sequence {
	for i := range seqs {
		seqs[i].fresh = true
	}
	return seqs
}

// sleeper is a command task that runs until it is killed.
var sleeper = taskJSON("t", small+`,"command":{"value":"sleep 100"}`)

// running launches sleeper on stream s's first offer and acknowledges its
// TASK_STARTING and TASK_RUNNING; the rest of the agent is refused.
func running(extra string) []step {
	return steps(withFramework(extra), event("s", "OFFERS"), acceptRefusing("accept", sleeper), update(true), update(true), learnAgent())
}

const (
	paCapability = `,"capabilities":[{"type":"PARTITION_AWARE"}]`
	devRole      = `,"roles":["dev"],"capabilities":[{"type":"MULTI_ROLE"}]`
)

func clusterSequences() []sequence {
	cpusMem := func(cpus, mem, extra string) string {
		return `{"name":"cpus","type":"SCALAR","scalar":{"value":` + cpus + `}` + extra + `},{"name":"mem","type":"SCALAR","scalar":{"value":` + mem + `}` + extra + `}`
	}
	dev := `,"reservations":[{"type":"DYNAMIC","role":"dev"}]`
	machine := `{"hostname":"{hostname}","ip":"127.0.0.1"}`
	volume := `{"name":"disk","type":"SCALAR","scalar":{"value":1}` + dev + `,"disk":{"persistence":{"id":"v1"},"volume":{"mode":"RW","container_path":"v"}}}`
	schedule := `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{"windows":[{"machine_ids":[` + machine +
		`],"unavailability":{"start":{"nanoseconds":{start}},"duration":{"nanoseconds":3600000000000}}}]}}}`
	return []sequence{
		{name: "weights", steps: []step{
			operatorCall("update", `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"dev","weight":2},{"role":"*","weight":3}]}}`),
			operatorCall("get", `{"type":"GET_WEIGHTS"}`),
			operatorCall("roles", `{"type":"GET_ROLES"}`),
			operatorCall("update again", `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":" dev ","weight":4}]}}`),
			operatorCall("get again", `{"type":"GET_WEIGHTS"}`),
		}},
		{name: "quota", steps: []step{
			operatorCall("update", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev","guarantees":{"cpus":{"value":1},"mem":{"value":64}},"limits":{"cpus":{"value":2},"mem":{"value":128}}}]}}`),
			operatorCall("get", `{"type":"GET_QUOTA"}`),
			operatorCall("roles", `{"type":"GET_ROLES"}`),
			operatorCall("set existing", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"dev","guarantee":[`+cpusMem("1", "32", "")+`]}}}`),
			operatorCall("set", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"a","guarantee":[`+cpusMem("1", "32", "")+`]}}}`),
			operatorCall("set nested within", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"a/b","guarantee":[`+cpusMem("0.5", "16", "")+`]}}}`),
			operatorCall("set nested beyond", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"a/b","guarantee":[`+cpusMem("2", "16", "")+`]}}}`),
			operatorCall("get both", `{"type":"GET_QUOTA"}`),
			operatorCall("remove", `{"type":"REMOVE_QUOTA","remove_quota":{"role":"a"}}`),
			operatorCall("overcommit", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev","guarantees":{"cpus":{"value":3}}},{"role":"ops","guarantees":{"cpus":{"value":3}}}]}}`),
			operatorCall("forced", `{"type":"UPDATE_QUOTA","update_quota":{"force":true,"quota_configs":[{"role":"dev","guarantees":{"cpus":{"value":3}}},{"role":"ops","guarantees":{"cpus":{"value":3}}}]}}`),
			operatorCall("get forced", `{"type":"GET_QUOTA"}`),
			operatorCall("set overcommit", `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"more","guarantee":[`+cpusMem("1", "32", "")+`]}}}`),
			operatorCall("back to default", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev"},{"role":"ops"}]}}`),
			operatorCall("get none", `{"type":"GET_QUOTA"}`),
		}},
		{name: "quota consumed", steps: steps(
			withFramework(devRole), event("s", "OFFERS"), acceptRefusing("accept", sleeper), update(true), update(true),
			operatorCall("limit below use", `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev","limits":{"cpus":{"value":0.05}}}]}}`),
			operatorCall("forced", `{"type":"UPDATE_QUOTA","update_quota":{"force":true,"quota_configs":[{"role":"dev","limits":{"cpus":{"value":0.05}}}]}}`),
			operatorCall("roles", `{"type":"GET_ROLES"}`),
			operatorCall("quota", `{"type":"GET_QUOTA"}`),
		)},
		{name: "reservations", steps: []step{
			learnAgent(),
			operatorCall("reserve", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[`+cpusMem("1", "64", dev)+`]}}`),
			operatorCall("agents", `{"type":"GET_AGENTS"}`),
			operatorCall("roles", `{"type":"GET_ROLES"}`),
			operatorCall("reserve too much", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[`+cpusMem("10", "64", dev)+`]}}`),
			operatorCall("unreserve too much", `{"type":"UNRESERVE_RESOURCES","unreserve_resources":{`+agentIs+`,"resources":[`+cpusMem("2", "64", dev)+`]}}`),
			operatorCall("unreserve", `{"type":"UNRESERVE_RESOURCES","unreserve_resources":{`+agentIs+`,"resources":[`+cpusMem("1", "64", dev)+`]}}`),
			operatorCall("agents after", `{"type":"GET_AGENTS"}`),
		}},
		{name: "reservation offered", steps: steps(
			withFramework(devRole), event("s", "OFFERS"), learnAgent(),
			operatorCall("reserve", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[`+cpusMem("1", "64", dev)+`]}}`),
			event("s", "RESCIND"),
			event("s", "OFFERS"),
		)},
		// A persistent volume a real master creates; the stand-in refuses.
		{name: "volumes", steps: []step{
			learnAgent(),
			operatorCall("reserve disk", `{"type":"RESERVE_RESOURCES","reserve_resources":{`+agentIs+`,"resources":[{"name":"disk","type":"SCALAR","scalar":{"value":10}`+dev+`}]}}`),
			operatorCall("create", `{"type":"CREATE_VOLUMES","create_volumes":{`+agentIs+`,"volumes":[`+volume+`]}}`),
		}},
		{name: "deactivate", steps: steps(
			withFramework(""), event("s", "OFFERS"), learnAgent(),
			operatorCall("deactivate", `{"type":"DEACTIVATE_AGENT","deactivate_agent":{`+agentIs+`}}`),
			event("s", "RESCIND"),
			operatorCall("agents", `{"type":"GET_AGENTS"}`),
			operatorCall("deactivate again", `{"type":"DEACTIVATE_AGENT","deactivate_agent":{`+agentIs+`}}`),
			operatorCall("reactivate", `{"type":"REACTIVATE_AGENT","reactivate_agent":{`+agentIs+`}}`),
			event("s", "OFFERS"),
			operatorCall("reactivate again", `{"type":"REACTIVATE_AGENT","reactivate_agent":{`+agentIs+`}}`),
		)},
		{name: "drain", steps: steps(
			running(""),
			operatorCall("drain", `{"type":"DRAIN_AGENT","drain_agent":{`+agentIs+`,"max_grace_period":{"seconds":0}}}`),
			update(true),
			operatorCall("agents", `{"type":"GET_AGENTS"}`),
			agentOp("agent", `{"type":"GET_AGENT"}`),
			callUntil("reactivate", request{method: http.MethodPost, path: "/api/v1", header: jsonHdr(),
				body: `{"type":"REACTIVATE_AGENT","reactivate_agent":{` + agentIs + `}}`}, http.StatusOK),
			operatorCall("drain empty", `{"type":"DRAIN_AGENT","drain_agent":{`+agentIs+`}}`),
			operatorCall("agents drained", `{"type":"GET_AGENTS"}`),
		)},
		{name: "drain mark gone", steps: steps(
			running(paCapability),
			operatorCall("drain", `{"type":"DRAIN_AGENT","drain_agent":{`+agentIs+`,"mark_gone":true}}`),
			update(true),
			agentsUntil("agents", 0),
		)},
		{name: "mark gone", steps: steps(
			running(""),
			operatorCall("mark gone", `{"type":"MARK_AGENT_GONE","mark_agent_gone":{`+agentIs+`}}`),
			update(false),
			operatorCall("agents", `{"type":"GET_AGENTS"}`),
			operatorCall("tasks", `{"type":"GET_TASKS"}`),
			operatorCall("mark gone again", `{"type":"MARK_AGENT_GONE","mark_agent_gone":{`+agentIs+`}}`),
			operatorCall("deactivate gone", `{"type":"DEACTIVATE_AGENT","deactivate_agent":{`+agentIs+`}}`),
			sched("reconcile", `{"type":"RECONCILE",`+fwID+`,"reconcile":{"tasks":[{"task_id":{"value":"t"},"agent_id":{"value":"{agent}"}}]}}`),
			update(false),
		)},
		{name: "mark gone partition-aware", steps: steps(
			running(paCapability),
			operatorCall("mark gone", `{"type":"MARK_AGENT_GONE","mark_agent_gone":{`+agentIs+`}}`),
			update(true),
			sched("reconcile", `{"type":"RECONCILE",`+fwID+`,"reconcile":{"tasks":[{"task_id":{"value":"t"},"agent_id":{"value":"{agent}"}}]}}`),
			update(false),
		)},
		{name: "maintenance", steps: steps(
			running(""), at("start", 3600e9),
			operatorCall("schedule", schedule),
			event("s", "INVERSE_OFFERS"),
			operatorCall("get schedule", `{"type":"GET_MAINTENANCE_SCHEDULE"}`),
			operatorCall("status", `{"type":"GET_MAINTENANCE_STATUS"}`),
			sched("decline inverse", `{"type":"DECLINE_INVERSE_OFFERS",`+fwID+`,"decline_inverse_offers":{"inverse_offer_ids":[{"value":"{s.inverse}"}],"filters":{"refuse_seconds":3600}}}`),
			callUntilKey("status declined", request{method: http.MethodPost, path: "/api/v1", header: jsonHdr(), body: `{"type":"GET_MAINTENANCE_STATUS"}`},
				"get_maintenance_status.status.draining_machines[].statuses"),
			operatorCall("drain scheduled", `{"type":"DRAIN_AGENT","drain_agent":{`+agentIs+`}}`),
			operatorCall("stop draining", `{"type":"STOP_MAINTENANCE","stop_maintenance":{"machines":[`+machine+`]}}`),
			operatorCall("start", `{"type":"START_MAINTENANCE","start_maintenance":{"machines":[`+machine+`]}}`),
			update(false),
			operatorCall("status down", `{"type":"GET_MAINTENANCE_STATUS"}`),
			operatorCall("start again", `{"type":"START_MAINTENANCE","start_maintenance":{"machines":[`+machine+`]}}`),
			operatorCall("unschedule down", `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{}}}`),
			operatorCall("stop", `{"type":"STOP_MAINTENANCE","stop_maintenance":{"machines":[`+machine+`]}}`),
			operatorCall("status up", `{"type":"GET_MAINTENANCE_STATUS"}`),
			operatorCall("schedule after", `{"type":"GET_MAINTENANCE_SCHEDULE"}`),
			operatorCall("agents after", `{"type":"GET_AGENTS"}`),
		)},
		{name: "maintenance offers", steps: steps(
			withFramework(""), event("s", "OFFERS"), learnAgent(), at("start", 3600e9),
			operatorCall("schedule", schedule),
			event("s", "RESCIND"),
			event("s", "OFFERS"),
			operatorCall("unschedule", `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{}}}`),
		)},
		{name: "event stream", steps: steps(
			operatorStream("o"), event("o", "SUBSCRIBED"), event("o", "HEARTBEAT"),
			withFramework(""), event("o", "FRAMEWORK_ADDED"), event("s", "OFFERS"),
			acceptRefusing("accept", sleeper),
			event("o", "TASK_ADDED"), update(true), event("o", "TASK_UPDATED"), update(true), event("o", "TASK_UPDATED"),
			sched("kill", `{"type":"KILL",`+fwID+`,"kill":{"task_id":{"value":"t"}}}`),
			update(true), event("o", "TASK_UPDATED"),
			sched("teardown", `{"type":"TEARDOWN",`+fwID+`}`),
			event("o", "FRAMEWORK_REMOVED"),
		)},
		{name: "state with a task", steps: steps(
			running(""),
			operatorCall("tasks", `{"type":"GET_TASKS"}`),
			operatorCall("frameworks", `{"type":"GET_FRAMEWORKS"}`),
			operatorCall("executors", `{"type":"GET_EXECUTORS"}`),
			operatorCall("roles", `{"type":"GET_ROLES"}`),
			operatorCall("agents", `{"type":"GET_AGENTS"}`),
			operatorCall("state", `{"type":"GET_STATE"}`),
			metrics("metrics", false, learnerMetrics...),
			sched("teardown", `{"type":"TEARDOWN",`+fwID+`}`),
			ended("s"),
			operatorCall("frameworks after", `{"type":"GET_FRAMEWORKS"}`),
			operatorCall("tasks after", `{"type":"GET_TASKS"}`),
		)},
	}
}

var _ = register("endpoints", fresh([]sequence{{name: "with a task", steps: steps(
	running(""),
	getPath("GET /state", "/state"),
	getPath("GET /slaves", "/slaves"),
	getPath("GET /master/slaves one", "/master/slaves?slave_id={agent}"),
	getPath("GET /slaves none", "/slaves?slave_id=nope"),
	getPath("GET /frameworks", "/frameworks"),
	getPath("GET /master/frameworks one", "/master/frameworks?framework_id={s.fw}&jsonp=cb"),
	getPath("GET /frameworks none", "/frameworks?framework_id=nope"),
	sched("teardown", `{"type":"TEARDOWN",`+fwID+`}`),
	ended("s"),
	getPath("GET /frameworks completed", "/frameworks"),
	getPath("GET /state completed", "/state"),
)}})...)
