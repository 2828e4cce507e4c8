package localmesos

import (
	"fmt"
	"net/http"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// executorAPI serves an agent's /api/v1/executor, making Http::executor's
// checks (src/slave/http.cpp) in its order, so that a call wrong in
// several ways gets the answer a Mesos agent would give.
func (s *Server) executorAPI(a *agent, w http.ResponseWriter, r *http.Request) {
	var call mesos.ExecutorCall
	raw, ok := readCall(w, r, executorCallMsg, &call)
	if !ok {
		return
	}
	if msg := validateExecutorCall(&call, raw); msg != "" {
		plain(w, http.StatusBadRequest, textValidateExecutorCall+msg)
		return
	}
	switch call.Type {
	case mesos.ExecutorCallSubscribe:
		if !negotiate(w, r) {
			return
		}
	case mesos.ExecutorCallHeartbeat:
		// Answered before anything is looked up: Mesos' executor library
		// sends it with dummy ids.
		w.WriteHeader(http.StatusAccepted)
		return
	default:
		if a.recovering() {
			plain(w, http.StatusServiceUnavailable, textAgentRecovering)
			return
		}
	}
	fwID, execID := call.FrameworkID.Value, call.ExecutorID.Value
	a.mu.Lock()
	ex := a.ex.byKey[executorKey(fwID, execID)]
	status, msg := 0, ""
	switch {
	case !a.knowsFramework(fwID):
		status, msg = http.StatusBadRequest, textFrameworkNotFound
	case ex == nil:
		status, msg = http.StatusBadRequest, textExecutorNotFound
	case ex.state == execRegistering && call.Type != mesos.ExecutorCallSubscribe:
		status, msg = http.StatusForbidden, textExecutorNotSubscribed
	}
	a.mu.Unlock()
	if status != 0 {
		plain(w, status, msg)
		return
	}
	switch call.Type {
	case mesos.ExecutorCallSubscribe:
		a.subscribeExecutor(w, r, ex, call.Subscribe)
	case mesos.ExecutorCallUpdate:
		a.executorUpdate(ex, call.Update.Status)
		w.WriteHeader(http.StatusAccepted)
	case mesos.ExecutorCallMessage:
		a.mu.Lock()
		terminating := a.ex.terminating[fwID]
		a.mu.Unlock()
		if !terminating {
			a.m.executorMessage(a.rec, fwID, ex.info.ExecutorID, call.Message.Data)
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		plain(w, http.StatusNotImplemented, textNotImplemented)
	}
}

// validateExecutorCall is src/common/validation.cpp validateExecutorCall:
// the checks after a body has become a Call.
func validateExecutorCall(call *mesos.ExecutorCall, raw map[string]any) string {
	if !present(executorCallMsg.field("type"), raw["type"]) {
		return textExecutorCallNoType
	}
	switch call.Type {
	case mesos.ExecutorCallSubscribe:
		if raw["subscribe"] == nil {
			return textExecutorCallNoSubscribe
		}
	case mesos.ExecutorCallUpdate:
		if raw["update"] == nil {
			return textExecutorCallNoUpdate
		}
		st := call.Update.Status
		rawStatus, _ := raw["update"].(map[string]any)["status"].(map[string]any)
		switch {
		case rawStatus["uuid"] == nil:
			return textExecutorCallNoUUID
		case !validUUID(st.UUID):
			return textExecutorCallBadUUID
		case st.ExecutorID != nil && st.ExecutorID.Value != call.ExecutorID.Value:
			return fmt.Sprintf(textExecutorIDMismatch, call.ExecutorID.Value, st.ExecutorID.Value)
		case st.Source != mesos.SourceExecutor: // unset is SOURCE_MASTER, the enum's first value
			return fmt.Sprintf(textExecutorBadSource, call.ExecutorID.Value, call.FrameworkID.Value)
		case st.State == mesos.TaskStaging:
			return fmt.Sprintf(textExecutorStaging, call.ExecutorID.Value, call.FrameworkID.Value)
		}
	case mesos.ExecutorCallMessage:
		if raw["message"] == nil {
			return textExecutorCallNoMessage
		}
	}
	return ""
}

// knowsFramework tells whether the agent has anything of the framework:
// a task or an executor. Called with a.mu held.
func (a *agent) knowsFramework(fwID string) bool {
	for _, ex := range a.ex.byKey {
		if ex.fwID == fwID {
			return true
		}
	}
	for _, t := range a.tasks {
		if t.fwID == fwID {
			return true
		}
	}
	return false
}

func (a *agent) recovering() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ex.recovering
}

// subscribeExecutor is Slave::subscribe: the executor's stream opens with
// SUBSCRIBED (or SHUTDOWN, for an executor being shut down), the updates
// it re-sends are taken over and acknowledged, tasks sent to it that it
// does not know are lost, and queued tasks go out as LAUNCH events.
func (a *agent) subscribeExecutor(w http.ResponseWriter, r *http.Request, ex *agentExecutor, sub *mesos.ExecutorSubscribe) {
	stream := &opSubscriber{wake: make(chan struct{}, 1), done: make(chan struct{})}
	var lost []*agentTask
	a.mu.Lock()
	switch {
	case ex.state == execTerminating || ex.state == execTerminated || a.ex.terminating[ex.fwID]:
		stream.push(eventJSON(mesos.ExecutorEvent{Type: mesos.ExecutorEventShutdown}))
		stream.end()
		sub = nil
	default:
		if ex.stream != nil {
			ex.stream.end() // a retried SUBSCRIBE replaces the earlier stream
		}
		ex.state, ex.stream = execRunning, stream
		if tm := ex.timers["registration"]; tm != nil {
			tm.Stop()
		}
		unacked := map[string]bool{}
		for _, t := range sub.UnacknowledgedTasks {
			unacked[t.TaskID.Value] = true
		}
		for id, t := range ex.launched {
			if t.state == mesos.TaskStaging && !unacked[id] {
				lost = append(lost, t)
			}
		}
		if !ex.everSent && len(ex.queued) == 0 {
			// MESOS-8411: all its tasks were killed before it came.
			a.shutdownLocked(ex)
			sub = nil
			break
		}
		info := ex.info
		info.FrameworkID = &mesos.FrameworkID{Value: ex.fwID}
		agentInfo := a.rec.info()
		for i := range agentInfo.Resources {
			agentInfo.Resources[i].Role = "" // the agent's own SlaveInfo has none
		}
		ex.send(mesos.ExecutorEvent{Type: mesos.ExecutorEventSubscribed, Subscribed: &mesos.ExecutorSubscribed{
			ExecutorInfo: info, FrameworkInfo: ex.fwInfo, AgentInfo: agentInfo,
			ContainerID: &mesos.ContainerID{Value: ex.containerID},
		}})
	}
	a.mu.Unlock()

	if sub != nil {
		for _, u := range sub.UnacknowledgedUpdates {
			a.executorUpdate(ex, u.Status)
		}
		state := mesos.TaskLost
		if ex.fwInfo.HasCapability(mesos.CapabilityPartitionAware) {
			state = mesos.TaskDropped
		}
		for _, t := range lost {
			a.enqueue(t, a.agentStatus(t, ex, state, mesos.ReasonAgentRestarted, textLaunchedDuringRestart))
		}
		a.sendQueued(ex)
	}

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	take := func() [][]byte {
		stream.mu.Lock()
		defer stream.mu.Unlock()
		q := stream.queue
		stream.queue = nil
		return q
	}
	(&subscription{wake: stream.wake, done: stream.done}).serveWith(w, r, a.m.cfg.ExecutorHeartbeat, take)
	stream.end()
	a.mu.Lock()
	if ex.stream == stream {
		ex.stream = nil
	}
	a.mu.Unlock()
}

// executorUpdate is Slave::statusUpdate for an update from an executor:
// the agent adds its id and the container's status, takes the update over
// (forwarding it reliably to the master), and acknowledges it to the
// executor. A duplicate, or an update after the task's terminal one, is
// acknowledged and dropped; one for a task no executor here runs is
// forwarded and not acknowledged, as Mesos does.
func (a *agent) executorUpdate(caller *agentExecutor, st mesos.TaskStatus) {
	if st.AgentID != nil && st.AgentID.Value != a.rec.id {
		a.log.Info("status update for another agent; ignored", "task", st.TaskID.Value, "agent", st.AgentID.Value)
		return
	}
	agentID := mesos.AgentID{Value: a.rec.id}
	st.AgentID, st.Source = &agentID, mesos.SourceExecutor
	if st.Timestamp == 0 {
		st.Timestamp = float64(time.Now().UnixNano()) / 1e9
	}
	ack := mesos.ExecutorEvent{Type: mesos.ExecutorEventAcknowledged, Acknowledged: &mesos.ExecutorAcknowledged{TaskID: st.TaskID, UUID: st.UUID}}

	a.mu.Lock()
	if a.ex.terminating[caller.fwID] {
		a.mu.Unlock()
		return
	}
	owner, t := a.taskExecutor(caller.fwID, st.TaskID.Value)
	switch {
	case t == nil:
		// A task of no executor here: Mesos forwards the update all the
		// same, without container status, and acknowledges it to nobody.
		key := taskKey(caller.fwID, st.TaskID.Value)
		if t = a.tasks[key]; t == nil {
			t = &agentTask{key: key, info: mesos.TaskInfo{TaskID: st.TaskID, AgentID: agentID}, fwID: caller.fwID,
				state: mesos.TaskStaging, cancel: func() {}}
			a.tasks[key] = t
		}
		a.mu.Unlock()
		a.log.Info("status update for a task no executor of the agent runs; forwarded, not acknowledged", "task", st.TaskID.Value)
		a.enqueue(t, st)
		return
	case owner.seen[string(st.UUID)] || t.state.Terminal():
		owner.send(ack)
		a.mu.Unlock()
		return
	}
	owner.seen[string(st.UUID)] = true
	cs := &mesos.ContainerStatus{}
	if st.ContainerStatus != nil {
		*cs = *st.ContainerStatus
	}
	cs.ContainerID = &mesos.ContainerID{Value: owner.containerID}
	if owner.run != nil {
		cs.ExecutorPID = uint32(owner.run.pid)
	}
	if len(cs.NetworkInfos) == 0 {
		cs.NetworkInfos = []mesos.NetworkInfo{{IPAddresses: []mesos.IPAddress{{Protocol: "IPv4", IPAddress: a.rec.ip()}}}}
	}
	st.ContainerStatus = cs
	a.mu.Unlock()

	a.enqueue(t, st)
	a.mu.Lock()
	owner.send(ack)
	a.mu.Unlock()
}

// taskExecutor finds a task of a framework among the executors' tasks.
// Called with a.mu held.
func (a *agent) taskExecutor(fwID, taskID string) (*agentExecutor, *agentTask) {
	for _, ex := range a.ex.byKey {
		if ex.fwID != fwID {
			continue
		}
		if t, ok := ex.launched[taskID]; ok {
			return ex, t
		}
		for _, t := range ex.queued {
			if t.info.TaskID.Value == taskID {
				return ex, t
			}
		}
	}
	return nil, nil
}
