package display_test

import (
	"fmt"
	"time"

	"github.com/mesosnb/mesosnb/pkg/display"
	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// Outside a notebook a table prints as aligned text, and the Observer a
// session is given prints each call with its answer.
func Example() {
	display.Table{Title: "Agents", Header: []string{"agent", "cpus"}, Rows: [][]string{{"S0", "4"}, {"S1", "2"}}}.Show()
	display.Tasks([]session.Task{{ID: mesos.TaskID{Value: "web-1"}, State: mesos.TaskRunning, AgentID: mesos.AgentID{Value: "S0"},
		First: time.Now(), States: []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning}}})
	display.Observer().Call(httpapi.Exchange{Method: "POST", URL: "http://127.0.0.1:5050/api/v1/scheduler",
		RequestBody: []byte(`{"type":"REVIVE"}`), StatusCode: 202, Status: "202 Accepted"})
	// Output:
	// Agents
	// agent  cpus
	// S0     4
	// S1     2
	// Tasks
	// task   state         why  agent  age  states
	// web-1  TASK_RUNNING       S0     0s   TASK_STARTING → TASK_RUNNING
	// POST http://127.0.0.1:5050/api/v1/scheduler
	// {
	//   "type": "REVIVE"
	// }
	// → 202 Accepted
}

// A Mesos build that recorded no build_user says so, rather than "built
// by )".
func ExampleBuilt() {
	fmt.Println(display.Built(&mesos.VersionInfo{Version: "1.11.0", BuildDate: "2020-11-19 10:10:58", BuildUser: "jenkins"}))
	fmt.Println(display.Built(&mesos.VersionInfo{Version: "1.11.0", BuildDate: "2020-11-19 10:10:58"}))
	// Output:
	// Mesos 1.11.0 (built by jenkins on 2020-11-19 10:10:58)
	// Mesos 1.11.0 (built on 2020-11-19 10:10:58; no build_user recorded)
}

// What a task wrote, as READ_FILE read it from its sandbox: the start of
// a file larger than one read, and an empty one.
func ExampleSandbox() {
	display.Sandbox(operator.Sandbox{Agent: "http://127.0.0.1:5051", Path: operator.SandboxPath(mesos.FrameworkID{Value: "F0"}, "web-1"),
		Stdout: mesos.ReadFileResponse{Size: 100, Data: []byte("listening on :80\nGET / 200\n")}})
	// Output:
	// sandbox /frameworks/F0/executors/web-1/runs/latest on agent http://127.0.0.1:5051
	// stdout: the first 27 of 100 bytes:
	//   listening on :80
	//   GET / 200
	// stderr: empty
}

// Metrics before and after: a metric the master does not report says
// so.
func ExampleMetricsTable() {
	before := &mesos.GetMetricsResponse{Metrics: []mesos.Metric{{Name: "master/tasks_running", Value: 0}}}
	after := &mesos.GetMetricsResponse{Metrics: []mesos.Metric{{Name: "master/tasks_running", Value: 1}}}
	display.MetricsTable(before, after, "master/tasks_running", "master/gpus_used").Show()
	// Output:
	// GET_METRICS: 1 metrics; 2 of them, before and after
	// metric                before  after
	// master/tasks_running  0       1
	// master/gpus_used      (none)  (none)
}
