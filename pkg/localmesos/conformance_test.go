package localmesos_test

// Conformance cases derived from Mesos 1.11.0's code rather than its tests
// (D1-D57 of the project's fidelity note), and the note's tables of exact
// parse and conversion errors. Status codes and message texts must match
// Mesos byte for byte; JSON answers must match it in meaning (the
// stand-in writes 15 where Mesos writes 15.0).

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// fwPost posts a raw call body for a subscribed framework, with its stream
// id.
func fwPost(t *testing.T, srv *localmesos.Server, f *framework, body string) answer {
	t.Helper()
	return post(t, srv, jsonHeaders("Mesos-Stream-Id", f.sub.StreamID), body)
}

// The JSON parser's errors: stout's JSON::parse over picojson, with the
// exact byte where it gave up.
func TestConformance_ParseErrors(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	for _, c := range []struct{ body, err string }{
		{"{", "syntax error at line 1 near: "},
		{"not json", "syntax error at line 1 near: ot json"}, // D4
		{"MALFORMED_CONTENT", "syntax error at line 1 near: MALFORMED_CONTENT"},
		{"", "syntax error at line 1 near: "},
		{"   ", "syntax error at line 1 near: "},
		{`{"a":}`, "syntax error at line 1 near: }"},
		{`{"a" 1}`, "syntax error at line 1 near: 1}"},
		{`[1,2`, "syntax error at line 1 near: "},
		{`{"type":"SUBSCRIBE",}`, "syntax error at line 1 near: }"},
		{"{\n\"a\":\n}", "syntax error at line 3 near: }"},
		{`{'a':1}`, "syntax error at line 1 near: 'a':1}"},
		{`{"a":NaN}`, "syntax error at line 1 near: NaN}"},
		{`{"a":tru}`, "syntax error at line 1 near: }"},
		{`{"a":"\x"}`, `syntax error at line 1 near: "}`},
		{`{"a":"\u12"}`, `syntax error at line 1 near: "}`},
		{`{"a":[1,2,]}`, "syntax error at line 1 near: ]}"},
		{"{\"a\":\"\u00e9\x01z\"}", `syntax error at line 1 near: z"}`},
		{"{\"a\"\t:\r\n 1,\n \"b\": [1 2]}", "syntax error at line 3 near: 2]}"},
		{`{"a":1}x`, "Parsed JSON included non-whitespace trailing characters: x"},
		{`{"a":1} {"b":2}`, `Parsed JSON included non-whitespace trailing characters:  {"b":2}`},
		{`123abc`, "Parsed JSON included non-whitespace trailing characters: bc"},
		{`{"a":1e999}`, "Value out of range"},
		{`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"}}} x`, "Parsed JSON included non-whitespace trailing characters:  x"}, // D5
		{strings.Repeat("[", 201) + strings.Repeat("]", 201), "syntax error at line 1 near: " + strings.Repeat("]", 201)},
	} {
		post(t, srv, jsonHeaders(), c.body).want(t, http.StatusBadRequest, "Failed to parse body into JSON: "+c.err)
	}
}

// Conversion of parsed JSON into a Call: stout's protobuf::parse, keys in
// sorted order, the first error wins, then the required fields.
func TestConformance_ConvertErrors(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	sub := func(info string) string { return `{"type":"SUBSCRIBE","subscribe":{"framework_info":` + info + `}}` }
	task := func(ti string) string {
		return `{"type":"ACCEPT","framework_id":{"value":"x"},"accept":{"offer_ids":[{"value":"o"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[` + ti + `]}}]}}`
	}
	for _, c := range []struct{ body, err string }{
		{`[]`, "Expecting a JSON object"},
		{`"x"`, "Expecting a JSON object"},
		{`null`, "Expecting a JSON object"},
		{`42`, "Expecting a JSON object"},
		{`01`, "Expecting a JSON object"},
		{`{"type":1}`, "Not expecting a JSON number for field 'type'"}, // D7
		{`{"type":1,"framework_id":"x"}`, "Not expecting a JSON string for field 'framework_id'"},
		{`{"type":"TEARDOWN","framework_id":{"value":1}}`, "Not expecting a JSON number for field 'value'"},
		{`{"type":"TEARDOWN","framework_id":{}}`, "Missing required fields: framework_id.value"},
		{`{"type":"SUBSCRIBE","subscribe":{}}`, "Missing required fields: subscribe.framework_info"},
		{sub(`{}`), "Missing required fields: subscribe.framework_info.user, subscribe.framework_info.name"}, // D8
		{sub(`{"user":"u","name":"n","failover_timeout":"abc"}`), "Failed to parse 'abc' as a JSON number for field 'failover_timeout': syntax error at line 1 near: abc"},
		{sub(`{"user":"u","name":"n","failover_timeout":"true"}`), "Failed to parse 'true' as a JSON number for field 'failover_timeout': Unexpected JSON type parsed"},
		{sub(`{"user":"u","name":"n","checkpoint":"yes"}`), "Failed to parse 'yes' as a JSON boolean for field 'checkpoint': syntax error at line 1 near: yes"},
		{sub(`{"user":"u","name":"n","checkpoint":1}`), "Not expecting a JSON number for field 'checkpoint'"},
		{sub(`{"user":"u","name":true}`), "Not expecting a JSON boolean for field 'name'"},
		{`{"type":"SUBSCRIBE","subscribe":{"framework_info":[]}}`, "Not expecting a JSON array for field 'framework_info'"},
		{sub(`{"user":"u","name":"n","capabilities":[{"type":1}]}`), "Not expecting a JSON number for field 'type'"},
		{task(`{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"a"},"resources":[{"name":"cpus","type":"SCALR","scalar":{"value":1}}]}`), "Failed to find enum for 'SCALR'"},
		{task(`{"resources":[{"name":"cpus","type":"SCALAR","scalar":{}}]}`),
			"Missing required fields: accept.operations[0].launch.task_infos[0].name, accept.operations[0].launch.task_infos[0].task_id, accept.operations[0].launch.task_infos[0].agent_id, accept.operations[0].launch.task_infos[0].resources[0].scalar.value"},
		{task(`{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"a"},"container":{"type":"DOCKER","docker":{}}}`),
			"Missing required fields: accept.operations[0].launch.task_infos[0].container.docker.image"}, // D35
		{task(`{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"a"},"limits":{"cpus":2}}`), "Not expecting a JSON number for field 'value'"},
		{`{"type":"KILL","framework_id":{"value":"x"},"kill":{}}`, "Missing required fields: kill.task_id"},
		{`{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"}}}`, "Missing required fields: acknowledge.uuid"},
		{`{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"bad-uuid"}}`,
			"Failed to base64 decode bytes field 'uuid': Invalid character '-'"}, // D13
	} {
		post(t, srv, jsonHeaders(), c.body).want(t, http.StatusBadRequest, "Failed to convert JSON into Call protobuf: "+c.err)
	}
}

// What Mesos accepts although encoding/json would not: numbers and bools
// as strings, a single value for a list, unknown keys, unknown optional
// enum names, lenient base64.
func TestConformance_LenientInput(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	s := subscribeRaw(t, srv, `{"type":"SUBSCRIBE","unknownKey":{"x":[1]},"subscribe":{"framework_info":{"user":"u","name":"n",`+
		`"failover_timeout":"60","checkpoint":"false","roles":"*","capabilities":[{"type":"MULTI_ROLE"},{"type":"NO_SUCH_CAPABILITY"}],"frameworkId":1}}}`)
	ev := s.event()
	if ev.Type != mesos.EventSubscribed {
		t.Fatalf("%s", mustJSON(ev))
	}
	fws, err := operatorClient(t, srv).Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	info := fws.Frameworks[0].FrameworkInfo
	// The unknown capability stays, without a type, as in a proto2 parse.
	if info.FailoverTimeout != 60 || len(info.Roles) != 1 || info.Roles[0] != "*" || len(info.Capabilities) != 2 || info.Capabilities[1].Type != "" {
		t.Fatalf("framework_info %s", mustJSON(info))
	}
	// 16 random bytes with version 4, in base64 with a line break and no
	// padding: stout skips whitespace and stops at '='.
	ack := `{"type":"ACKNOWLEDGE","framework_id":{"value":"` + ev.Subscribed.FrameworkID.Value + `"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"q83vEjRWQJCr\nze8SNFZ4kA"}}`
	post(t, srv, jsonHeaders("Mesos-Stream-Id", s.resp.Header.Get("Mesos-Stream-Id")), ack).want(t, http.StatusAccepted, "")
}

// D57: an infinite double comes back as Mesos writes it, quoted.
func TestConformance_D57_Infinity(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	offer := f.offer()
	task := `{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"` + offer.AgentID.Value + `"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}],"command":{"value":"sleep 10"},"limits":{"cpus":{"value":"Infinity"},"mem":{"value":"Infinity"}}}`
	acceptRaw(t, srv, f, []string{offer.ID.Value}, launchJSON(task))
	if st := f.update(); st.State != mesos.TaskStarting {
		t.Fatalf("%s", mustJSON(st))
	}
	a := do(t, http.MethodPost, srv.URL+"/api/v1", jsonHeaders(), `{"type":"GET_TASKS"}`)
	if !strings.Contains(a.body, `"limits":{"cpus":{"value":"Infinity"},"mem":{"value":"Infinity"}}`) {
		t.Fatalf("GET_TASKS %s", a.body)
	}
}

// Unknown keys at any depth and calls of every shape never break the
// stand-in: a quick sweep of odd but well-formed bodies.
func TestConformance_OddCalls(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	id := `"framework_id":{"value":"` + f.id().Value + `"}`
	for _, c := range []struct {
		body string
		code int
	}{
		{`{"type":"REVIVE",` + id + `,"revive":{"roles":["nope"]}}`, 202},
		{`{"type":"SUPPRESS",` + id + `,"suppress":{"roles":"*"}}`, 202},
		{`{"type":"ACCEPT",` + id + `,"accept":{}}`, 202},
		{`{"type":"ACCEPT",` + id + `,"accept":{"offer_ids":{"value":"x"},"operations":[{"type":"NOPE"}]}}`, 202},
		{`{"type":"DECLINE",` + id + `,"decline":{"offer_ids":[[{"value":"x"}]],"filters":{"refuse_seconds":"-1"}}}`, 202},
		{`{"type":"RECONCILE",` + id + `,"reconcile":{"tasks":[{"task_id":{"value":"x"},"agent_id":{"value":"y"}}]}}`, 202},
	} {
		a := fwPost(t, srv, f, c.body)
		if a.code != c.code {
			t.Fatalf("%s: %d %q, want %d", c.body, a.code, a.body, c.code)
		}
	}
	fwPost(t, srv, f, `{"type":"ACKNOWLEDGE_OPERATION_STATUS",`+id+`,"acknowledge_operation_status":{"uuid":"q83vEjRWQJCrze8SNFZ4kA==","operation_id":{"value":"o"}}}`).
		want(t, http.StatusBadRequest, "Failed to validate scheduler::Call: Expecting 'agent_id' to be present")
	// Still serving.
	if a := fwPost(t, srv, f, `{"type":"REVIVE",`+id+`}`); a.code != http.StatusAccepted {
		t.Fatalf("after odd calls: %d %q", a.code, a.body)
	}
}
