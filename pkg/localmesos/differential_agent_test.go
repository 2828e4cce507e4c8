package localmesos_test

// The differential test's agent operator API (agent.proto, POST /api/v1
// on the agent): each call as Mesos' agent validates it and, where the
// stand-in runs it, as it answers; the container, resource provider and
// image calls it refuses are sent only where a real agent refuses them
// too (unknown containers, invalid payloads), never where it would start
// something (or, for REMOVE_CONTAINER of a standalone container, abort
// the agent: the runner refuses to send one). Mesos' api_tests.cpp and
// agent_api tests are the source.

import (
	"net/http"
	"sort"
	"strings"
)

var _ = register("agent", agentPayloads()...)
var _ = register("agent", quiet(agentReads())...)
var _ = register("agent", agentTransport()...)
var _ = register("agent", agentRefusals()...)
var _ = register("agent", fresh(agentWithTask())...)

// agentPayloadFields is each agent call that needs a payload, and its
// required fields as the protobuf conversion names them.
var agentPayloadFields = map[string]string{
	"GET_METRICS": "", "SET_LOGGING_LEVEL": "set_logging_level.level, set_logging_level.duration",
	"LIST_FILES": "list_files.path", "READ_FILE": "read_file.path, read_file.offset",
	"LAUNCH_NESTED_CONTAINER":         "launch_nested_container.container_id",
	"WAIT_NESTED_CONTAINER":           "wait_nested_container.container_id",
	"KILL_NESTED_CONTAINER":           "kill_nested_container.container_id",
	"REMOVE_NESTED_CONTAINER":         "remove_nested_container.container_id",
	"LAUNCH_NESTED_CONTAINER_SESSION": "launch_nested_container_session.container_id",
	"ATTACH_CONTAINER_INPUT":          "", "ATTACH_CONTAINER_OUTPUT": "attach_container_output.container_id",
	"LAUNCH_CONTAINER": "launch_container.container_id", "WAIT_CONTAINER": "wait_container.container_id",
	"KILL_CONTAINER": "kill_container.container_id", "REMOVE_CONTAINER": "remove_container.container_id",
	"ADD_RESOURCE_PROVIDER_CONFIG":    "add_resource_provider_config.info",
	"UPDATE_RESOURCE_PROVIDER_CONFIG": "update_resource_provider_config.info",
	"REMOVE_RESOURCE_PROVIDER_CONFIG": "remove_resource_provider_config.type, remove_resource_provider_config.name",
	"MARK_RESOURCE_PROVIDER_GONE":     "mark_resource_provider_gone.resource_provider_id",
}

// agentPayloads: every agent call without its payload, and with an empty
// one.
func agentPayloads() []sequence {
	var types []string
	for t := range agentPayloadFields {
		types = append(types, t)
	}
	sort.Strings(types)
	var missing, empty []step
	for _, t := range types {
		missing = append(missing, agentOp(t, `{"type":"`+t+`"}`))
		if agentPayloadFields[t] != "" {
			empty = append(empty, agentOp(t, `{"type":"`+t+`","`+strings.ToLower(t)+`":{}}`))
		}
	}
	return []sequence{
		{name: "payload missing", steps: missing},
		{name: "payload empty", steps: empty},
		{name: "types", steps: []step{
			agentOp("unknown type", `{"type":"NOPE"}`),
			agentOp("UNKNOWN", `{"type":"UNKNOWN"}`),
			agentOp("no type", `{}`),
			agentOp("parse error", `{"type":`),
		}},
	}
}

// learnerAgentMetrics are the agent's metrics a learner meets.
var learnerAgentMetrics = []string{
	"slave/uptime_secs", "slave/registered", "slave/executors_running", "slave/tasks_running", "slave/tasks_starting",
	"slave/tasks_staging", "slave/tasks_finished", "slave/tasks_failed", "slave/tasks_killed", "slave/tasks_lost",
	"slave/cpus_total", "slave/cpus_used", "slave/cpus_percent", "slave/mem_total", "slave/mem_used",
	"slave/disk_total", "slave/disk_used", "system/cpus_total", "system/load_1min", "system/mem_total_bytes",
}

// agentReads: the calls that read the agent, on an agent with no
// history.
func agentReads() []sequence {
	var out []sequence
	for _, t := range []string{"GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_LOGGING_LEVEL", "GET_STATE", "GET_CONTAINERS",
		"GET_FRAMEWORKS", "GET_EXECUTORS", "GET_OPERATIONS", "GET_TASKS", "GET_AGENT", "GET_RESOURCE_PROVIDERS"} {
		out = append(out, one(t, agentOp("call", `{"type":"`+t+`"}`)))
	}
	return append(out,
		one("GET_METRICS", metrics("call", true, learnerAgentMetrics...)),
		one("SET_LOGGING_LEVEL", agentOp("call", `{"type":"SET_LOGGING_LEVEL","set_logging_level":{"level":0,"duration":{"nanoseconds":1000000}}}`)),
		one("GET /metrics/snapshot", agentGet("get", "/metrics/snapshot")),
		one("GET_CONTAINERS usage", agentOp("call", `{"type":"GET_CONTAINERS","get_containers":{"show_nested":true,"show_standalone":true}}`)),
	)
}

// agentTransport: the endpoint's checks before a call is looked at.
func agentTransport() []sequence {
	post := func(label string, header map[string]string, body string) step {
		return call(label, request{method: http.MethodPost, path: "/api/v1", agent: true, header: header, body: body})
	}
	health := `{"type":"GET_HEALTH"}`
	return []sequence{
		one("GET", agentGet("get", "/api/v1", "Allow")),
		{name: "media types", steps: []step{
			post("no content type", map[string]string{"Accept": "application/json"}, health),
			post("unknown content type", jsonHdr("Content-Type", "text/plain"), health),
			post("protobuf", jsonHdr("Content-Type", "application/x-protobuf"), health),
			post("accept html", jsonHdr("Accept", "text/html"), health),
			post("accept protobuf", jsonHdr("Accept", "application/x-protobuf"), health),
			post("no accept", map[string]string{"Content-Type": "application/json"}, health),
			post("recordio without message type", jsonHdr("Content-Type", "application/recordio"), health),
			post("recordio with a bad message type", jsonHdr("Content-Type", "application/recordio", "Message-Content-Type", "text/plain"), health),
			post("message type without recordio", jsonHdr("Message-Content-Type", "application/json"), health),
			post("message accept without recordio", jsonHdr("Message-Accept", "application/json"), health),
			post("streaming accept", jsonHdr("Accept", "application/recordio"), health),
			post("attach input as json", jsonHdr(), `{"type":"ATTACH_CONTAINER_INPUT","attach_container_input":{"type":"CONTAINER_ID","container_id":{"value":"nope"}}}`),
		}},
	}
}

// agentRefusals: container, resource provider and image calls about
// what the agent does not have.
func agentRefusals() []sequence {
	nested := `{"value":"n","parent":{"value":"nope"}}`
	return []sequence{
		{name: "containers unknown", steps: []step{
			agentOp("wait", `{"type":"WAIT_CONTAINER","wait_container":{"container_id":{"value":"nope"}}}`),
			agentOp("kill", `{"type":"KILL_CONTAINER","kill_container":{"container_id":{"value":"nope"}}}`),
			agentOp("remove", `{"type":"REMOVE_CONTAINER","remove_container":{"container_id":{"value":"never-seen"}}}`),
			agentOp("wait nested", `{"type":"WAIT_NESTED_CONTAINER","wait_nested_container":{"container_id":`+nested+`}}`),
			agentOp("kill nested", `{"type":"KILL_NESTED_CONTAINER","kill_nested_container":{"container_id":`+nested+`}}`),
			agentOp("remove nested", `{"type":"REMOVE_NESTED_CONTAINER","remove_nested_container":{"container_id":`+nested+`}}`),
			agentOp("launch nested", `{"type":"LAUNCH_NESTED_CONTAINER","launch_nested_container":{"container_id":`+nested+`,"command":{"value":"true"}}}`),
			agentOp("attach output", `{"type":"ATTACH_CONTAINER_OUTPUT","attach_container_output":{"container_id":{"value":"nope"}}}`),
			agentOp("kill nested without parent", `{"type":"KILL_NESTED_CONTAINER","kill_nested_container":{"container_id":{"value":"n"}}}`),
			agentOp("bad id", `{"type":"WAIT_CONTAINER","wait_container":{"container_id":{"value":"a/b"}}}`),
		}},
		{name: "launch container invalid", steps: []step{
			agentOp("bad id", `{"type":"LAUNCH_CONTAINER","launch_container":{"container_id":{"value":"a b"},"command":{"value":"true"}}}`),
			agentOp("nested with resources", `{"type":"LAUNCH_CONTAINER","launch_container":{"container_id":{"value":"n","parent":{"value":"p","parent":{"value":"q"}}},"command":{"value":"true"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}]}}`),
			agentOp("reserved", `{"type":"LAUNCH_CONTAINER","launch_container":{"container_id":{"value":"s"},"command":{"value":"true"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1},"reservations":[{"type":"DYNAMIC","role":"dev"}]}]}}`),
			agentOp("negative", `{"type":"LAUNCH_CONTAINER","launch_container":{"container_id":{"value":"s"},"command":{"value":"true"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}]}}`),
			agentOp("nested under nothing", `{"type":"LAUNCH_CONTAINER","launch_container":{"container_id":`+nested+`,"command":{"value":"true"}}}`),
		}},
		{name: "resource providers and images", steps: []step{
			agentOp("prune images", `{"type":"PRUNE_IMAGES"}`),
			agentOp("add unknown type", `{"type":"ADD_RESOURCE_PROVIDER_CONFIG","add_resource_provider_config":{"info":{"type":"org.example.rp","name":"test"}}}`),
			agentOp("add bad name", `{"type":"ADD_RESOURCE_PROVIDER_CONFIG","add_resource_provider_config":{"info":{"type":"org.apache.mesos.rp.local.storage","name":"a-b"}}}`),
			agentOp("add without storage", `{"type":"ADD_RESOURCE_PROVIDER_CONFIG","add_resource_provider_config":{"info":{"type":"org.apache.mesos.rp.local.storage","name":"test"}}}`),
			agentOp("update without storage", `{"type":"UPDATE_RESOURCE_PROVIDER_CONFIG","update_resource_provider_config":{"info":{"type":"org.apache.mesos.rp.local.storage","name":"test"}}}`),
			agentOp("add with an id", `{"type":"ADD_RESOURCE_PROVIDER_CONFIG","add_resource_provider_config":{"info":{"type":"org.apache.mesos.rp.local.storage","name":"test","id":{"value":"x"}}}}`),
			agentOp("remove", `{"type":"REMOVE_RESOURCE_PROVIDER_CONFIG","remove_resource_provider_config":{"type":"org.apache.mesos.rp.local.storage","name":"test"}}`),
			agentOp("mark gone", `{"type":"MARK_RESOURCE_PROVIDER_GONE","mark_resource_provider_gone":{"resource_provider_id":{"value":"nope"}}}`),
		}},
		{name: "logs", steps: []step{
			agentOp("agent log", `{"type":"LIST_FILES","list_files":{"path":"/slave/log"}}`),
			operatorCall("master log", `{"type":"LIST_FILES","list_files":{"path":"/master/log"}}`),
			agentGet("browse agent log", "/files/browse?path=/slave/log"),
			getPath("browse master log", "/files/browse?path=/master/log"),
		}},
		{name: "nested session unknown", steps: []step{
			call("launch", request{method: http.MethodPost, path: "/api/v1", agent: true, header: jsonHdr("Accept", "application/recordio", "Message-Accept", "application/json"),
				body: `{"type":"LAUNCH_NESTED_CONTAINER_SESSION","launch_nested_container_session":{"container_id":` + nested + `,"command":{"value":"true"}}}`}),
			call("attach output", request{method: http.MethodPost, path: "/api/v1", agent: true, header: jsonHdr("Accept", "application/recordio", "Message-Accept", "application/json"),
				body: `{"type":"ATTACH_CONTAINER_OUTPUT","attach_container_output":{"container_id":{"value":"nope"}}}`}),
		}},
		{name: "attach input invalid", steps: []step{
			call("no type", request{method: http.MethodPost, path: "/api/v1", agent: true,
				header: jsonHdr("Content-Type", "application/recordio", "Message-Content-Type", "application/json"), body: "2\n{}"}),
			call("not attach", request{method: http.MethodPost, path: "/api/v1", agent: true,
				header: jsonHdr("Content-Type", "application/recordio", "Message-Content-Type", "application/json"), body: "21\n{\"type\":\"GET_HEALTH\"}"}),
			call("unknown container", request{method: http.MethodPost, path: "/api/v1", agent: true,
				header: jsonHdr("Content-Type", "application/recordio", "Message-Content-Type", "application/json"),
				body:   "114\n{\"type\":\"ATTACH_CONTAINER_INPUT\",\"attach_container_input\":{\"type\":\"CONTAINER_ID\",\"container_id\":{\"value\":\"nope\"}}}"}),
			call("empty", request{method: http.MethodPost, path: "/api/v1", agent: true,
				header: jsonHdr("Content-Type", "application/recordio", "Message-Content-Type", "application/json"), body: " "}),
		}},
	}
}

// agentWithTask: a command task's agent, container and sandbox, through
// the agent's API, its /files endpoints and the master's.
func agentWithTask() []sequence {
	read := func(label, path, offset, length string) step {
		body := `{"type":"READ_FILE","read_file":{"path":"` + path + `","offset":` + offset
		if length != "" {
			body += `,"length":` + length
		}
		return agentOp(label, body+`}}`)
	}
	state := steps(running(""), learnSandbox("t"))
	for _, t := range []string{"GET_STATE", "GET_CONTAINERS", "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_TASKS", "GET_AGENT"} {
		state = append(state, agentOp(t, `{"type":"`+t+`"}`))
	}
	state = append(state, metrics("GET_METRICS", true, learnerAgentMetrics...))
	latest := "/frameworks/{s.fw}/executors/t/runs/latest"
	return []sequence{
		// On a cluster of its own, a standalone container a real agent
		// launches; the stand-in refuses.
		{name: "standalone container", steps: []step{
			agentOp("launch", `{"type":"LAUNCH_CONTAINER","launch_container":{"container_id":{"value":"standalone"},"command":{"value":"true"},`+
				`"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]}}`),
		}},
		{name: "state with a task", steps: state},
		{name: "sandbox", steps: steps(running(""), learnSandbox("t"),
			agentOp("list", `{"type":"LIST_FILES","list_files":{"path":"{sandbox}"}}`),
			agentOp("list latest", `{"type":"LIST_FILES","list_files":{"path":"`+latest+`"}}`),
			agentOp("list a file", `{"type":"LIST_FILES","list_files":{"path":"{sandbox}/stdout"}}`),
			agentOp("list nothing", `{"type":"LIST_FILES","list_files":{"path":"{sandbox}/nope"}}`),
			agentOp("list up", `{"type":"LIST_FILES","list_files":{"path":"{sandbox}/../.."}}`),
			agentOp("list elsewhere", `{"type":"LIST_FILES","list_files":{"path":"/nope"}}`),
			read("read", "{sandbox}/stdout", "0", ""),
			read("read latest", latest+"/stdout", "0", "5"),
			read("read past the end", "{sandbox}/stdout", "1000000", "10"),
			read("read negative length", "{sandbox}/stdout", "0", "-1"),
			read("read negative offset", "{sandbox}/stdout", "-1", "10"),
			read("read a folder", "{sandbox}", "0", "10"),
			read("read nothing", "{sandbox}/nope", "0", "10"),
			read("read up", "{sandbox}/../../../../../../../../etc/passwd", "0", "10"),
			operatorCall("master list", `{"type":"LIST_FILES","list_files":{"path":"{sandbox}"}}`),
			operatorCall("master read", `{"type":"READ_FILE","read_file":{"path":"{sandbox}/stdout","offset":0}}`),
		)},
		{name: "files endpoints", steps: steps(running(""), learnSandbox("t"),
			agentGet("browse", "/files/browse?path={sandbox}"),
			agentGet("browse latest", "/files/browse?path="+latest),
			agentGet("browse a file", "/files/browse?path={sandbox}/stdout"),
			agentGet("browse nothing", "/files/browse?path={sandbox}/nope"),
			agentGet("browse up", "/files/browse?path={sandbox}/../.."),
			agentGet("browse no path", "/files/browse"),
			agentGet("read", "/files/read?path={sandbox}/stdout&offset=0&length=10"),
			agentGet("read size", "/files/read?path={sandbox}/stdout&offset=-1"),
			agentGet("read no offset", "/files/read?path={sandbox}/stdout"),
			agentGet("read past the end", "/files/read?path={sandbox}/stdout&offset=1000000&length=10"),
			agentGet("read negative length", "/files/read?path={sandbox}/stdout&offset=0&length=-2"),
			agentGet("read bad offset", "/files/read?path={sandbox}/stdout&offset=x"),
			agentGet("read bad length", "/files/read?path={sandbox}/stdout&offset=0&length=x"),
			agentGet("read nothing", "/files/read?path={sandbox}/nope&offset=0"),
			agentGet("read a folder", "/files/read?path={sandbox}&offset=0"),
			agentGet("read up", "/files/read?path={sandbox}/../../../../../../../../etc/passwd&offset=0"),
			agentGet("read jsonp", "/files/read?path={sandbox}/stdout&offset=0&length=1&jsonp=cb"),
			agentGet("read no path", "/files/read"),
			call("download", request{method: http.MethodGet, path: "/files/download?path={sandbox}/stdout", agent: true, noBody: true,
				observe: []string{"Content-Disposition"}}),
			agentGet("download nothing", "/files/download?path={sandbox}/nope"),
			agentGet("download a folder", "/files/download?path={sandbox}"),
			agentGet("download no path", "/files/download"),
			getPath("master browse", "/files/browse?path={sandbox}"),
			getPath("master read", "/files/read?path={sandbox}/stdout&offset=0"),
		)},
	}
}
