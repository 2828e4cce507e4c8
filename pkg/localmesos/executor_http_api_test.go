package localmesos_test

// Ports of Mesos 1.11.0's src/tests/executor_http_api_tests.cpp (the JSON
// leg of each parameterised test), one Go test per upstream test, named
// after it. As upstream, the test body plays the executor: the agent
// starts an ExecutorInfo whose command never subscribes (sleep), and the
// test posts the executor's calls itself. The bodies and answers are
// those the real 1.11.0 agent gives (checked against it; see
// executor_realagent_test.go). HeartbeatCalls, a test of the executor
// library, is in pkg/executor. SubscribeBeforeContainerizerRecovery is
// not ported: the stand-in has no containerizer whose recovery could be
// held back; TestExecutorAgentRecovering checks the 503 a recovering agent
// gives instead.

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// executorURL is agent i's executor endpoint.
func executorURL(srv *localmesos.Server) string { return srv.AgentURLs[0] + "/api/v1/executor" }

// postExecutor sends a call to the agent's executor endpoint.
func postExecutor(t testing.TB, srv *localmesos.Server, header map[string]string, body string) answer {
	t.Helper()
	return do(t, http.MethodPost, executorURL(srv), header, body)
}

// executorCall is the JSON of an executor call with both ids and the rest.
func executorCall(fwID, execID, typ, rest string) string {
	s := fmt.Sprintf(`{"type":%q,"framework_id":{"value":%q},"executor_id":{"value":%q}`, typ, fwID, execID)
	if rest != "" {
		s += "," + rest
	}
	return s + "}"
}

// pretendExecutor launches a task whose executor is a process that never
// subscribes, so that the test can speak for it, as upstream's tests drop
// the executor's registration and post its calls.
func pretendExecutor(t *testing.T, srv *localmesos.Server, f *framework, execID string, tasks ...string) mesos.ExecutorInfo {
	t.Helper()
	exec := mesos.ExecutorInfo{ExecutorID: mesos.ExecutorID{Value: execID}, Command: &mesos.CommandInfo{Value: "exec sleep 300"},
		Resources: mesos.TaskResources(0.1, 32)}
	offer := f.offer()
	var infos []mesos.TaskInfo
	for _, id := range tasks {
		infos = append(infos, mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: offer.AgentID,
			Resources: mesos.TaskResources(0.1, 32), Executor: &exec})
	}
	f.launch(offer, infos...)
	return exec
}

// executorStand starts a stand-in whose agent runs executors.
func executorStand(t *testing.T, edit func(*localmesos.Config)) *localmesos.Server {
	t.Helper()
	return start(t, func(c *localmesos.Config) {
		c.Runner = "process"
		if edit != nil {
			edit(c)
		}
	})
}

// newUUIDBase64 is a random version 4 uuid as a JSON bytes field.
func newUUIDBase64() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return base64.StdEncoding.EncodeToString(b)
}

func TestExecutorHTTPAPI_NoContentType(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	postExecutor(t, srv, map[string]string{"Accept": "application/json"},
		executorCall("dummy_framework_id", "dummy_executor_id", "MESSAGE", `"message":{"data":"aGVsbG8gd29ybGQ="}`)).
		want(t, http.StatusBadRequest, "Expecting 'Content-Type' to be present")
}

func TestExecutorHTTPAPI_ValidJsonButInvalidProtobuf(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	postExecutor(t, srv, jsonHeaders(), `{"string":"valid_json"}`).
		want(t, http.StatusBadRequest, "Failed to convert JSON into Call protobuf: Missing required fields: executor_id, framework_id")
}

func TestExecutorHTTPAPI_MalformedContent(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	postExecutor(t, srv, jsonHeaders(), "MALFORMED_CONTENT").
		want(t, http.StatusBadRequest, "Failed to parse body into JSON: syntax error at line 1 near: MALFORMED_CONTENT")
}

func TestExecutorHTTPAPI_UnsupportedContentMediaType(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	postExecutor(t, srv, jsonHeaders("Content-Type", "application/unknown-media-type"),
		executorCall("dummy_framework_id", "dummy_executor_id", "SUBSCRIBE", `"subscribe":{}`)).
		want(t, http.StatusUnsupportedMediaType, "Expecting 'Content-Type' of application/json or application/x-protobuf")
}

func TestExecutorHTTPAPI_MessageFromUnknownFramework(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	postExecutor(t, srv, jsonHeaders(),
		executorCall("dummy_framework_id", "dummy_executor_id", "MESSAGE", `"message":{"data":"aGVsbG8gd29ybGQ="}`)).
		want(t, http.StatusBadRequest, "Framework cannot be found")
}

func TestExecutorHTTPAPI_GetRequest(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	a := do(t, http.MethodGet, executorURL(srv), nil, "")
	a.want(t, http.StatusMethodNotAllowed, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.")
	if got := a.header.Get("Allow"); got != "POST" {
		t.Fatalf("Allow %q", got)
	}
}

// subscribeExecutor posts the executor's SUBSCRIBE with the given headers
// and checks the stream opens as JSON.
func subscribeExecutor(t *testing.T, srv *localmesos.Server, fwID, execID string, header map[string]string) *rawStream {
	t.Helper()
	s := openStream(t, executorURL(srv), header, executorCall(fwID, execID, "SUBSCRIBE", `"subscribe":{}`))
	if ct := s.resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	return s
}

func TestExecutorHTTPAPI_DefaultAccept(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	pretendExecutor(t, srv, f, "default", "t1")
	subscribeWhenLaunched(t, srv, f.id().Value, "default", map[string]string{"Content-Type": "application/json", "Accept": "*/*"})
}

func TestExecutorHTTPAPI_NoAcceptHeader(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	pretendExecutor(t, srv, f, "default", "t1")
	subscribeWhenLaunched(t, srv, f.id().Value, "default", map[string]string{"Content-Type": "application/json"})
}

// subscribeWhenLaunched subscribes for an executor once the agent has it
// (the launch goes through the agent's queue).
func subscribeWhenLaunched(t *testing.T, srv *localmesos.Server, fwID, execID string, header map[string]string) *rawStream {
	t.Helper()
	// A MESSAGE is refused with 403 once the executor exists but has not
	// subscribed: the sign the agent has started it.
	testenv.Eventually(t, 10*time.Second, "the agent starts executor "+execID, func() bool {
		return postExecutor(t, srv, jsonHeaders(), executorCall(fwID, execID, "MESSAGE", `"message":{"data":""}`)).code == http.StatusForbidden
	})
	return subscribeExecutor(t, srv, fwID, execID, header)
}

func TestExecutorHTTPAPI_NotAcceptable(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	postExecutor(t, srv, jsonHeaders("Accept", "foo"),
		executorCall("dummy_framework_id", "dummy_executor_id", "SUBSCRIBE", `"subscribe":{}`)).
		want(t, http.StatusNotAcceptable, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'")
}

func TestExecutorHTTPAPI_ValidProtobufInvalidCall(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	for typ, want := range map[string]string{
		"SUBSCRIBE": "Expecting 'subscribe' to be present",
		"UPDATE":    "Expecting 'update' to be present",
		"MESSAGE":   "Expecting 'message' to be present",
	} {
		postExecutor(t, srv, jsonHeaders(), executorCall("dummy_framework_id", "dummy_executor_id", typ, "")).
			want(t, http.StatusBadRequest, "Failed to validate Executor::Call: "+want)
	}
}

func TestExecutorHTTPAPI_StatusUpdateCallFailedValidation(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	update := func(status string) answer {
		return postExecutor(t, srv, jsonHeaders(), executorCall("dummy_framework_id", "call_level_executor_id", "UPDATE", `"update":{"status":`+status+`}`))
	}
	const prefix = "Failed to validate Executor::Call: "
	// Inconsistent executor ids (and no uuid, which is checked first).
	update(`{"executor_id":{"value":"update_level_executor_id"},"state":"TASK_STARTING","task_id":{"value":"dummy_task_id"}}`).
		want(t, http.StatusBadRequest, prefix+"Expecting 'uuid' to be present")
	update(`{"executor_id":{"value":"update_level_executor_id"},"state":"TASK_STARTING","task_id":{"value":"dummy_task_id"},"source":"SOURCE_EXECUTOR","uuid":"`+newUUIDBase64()+`"}`).
		want(t, http.StatusBadRequest, prefix+"ExecutorID in Call: call_level_executor_id does not match ExecutorID in TaskStatus: update_level_executor_id")
	// An invalid uuid.
	update(`{"uuid":"`+base64.StdEncoding.EncodeToString([]byte("dummy_uuid"))+`","task_id":{"value":"dummy_task_id"},"state":"TASK_STARTING","source":"SOURCE_EXECUTOR"}`).
		want(t, http.StatusBadRequest, prefix+"Not a valid UUID")
	// TASK_STAGING.
	update(`{"executor_id":{"value":"call_level_executor_id"},"task_id":{"value":"dummy_task_id"},"state":"TASK_STAGING","source":"SOURCE_EXECUTOR","uuid":"`+newUUIDBase64()+`"}`).
		want(t, http.StatusBadRequest, prefix+"Received TASK_STAGING from executor call_level_executor_id of framework dummy_framework_id which is not allowed")
	// A source other than SOURCE_EXECUTOR.
	update(`{"executor_id":{"value":"call_level_executor_id"},"task_id":{"value":"dummy_task_id"},"state":"TASK_STARTING","source":"SOURCE_MASTER","uuid":"`+newUUIDBase64()+`"}`).
		want(t, http.StatusBadRequest, prefix+"Received Call from executor call_level_executor_id of framework dummy_framework_id with invalid source, expecting 'SOURCE_EXECUTOR'")
}

func TestExecutorHTTPAPI_Subscribe(t *testing.T) {
	t.Parallel()
	srv := executorStand(t, nil)
	f := subscribe(t, srv, defaultFramework())
	pretendExecutor(t, srv, f, "default", "t1")
	s := subscribeWhenLaunched(t, srv, f.id().Value, "default", jsonHeaders())
	if te := s.resp.TransferEncoding; len(te) != 1 || te[0] != "chunked" {
		t.Fatalf("Transfer-Encoding %v, want chunked", te)
	}
	ev := executorEvent(t, s)
	if ev.Type != mesos.ExecutorEventSubscribed || ev.Subscribed.ExecutorInfo.ExecutorID.Value != "default" {
		t.Fatalf("first event %s, want SUBSCRIBED of executor default", mustJSON(ev))
	}
	if ev.Subscribed.ContainerID == nil || ev.Subscribed.ContainerID.Value == "" {
		t.Fatalf("SUBSCRIBED has no container id: %s", mustJSON(ev))
	}
}

func TestExecutorHTTPAPI_HeartbeatEvents(t *testing.T) {
	t.Parallel()
	const interval = 300 * time.Millisecond
	srv := executorStand(t, func(c *localmesos.Config) { c.ExecutorHeartbeat = interval })
	f := subscribe(t, srv, defaultFramework())
	pretendExecutor(t, srv, f, "default", "t1")
	s := subscribeWhenLaunched(t, srv, f.id().Value, "default", jsonHeaders())
	if ev := executorEvent(t, s); ev.Type != mesos.ExecutorEventSubscribed {
		t.Fatalf("first event %s", ev.Type)
	}
	if ev := executorEvent(t, s); ev.Type != mesos.ExecutorEventLaunch || ev.Launch.Task.TaskID.Value != "t1" {
		t.Fatalf("second event %s, want LAUNCH t1", mustJSON(ev))
	}
	// Unlike the scheduler stream's, the first heartbeat comes after one
	// interval, not at once.
	began := time.Now()
	if ev := executorEvent(t, s); ev.Type != mesos.ExecutorEventHeartbeat {
		t.Fatalf("third event %s, want HEARTBEAT", mustJSON(ev))
	}
	if waited := time.Since(began); waited < interval/2 {
		t.Fatalf("HEARTBEAT after %v, want about %v", waited, interval)
	}
}

// executorEvent decodes a stream's next record as an executor event.
func executorEvent(t *testing.T, s *rawStream) mesos.ExecutorEvent {
	t.Helper()
	var ev mesos.ExecutorEvent
	if err := jsonInto(string(s.record()), &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}
