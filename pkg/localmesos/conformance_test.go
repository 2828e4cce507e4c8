package localmesos_test

// Conformance cases derived from Mesos 1.11.0's code rather than its tests
// (D1-D57 of the project's fidelity note), and the note's tables of exact
// parse and conversion errors. Status codes and message texts must match
// Mesos byte for byte; JSON answers must match it in meaning (the
// stand-in writes 15 where Mesos writes 15.0).

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

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

// D1-D17: the scheduler endpoint's transport checks.
func TestConformance_SchedulerTransport(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	fwID := f.id().Value
	valid := subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n"})
	for _, c := range []struct {
		name   string
		header map[string]string
		body   string
		code   int
		want   string
	}{
		{"D1", jsonHeaders("Content-Type", "application/json; charset=utf-8"), valid, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf"},
		{"D2", jsonHeaders("Content-Type", "Application/JSON"), valid, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf"},
		{"empty Content-Type", jsonHeaders("Content-Type", ""), valid, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf"},
		{"protobuf", jsonHeaders("Content-Type", "application/x-protobuf"), valid, 415, "localmesos is a stand-in that speaks JSON only: send 'Content-Type: application/json' (real Mesos also accepts application/x-protobuf)"},
		{"D3", jsonHeaders(), "{", 400, "Failed to parse body into JSON: syntax error at line 1 near: "},
		{"D6", jsonHeaders(), "[]", 400, "Failed to convert JSON into Call protobuf: Expecting a JSON object"},
		{"D9", jsonHeaders(), `{"type":"SUBSCRIBE"}`, 400, "Failed to validate scheduler::Call: Expecting 'subscribe' to be present"},
		{"D10", jsonHeaders(), `{"type":"SUBSCRIBE","framework_id":{"value":"x"},"subscribe":{"framework_info":{"user":"u","name":"n"}}}`, 400, "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'"},
		{"D10 empty id", jsonHeaders(), `{"type":"SUBSCRIBE","framework_id":{"value":""},"subscribe":{"framework_info":{"user":"u","name":"n"}}}`, 200, ""},
		{"D11", jsonHeaders(), `{"type":"TEARDOWN"}`, 400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"},
		{"D12", jsonHeaders(), `{"type":"ACCEPT","framework_id":{"value":"` + fwID + `"}}`, 400, "Failed to validate scheduler::Call: Expecting 'accept' to be present"},
		{"unknown type", jsonHeaders(), `{"type":"FOO"}`, 400, "Failed to validate scheduler::Call: Expecting 'type' to be present"},
		{"empty call", jsonHeaders(), `{}`, 400, "Failed to validate scheduler::Call: Expecting 'type' to be present"},
		{"UNKNOWN without framework", jsonHeaders(), `{"type":"UNKNOWN"}`, 400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"},
		{"zero uuid", jsonHeaders(), `{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"AAAAAAAAAAAAAAAAAAAAAA=="}}`, 400, "Failed to validate scheduler::Call: Not a valid UUID"},
		{"D14", jsonHeaders("Mesos-Stream-Id", "whatever"), `{"type":"TEARDOWN","framework_id":{"value":"never-seen"}}`, 400, "Framework cannot be found"},
		{"D16", jsonHeaders("Mesos-Stream-Id", f.sub.StreamID), `{"type":"UNKNOWN","framework_id":{"value":"` + fwID + `"}}`, 501, "501 Not Implemented."},
		{"UNKNOWN, no stream id", jsonHeaders(), `{"type":"UNKNOWN","framework_id":{"value":"` + fwID + `"}}`, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header"},
		{"empty stream id", jsonHeaders("Mesos-Stream-Id", ""), `{"type":"REVIVE","framework_id":{"value":"` + fwID + `"}}`, 400, "The stream ID '' included in this request didn't match the stream ID currently associated with framework ID " + fwID},
		{"Accept on SUBSCRIBE only", jsonHeaders("Mesos-Stream-Id", f.sub.StreamID, "Accept", "foo"), `{"type":"REVIVE","framework_id":{"value":"` + fwID + `"}}`, 202, ""},
		{"RECONCILE_OPERATIONS Accept", jsonHeaders("Mesos-Stream-Id", f.sub.StreamID, "Accept", "text/plain"), `{"type":"RECONCILE_OPERATIONS","framework_id":{"value":"` + fwID + `"},"reconcile_operations":{}}`, 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'"},
		{"Accept q=0", jsonHeaders("Accept", "application/json;q=0, text/html"), valid, 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'"},
		{"Accept q=0 but */*", jsonHeaders("Accept", "application/json;q=0, */*"), valid, 406, "localmesos is a stand-in that speaks JSON only: send 'Accept: application/json' (real Mesos also answers in application/x-protobuf)"},
		{"Accept empty", jsonHeaders("Accept", ""), valid, 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'"},
		{"Accept protobuf", jsonHeaders("Accept", "application/x-protobuf"), valid, 406, "localmesos is a stand-in that speaks JSON only: send 'Accept: application/json' (real Mesos also answers in application/x-protobuf)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.code == 200 {
				s := openStream(t, srv.URL+"/api/v1/scheduler", c.header, c.body)
				if ev := s.event(); ev.Type != mesos.EventSubscribed {
					t.Fatalf("%s", mustJSON(ev))
				}
				s.cancel()
				return
			}
			post(t, srv, c.header, c.body).want(t, c.code, c.want)
		})
	}
}

// D15: a framework whose stream is gone (within its failover timeout) may
// make no calls.
func TestConformance_D15_NotSubscribed(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	f.sub.Close()
	testenv.Eventually(t, 10*time.Second, "the master notices the closed stream", func() bool {
		return fwPost(t, srv, f, `{"type":"REVIVE","framework_id":{"value":"`+f.id().Value+`"}}`).code == http.StatusForbidden
	})
	fwPost(t, srv, f, `{"type":"REVIVE","framework_id":{"value":"`+f.id().Value+`"}}`).want(t, http.StatusForbidden, "Framework is not subscribed")
}

// D17: every 202 is empty, with no Content-Type.
func TestConformance_D17_Accepted(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	id := `"framework_id":{"value":"` + f.id().Value + `"}`
	for _, body := range []string{
		`{"type":"REVIVE",` + id + `}`,
		`{"type":"SUPPRESS",` + id + `}`,
		`{"type":"DECLINE",` + id + `,"decline":{"offer_ids":[{"value":"nope"}]}}`,
		`{"type":"RECONCILE",` + id + `,"reconcile":{}}`,
		`{"type":"MESSAGE",` + id + `,"message":{"agent_id":{"value":"a"},"executor_id":{"value":"e"},"data":"aGk="}}`,
		`{"type":"REQUEST",` + id + `,"request":{}}`,
		`{"type":"SHUTDOWN",` + id + `,"shutdown":{"executor_id":{"value":"e"},"agent_id":{"value":"a"}}}`,
		`{"type":"ACKNOWLEDGE",` + id + `,"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"q83vEjRWQJCrze8SNFZ4kA=="}}`,
		`{"type":"KILL",` + id + `,"kill":{"task_id":{"value":"nope"}}}`,
	} {
		a := fwPost(t, srv, f, body)
		a.want(t, http.StatusAccepted, "")
		if ct, cl := a.header.Get("Content-Type"), a.header.Get("Content-Length"); ct != "" || cl != "0" {
			t.Fatalf("%s: Content-Type %q, Content-Length %q", body, ct, cl)
		}
	}
}

// D18-D22: SUBSCRIBE refused after the stream opened: one ERROR, then the
// end of the stream.
func TestConformance_SubscribeErrors(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	mr := `"capabilities":[{"type":"MULTI_ROLE"}]`
	for _, c := range []struct{ name, call, err string }{
		{"D18", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a"]}}}`, "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable"},
		{"D19", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a","a"],` + mr + `}}}`, "'FrameworkInfo.roles' contains duplicate items: { a }"},
		{"D20", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","failover_timeout":1e10}}}`, "The framework failover_timeout (1e+10) is invalid"},
		{"D20 inf", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","failover_timeout":"Infinity"}}}`, "The framework failover_timeout (inf) is invalid"},
		{"D21", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["*"],` + mr + `},"suppressed_roles":["x"]}}`, "Suppressed role 'x' is not contained in the list of roles"},
		{"D22", `{"type":"SUBSCRIBE","framework_id":{"value":"a/b"},"subscribe":{"framework_info":{"user":"u","name":"n","id":{"value":"a/b"}}}}`, "'a/b' contains invalid characters"},
		{"role with MULTI_ROLE", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","role":"a",` + mr + `}}}`, "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"},
		{"invalid role", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","role":"a/"}}}`, "'FrameworkInfo.role' is not a valid role: Role 'a/' cannot end with a slash"},
		{"role component", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a/.."],` + mr + `}}}`, "'FrameworkInfo.roles' contains invalid role: Role 'a/..' cannot include '..' as a component"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := subscribeRaw(t, srv, c.call)
			if got, want := string(s.record()), mustJSON(mesos.Event{Type: mesos.EventError, Error: &mesos.FrameworkError{Message: c.err}}); got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
			s.closed()
		})
	}
}

// D23: SUBSCRIBED as Mesos writes it, to the number format.
func TestConformance_D23_Subscribed(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Heartbeat = 0 }) // Mesos' 15 s
	s := subscribeRaw(t, srv, subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n"}))
	port := strings.TrimPrefix(srv.URL, "http://127.0.0.1:")
	want := `{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"` + srv.ID() + `-0000"},"heartbeat_interval_seconds":15.0,"master_info":{"id":"` + srv.ID() +
		`","ip":16777343,"port":` + port + `,"pid":"master@127.0.0.1:` + port + `","hostname":"127.0.0.1","version":"1.11.0","address":{"hostname":"127.0.0.1","ip":"127.0.0.1","port":` + port +
		`},"capabilities":[{"type":"AGENT_UPDATE"},{"type":"AGENT_DRAINING"},{}]}}}`
	got := s.record()
	if string(got) != strings.Replace(want, "15.0", "15", 1) || !sameJSON(t, got, want) {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// acceptRaw accepts offers with operations given as JSON.
func acceptRaw(t *testing.T, srv *localmesos.Server, f *framework, offerIDs []string, ops string) {
	t.Helper()
	ids := make([]string, len(offerIDs))
	for i, id := range offerIDs {
		ids[i] = `{"value":"` + id + `"}`
	}
	fwPost(t, srv, f, `{"type":"ACCEPT","framework_id":{"value":"`+f.id().Value+`"},"accept":{"offer_ids":[`+strings.Join(ids, ",")+`],"operations":`+ops+`}}`).
		want(t, http.StatusAccepted, "")
}

// launchJSON is a LAUNCH operation of tasks given as JSON.
func launchJSON(tasks ...string) string {
	return `[{"type":"LAUNCH","launch":{"task_infos":[` + strings.Join(tasks, ",") + `]}}]`
}

// wantMasterUpdate checks an update the master made itself: no uuid.
func wantMasterUpdate(t *testing.T, st mesos.TaskStatus, task string, state mesos.TaskState, reason, message string) {
	t.Helper()
	if st.TaskID.Value != task || st.State != state || st.Reason != reason || st.Message != message || st.Source != mesos.SourceMaster || len(st.UUID) != 0 {
		t.Fatalf("got %s\nwant %s of %s, %s, %q from the master without uuid", mustJSON(st), state, task, reason, message)
	}
}

// D24-D26: invalid offers fail every task, TASK_LOST or, for a partition
// aware framework, TASK_DROPPED.
func TestConformance_InvalidOffers(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	for _, pa := range []bool{false, true} {
		info := mesos.FrameworkInfo{FailoverTimeout: 60}
		lost := mesos.TaskLost
		if pa {
			info.Capabilities = []mesos.FrameworkCapability{{Type: mesos.CapabilityPartitionAware}}
			lost = mesos.TaskDropped
		}
		f := subscribe(t, srv, info)
		offer := f.offer()
		agent := offer.AgentID.Value
		task := func(id string) string {
			return `{"name":"` + id + `","task_id":{"value":"` + id + `"},"agent_id":{"value":"` + agent + `"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}],"command":{"value":"sleep 10"}}`
		}

		// D24: an offer that never was.
		acceptRaw(t, srv, f, []string{"no-such-offer"}, launchJSON(task("a"), task("b")))
		for _, id := range []string{"a", "b"} {
			st := f.status()
			wantMasterUpdate(t, st, id, lost, mesos.ReasonInvalidOffers, "Task launched with invalid offers: Offer no-such-offer is no longer valid")
			if st.AgentID == nil || st.AgentID.Value != agent || st.ExecutorID != nil {
				t.Fatalf("%s", mustJSON(st))
			}
		}

		// D26: the same offer twice in one call; the offer is spent
		// without RESCIND.
		acceptRaw(t, srv, f, []string{offer.ID.Value, offer.ID.Value}, launchJSON(task("c")))
		wantMasterUpdate(t, f.status(), "c", lost, mesos.ReasonInvalidOffers, "Task launched with invalid offers: Duplicate offer "+offer.ID.Value+" in offer list")

		// D25: a spent offer.
		acceptRaw(t, srv, f, []string{offer.ID.Value}, launchJSON(task("d")))
		wantMasterUpdate(t, f.status(), "d", lost, mesos.ReasonInvalidOffers, "Task launched with invalid offers: Offer "+offer.ID.Value+" is no longer valid")
		f.none(100*time.Millisecond, mesos.EventRescind)
		if err := f.c.Teardown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// D27-D34: invalid tasks get TASK_ERROR from the master; valid ones in the
// same LAUNCH go on.
func TestConformance_InvalidTasks(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Resources = "cpus:2;mem:1024;disk:1024;ports:[31000-32000]" })
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	first := f.offer()
	agent := first.AgentID.Value
	if err := f.c.Decline(context.Background(), []mesos.OfferID{first.ID}, &mesos.Filters{RefuseSeconds: ptr(0.0)}); err != nil {
		t.Fatal(err)
	}
	res := `"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]`
	task := func(id, rest string) string {
		return `{"name":"` + id + `","task_id":{"value":"` + id + `"},"agent_id":{"value":"` + agent + `"}` + rest + `}`
	}
	cmd := `,"command":{"value":"sleep 10"}`
	for _, c := range []struct {
		name  string
		tasks []string
		want  []string // per task: its TASK_ERROR message, or "" for a launched task
	}{
		{"D27", []string{task("t", ","+res)}, []string{"Task should have at least one (but not both) of CommandInfo or ExecutorInfo present"}},
		{"D28", []string{task("t", cmd)}, []string{"Task uses no resources"}},
		{"D29", []string{task("t", `,"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":100}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]`+cmd)},
			[]string{"Total resources cpus(allocated: *):100; mem(allocated: *):32 required by task and its executor is more than available ports(allocated: *):[31000-32000]; cpus(allocated: *):2; mem(allocated: *):1024; disk(allocated: *):1024"}}, // ports first, as real Mesos offers them
		{"D30", []string{task("dup", ","+res+cmd), task("dup", ","+res+cmd)}, []string{"", "Task has duplicate ID: dup"}},
		{"D31", []string{task("a/b", ","+res+cmd)}, []string{"'a/b' contains invalid characters"}},
		{"D32", []string{`{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"other"},` + res + cmd + `}`}, []string{"Task uses invalid agent other while agent " + agent + " is expected"}},
		{"D33", []string{task("neg", `,"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}]`+cmd), task("fine", ","+res+cmd)},
			[]string{"Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0", "Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0"}},
		{"D34", []string{task("t", ","+res+cmd+`,"container":{"type":"DOCKER"}`)}, []string{"Task's `ContainerInfo` is invalid: DockerInfo 'docker' is not set for DOCKER typed ContainerInfo"}},
		{"limits", []string{task("t", ","+res+cmd+`,"limits":{"cpus":{"value":0.05}}`)}, []string{"The cpu limit must be greater than or equal to the cpu request"}},
		{"limits disk", []string{task("t", ","+res+cmd+`,"limits":{"disk":{"value":5}}`)}, []string{"Only cpus and mem may be included in a task's resource limits"}},
		{"operation id", []string{task("t", ","+res+cmd)}, []string{"The `id` field cannot be set on LAUNCH operations"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			offer := f.offer()
			ops := launchJSON(c.tasks...)
			if c.name == "operation id" {
				ops = `[{"type":"LAUNCH","id":{"value":"op"},"launch":{"task_infos":[` + c.tasks[0] + `]}}]`
			}
			fwPost(t, srv, f, `{"type":"ACCEPT","framework_id":{"value":"`+f.id().Value+`"},"accept":{"offer_ids":[{"value":"`+offer.ID.Value+`"}],"operations":`+ops+`,"filters":{"refuse_seconds":0}}}`).
				want(t, http.StatusAccepted, "")
			var errs []string
			launch := 0
			for _, want := range c.want {
				if want == "" {
					launch++
				} else {
					errs = append(errs, want)
				}
			}
			for len(errs) > 0 || launch > 0 {
				st := f.status()
				switch st.State {
				case mesos.TaskStarting:
					// A valid task: it runs; kill it so that its resources
					// come back for the next case.
					launch--
					f.ack(st)
					if err := f.c.Kill(context.Background(), st.TaskID, nil); err != nil {
						t.Fatal(err)
					}
				case mesos.TaskError:
					if st.Reason != mesos.ReasonTaskInvalid || st.Message != errs[0] || st.Source != mesos.SourceMaster || len(st.UUID) != 0 {
						t.Fatalf("got %s\nwant TASK_ERROR %q", mustJSON(st), errs[0])
					}
					errs = errs[1:]
				default:
					if len(st.UUID) > 0 {
						f.ack(st) // the story of a task killed before
					}
				}
			}
		})
	}
}

// D36-D38: what Mesos' Docker executor refuses once it has started: the
// task reports TASK_STARTING, then TASK_FAILED without a reason.
func TestConformance_DockerRunOptions(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	for _, c := range []struct{ name, container, command, want string }{
		{"D36", `{"type":"DOCKER","docker":{"image":"busybox","port_mappings":[{"host_port":9000,"container_port":80}]}}`, `{"value":"true"}`,
			"Failed to create docker run options: Port mappings are only supported for bridge and user-defined networks"},
		{"D37", `{"type":"DOCKER","docker":{"image":"busybox","network":"BRIDGE","port_mappings":[{"host_port":8080,"container_port":80}]}}`, `{"value":"true"}`,
			"Failed to create docker run options: Port [8080] not included in resources"},
		{"D38", `{"type":"DOCKER","docker":{"image":"busybox"}}`, `{}`,
			"Failed to create docker run options: Shell specified but no command value provided"},
	} {
		t.Run(c.name, func(t *testing.T) {
			offer := f.offer()
			task := `{"name":"t","task_id":{"value":"` + c.name + `"},"agent_id":{"value":"` + offer.AgentID.Value + `"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}},{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":9000,"end":9000}]}}],"command":` + c.command + `,"container":` + c.container + `}`
			acceptRaw(t, srv, f, []string{offer.ID.Value}, launchJSON(task))
			if st := f.update(); st.State != mesos.TaskStarting {
				t.Fatalf("%s, want TASK_STARTING", mustJSON(st))
			}
			st := f.update()
			if st.State != mesos.TaskFailed || st.Message != c.want || st.Reason != "" || st.Source != mesos.SourceExecutor || len(st.UUID) != 16 {
				t.Fatalf("got %s\nwant TASK_FAILED %q", mustJSON(st), c.want)
			}
		})
	}
}

// D39: refused resources come back after refuse_seconds: at the next
// allocation for 0, not for 5 s by default.
func TestConformance_D39_DeclineFilters(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		filters *mesos.Filters
		quiet   time.Duration // no offer during this
		within  time.Duration // an offer by then (0: not checked)
	}{
		{"zero", &mesos.Filters{RefuseSeconds: ptr(0.0)}, 0, 500 * time.Millisecond},
		{"half a second", &mesos.Filters{RefuseSeconds: ptr(0.5)}, 400 * time.Millisecond, 2 * time.Second},
		{"default", nil, time.Second, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, nil)
			f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
			offer := f.offer()
			declined := time.Now()
			if err := f.c.Decline(context.Background(), []mesos.OfferID{offer.ID}, c.filters); err != nil {
				t.Fatal(err)
			}
			if c.quiet > 0 {
				f.none(c.quiet, mesos.EventOffers)
			}
			if c.within > 0 {
				f.offer()
				if d := time.Since(declined); d > c.within {
					t.Fatalf("re-offered after %v, want within %v", d, c.within)
				}
			}
		})
	}
}

// D40-D42: command tasks as Mesos' command executor reports them.
func TestConformance_CommandTaskUpdates(t *testing.T) {
	t.Parallel()
	srv := start(t, processRunner)
	for _, c := range []struct {
		name, command string
		killing, kill bool
		states        []mesos.TaskState
		message       string
	}{
		{"D40", "exit 0", false, false, []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskFinished}, "Command exited with status 0"},
		{"D41", "exit 3", false, false, []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskFailed}, "Command exited with status 3"},
		{"D42", "sleep 100", false, true, []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskKilled}, "Command terminated with signal Terminated"},
		{"D42 killing", "sleep 100", true, true, []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskKilling, mesos.TaskKilled}, "Command terminated with signal Terminated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			info := mesos.FrameworkInfo{FailoverTimeout: 60}
			if c.killing {
				info.Capabilities = []mesos.FrameworkCapability{{Type: mesos.CapabilityTaskKillingState}}
			}
			f := subscribe(t, srv, info)
			offer := f.offer()
			ti := simpleTask("t", offer)
			ti.Command.Value = c.command
			f.launch(offer, ti)
			for i, want := range c.states {
				st := f.status()
				if st.State != want || len(st.UUID) != 16 || st.ExecutorID == nil || st.ExecutorID.Value != "t" || st.AgentID == nil {
					t.Fatalf("got %s, want %s with uuid, agent_id and executor_id t", mustJSON(st), want)
				}
				if i == 0 {
					// D40: the next update waits for this one's
					// acknowledgement; unacknowledged, it is re-sent.
					if again := f.status(); again.State != want || string(again.UUID) != string(st.UUID) {
						t.Fatalf("got %s, want %s re-sent", mustJSON(again), want)
					}
				}
				if want.Terminal() && st.Message != c.message {
					t.Fatalf("message %q, want %q", st.Message, c.message)
				}
				f.ack(st)
				if want == mesos.TaskRunning && c.kill {
					if err := f.c.Kill(context.Background(), ti.TaskID, nil); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

// D43-D44: an unacknowledged update is re-sent with its uuid;
// reconciliation answers from the master.
func TestConformance_RetryAndReconcile(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	offer := f.offer()
	f.launch(offer, simpleTask("t", offer))
	first := f.status()
	sent := time.Now()
	again := f.status()
	if again.State != first.State || string(again.UUID) != string(first.UUID) || time.Since(sent) < 100*time.Millisecond {
		t.Fatalf("re-sent %s after %v, want %s with its uuid after the retry interval", mustJSON(again), time.Since(sent), mustJSON(first))
	}
	f.ack(again)
	f.update() // TASK_RUNNING
	if err := f.c.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantReconciled(t, f.status(), mesos.TaskRunning, "Reconciliation: Latest task state", &offer.AgentID)
}

// D45-D47: UPDATE_FRAMEWORK's answers.
func TestConformance_UpdateFramework(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	id := f.id().Value
	fwPost(t, srv, f, `{"type":"UPDATE_FRAMEWORK","framework_id":{"value":"`+id+`"},"update_framework":{"framework_info":{"user":"root","name":"n"}}}`).
		want(t, http.StatusBadRequest, "Failed to validate scheduler::Call: 'framework_id' differs from 'update_framework.framework_info.id'")
	fwPost(t, srv, f, `{"type":"UPDATE_FRAMEWORK","framework_id":{"value":"`+id+`"},"update_framework":{"framework_info":{"user":"root","name":"n","id":{"value":"`+id+`"},"roles":["/x"],"capabilities":[{"type":"MULTI_ROLE"}]}}}`).
		want(t, http.StatusBadRequest, "Supplied FrameworkInfo is not valid: 'FrameworkInfo.roles' contains invalid role: Role '/x' cannot start with a slash")
	a := fwPost(t, srv, f, `{"type":"UPDATE_FRAMEWORK","framework_id":{"value":"`+id+`"},"update_framework":{"framework_info":{"user":"root","name":"renamed","id":{"value":"`+id+`"},"failover_timeout":60}}}`)
	a.want(t, http.StatusOK, "")
	if ct, cl := a.header.Get("Content-Type"), a.header.Get("Content-Length"); ct != "" || cl != "0" {
		t.Fatalf("Content-Type %q, Content-Length %q", ct, cl)
	}
}

// D48-D51: the operator API's answers.
func TestConformance_Operator(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	api := srv.URL + "/api/v1"
	a := do(t, http.MethodPost, api, jsonHeaders(), `{"type":"GET_HEALTH"}`)
	a.want(t, http.StatusOK, `{"type":"GET_HEALTH","get_health":{"healthy":true}}`)
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}

	st := do(t, http.MethodPost, api, jsonHeaders(), `{"type":"GET_STATE"}`)
	prefix := `{"type":"GET_STATE","get_state":{"get_tasks":{"tasks":[],"unreachable_tasks":[],"completed_tasks":[]},"get_executors":{"executors":[]},"get_frameworks":{"frameworks":[],"completed_frameworks":[]},"get_agents":{"agents":[{`
	if st.code != 200 || !strings.HasPrefix(st.body, prefix) || !strings.HasSuffix(st.body, `}],"recovered_agents":[]}}}`) {
		t.Fatalf("GET_STATE %d %s", st.code, st.body)
	}

	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"TEARDOWN","teardown":{"framework_id":{"value":"nope"}}}`).
		want(t, http.StatusBadRequest, "No framework found with specified ID")
	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"TEARDOWN"}`).
		want(t, http.StatusBadRequest, "Failed to validate master::Call: Expecting 'teardown' to be present")
	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"TEARDOWN","teardown":{}}`).
		want(t, http.StatusBadRequest, "Failed to convert JSON into Call protobuf: Missing required fields: teardown.framework_id")
	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"NOPE"}`).
		want(t, http.StatusBadRequest, "Failed to validate master::Call: Expecting 'type' to be present")
	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"UNKNOWN"}`).
		want(t, http.StatusNotImplemented, "501 Not Implemented.")
	do(t, http.MethodPost, api, jsonHeaders("Accept", "text/html"), `{"type":"GET_HEALTH"}`).
		want(t, http.StatusNotAcceptable, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'")
	do(t, http.MethodGet, api, nil, "").
		want(t, http.StatusMethodNotAllowed, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.")
}

// D52-D56: the legacy read endpoints.
func TestConformance_LegacyEndpoints(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	f.offer()

	for _, path := range []string{"/master/state.json", "/state.json", "/nope", "/master/redirect/x", "/redirect/x"} {
		a := do(t, http.MethodGet, srv.URL+path, nil, "")
		a.want(t, http.StatusNotFound, "404 Not Found.")
		if ct := a.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Fatalf("%s: Content-Type %q", path, ct)
		}
	}
	for _, path := range []string{"/master/health", "/health"} {
		a := do(t, http.MethodGet, srv.URL+path, nil, "")
		a.want(t, http.StatusOK, "")
		if ct := a.header.Get("Content-Type"); ct != "" {
			t.Fatalf("%s: Content-Type %q", path, ct)
		}
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, path := range []string{"/master/redirect", "/redirect"} {
		a := do(t, http.MethodGet, srv.URL+path, nil, "")
		if a.code != http.StatusTemporaryRedirect || a.header.Get("Location") != "//"+host || a.body != "" {
			t.Fatalf("%s: %d Location %q body %q", path, a.code, a.header.Get("Location"), a.body)
		}
	}

	// D55: /version's keys are sorted.
	v := do(t, http.MethodGet, srv.URL+"/version", nil, "")
	keys := topLevelKeys(t, v.body)
	if !sortedStrings(keys) || !strings.Contains(v.body, `"version":"1.11.0"`) {
		t.Fatalf("/version %s", v.body)
	}

	// D56: /master/state as Mesos writes it.
	st := do(t, http.MethodGet, srv.URL+"/master/state", nil, "")
	for _, want := range []string{`"activated_slaves":1,`, `"orphan_tasks":[]`, `"unregistered_frameworks":[]`, `"version":"1.11.0"`} {
		if !strings.Contains(st.body, want) {
			t.Fatalf("/master/state lacks %s: %s", want, st.body)
		}
	}
	for _, summary := range []string{`"resources":{`, `"used_resources":{`, `"offered_resources":{`, `"unreserved_resources":{`} {
		for rest := st.body; ; {
			i := strings.Index(rest, summary)
			if i < 0 {
				break
			}
			rest = rest[i+len(summary):]
			if !strings.HasPrefix(rest, `"disk":`) || !inOrder(rest, `"disk":`, `"mem":`, `"gpus":`, `"cpus":`) {
				t.Fatalf("summary %s%.80s not in disk, mem, gpus, cpus order", summary, rest)
			}
		}
	}
	// jsonp, as Mesos' JSON endpoints offer.
	j := do(t, http.MethodGet, srv.URL+"/master/state?jsonp=cb", nil, "")
	if j.code != 200 || j.header.Get("Content-Type") != "text/javascript" || !strings.HasPrefix(j.body, "cb({") || !strings.HasSuffix(j.body, "})") {
		t.Fatalf("jsonp: %d %q %.40s", j.code, j.header.Get("Content-Type"), j.body)
	}
}

func topLevelKeys(t *testing.T, body string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: %v", body, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}

func inOrder(s string, parts ...string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
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

// With --credentials, the principal of the credentials speaks for the
// framework: it fills in a FrameworkInfo without one, and must match it.
func TestConformance_Authentication(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Credentials = map[string]string{"alice": "a-secret", "bob": "b-secret"} })
	auth := func(user, secret string, extra ...string) map[string]string {
		h := jsonHeaders(extra...)
		h["Authorization"] = "Basic " + base64Std(user+":"+secret)
		return h
	}
	post(t, srv, auth("alice", "wrong"), subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n"})).want(t, http.StatusUnauthorized, "401 Unauthorized.")
	post(t, srv, auth("alice", "a-secret"), subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n", Principal: "bob"})).
		want(t, http.StatusBadRequest, "Failed to validate scheduler::Call: Authenticated principal 'alice' does not match principal 'bob' set in `FrameworkInfo`")

	s := openStream(t, srv.URL+"/api/v1/scheduler", auth("alice", "a-secret"), subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n"}))
	id := s.event().Subscribed.FrameworkID.Value
	stream := s.resp.Header.Get("Mesos-Stream-Id")
	revive := `{"type":"REVIVE","framework_id":{"value":"` + id + `"}}`
	post(t, srv, auth("bob", "b-secret", "Mesos-Stream-Id", stream), revive).
		want(t, http.StatusBadRequest, "Authenticated principal 'bob' does not match principal 'alice' set in `FrameworkInfo`")
	post(t, srv, auth("alice", "a-secret", "Mesos-Stream-Id", stream), revive).want(t, http.StatusAccepted, "")
	fws := do(t, http.MethodPost, srv.URL+"/api/v1", jsonHeaders(), `{"type":"GET_FRAMEWORKS"}`)
	if !strings.Contains(fws.body, `"principal":"alice"`) {
		t.Fatalf("the authenticated principal is not the framework's: %s", fws.body)
	}
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
