package mesos_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// executorEvents are shaped as executor.proto and src/slave/slave.cpp
// write them, with a key no version of our structs knows.
var executorEvents = map[mesos.ExecutorEventType]string{
	mesos.ExecutorEventSubscribed:   `{"type":"SUBSCRIBED","subscribed":{"executor_info":{"executor_id":{"value":"e1"},"type":"CUSTOM","command":{"value":"/bin/demo-executor","shell":false},"framework_id":{"value":"fw-0000"}},"framework_info":{"user":"root","name":"demo","id":{"value":"fw-0000"},"checkpoint":true},"agent_info":{"hostname":"127.0.0.1","port":5051,"id":{"value":"m1-S0"}},"container_id":{"value":"c-1"},"brand_new":1}}`,
	mesos.ExecutorEventLaunch:       `{"type":"LAUNCH","launch":{"task":{"name":"t","task_id":{"value":"t1"},"agent_id":{"value":"m1-S0"},"data":"c2xlZXAgMQ=="}}}`,
	mesos.ExecutorEventLaunchGroup:  `{"type":"LAUNCH_GROUP","launch_group":{"task_group":{"tasks":[{"name":"a","task_id":{"value":"a"},"agent_id":{"value":"m1-S0"}},{"name":"b","task_id":{"value":"b"},"agent_id":{"value":"m1-S0"}}]}}}`,
	mesos.ExecutorEventKill:         `{"type":"KILL","kill":{"task_id":{"value":"t1"},"kill_policy":{"grace_period":{"nanoseconds":2000000000}}}}`,
	mesos.ExecutorEventAcknowledged: `{"type":"ACKNOWLEDGED","acknowledged":{"task_id":{"value":"t1"},"uuid":"D2pMLpsdTzqMLR4vOktcbQ=="}}`,
	mesos.ExecutorEventMessage:      `{"type":"MESSAGE","message":{"data":"aGVsbG8="}}`,
	mesos.ExecutorEventError:        `{"type":"ERROR","error":{"message":"Unrecoverable error"}}`,
	mesos.ExecutorEventShutdown:     `{"type":"SHUTDOWN"}`,
	mesos.ExecutorEventHeartbeat:    `{"type":"HEARTBEAT"}`,
}

func TestDecodeEveryExecutorEvent(t *testing.T) {
	t.Parallel()
	for typ, js := range executorEvents {
		var ev mesos.ExecutorEvent
		if err := json.Unmarshal([]byte(js), &ev); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if ev.Type != typ {
			t.Errorf("%s: decoded type %q", typ, ev.Type)
		}
		var ok bool
		switch typ {
		case mesos.ExecutorEventSubscribed:
			s := ev.Subscribed
			ok = s.ExecutorInfo.ExecutorID.Value == "e1" && s.FrameworkInfo.Checkpoint && s.AgentInfo.Port == 5051 && s.ContainerID.Value == "c-1"
		case mesos.ExecutorEventLaunch:
			ok = ev.Launch.Task.TaskID.Value == "t1" && string(ev.Launch.Task.Data) == "sleep 1"
		case mesos.ExecutorEventLaunchGroup:
			ok = len(ev.LaunchGroup.TaskGroup.Tasks) == 2
		case mesos.ExecutorEventKill:
			ok = ev.Kill.TaskID.Value == "t1" && ev.Kill.KillPolicy.GracePeriod.Nanoseconds == 2e9
		case mesos.ExecutorEventAcknowledged:
			ok = ev.Acknowledged.TaskID.Value == "t1" && len(ev.Acknowledged.UUID) == 16
		case mesos.ExecutorEventMessage:
			ok = string(ev.Message.Data) == "hello"
		case mesos.ExecutorEventError:
			ok = ev.Error.Message == "Unrecoverable error"
		case mesos.ExecutorEventShutdown, mesos.ExecutorEventHeartbeat:
			ok = ev.Subscribed == nil && ev.Launch == nil && ev.Kill == nil
		}
		if !ok {
			t.Errorf("%s: payload not decoded: %+v", typ, ev)
		}
	}
}

// An UPDATE call and a re-SUBSCRIBE carry the status as {"status": ...},
// the bytes fields as base64 and both ids as objects.
func TestEncodeExecutorCalls(t *testing.T) {
	t.Parallel()
	st := mesos.TaskStatus{TaskID: mesos.TaskID{Value: "t1"}, State: mesos.TaskRunning, Source: mesos.SourceExecutor, UUID: []byte("0123456789abcdef")}
	call := mesos.ExecutorCall{
		ExecutorID: mesos.ExecutorID{Value: "e1"}, FrameworkID: mesos.FrameworkID{Value: "fw"}, Type: mesos.ExecutorCallSubscribe,
		Subscribe: &mesos.ExecutorSubscribe{
			UnacknowledgedTasks:   []mesos.TaskInfo{{Name: "t", TaskID: mesos.TaskID{Value: "t1"}}},
			UnacknowledgedUpdates: []mesos.ExecutorUpdate{{Status: st}},
		},
	}
	b, err := json.Marshal(call)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"executor_id":{"value":"e1"}`, `"framework_id":{"value":"fw"}`, `"type":"SUBSCRIBE"`,
		`"unacknowledged_updates":[{"status":{"task_id":{"value":"t1"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR"`,
		`"uuid":"MDEyMzQ1Njc4OWFiY2RlZg=="`, `"unacknowledged_tasks":[{"name":"t"`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s\nlacks %s", b, want)
		}
	}
	msg, _ := json.Marshal(mesos.ExecutorCall{Type: mesos.ExecutorCallMessage, Message: &mesos.ExecutorData{Data: []byte("hi")}})
	if !strings.Contains(string(msg), `"message":{"data":"aGk="}`) || strings.Contains(string(msg), "subscribe") {
		t.Errorf("MESSAGE call %s", msg)
	}
}

func TestDurations(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text string
		d    time.Duration
	}{
		{"0ns", 0}, {"5secs", 5 * time.Second}, {"15mins", 15 * time.Minute}, {"2secs", 2 * time.Second},
		{"250ms", 250 * time.Millisecond}, {"90secs", 90 * time.Second}, {"1500us", 1500 * time.Microsecond},
		{"1hrs", time.Hour}, {"10days", 10 * 24 * time.Hour}, {"2weeks", 14 * 24 * time.Hour}, {"1.5secs", 1500 * time.Millisecond},
	} {
		got, err := mesos.ParseDuration(c.text)
		if err != nil || got != c.d {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", c.text, got, err, c.d)
		}
		if c.text == "1.5secs" {
			continue // Mesos writes that one as 1500ms
		}
		if s := mesos.FormatDuration(c.d); s != c.text {
			t.Errorf("FormatDuration(%v) = %q, want %q", c.d, s, c.text)
		}
	}
	if s := mesos.FormatDuration(1500 * time.Millisecond); s != "1500ms" {
		t.Errorf("1.5s formats as %q, want 1500ms as stout writes it", s)
	}
	for _, bad := range []string{"", "5", "secs", "5 secs", "5s", "-5secs", "1e400weeks"} {
		if _, err := mesos.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}
