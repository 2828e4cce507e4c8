package display_test

import (
	"time"

	"github.com/mesosnb/mesosnb/pkg/display"
	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
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
