package localmesos_test

// The differential test's scheduler API sequences, from the cases the
// package ports from Mesos (conformance_test.go, scheduler_http_api_test.go)
// and the Demo-API notebook's path. Never put a scheduler call of type
// UNKNOWN for a known framework here: it aborts a real master (the runner
// refuses to send one).

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

var _ = register("scheduler", schedulerTransport()...)
var _ = register("scheduler", schedulerParse()...)
var _ = register("scheduler", schedulerSubscribe()...)
var _ = register("scheduler", schedulerTasks()...)

// one is a sequence of a single call.
func one(name string, st step) sequence { return sequence{name: name, steps: []step{st}} }

const subscribeBody = `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"}}}`

// withFramework runs steps after subscribing framework s and waiting for
// its SUBSCRIBED.
func withFramework(extra string, steps ...step) []step {
	return append([]step{subscribeFW(extra), event("s", "SUBSCRIBED")}, steps...)
}

const fwID = `"framework_id":{"value":"{s.fw}"}`

// schedulerTransport: the endpoint's checks before a call is looked at
// (scheduler_http_api_tests.cpp, conformance D1-D17).
func schedulerTransport() []sequence {
	return []sequence{
		one("NoContentType", raw("post", map[string]string{"Accept": "application/json"}, subscribeBody)),
		one("ContentTypeWithCharset", raw("post", jsonHdr("Content-Type", "application/json; charset=utf-8"), subscribeBody)),
		one("ContentTypeCase", raw("post", jsonHdr("Content-Type", "Application/JSON"), subscribeBody)),
		one("ContentTypeEmpty", raw("post", jsonHdr("Content-Type", ""), subscribeBody)),
		one("UnsupportedContentMediaType", raw("post", jsonHdr("Content-Type", "application/unknown-media-type"), subscribeBody)),
		one("ProtobufContentType", raw("post", jsonHdr("Content-Type", "application/x-protobuf"), subscribeBody)),
		one("NotAcceptable", raw("post", jsonHdr("Accept", "foo"), subscribeBody)),
		one("AcceptEmpty", raw("post", jsonHdr("Accept", ""), subscribeBody)),
		one("AcceptQZero", raw("post", jsonHdr("Accept", "application/json;q=0, text/html"), subscribeBody)),
		// Without failover_timeout: removed as soon as the stream closes.
		{name: "AcceptProtobuf", steps: []step{subscribeTo("s", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":"differential"}}}`, "Accept", "application/x-protobuf")}},
		one("GetRequest", call("get", request{method: http.MethodGet, path: "/api/v1/scheduler", observe: []string{"Allow"}})),
		one("PutRequest", call("put", request{method: http.MethodPut, path: "/api/v1/scheduler", header: jsonHdr(), body: subscribeBody, observe: []string{"Allow"}})),
		one("ValidJsonButInvalidProtobuf", raw("post", jsonHdr(), `{"string":"valid_json"}`)),
		one("SubscribeWithStreamId", raw("post", jsonHdr("Mesos-Stream-Id", "7a4b8ba2-2f80-4b7a-8b0c-0c2b5e0e7d1f"), subscribeBody)),
		one("D9 SubscribeWithoutSubscribe", raw("post", jsonHdr(), `{"type":"SUBSCRIBE"}`)),
		one("D10 FrameworkIDDiffers", raw("post", jsonHdr(), `{"type":"SUBSCRIBE","framework_id":{"value":"x"},"subscribe":{"framework_info":{"user":"u","name":"n"}}}`)),
		one("D11 NoFrameworkID", raw("post", jsonHdr(), `{"type":"TEARDOWN"}`)),
		one("UnknownType", raw("post", jsonHdr(), `{"type":"FOO"}`)),
		one("EmptyCall", raw("post", jsonHdr(), `{}`)),
		one("UnknownWithoutFramework", raw("post", jsonHdr(), `{"type":"UNKNOWN"}`)),
		one("UnknownOfUnknownFramework", raw("post", jsonHdr("Mesos-Stream-Id", "x"), `{"type":"UNKNOWN","framework_id":{"value":"never-seen"}}`)),
		one("ZeroUUID", raw("post", jsonHdr(), `{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"AAAAAAAAAAAAAAAAAAAAAA=="}}`)),
		one("D14 FrameworkCannotBeFound", raw("post", jsonHdr("Mesos-Stream-Id", "whatever"), `{"type":"TEARDOWN","framework_id":{"value":"never-seen"}}`)),
		{name: "D12 AcceptWithoutAccept", steps: withFramework("", sched("accept", `{"type":"ACCEPT",`+fwID+`}`))},
		{name: "TeardownWithoutStreamId", steps: withFramework("", raw("teardown", jsonHdr(), `{"type":"TEARDOWN",`+fwID+`}`))},
		{name: "EmptyStreamId", steps: withFramework("", raw("revive", jsonHdr("Mesos-Stream-Id", ""), `{"type":"REVIVE",`+fwID+`}`))},
		{name: "TeardownWrongStreamId", steps: withFramework("",
			subscribeTo("t", `{"type":"SUBSCRIBE","framework_id":{"value":"{s.fw}"},"subscribe":{"framework_info":`+fw(`,"id":{"value":"{s.fw}"}`)+`}}`),
			event("t", "SUBSCRIBED"),
			event("s", "ERROR"),
			ended("s"),
			sched("teardown with the old stream id", `{"type":"TEARDOWN",`+fwID+`}`),
			schedAs("t", "teardown", `{"type":"TEARDOWN",`+fwID+`}`),
			ended("t"),
		)},
		{name: "D15 NotSubscribed", steps: withFramework("",
			closeStream("s"),
			callUntil("revive", request{method: http.MethodPost, path: "/api/v1/scheduler", header: jsonHdr("Mesos-Stream-Id", "{s.stream}"),
				body: `{"type":"REVIVE",` + fwID + `}`}, http.StatusForbidden),
		)},
		{name: "MalformedUUID", steps: withFramework("",
			sched("ack", `{"type":"ACKNOWLEDGE",`+fwID+`,"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"YmFkLXV1aWQ="}}`))},
		{name: "Accept header ignored but for SUBSCRIBE", steps: withFramework("",
			call("revive", request{method: http.MethodPost, path: "/api/v1/scheduler", header: jsonHdr("Mesos-Stream-Id", "{s.stream}", "Accept", "foo"), body: `{"type":"REVIVE",` + fwID + `}`}),
			call("reconcile operations", request{method: http.MethodPost, path: "/api/v1/scheduler", header: jsonHdr("Mesos-Stream-Id", "{s.stream}", "Accept", "text/plain"), body: `{"type":"RECONCILE_OPERATIONS",` + fwID + `,"reconcile_operations":{}}`}),
		)},
		{name: "D17 Accepted", steps: withFramework("",
			sched("revive", `{"type":"REVIVE",`+fwID+`}`),
			sched("suppress", `{"type":"SUPPRESS",`+fwID+`}`),
			sched("decline", `{"type":"DECLINE",`+fwID+`,"decline":{"offer_ids":[{"value":"nope"}]}}`),
			sched("reconcile", `{"type":"RECONCILE",`+fwID+`,"reconcile":{}}`),
			sched("message", `{"type":"MESSAGE",`+fwID+`,"message":{"agent_id":{"value":"a"},"executor_id":{"value":"e"},"data":"aGk="}}`),
			sched("request", `{"type":"REQUEST",`+fwID+`,"request":{}}`),
			sched("shutdown", `{"type":"SHUTDOWN",`+fwID+`,"shutdown":{"executor_id":{"value":"e"},"agent_id":{"value":"a"}}}`),
			sched("acknowledge", `{"type":"ACKNOWLEDGE",`+fwID+`,"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"q83vEjRWQJCrze8SNFZ4kA=="}}`),
			sched("acknowledge operation", `{"type":"ACKNOWLEDGE_OPERATION_STATUS",`+fwID+`,"acknowledge_operation_status":{"uuid":"q83vEjRWQJCrze8SNFZ4kA==","operation_id":{"value":"o"}}}`),
			sched("reconcile operations", `{"type":"RECONCILE_OPERATIONS",`+fwID+`,"reconcile_operations":{}}`),
			sched("accept inverse offers", `{"type":"ACCEPT_INVERSE_OFFERS",`+fwID+`,"accept_inverse_offers":{"inverse_offer_ids":[{"value":"i"}]}}`),
			sched("decline inverse offers", `{"type":"DECLINE_INVERSE_OFFERS",`+fwID+`,"decline_inverse_offers":{"inverse_offer_ids":[{"value":"i"}]}}`),
		)},
	}
}

// schedulerParse: bodies Mesos cannot parse or convert, each with the
// exact text Mesos answers (conformance ParseErrors and ConvertErrors).
func schedulerParse() []sequence {
	var out []sequence
	for i, body := range []string{
		"{", "not json", "MALFORMED_CONTENT", "", "   ", `{"a":}`, `{"a" 1}`, `[1,2`, `{"type":"SUBSCRIBE",}`, "{\n\"a\":\n}",
		`{'a':1}`, `{"a":NaN}`, `{"a":tru}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":[1,2,]}`, "{\"a\":\"\u00e9\x01z\"}",
		"{\"a\"\t:\r\n 1,\n \"b\": [1 2]}", `{"a":1}x`, `{"a":1} {"b":2}`, `123abc`, `{"a":1e999}`,
		subscribeBody + " x", strings.Repeat("[", 201) + strings.Repeat("]", 201),
	} {
		out = append(out, one(fmt.Sprintf("Parse%02d", i+1), raw("post", jsonHdr(), body)))
	}
	sub := func(info string) string { return `{"type":"SUBSCRIBE","subscribe":{"framework_info":` + info + `}}` }
	task := func(ti string) string {
		return `{"type":"ACCEPT","framework_id":{"value":"x"},"accept":{"offer_ids":[{"value":"o"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[` + ti + `]}}]}}`
	}
	for i, body := range []string{
		`[]`, `"x"`, `null`, `42`, `01`, `{"type":1}`, `{"type":1,"framework_id":"x"}`,
		`{"type":"TEARDOWN","framework_id":{"value":1}}`, `{"type":"TEARDOWN","framework_id":{}}`,
		`{"type":"SUBSCRIBE","subscribe":{}}`, sub(`{}`),
		sub(`{"user":"u","name":"n","failover_timeout":"abc"}`), sub(`{"user":"u","name":"n","failover_timeout":"true"}`),
		sub(`{"user":"u","name":"n","checkpoint":"yes"}`), sub(`{"user":"u","name":"n","checkpoint":1}`),
		sub(`{"user":"u","name":true}`), `{"type":"SUBSCRIBE","subscribe":{"framework_info":[]}}`,
		sub(`{"user":"u","name":"n","capabilities":[{"type":1}]}`),
		task(`{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"a"},"resources":[{"name":"cpus","type":"SCALR","scalar":{"value":1}}]}`),
		task(`{"resources":[{"name":"cpus","type":"SCALAR","scalar":{}}]}`),
		task(`{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"a"},"container":{"type":"DOCKER","docker":{}}}`),
		task(`{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"a"},"limits":{"cpus":2}}`),
		`{"type":"KILL","framework_id":{"value":"x"},"kill":{}}`,
		`{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"}}}`,
		`{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"bad-uuid"}}`,
	} {
		out = append(out, one(fmt.Sprintf("Convert%02d", i+1), raw("post", jsonHdr(), body)))
	}
	return out
}

// schedulerSubscribe: subscriptions, accepted and refused (conformance
// D18-D23, scheduler_http_api_tests.cpp).
func schedulerSubscribe() []sequence {
	mr := `,"capabilities":[{"type":"MULTI_ROLE"}]`
	out := []sequence{
		{name: "Subscribe", steps: []step{subscribeFW(""), event("s", "SUBSCRIBED"), event("s", "HEARTBEAT"), event("s", "OFFERS")}},
		{name: "NoAcceptHeader", steps: []step{
			subscribeTo("s", `{"type":"SUBSCRIBE","subscribe":{"framework_info":`+fw("")+`}}`, "Accept", "-"), event("s", "SUBSCRIBED")}},
		{name: "DefaultAccept", steps: []step{
			subscribeTo("s", `{"type":"SUBSCRIBE","subscribe":{"framework_info":`+fw("")+`}}`, "Accept", "*/*"), event("s", "SUBSCRIBED")}},
		{name: "D10 EmptyFrameworkID", steps: []step{
			subscribeTo("s", `{"type":"SUBSCRIBE","framework_id":{"value":""},"subscribe":{"framework_info":`+fw("")+`}}`), event("s", "SUBSCRIBED")}},
		{name: "MultiRole", steps: []step{subscribeFW(`,"roles":["*"]` + mr), event("s", "SUBSCRIBED"), event("s", "OFFERS")}},
		{name: "SubscribedOnRetry", steps: withFramework("",
			event("s", "HEARTBEAT"),
			subscribeTo("t", `{"type":"SUBSCRIBE","framework_id":{"value":"{s.fw}"},"subscribe":{"framework_info":`+fw(`,"id":{"value":"{s.fw}"}`)+`}}`),
			event("t", "SUBSCRIBED"),
			event("t", "HEARTBEAT"),
			event("s", "ERROR"),
			ended("s"),
		)},
		{name: "ResubscribeAfterDisconnect", steps: withFramework("",
			closeStream("s"),
			pause(300*time.Millisecond),
			subscribeTo("t", `{"type":"SUBSCRIBE","framework_id":{"value":"{s.fw}"},"subscribe":{"framework_info":`+fw(`,"id":{"value":"{s.fw}"}`)+`}}`),
			event("t", "SUBSCRIBED"),
			event("t", "OFFERS"),
		)},
		{name: "ResubscribeAfterTeardown", steps: withFramework("",
			sched("teardown", `{"type":"TEARDOWN",`+fwID+`}`),
			ended("s"),
			subscribeTo("t", `{"type":"SUBSCRIBE","framework_id":{"value":"{s.fw}"},"subscribe":{"framework_info":`+fw(`,"id":{"value":"{s.fw}"}`)+`}}`),
			event("t", "ERROR"),
			ended("t"),
		)},
		// A master that does not know the id takes the framework back as it
		// would after its own failover.
		{name: "UnknownFrameworkID", steps: []step{
			subscribeTo("s", `{"type":"SUBSCRIBE","framework_id":{"value":"never-seen"},"subscribe":{"framework_info":`+fw(`,"id":{"value":"never-seen"}`)+`}}`),
			event("s", "SUBSCRIBED"), event("s", "OFFERS")}},
		{name: "D45-D47 UpdateFramework", steps: withFramework("",
			sched("id differs", `{"type":"UPDATE_FRAMEWORK",`+fwID+`,"update_framework":{"framework_info":{"user":"root","name":"n"}}}`),
			sched("invalid role", `{"type":"UPDATE_FRAMEWORK",`+fwID+`,"update_framework":{"framework_info":{"user":"root","name":"n","id":{"value":"{s.fw}"},"roles":["/x"],"capabilities":[{"type":"MULTI_ROLE"}]}}}`),
			sched("user changes", `{"type":"UPDATE_FRAMEWORK",`+fwID+`,"update_framework":{"framework_info":{"user":"other","name":"n","id":{"value":"{s.fw}"},"failover_timeout":60}}}`),
			sched("renamed", `{"type":"UPDATE_FRAMEWORK",`+fwID+`,"update_framework":{"framework_info":{"user":"root","name":"renamed","id":{"value":"{s.fw}"},"failover_timeout":60}}}`),
		)},
	}
	for _, c := range []struct{ name, call string }{
		{"D18 RolesWithoutMultiRole", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a"]}}}`},
		{"D19 DuplicateRoles", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a","a"]` + mr + `}}}`},
		{"D20 FailoverTimeout", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","failover_timeout":1e10}}}`},
		{"D20 FailoverTimeoutInfinity", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","failover_timeout":"Infinity"}}}`},
		{"D21 SuppressedRoleNotInRoles", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["*"]` + mr + `},"suppressed_roles":["x"]}}`},
		{"D22 InvalidFrameworkID", `{"type":"SUBSCRIBE","framework_id":{"value":"a/b"},"subscribe":{"framework_info":{"user":"u","name":"n","id":{"value":"a/b"}}}}`},
		{"RoleWithMultiRole", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","role":"a"` + mr + `}}}`},
		{"InvalidRole", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","role":"a/"}}}`},
		{"RoleComponent", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a/.."]` + mr + `}}}`},
		{"RejectFrameworkWithInvalidRole", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["/test/test1"]` + mr + `}}}`},
	} {
		out = append(out, sequence{name: c.name, steps: []step{subscribeTo("s", c.call), event("s", "ERROR"), ended("s")}})
	}
	return out
}

// taskJSON is a TaskInfo as JSON on the agent of stream s's last offer.
func taskJSON(id, rest string) string {
	return `{"name":"` + id + `","task_id":{"value":"` + id + `"},"agent_id":{"value":"{s.agent}"}` + rest + `}`
}

const small = `,"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]`

// accept launches tasks on stream s's last offer.
func accept(label string, tasks ...string) step {
	return sched(label, `{"type":"ACCEPT",`+fwID+`,"accept":{"offer_ids":[{"value":"{s.offer}"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[`+
		strings.Join(tasks, ",")+`]}}],"filters":{"refuse_seconds":0}}}`)
}

// ack acknowledges stream s's last update.
func ack(label string) step {
	return sched(label, `{"type":"ACKNOWLEDGE",`+fwID+`,"acknowledge":{"agent_id":{"value":"{s.agent}"},"task_id":{"value":"{s.task}"},"uuid":"{s.uuid}"}}`)
}

// update waits for stream s's next UPDATE and, when ackIt, acknowledges it.
func update(ackIt bool) []step {
	if !ackIt {
		return []step{event("s", "UPDATE")}
	}
	return []step{event("s", "UPDATE"), ack("ack")}
}

func steps(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch x := p.(type) {
		case step:
			out = append(out, x)
		case []step:
			out = append(out, x...)
		}
	}
	return out
}

// schedulerTasks: offers, launches, updates, acknowledgements,
// reconciliation and kills, valid and invalid (conformance D24-D44, the
// Demo-API notebook's path).
func schedulerTasks() []sequence {
	cmd := `,"command":{"value":"sleep 100"}`
	out := []sequence{
		{name: "CommandTaskLife", steps: steps(
			subscribeFW(""), event("s", "SUBSCRIBED"), event("s", "OFFERS"),
			accept("accept", taskJSON("t1", small+cmd)),
			update(true), update(true), // STARTING, RUNNING
			sched("reconcile explicit", `{"type":"RECONCILE",`+fwID+`,"reconcile":{"tasks":[{"task_id":{"value":"t1"}}]}}`),
			update(false),
			sched("reconcile implicit", `{"type":"RECONCILE",`+fwID+`,"reconcile":{}}`),
			update(false),
			sched("reconcile unknown", `{"type":"RECONCILE",`+fwID+`,"reconcile":{"tasks":[{"task_id":{"value":"nope"}}]}}`),
			update(false),
			sched("kill", `{"type":"KILL",`+fwID+`,"kill":{"task_id":{"value":"t1"}}}`),
			update(true), // KILLED
			sched("kill unknown", `{"type":"KILL",`+fwID+`,"kill":{"task_id":{"value":"nope"}}}`),
			update(false),
			sched("teardown", `{"type":"TEARDOWN",`+fwID+`}`),
			ended("s"),
		)},
		{name: "D40 CommandExits0", steps: steps(withFramework(""), event("s", "OFFERS"),
			accept("accept", taskJSON("t", small+`,"command":{"value":"exit 0"}`)), update(true), update(true), update(true))},
		{name: "D41 CommandExits3", steps: steps(withFramework(""), event("s", "OFFERS"),
			accept("accept", taskJSON("t", small+`,"command":{"value":"exit 3"}`)), update(true), update(true), update(true))},
		{name: "D42 KillingState", steps: steps(withFramework(`,"capabilities":[{"type":"TASK_KILLING_STATE"}]`), event("s", "OFFERS"),
			accept("accept", taskJSON("t", small+cmd)), update(true), update(true),
			sched("kill", `{"type":"KILL",`+fwID+`,"kill":{"task_id":{"value":"t"}}}`), update(true), update(true))},
		{name: "D43 UpdateResentUntilAcknowledged", steps: steps(withFramework(""), event("s", "OFFERS"),
			accept("accept", taskJSON("t", small+cmd)), update(false), update(true), update(true))},
		{name: "Decline", steps: steps(withFramework(""), event("s", "OFFERS"),
			sched("decline", `{"type":"DECLINE",`+fwID+`,"decline":{"offer_ids":[{"value":"{s.offer}"}],"filters":{"refuse_seconds":0}}}`),
			event("s", "OFFERS"))},
		{name: "DeclineTwice", steps: steps(withFramework(""), event("s", "OFFERS"),
			sched("decline", `{"type":"DECLINE",`+fwID+`,"decline":{"offer_ids":[{"value":"{s.offer}"}],"filters":{"refuse_seconds":0}}}`),
			sched("decline again", `{"type":"DECLINE",`+fwID+`,"decline":{"offer_ids":[{"value":"{s.offer}"}]}}`))},
		{name: "D24-D26 InvalidOffers", steps: steps(withFramework(""), event("s", "OFFERS"),
			sched("unknown offer", `{"type":"ACCEPT",`+fwID+`,"accept":{"offer_ids":[{"value":"no-such-offer"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[`+taskJSON("a", small+cmd)+`]}}]}}`),
			update(false),
			sched("duplicate offer", `{"type":"ACCEPT",`+fwID+`,"accept":{"offer_ids":[{"value":"{s.offer}"},{"value":"{s.offer}"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[`+taskJSON("c", small+cmd)+`]}}]}}`),
			update(false),
			sched("spent offer", `{"type":"ACCEPT",`+fwID+`,"accept":{"offer_ids":[{"value":"{s.offer}"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[`+taskJSON("d", small+cmd)+`]}}]}}`),
			update(false))},
		{name: "InvalidOffersPartitionAware", steps: steps(withFramework(`,"capabilities":[{"type":"PARTITION_AWARE"}]`), event("s", "OFFERS"),
			sched("unknown offer", `{"type":"ACCEPT",`+fwID+`,"accept":{"offer_ids":[{"value":"no-such-offer"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[`+taskJSON("a", small+cmd)+`]}}]}}`),
			update(false))},
		{name: "AcceptNoOffers", steps: steps(withFramework(""),
			sched("accept", `{"type":"ACCEPT",`+fwID+`,"accept":{"operations":[{"type":"LAUNCH","launch":{"task_infos":[`+taskJSON("a", small+cmd)+`]}}]}}`),
			update(false))},
	}
	for _, c := range []struct{ name, tasks string }{
		{"D27 NoCommand", taskJSON("t", small)},
		{"D28 NoResources", taskJSON("t", cmd)},
		{"D29 TooMuch", taskJSON("t", `,"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":100}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]`+cmd)},
		{"D31 InvalidTaskID", taskJSON("a/b", small+cmd)},
		{"D32 WrongAgent", `{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"other"}` + small + cmd + `}`},
		{"D34 DockerInfoMissing", taskJSON("t", small+cmd+`,"container":{"type":"DOCKER"}`)},
		{"CpuLimitBelowRequest", taskJSON("t", small+cmd+`,"limits":{"cpus":{"value":0.05}}`)},
		{"DiskLimit", taskJSON("t", small+cmd+`,"limits":{"disk":{"value":5}}`)},
		{"NegativeGracePeriod", taskJSON("t", small+cmd+`,"kill_policy":{"grace_period":{"nanoseconds":-1}}`)},
		{"DockerNameParameter", taskJSON("t", small+cmd+`,"container":{"type":"DOCKER","docker":{"image":"x","parameters":[{"key":"name","value":"x"}]}}`)},
	} {
		out = append(out, sequence{name: c.name, steps: steps(withFramework(""), event("s", "OFFERS"), accept("accept", c.tasks), update(false))})
	}
	out = append(out,
		sequence{name: "D30 DuplicateTaskID", steps: steps(withFramework(""), event("s", "OFFERS"),
			accept("accept", taskJSON("dup", small+cmd), taskJSON("dup", small+cmd)), update(false), update(false))},
		sequence{name: "D33 NegativeResource", steps: steps(withFramework(""), event("s", "OFFERS"),
			accept("accept", taskJSON("neg", `,"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}]`+cmd), taskJSON("fine", small+cmd)), update(false), update(false))},
		sequence{name: "OperationID", steps: steps(withFramework(""), event("s", "OFFERS"),
			sched("accept", `{"type":"ACCEPT",`+fwID+`,"accept":{"offer_ids":[{"value":"{s.offer}"}],"operations":[{"type":"LAUNCH","id":{"value":"op"},"launch":{"task_infos":[`+taskJSON("t", small+cmd)+`]}}]}}`),
			update(false))},
	)
	docker := func(name, container, command string, updates int) sequence {
		res := `,"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}},{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":{s.port},"end":{s.port}}]}}]`
		st := steps(withFramework(""), event("s", "OFFERS"), accept("accept", taskJSON("web", res+`,"command":`+command+`,"container":`+container)))
		for range updates {
			st = append(st, update(true)...)
		}
		return sequence{name: name, docker: true, steps: st}
	}
	image := `"image":"mesosnb/demo-site:dev"`
	out = append(out,
		docker("DockerTaskLife", `{"type":"DOCKER","docker":{`+image+`,"network":"BRIDGE","port_mappings":[{"host_port":{s.port},"container_port":80}]}}`, `{"shell":false}`, 2),
		docker("D36 PortMappingHostNetwork", `{"type":"DOCKER","docker":{`+image+`,"port_mappings":[{"host_port":{s.port},"container_port":80}]}}`, `{"shell":false}`, 2),
		docker("D37 PortNotInResources", `{"type":"DOCKER","docker":{`+image+`,"network":"BRIDGE","port_mappings":[{"host_port":8080,"container_port":80}]}}`, `{"shell":false}`, 2),
		docker("D38 ShellWithoutValue", `{"type":"DOCKER","docker":{`+image+`}}`, `{}`, 2),
	)
	// The Docker task's life goes on: kill it and tear down.
	life := &out[len(out)-4]
	life.steps = append(life.steps,
		fetchPage(),
		sched("kill", `{"type":"KILL",`+fwID+`,"kill":{"task_id":{"value":"web"}}}`),
		event("s", "UPDATE"), ack("ack"),
		sched("teardown", `{"type":"TEARDOWN",`+fwID+`}`),
		ended("s"))
	return out
}
