package localmesos

import (
	"fmt"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// subscribe registers or re-registers a framework for a new stream. It
// returns the subscription, or a message for the ERROR event that refuses
// it (Mesos answers 200, sends ERROR and closes). The HTTP layer has
// already put an authenticated principal into a FrameworkInfo without
// one. Called with m.mu held.
func (m *master) subscribe(call *mesos.Subscribe) (*subscription, string) {
	info := call.FrameworkInfo
	removed := info.ID != nil && m.wasRemoved(info.ID.Value)
	if msg := validateFrameworkInfo(info, call.SuppressedRoles, removed); msg != "" {
		return nil, msg
	}
	now := time.Now()
	streamID := uuidString(newUUID())
	if info.ID != nil {
		if fw, ok := m.frameworks[info.ID.Value]; ok {
			if fw.info.Principal != info.Principal {
				// The new stream is refused; the old one goes on.
				return nil, textPrincipalChange
			}
			return m.failoverFramework(fw, info, call.SuppressedRoles, streamID, now), ""
		}
	}
	var id mesos.FrameworkID
	if info.ID != nil {
		// A framework this master never saw (it ran under another master,
		// or before a restart): adopt it with its id, as Mesos recovers a
		// framework from the FrameworkInfo it re-subscribes with.
		id = *info.ID
	} else {
		id = mesos.FrameworkID{Value: fmt.Sprintf("%s-%04d", m.id, m.nextFW)}
		m.nextFW++
	}
	adopted := info.ID != nil
	info.ID = &id
	fw := &framework{
		id: id, info: info, active: true, role: offerRole(info), suppressed: roleSet(call.SuppressedRoles),
		registered: now, tasks: map[string]*task{}, offers: map[string]*offer{},
		filters: map[string]refusal{}, used: map[string]pool{}, held: map[string]float64{},
	}
	fw.sub = newSubscription(fw, streamID)
	m.frameworks[id.Value] = fw
	m.log.Info("framework subscribed", "framework", m.frameworkName(fw), "stream", streamID)
	m.sendSubscribed(fw)
	m.opEvent(mesos.OperatorEvent{Type: mesos.FrameworkAdded, FrameworkAdded: &mesos.FrameworkEvent{Framework: m.frameworkEventState(fw)}})
	if adopted {
		// Mesos recovers the framework (FRAMEWORK_ADDED), then connects
		// it to the stream (FRAMEWORK_UPDATED).
		m.opEvent(mesos.OperatorEvent{Type: mesos.FrameworkUpdated, FrameworkUpdated: &mesos.FrameworkEvent{Framework: m.frameworkEventState(fw)}})
	}
	m.allocateSoon()
	return fw.sub, ""
}

func roleSet(roles []string) map[string]bool {
	s := map[string]bool{}
	for _, r := range roles {
		s[r] = true
	}
	return s
}

func (m *master) wasRemoved(id string) bool {
	if fw, ok := m.frameworks[id]; ok {
		return fw.removed
	}
	for _, fw := range m.completed {
		if fw.id.Value == id {
			return true
		}
	}
	return false
}

// failoverFramework moves a known framework to a new stream: the old one
// gets ERROR "Framework failed over", outstanding offers are discarded
// (without RESCIND), and immutable fields keep their first values.
func (m *master) failoverFramework(fw *framework, info mesos.FrameworkInfo, suppressed []string, streamID string, now time.Time) *subscription {
	if fw.sub != nil {
		fw.sub.send(mesos.Event{Type: mesos.EventError, Error: &mesos.FrameworkError{Message: textFailedOver}})
		fw.sub.end("framework failed over to a new stream")
	}
	if fw.failover != nil {
		fw.failover.Stop()
		fw.failover = nil
	}
	for _, o := range fw.offers {
		m.rescind(o, false)
	}
	info.User, info.Checkpoint, info.ID = fw.info.User, fw.info.Checkpoint, &fw.id
	fw.info = info
	fw.role = offerRole(info)
	fw.suppressed = roleSet(suppressed)
	fw.active = true
	fw.reregistered = now
	fw.sub = newSubscription(fw, streamID)
	m.log.Info("framework re-subscribed", "framework", m.frameworkName(fw), "stream", streamID)
	m.sendSubscribed(fw)
	m.opEvent(mesos.OperatorEvent{Type: mesos.FrameworkUpdated, FrameworkUpdated: &mesos.FrameworkEvent{Framework: m.frameworkEventState(fw)}})
	m.allocateSoon()
	return fw.sub
}

func (m *master) sendSubscribed(fw *framework) {
	info := m.info
	fw.sub.send(mesos.Event{Type: mesos.EventSubscribed, Subscribed: &mesos.Subscribed{
		FrameworkID: fw.id, HeartbeatIntervalSeconds: m.cfg.Heartbeat.Seconds(), MasterInfo: &info,
	}})
	// Mesos' heartbeater sends its first HEARTBEAT at once.
	fw.sub.send(mesos.Event{Type: mesos.EventHeartbeat})
}

// disconnected is called when a framework's stream ends. The framework is
// deactivated, its offers go back to the pool (the RESCIND messages would
// have nowhere to go), and it is removed after failover_timeout unless it
// subscribes again.
func (m *master) disconnected(sub *subscription, why string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fw := sub.fw
	if fw.sub != sub || fw.removed {
		return // superseded or already gone
	}
	sub.end(why)
	fw.sub = nil
	fw.active = false
	fw.unregistered = time.Now()
	for _, o := range fw.offers {
		m.rescind(o, false)
	}
	timeout := time.Duration(fw.info.FailoverTimeout * float64(time.Second))
	m.log.Info("framework disconnected", "framework", m.frameworkName(fw), "why", why, "failover_timeout", timeout)
	m.opEvent(mesos.OperatorEvent{Type: mesos.FrameworkUpdated, FrameworkUpdated: &mesos.FrameworkEvent{Framework: m.frameworkEventState(fw)}})
	if timeout <= 0 {
		m.removeFramework(fw)
		return
	}
	fw.failover = time.AfterFunc(timeout, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if fw.sub == nil && !fw.removed {
			m.log.Info("framework failover timeout", "framework", m.frameworkName(fw))
			m.removeFramework(fw)
		}
	})
}

// removeFramework tears a framework down: its tasks are killed, its offers
// withdrawn, its stream closed, and it can never come back.
func (m *master) removeFramework(fw *framework) {
	if fw.removed {
		return
	}
	now := time.Now()
	fw.removed = true
	fw.active = false
	if fw.failover != nil {
		fw.failover.Stop()
	}
	for _, o := range fw.offers {
		m.rescind(o, false)
	}
	agents := map[*agent]bool{}
	for _, t := range fw.tasks {
		agents[t.agent.agent] = true
		if !t.state.Terminal() {
			// The master marks the task killed itself; the scheduler is
			// gone and is not told.
			agentID := mesos.AgentID{Value: t.agent.id}
			st := mesos.TaskStatus{TaskID: t.info.TaskID, State: mesos.TaskKilled, Source: mesos.SourceMaster,
				Reason: mesos.ReasonFrameworkRemoved, Message: fmt.Sprintf(textFrameworkRemovedTask, fw.id.Value),
				AgentID: &agentID, Timestamp: float64(now.UnixNano()) / 1e9}
			t.state, t.latest = mesos.TaskKilled, st
			t.statuses = append(t.statuses, st)
			m.countTerminal(mesos.TaskKilled)
			m.opEvent(mesos.OperatorEvent{Type: mesos.TaskUpdated, TaskUpdated: &mesos.TaskUpdatedEvent{FrameworkID: fw.id, Status: st, State: st.State}})
		}
		m.releaseTask(t)
		m.completeTask(t)
	}
	for _, e := range fw.executors { // executor_master.go
		agents[e.agent.agent] = true
	}
	m.removeFrameworkExecutors(fw)
	for ag := range agents {
		fwID := fw.id.Value
		ag.do(func() { ag.killFramework(fwID) })
	}
	if fw.sub != nil {
		fw.sub.end("framework removed")
		fw.sub = nil
	}
	fw.unregistered = now
	delete(m.frameworks, fw.id.Value)
	m.completed = append(m.completed, fw)
	if len(m.completed) > maxCompletedFrameworks {
		m.completed = m.completed[1:]
	}
	m.log.Info("framework removed", "framework", m.frameworkName(fw))
	m.opEvent(mesos.OperatorEvent{Type: mesos.FrameworkRemoved, FrameworkRemoved: &mesos.FrameworkRemovedEvent{FrameworkInfo: fw.info}})
	m.allocateSoon()
}
