package localmesos_test

// The differential test's first operator API and read-endpoint
// sequences, from conformance D48-D56 and api_test.go. The other master
// calls are in differential_master_test.go and differential_cluster_test.go,
// the agent's in differential_agent_test.go. With frameworks and tasks,
// wait for what the answer depends on (event steps) before the call, or
// the two sides' offers and tasks will differ by timing alone.

import "net/http"

var _ = register("operator", quiet(operatorSequences())...)
var _ = register("endpoints", quiet(endpointSequences())...)

// quiet marks sequences that read the master's state: they run first.
func quiet(seqs []sequence) []sequence {
	for i := range seqs {
		seqs[i].quiet = true
	}
	return seqs
}

func operatorSequences() []sequence {
	return []sequence{
		one("GET_HEALTH", operatorCall("call", `{"type":"GET_HEALTH"}`)),
		one("GET_VERSION", operatorCall("call", `{"type":"GET_VERSION"}`)),
		one("GET_MASTER", operatorCall("call", `{"type":"GET_MASTER"}`)),
		one("GET_AGENTS", operatorCall("call", `{"type":"GET_AGENTS"}`)),
		one("GET_FRAMEWORKS none", operatorCall("call", `{"type":"GET_FRAMEWORKS"}`)),
		one("GET_TASKS none", operatorCall("call", `{"type":"GET_TASKS"}`)),
		one("GET_STATE", operatorCall("call", `{"type":"GET_STATE"}`)),
		one("TEARDOWN unknown", operatorCall("call", `{"type":"TEARDOWN","teardown":{"framework_id":{"value":"never-seen"}}}`)),
		one("TEARDOWN without teardown", operatorCall("call", `{"type":"TEARDOWN"}`)),
		one("TEARDOWN without id", operatorCall("call", `{"type":"TEARDOWN","teardown":{}}`)),
		one("unknown type", operatorCall("call", `{"type":"NOPE"}`)),
		one("UNKNOWN", operatorCall("call", `{"type":"UNKNOWN"}`)),
		one("not acceptable", call("call", request{method: http.MethodPost, path: "/api/v1", header: jsonHdr("Accept", "text/html"), body: `{"type":"GET_HEALTH"}`})),
		one("GET", call("get", request{method: http.MethodGet, path: "/api/v1", observe: []string{"Allow"}})),
		one("parse error", operatorCall("call", `{"type":`)),
		{name: "GET_FRAMEWORKS with an offer", steps: steps(withFramework(""), event("s", "OFFERS"),
			operatorCall("frameworks", `{"type":"GET_FRAMEWORKS"}`))},
	}
}

func endpointSequences() []sequence {
	var out []sequence
	for _, path := range []string{"/health", "/master/health", "/version", "/master/state", "/state", "/master/slaves", "/slaves",
		"/master/frameworks", "/frameworks", "/nope", "/master/state.json", "/state.json"} {
		out = append(out, one("GET "+path, getPath("get", path)))
	}
	out = append(out,
		one("GET /redirect", getPath("get", "/redirect", "Location")),
		one("GET /master/redirect", getPath("get", "/master/redirect", "Location")),
		one("GET /master/state jsonp", getPath("get", "/master/state?jsonp=cb")),
	)
	return out
}
