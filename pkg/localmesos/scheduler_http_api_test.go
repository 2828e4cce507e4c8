package localmesos_test

// Ports of Mesos 1.11.0's src/tests/scheduler_http_api_tests.cpp (the JSON
// leg of each parameterised test), one Go test per upstream test, named
// after it. The v0 driver tests (UpdatePidToHttpScheduler and the like)
// have no counterpart: the stand-in speaks only the v1 HTTP API.

import (
	"net/http"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// defaultFramework is the tests' DEFAULT_FRAMEWORK_INFO, as a v1
// FrameworkInfo: MULTI_ROLE and RESERVATION_REFINEMENT, role "*".
func defaultFramework() mesos.FrameworkInfo {
	return mesos.FrameworkInfo{
		User: "root", Name: "default", FailoverTimeout: 60, Principal: "test-principal", Roles: []string{"*"},
		Capabilities: []mesos.FrameworkCapability{{Type: mesos.CapabilityMultiRole}, {Type: mesos.CapabilityReservationRefinement}},
	}
}

// An authenticated master refuses a call without credentials before
// looking at it.
func TestSchedulerHTTPAPI_AuthenticationRequired(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Credentials = map[string]string{"test-principal": "secret"} })
	a := post(t, srv, jsonHeaders(), subscribeCall(defaultFramework()))
	a.want(t, http.StatusUnauthorized, "401 Unauthorized.")
	if got := a.header.Get("WWW-Authenticate"); got != `Basic realm="mesos-master-scheduler"` {
		t.Fatalf("WWW-Authenticate %q", got)
	}
}

func TestSchedulerHTTPAPI_NoContentType(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	post(t, srv, map[string]string{"Accept": "application/json"}, subscribeCall(defaultFramework())).
		want(t, http.StatusBadRequest, "Expecting 'Content-Type' to be present")
}

func TestSchedulerHTTPAPI_ValidJsonButInvalidProtobuf(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	post(t, srv, jsonHeaders(), `{"string":"valid_json"}`).
		want(t, http.StatusBadRequest, "Failed to validate scheduler::Call: Expecting 'type' to be present")
}

func TestSchedulerHTTPAPI_MalformedContent(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	post(t, srv, jsonHeaders(), "MALFORMED_CONTENT").
		want(t, http.StatusBadRequest, "Failed to parse body into JSON: syntax error at line 1 near: MALFORMED_CONTENT")
}

func TestSchedulerHTTPAPI_UnsupportedContentMediaType(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	post(t, srv, jsonHeaders("Content-Type", "application/unknown-media-type"), subscribeCall(defaultFramework())).
		want(t, http.StatusUnsupportedMediaType, "Expecting 'Content-Type' of application/json or application/x-protobuf")
}

// A subscription is a chunked 200 with a stream id; SUBSCRIBED comes
// first, a HEARTBEAT at once, and another one an interval later.
func TestSchedulerHTTPAPI_Subscribe(t *testing.T) {
	t.Parallel()
	const interval = 300 * time.Millisecond
	srv := start(t, func(c *localmesos.Config) { c.Heartbeat = interval })
	s := subscribeRaw(t, srv, subscribeCall(defaultFramework()))
	if te := s.resp.TransferEncoding; len(te) != 1 || te[0] != "chunked" {
		t.Fatalf("Transfer-Encoding %v, want chunked", te)
	}
	if s.resp.Header.Get("Mesos-Stream-Id") == "" {
		t.Fatal("no Mesos-Stream-Id")
	}
	if ct := s.resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	ev := s.event()
	if ev.Type != mesos.EventSubscribed || ev.Subscribed.FrameworkID.Value == "" {
		t.Fatalf("first event %s", mustJSON(ev))
	}
	if ev.Subscribed.HeartbeatIntervalSeconds != interval.Seconds() {
		t.Fatalf("heartbeat_interval_seconds %v", ev.Subscribed.HeartbeatIntervalSeconds)
	}
	if ev := s.event(); ev.Type != mesos.EventHeartbeat {
		t.Fatalf("second event %s, want HEARTBEAT", mustJSON(ev))
	}
	first := time.Now()
	for {
		ev := s.event()
		if ev.Type == mesos.EventHeartbeat {
			break
		}
	}
	if gap := time.Since(first); gap < interval/2 || gap > 3*interval {
		t.Fatalf("second HEARTBEAT after %v, want about %v", gap, interval)
	}
}

func TestSchedulerHTTPAPI_RejectFrameworkWithInvalidRole(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	info := defaultFramework()
	info.Roles = []string{"/test/test1"}
	s := subscribeRaw(t, srv, subscribeCall(info))
	if s.resp.Header.Get("Mesos-Stream-Id") == "" {
		t.Fatal("a refused subscription has a Mesos-Stream-Id too")
	}
	if got := string(s.record()); got != `{"type":"ERROR","error":{"message":"'FrameworkInfo.roles' contains invalid role: Role '/test/test1' cannot start with a slash"}}` {
		t.Fatalf("first record %s", got)
	}
	s.closed()
}

func TestSchedulerHTTPAPI_SubscribeWithStreamId(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	post(t, srv, jsonHeaders("Mesos-Stream-Id", "7a4b8ba2-2f80-4b7a-8b0c-0c2b5e0e7d1f"), subscribeCall(defaultFramework())).
		want(t, http.StatusBadRequest, "Subscribe calls should not include the 'Mesos-Stream-Id' header")
}

// Subscribing again with the framework's id fails it over to the new
// stream: same id, and the old stream gets ERROR and ends.
func TestSchedulerHTTPAPI_SubscribedOnRetry(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	first := subscribeRaw(t, srv, subscribeCall(defaultFramework()))
	id := first.event().Subscribed.FrameworkID
	if ev := first.event(); ev.Type != mesos.EventHeartbeat {
		t.Fatalf("%s, want HEARTBEAT", mustJSON(ev))
	}

	info := defaultFramework()
	info.ID = &id
	second := subscribeRaw(t, srv, subscribeCall(info))
	if ev := second.event(); ev.Type != mesos.EventSubscribed || ev.Subscribed.FrameworkID != id {
		t.Fatalf("re-subscribe: %s, want SUBSCRIBED with %s", mustJSON(ev), id.Value)
	}
	if ev := second.event(); ev.Type != mesos.EventHeartbeat {
		t.Fatalf("%s, want HEARTBEAT", mustJSON(ev))
	}
	for {
		ev := first.event()
		if ev.Type == mesos.EventError {
			if ev.Error.Message != "Framework failed over" {
				t.Fatalf("old stream: ERROR %q", ev.Error.Message)
			}
			break
		}
	}
	first.closed()
}

func TestSchedulerHTTPAPI_NotAcceptable(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	post(t, srv, jsonHeaders("Accept", "foo"), subscribeCall(defaultFramework())).
		want(t, http.StatusNotAcceptable, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'")
}

func TestSchedulerHTTPAPI_NoAcceptHeader(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	s := openStream(t, srv.URL+"/api/v1/scheduler", map[string]string{"Content-Type": "application/json"}, subscribeCall(defaultFramework()))
	if ct := s.resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if ev := s.event(); ev.Type != mesos.EventSubscribed {
		t.Fatalf("%s", mustJSON(ev))
	}
}

func TestSchedulerHTTPAPI_DefaultAccept(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	s := openStream(t, srv.URL+"/api/v1/scheduler", jsonHeaders("Accept", "*/*"), subscribeCall(defaultFramework()))
	if ct := s.resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if ev := s.event(); ev.Type != mesos.EventSubscribed {
		t.Fatalf("%s", mustJSON(ev))
	}
}

func TestSchedulerHTTPAPI_GetRequest(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	a := do(t, http.MethodGet, srv.URL+"/api/v1/scheduler", nil, "")
	a.want(t, http.StatusMethodNotAllowed, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.")
	if got := a.header.Get("Allow"); got != "POST" {
		t.Fatalf("Allow %q", got)
	}
}

func TestSchedulerHTTPAPI_TeardownWithoutStreamId(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	post(t, srv, jsonHeaders(), mustJSON(mesos.Call{Type: mesos.CallTeardown, FrameworkID: ptr(f.id())})).
		want(t, http.StatusBadRequest, "All non-subscribe calls should include the 'Mesos-Stream-Id' header")
}

// After a re-subscription the old stream id no longer speaks for the
// framework.
func TestSchedulerHTTPAPI_TeardownWrongStreamId(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	old := f.sub.StreamID
	g := subscribe(t, srv, f.resubscribeInfo(defaultFramework()))
	if g.sub.StreamID == old {
		t.Fatal("re-subscription kept the stream id")
	}
	post(t, srv, jsonHeaders("Mesos-Stream-Id", old), mustJSON(mesos.Call{Type: mesos.CallTeardown, FrameworkID: ptr(f.id())})).
		want(t, http.StatusBadRequest, "The stream ID '"+old+"' included in this request didn't match the stream ID currently associated with framework ID "+f.id().Value)
}

func TestSchedulerHTTPAPI_MalformedUUID(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	body := `{"type":"ACKNOWLEDGE","framework_id":{"value":"` + f.id().Value + `"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"YmFkLXV1aWQ="}}`
	post(t, srv, jsonHeaders("Mesos-Stream-Id", f.sub.StreamID), body).
		want(t, http.StatusBadRequest, "Failed to validate scheduler::Call: Not a valid UUID")
}
