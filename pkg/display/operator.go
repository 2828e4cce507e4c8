package display

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// Tables of what the operator API answers: the cluster as an operator (or
// a workshop teacher) sees it, every framework and task, not only ours.

// AgentsTable lists agents: id, host, version, whether they are offered
// (active, deactivated, draining), total cpus and mem, what tasks and
// their executors use (allocated), what sits in outstanding offers
// (offered: Mesos counts it apart), attributes.
func AgentsTable(r *mesos.GetAgentsResponse) Table {
	t := Table{Title: fmt.Sprintf("%d agent(s)", len(r.Agents)), Empty: "no agents registered",
		Header: []string{"agent", "host", "version", "state", "cpus", "mem MB", "ports", "allocated cpus", "allocated mem", "offered cpus", "offered mem", "attributes"}}
	for _, a := range r.Agents {
		var attrs []string
		for _, at := range a.AgentInfo.Attributes {
			attrs = append(attrs, at.String())
		}
		id := ""
		if a.AgentInfo.ID != nil {
			id = shortID(a.AgentInfo.ID.Value)
		}
		t.Rows = append(t.Rows, []string{id, fmt.Sprintf("%s:%d", a.AgentInfo.Hostname, a.AgentInfo.Port), a.Version, agentState(a),
			fmt.Sprintf("%g", a.TotalResources.CPUs()), fmt.Sprintf("%g", a.TotalResources.Mem()), a.TotalResources.Ports().String(),
			fmt.Sprintf("%g", a.AllocatedResources.CPUs()), fmt.Sprintf("%g", a.AllocatedResources.Mem()),
			fmt.Sprintf("%g", a.OfferedResources.CPUs()), fmt.Sprintf("%g", a.OfferedResources.Mem()), strings.Join(attrs, "; ")})
	}
	return t
}

// agentState is whether the master offers the agent's resources, and why
// not.
func agentState(a mesos.AgentState) string {
	switch {
	case a.DrainInfo != nil:
		return a.DrainInfo.State
	case a.Deactivated:
		return "deactivated"
	case !a.Active:
		return "inactive"
	}
	return "active"
}

// FrameworksTable lists frameworks, current then completed: name, id,
// user, state, tasks, resources in use.
func FrameworksTable(r *mesos.GetFrameworksResponse, tasks *mesos.GetTasksResponse) Table {
	count := map[string]int{}
	if tasks != nil {
		for _, tk := range tasks.Tasks {
			count[tk.FrameworkID.Value]++
		}
	}
	t := Table{Title: fmt.Sprintf("%d framework(s), %d completed", len(r.Frameworks), len(r.CompletedFrameworks)), Empty: "no frameworks",
		Header: []string{"name", "framework", "user", "state", "tasks", "cpus", "mem MB", "registered"}}
	row := func(f mesos.FrameworkState, state string) {
		id := ""
		if f.FrameworkInfo.ID != nil {
			id = f.FrameworkInfo.ID.Value
		}
		t.Rows = append(t.Rows, []string{f.FrameworkInfo.Name, shortID(id), f.FrameworkInfo.User, state, fmt.Sprint(count[id]),
			fmt.Sprintf("%g", f.AllocatedResources.CPUs()), fmt.Sprintf("%g", f.AllocatedResources.Mem()), timeOf(f.RegisteredTime)})
	}
	for _, f := range r.Frameworks {
		state := "active"
		switch {
		case !f.Connected:
			state = "disconnected (waiting for failover)"
		case !f.Active:
			state = "inactive"
		}
		row(f, state)
	}
	for _, f := range r.CompletedFrameworks {
		row(f, "completed")
	}
	return t
}

// TasksTable lists every task the master knows: running, then completed.
func TasksTable(r *mesos.GetTasksResponse) Table {
	t := Table{Title: fmt.Sprintf("%d task(s), %d completed", len(r.Tasks), len(r.CompletedTasks)), Empty: "no tasks",
		Header: []string{"task", "framework", "agent", "state", "cpus", "mem MB", "last status"}}
	row := func(tk mesos.Task) {
		last := ""
		if n := len(tk.Statuses); n > 0 {
			last = tk.Statuses[n-1].Message
		}
		t.Rows = append(t.Rows, []string{tk.TaskID.Value, shortID(tk.FrameworkID.Value), shortID(tk.AgentID.Value), string(tk.State),
			fmt.Sprintf("%g", tk.Resources.CPUs()), fmt.Sprintf("%g", tk.Resources.Mem()), last})
	}
	for _, tk := range r.Tasks {
		row(tk)
	}
	for _, tk := range r.CompletedTasks {
		row(tk)
	}
	return t
}

// OperatorEventsTable lists operator events as they came.
func OperatorEventsTable(events []mesos.OperatorEvent, received []time.Time) Table {
	t := Table{Title: fmt.Sprintf("%d operator event(s)", len(events)), Empty: "no events yet", Header: []string{"received", "type", "what"}}
	for i, ev := range events {
		what := ""
		switch {
		case ev.Subscribed != nil:
			st := ev.Subscribed.GetState
			what = fmt.Sprintf("state: %d agents, %d frameworks, %d tasks", len(st.GetAgents.Agents), len(st.GetFrameworks.Frameworks), len(st.GetTasks.Tasks))
		case ev.TaskAdded != nil:
			what = fmt.Sprintf("task %s of %s", ev.TaskAdded.Task.TaskID.Value, shortID(ev.TaskAdded.Task.FrameworkID.Value))
		case ev.TaskUpdated != nil:
			what = fmt.Sprintf("task %s now %s (last acknowledged %s)", ev.TaskUpdated.Status.TaskID.Value, ev.TaskUpdated.State, ev.TaskUpdated.Status.State)
		case ev.FrameworkAdded != nil:
			what = ev.FrameworkAdded.Framework.FrameworkInfo.Name
		case ev.FrameworkUpdated != nil:
			what = ev.FrameworkUpdated.Framework.FrameworkInfo.Name
		case ev.FrameworkRemoved != nil:
			what = ev.FrameworkRemoved.FrameworkInfo.Name
		case ev.AgentAdded != nil:
			what = ev.AgentAdded.Agent.AgentInfo.Hostname
		}
		when := ""
		if i < len(received) {
			when = received[i].Local().Format("15:04:05.000")
		}
		t.Rows = append(t.Rows, []string{when, string(ev.Type), what})
	}
	return t
}

func timeOf(ti *mesos.TimeInfo) string {
	if ti == nil {
		return ""
	}
	return time.Unix(0, ti.Nanoseconds).Local().Format("15:04:05")
}

// OperatorEvents shows an operator event stream in a table that fills in
// live, until stop says an event is the last, or for at most d; then it
// closes the stream and leaves the final table in the output. A stream
// that ends before that (the master went away) says so under the table.
func OperatorEvents(stream *operator.Stream, d time.Duration, stop func(mesos.OperatorEvent) bool) {
	var timedOut atomic.Bool
	deadline := time.AfterFunc(d, func() { timedOut.Store(true); stream.Close() })
	defer deadline.Stop()
	defer stream.Close()
	var events []mesos.OperatorEvent
	var received []time.Time
	live := NewLive()
	var broken error
	for ev, err := range stream.Events() {
		if err != nil {
			if !timedOut.Load() {
				broken = err
			}
			break
		}
		events, received = append(events, ev), append(received, time.Now())
		live.Update(OperatorEventsTable(events, received))
		if stop(ev) {
			break
		}
	}
	live.Final()
	if broken != nil {
		Say("The event stream ended early: %v. Run the \"Health and version\" cell to see whether the master is up, then this cell again.", broken)
	}
}
