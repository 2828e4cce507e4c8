package localmesos_test

// The executor API of the stand-in against a real Mesos 1.11.0 agent
// (pkg/mesostest): one script of executor calls runs on both, the test
// speaking for an executor as upstream's tests do, and every answer is
// compared: status, Content-Type and body of each call, the type and key
// set of each event on the executor's stream, and what the framework
// gets. Ids, uuids, pids and times are not compared. A difference is a
// bug to fix, or listed in executorDifferences with the reason it stays.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// executorDifferences are the known differences, by the line of the
// transcript they change, and why they stay.
var executorDifferences = map[string]string{
	// The stand-in speaks JSON only (the "json-only" difference of
	// differences.go); the real agent tries to parse the body as protobuf.
	"protobuf body: 400 text/plain; charset=utf-8 Failed to parse body into Call protobuf":                                                                                                "json-only",
	"protobuf body: 415 text/plain; charset=utf-8 localmesos is a stand-in that speaks JSON only: send 'Content-Type: application/json' (real Mesos also accepts application/x-protobuf)": "json-only",
}

// printedDefaults are fields Mesos writes with their default value when
// the framework left them out; the stand-in leaves them out (doc.go: "its
// JSON output means what Mesos' means but is not byte-identical").
var printedDefaults = []string{".command.shell"}

// withoutDefaults drops the printedDefaults from a transcript line.
func withoutDefaults(line string) string {
	fields := strings.Fields(line)
	kept := fields[:0]
	for _, f := range fields {
		if !slices.ContainsFunc(printedDefaults, func(d string) bool { return strings.HasSuffix(f, d) }) {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}

// executorScript is what runs on each side; it returns the transcript.
func executorScript(t *testing.T, master, agent string) []string {
	ctx := context.Background()
	c, err := scheduler.New(scheduler.Config{Master: master})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub, err := c.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: "executor differential", Checkpoint: true, FailoverTimeout: 60})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Teardown(ctx)
	fw := sub.FrameworkID.Value
	events := make(chan mesos.Event, 100)
	go func() {
		for ev, err := range sub.Events() {
			if err != nil {
				close(events)
				return
			}
			events <- ev
		}
	}()
	var lines []string
	note := func(format string, args ...any) {
		lines = append(lines, strings.ReplaceAll(fmt.Sprintf(format, args...), fw, "{fw}"))
	}
	// framework waits for the next event of a type, acknowledging updates.
	framework := func(typ mesos.EventType) mesos.Event {
		t.Helper()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("framework stream ended waiting for %s", typ)
				}
				if ev.Type == mesos.EventUpdate && len(ev.Update.Status.UUID) > 0 {
					c.Acknowledge(ctx, ev.Update.Status)
				}
				if ev.Type == typ {
					note("framework %s: %s", typ, shape(ev))
					return ev
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("no %s within 20s; transcript so far:\n%s", typ, strings.Join(lines, "\n"))
			}
		}
	}

	offer := framework(mesos.EventOffers).Offers.Offers[0]
	exec := mesos.ExecutorInfo{ExecutorID: mesos.ExecutorID{Value: "e1"}, Command: &mesos.CommandInfo{Value: "exec sleep 300"},
		Resources: mesos.TaskResources(0.1, 32), ShutdownGracePeriod: &mesos.DurationInfo{Nanoseconds: int64(500 * time.Millisecond)}}
	task := func(id string) mesos.TaskInfo {
		return mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: offer.AgentID, Resources: mesos.TaskResources(0.1, 32), Executor: &exec}
	}
	if err := c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task("t1"), task("t2"))}, mesos.RefuseFor(0)); err != nil {
		t.Fatal(err)
	}
	url := agent + "/api/v1/executor"
	post := func(name string, header map[string]string, body string) answer {
		a := do(t, http.MethodPost, url, header, strings.ReplaceAll(body, "{fw}", fw))
		note("%s: %d %s %s", name, a.code, a.header.Get("Content-Type"), a.body)
		return a
	}
	call := func(typ, rest string) string { return executorCall("{fw}", "e1", typ, rest) }
	testenv.Eventually(t, 20*time.Second, "the agent starts executor e1", func() bool {
		return do(t, http.MethodPost, url, jsonHeaders(), strings.ReplaceAll(call("MESSAGE", `"message":{"data":""}`), "{fw}", fw)).code == http.StatusForbidden
	})
	uuid := newUUIDBase64()
	status := func(task, state string, extra string) string {
		return `"update":{"status":{"task_id":{"value":"` + task + `"},"state":"` + state + `","source":"SOURCE_EXECUTOR","uuid":"` + uuid + `"` + extra + `}}`
	}
	post("no content type", map[string]string{"Accept": "application/json"}, call("MESSAGE", `"message":{"data":"aGk="}`))
	post("valid json, invalid protobuf", jsonHeaders(), `{"string":"valid_json"}`)
	post("malformed", jsonHeaders(), "MALFORMED_CONTENT")
	post("unsupported media type", jsonHeaders("Content-Type", "application/unknown-media-type"), call("SUBSCRIBE", `"subscribe":{}`))
	post("protobuf body", jsonHeaders("Content-Type", "application/x-protobuf"), "x")
	post("unknown framework", jsonHeaders(), executorCall("dummy", "e1", "MESSAGE", `"message":{"data":"aGk="}`))
	post("unknown executor", jsonHeaders(), executorCall("{fw}", "nope", "MESSAGE", `"message":{"data":"aGk="}`))
	post("not subscribed", jsonHeaders(), call("UPDATE", status("t1", "TASK_RUNNING", "")))
	post("heartbeat", jsonHeaders(), executorCall("unused", "unused", "HEARTBEAT", ""))
	post("unknown type", jsonHeaders(), call("NOPE", ""))
	post("missing ids", jsonHeaders(), `{"type":"MESSAGE","message":{"data":"aGk="}}`)
	post("subscribe without subscribe", jsonHeaders(), call("SUBSCRIBE", ""))
	post("update without status", jsonHeaders(), call("UPDATE", `"update":{}`))
	post("update without uuid", jsonHeaders(), call("UPDATE", `"update":{"status":{"task_id":{"value":"t1"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR"}}`))
	post("update with a bad uuid", jsonHeaders(), call("UPDATE", `"update":{"status":{"task_id":{"value":"t1"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR","uuid":"ZHVtbXlfdXVpZA=="}}`))
	post("update of another executor", jsonHeaders(), call("UPDATE", status("t1", "TASK_RUNNING", `,"executor_id":{"value":"other"}`)))
	post("update without source", jsonHeaders(), call("UPDATE", strings.Replace(status("t1", "TASK_RUNNING", ""), `"source":"SOURCE_EXECUTOR",`, "", 1)))
	post("update to TASK_STAGING", jsonHeaders(), call("UPDATE", status("t1", "TASK_STAGING", "")))
	post("subscribe accepting foo", jsonHeaders("Accept", "foo"), call("SUBSCRIBE", `"subscribe":{}`))
	get := do(t, http.MethodGet, url, nil, "")
	note("GET: %d %s %s (Allow: %s)", get.code, get.header.Get("Content-Type"), get.body, get.header.Get("Allow"))

	stream := openStream(t, url, map[string]string{"Content-Type": "application/json", "Accept": "*/*"}, strings.ReplaceAll(call("SUBSCRIBE", `"subscribe":{}`), "{fw}", fw))
	note("SUBSCRIBE: %d %s chunked=%v", stream.resp.StatusCode, stream.resp.Header.Get("Content-Type"), slices.Contains(stream.resp.TransferEncoding, "chunked"))
	executor := func(typ mesos.ExecutorEventType) mesos.ExecutorEvent {
		t.Helper()
		ev := executorEvent(t, stream)
		note("executor %s: %s", ev.Type, shape(ev))
		if ev.Type != typ {
			t.Fatalf("executor event %s, want %s; transcript so far:\n%s", ev.Type, typ, strings.Join(lines, "\n"))
		}
		return ev
	}
	executor(mesos.ExecutorEventSubscribed)
	executor(mesos.ExecutorEventLaunch)
	executor(mesos.ExecutorEventLaunch)
	post("UPDATE t1 TASK_RUNNING", jsonHeaders(), call("UPDATE", status("t1", "TASK_RUNNING", `,"message":"hello","data":"ZGF0YQ=="`)))
	executor(mesos.ExecutorEventAcknowledged)
	framework(mesos.EventUpdate)
	post("the same UPDATE again", jsonHeaders(), call("UPDATE", status("t1", "TASK_RUNNING", `,"message":"hello","data":"ZGF0YQ=="`)))
	executor(mesos.ExecutorEventAcknowledged)
	uuid = newUUIDBase64()
	post("UPDATE of a task no executor runs", jsonHeaders(), call("UPDATE", status("nosuch", "TASK_RUNNING", "")))
	framework(mesos.EventUpdate)
	uuid = newUUIDBase64()
	post("UPDATE t2 TASK_RUNNING", jsonHeaders(), call("UPDATE", status("t2", "TASK_RUNNING", "")))
	executor(mesos.ExecutorEventAcknowledged) // not one for nosuch: it comes first if it comes at all
	framework(mesos.EventUpdate)
	if err := c.Call(ctx, mesos.Call{Type: mesos.CallMessage, Message: &mesos.Message{AgentID: offer.AgentID, ExecutorID: exec.ExecutorID, Data: []byte("ping")}}); err != nil {
		t.Fatal(err)
	}
	executor(mesos.ExecutorEventMessage)
	post("MESSAGE", jsonHeaders(), call("MESSAGE", `"message":{"data":"cG9uZw=="}`))
	framework(mesos.EventMessage)
	if err := c.Kill(ctx, mesos.TaskID{Value: "t1"}, &offer.AgentID); err != nil {
		t.Fatal(err)
	}
	executor(mesos.ExecutorEventKill)
	uuid = newUUIDBase64()
	post("UPDATE t1 TASK_KILLED", jsonHeaders(), call("UPDATE", status("t1", "TASK_KILLED", "")))
	executor(mesos.ExecutorEventAcknowledged)
	framework(mesos.EventUpdate)
	if err := c.Shutdown(ctx, exec.ExecutorID, offer.AgentID); err != nil {
		t.Fatal(err)
	}
	executor(mesos.ExecutorEventShutdown)
	// The stand-in executor does not exit: after its grace period the
	// agent kills it, and its live task fails.
	failure := framework(mesos.EventFailure)
	note("FAILURE status %d", *failure.Failure.Status)
	failed := framework(mesos.EventUpdate).Update.Status
	note("t2 ends %s %s %s %q", failed.State, failed.Source, failed.Reason, failed.Message)
	return lines
}

// shape is an event's type and the paths of its JSON keys, sorted, with
// the values of those that must match (states, sources, reasons, texts).
func shape(v any) string {
	b, _ := json.Marshal(v)
	var m any
	json.Unmarshal(b, &m)
	var paths []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(prefix+"."+k, e)
			}
		case []any:
			for _, e := range x {
				walk(prefix+"[]", e)
			}
		default:
			p := prefix
			switch {
			case strings.HasSuffix(p, ".state"), strings.HasSuffix(p, ".source"), strings.HasSuffix(p, ".reason"),
				strings.HasSuffix(p, ".message"), strings.HasSuffix(p, "data"), strings.HasSuffix(p, ".type"):
				p += "=" + fmt.Sprint(x)
			}
			if !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
	}
	walk("", m)
	sort.Strings(paths)
	return strings.Join(paths, " ")
}

func TestExecutorAPIAgainstRealAgent(t *testing.T) {
	cluster := mesostest.Start(t, mesostest.Options{Docker: mesostest.DockerOff})
	real := executorScript(t, cluster.URL(), cluster.Agents[0].URL)
	srv := executorStand(t, nil)
	stand := executorScript(t, srv.URL, srv.AgentURLs[0])
	known := func(line string) bool { _, ok := executorDifferences[line]; return ok }
	for i := range max(len(real), len(stand)) {
		var r, s string
		if i < len(real) {
			r = withoutDefaults(real[i])
		}
		if i < len(stand) {
			s = withoutDefaults(stand[i])
		}
		if r != s && !(known(r) && known(s)) {
			t.Errorf("step %d differs:\nmesos:      %s\nlocalmesos: %s", i, r, s)
		}
	}
	t.Logf("%d steps compared; the real agent's:\n%s", len(real), strings.Join(real, "\n"))
}
