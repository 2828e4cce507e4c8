package localmesos_test

// Conformance D1-D23 and D45-D47: the scheduler endpoint's transport
// checks, subscriptions and UPDATE_FRAMEWORK (see conformance_test.go).

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

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
