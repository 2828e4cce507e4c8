package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/executor"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/recordio"
)

// A real agent may put ACKNOWLEDGED on the stream before it has answered
// the UPDATE's POST. After SHUTDOWN, that acknowledgement must not let the
// executor exit while the task's last update is still on its way: the
// line "→ UPDATE t1 TASK_KILLED" would be lost from the sandbox's stdout
// (CI saw exactly this once), and an update not yet handed to the client
// would never be sent. This agent answers the last UPDATE's POST 300 ms
// after acknowledging it, every time.
func TestShutdownWaitsForTheLastUpdate(t *testing.T) {
	stream := make(chan mesos.ExecutorEvent, 10)
	var (
		mu      sync.Mutex
		updates []string
	)
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var call mesos.ExecutorCall
		if err := json.Unmarshal(body, &call); err != nil {
			t.Errorf("call %s: %v", body, err)
		}
		switch call.Type {
		case mesos.ExecutorCallSubscribe:
			w.Header().Set("Content-Type", "application/json")
			stream <- mesos.ExecutorEvent{Type: mesos.ExecutorEventSubscribed, Subscribed: &mesos.ExecutorSubscribed{
				ExecutorInfo: mesos.ExecutorInfo{ExecutorID: call.ExecutorID}, ContainerID: &mesos.ContainerID{Value: "c1"},
			}}
			stream <- mesos.ExecutorEvent{Type: mesos.ExecutorEventLaunch, Launch: &mesos.ExecutorLaunch{Task: mesos.TaskInfo{
				TaskID: mesos.TaskID{Value: "t1"}, Data: []byte("exec sleep 300"),
			}}}
			enc := recordio.NewEncoder(w)
			for {
				select {
				case ev := <-stream:
					b, _ := json.Marshal(ev)
					enc.Encode(b)
					w.(http.Flusher).Flush()
				case <-r.Context().Done():
					return
				}
			}
		case mesos.ExecutorCallUpdate:
			st := call.Update.Status
			mu.Lock()
			updates = append(updates, string(st.State))
			mu.Unlock()
			stream <- mesos.ExecutorEvent{Type: mesos.ExecutorEventAcknowledged, Acknowledged: &mesos.ExecutorAcknowledged{TaskID: st.TaskID, UUID: st.UUID}}
			if st.State == mesos.TaskRunning {
				stream <- mesos.ExecutorEvent{Type: mesos.ExecutorEventShutdown}
			} else {
				time.Sleep(300 * time.Millisecond)
			}
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer agent.Close()

	var out testenv.Buffer // its client may still write from a goroutine of its own after run returns
	code := make(chan int, 1)
	go func() {
		code <- run(executor.Config{
			AgentEndpoint: strings.TrimPrefix(agent.URL, "http://"),
			FrameworkID:   mesos.FrameworkID{Value: "fw-1"}, ExecutorID: mesos.ExecutorID{Value: "demo"},
			ShutdownGracePeriod: 2 * time.Second, RecoveryTimeout: 5 * time.Second,
		}, &out)
	}()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit status %d, want 0", c)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the executor did not exit within 20s of SHUTDOWN")
	}
	log := out.String()
	sent := strings.Index(log, "→ UPDATE t1 TASK_KILLED")
	exit := strings.Index(log, "every update acknowledged; exiting")
	if sent < 0 || exit < sent {
		t.Errorf("the log must say the TASK_KILLED update went out before the executor exits:\n%s", log)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(updates, " "); got != "TASK_RUNNING TASK_KILLED" {
		t.Errorf("the agent got updates %s, want TASK_RUNNING TASK_KILLED", got)
	}
}
