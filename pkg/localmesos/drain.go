package localmesos

import (
	"fmt"
	"net/http"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Taking agents out of service, as Mesos 1.11's operator calls do
// (src/master/http.cpp _drainAgent, _deactivateAgent, _reactivateAgent,
// _markAgentGone; src/master/master.cpp checkAndTransitionDrainingAgent,
// markGone, __removeSlave; src/slave/slave.cpp drain):
//
//   - DEACTIVATE_AGENT: no more offers of the agent; its tasks go on.
//   - DRAIN_AGENT: deactivated, and its tasks are killed (TASK_KILLED with
//     REASON_AGENT_DRAINING; with mark_gone, TASK_GONE_BY_OPERATOR for
//     partition-aware frameworks). Once the last one is acknowledged the
//     agent is DRAINED, or with mark_gone removed as gone.
//   - REACTIVATE_AGENT: offers again, once any draining is over.
//   - MARK_AGENT_GONE: the agent is removed for good: its tasks are
//     TASK_GONE_BY_OPERATOR (TASK_LOST for frameworks that are not
//     partition-aware), and it never comes back.

func (m *master) deactivateAgent(id string) opReply {
	a := m.agentByID(id)
	if a == nil {
		return textReply(http.StatusBadRequest, textUnknownAgent)
	}
	m.deactivate(a)
	return emptyOK
}

// deactivate stops offering an agent's resources and withdraws its offers.
func (m *master) deactivate(a *agentRec) {
	a.deactivated = true
	for _, o := range m.offers {
		if o.agent == a {
			m.rescind(o, true)
		}
	}
	m.opEvent(mesos.OperatorEvent{Type: mesos.AgentAdded, AgentAdded: &mesos.AgentAddedEvent{Agent: m.agentState(a)}})
}

func (m *master) reactivateAgent(id string) opReply {
	a := m.agentByID(id)
	if a == nil || !a.deactivated {
		return textReply(http.StatusBadRequest, textAgentNotDeactivated)
	}
	if a.drain != nil && a.drain.State == "DRAINING" {
		return textReply(http.StatusBadRequest, textAgentStillDraining)
	}
	a.deactivated, a.drain, a.drainStart = false, nil, time.Time{}
	m.allocateSoon()
	return emptyOK
}

func (m *master) drainAgent(c *mesos.DrainAgentCall) opReply {
	a := m.agentByID(c.AgentID.Value)
	if a != nil {
		if machine := m.maint.scheduledMachine(a); machine != nil {
			return textReply(http.StatusBadRequest, fmt.Sprintf(textDrainScheduled, a.id, machineString(*machine)))
		}
	}
	if a == nil {
		return textReply(http.StatusBadRequest, textUnknownAgent)
	}
	cfg := mesos.DrainConfig{MarkGone: c.MarkGone}
	var grace *time.Duration
	if g := c.MaxGracePeriod; g != nil {
		d := time.Duration(g.Seconds)*time.Second + time.Duration(g.Nanos)
		cfg.MaxGracePeriod = &mesos.DurationInfo{Nanoseconds: int64(d)}
		grace = &d
	}
	a.drain = &mesos.DrainInfo{State: "DRAINING", Config: cfg}
	a.drainStart = time.Now()
	m.log.Info("draining agent", "agent", a.id, "mark_gone", c.MarkGone)
	m.deactivate(a)
	// The agent kills its tasks; the master learns of it from their
	// updates, and checkDrained moves the agent on once they are over.
	partitionAware := map[string]bool{}
	for _, fw := range m.frameworks {
		partitionAware[fw.id.Value] = fw.info.HasCapability(mesos.CapabilityPartitionAware)
	}
	ag := a.agent
	ag.do(func() { ag.drainTasks(grace, c.MarkGone, partitionAware) })
	m.checkDrained(a)
	return emptyOK
}

// checkDrained is checkAndTransitionDrainingAgent: a draining agent whose
// tasks are all over is DRAINED, or removed when it was to be marked gone.
func (m *master) checkDrained(a *agentRec) {
	if a.drain == nil || a.drain.State != "DRAINING" || m.agentHasTasks(a) {
		return
	}
	if a.drain.Config.MarkGone {
		m.log.Info("marking the drained agent gone", "agent", a.id)
		m.removeAgent(a, textAgentMarkedGone, true)
		return
	}
	m.log.Info("agent drained", "agent", a.id)
	a.drain.State = "DRAINED"
	m.opEvent(mesos.OperatorEvent{Type: mesos.AgentAdded, AgentAdded: &mesos.AgentAddedEvent{Agent: m.agentState(a)}})
}

// agentHasTasks tells whether the master still tracks a task on the agent
// (an ended task is tracked until its terminal update is acknowledged).
func (m *master) agentHasTasks(a *agentRec) bool {
	for _, fw := range m.frameworks {
		for _, t := range fw.tasks {
			if t.agent == a {
				return true
			}
		}
	}
	return false
}

func (m *master) markAgentGone(id string) opReply {
	if _, ok := m.gone[id]; ok {
		return emptyOK
	}
	a := m.agentByID(id)
	if a == nil {
		return textReply(http.StatusNotFound, fmt.Sprintf(textAgentNotFound, id))
	}
	m.removeAgent(a, textAgentMarkedGone, true)
	return emptyOK
}

// removeAgent is what Mesos does to an agent an operator removed: marked
// gone (Master::__removeSlave), its tasks end as TASK_GONE_BY_OPERATOR
// (TASK_LOST, kept among the unreachable ones, for frameworks that are not
// partition-aware); its machine taken down (Master::_removeSlave), they
// end as TASK_LOST saying the agent was removed. Its offers are withdrawn,
// every framework hears of the lost agent (FAILURE), it leaves the cluster
// (AGENT_REMOVED) and it is told to shut down, which kills its tasks
// without a word. A gone agent never comes back.
func (m *master) removeAgent(a *agentRec, message string, gone bool) {
	now := time.Now()
	if !gone {
		message = "Agent " + a.hostname + " removed: " + message
	}
	for _, fw := range m.sortedFrameworks() {
		for _, t := range sortedTasks(fw.tasks) {
			if t.agent != a {
				continue
			}
			state, reason := mesos.TaskGoneByOperator, mesos.ReasonAgentRemovedByOperator
			if !gone || !fw.info.HasCapability(mesos.CapabilityPartitionAware) {
				state, reason = mesos.TaskLost, mesos.ReasonAgentRemoved
			}
			agentID := mesos.AgentID{Value: a.id}
			st := mesos.TaskStatus{TaskID: t.info.TaskID, State: state, Source: mesos.SourceMaster, Reason: reason,
				Message: message, AgentID: &agentID, ExecutorID: t.executorID, Timestamp: float64(now.UnixNano()) / 1e9}
			t.state, t.latest = state, st
			t.statuses = append(t.statuses, st)
			m.countTerminal(state)
			m.releaseTask(t)
			m.completeTask(t)
			m.opEvent(mesos.OperatorEvent{Type: mesos.TaskUpdated, TaskUpdated: &mesos.TaskUpdatedEvent{FrameworkID: fw.id, Status: st, State: state}})
			if fw.sub != nil {
				fw.sub.send(mesos.Event{Type: mesos.EventUpdate, Update: &mesos.Update{Status: st}})
			}
		}
	}
	for _, o := range m.offers {
		if o.agent == a {
			m.rescind(o, true)
		}
	}
	m.maint.forgetAgent(a)
	for i, x := range m.agents {
		if x == a {
			m.agents = append(m.agents[:i:i], m.agents[i+1:]...)
			break
		}
	}
	m.total = pool{}
	if gone {
		m.gone[a.id] = now
	}
	m.counters["master/slave_removals"]++
	for _, fw := range m.sortedFrameworks() {
		if fw.sub != nil {
			fw.sub.send(mesos.Event{Type: mesos.EventFailure, Failure: &mesos.Failure{AgentID: &mesos.AgentID{Value: a.id}}})
		}
	}
	m.log.Info("agent removed", "agent", a.id, "why", message)
	m.opEvent(mesos.OperatorEvent{Type: mesos.AgentRemoved, AgentRemoved: &mesos.AgentRemovedEvent{AgentID: mesos.AgentID{Value: a.id}}})
	ag := a.agent
	ag.do(func() { ag.shutdownTasks() })
	m.allocateSoon()
}

// drainTasks kills every task on the agent for DRAIN_AGENT, each within
// the drain's grace period if it is shorter than the task's own, and
// marks the agent as draining so that their updates say so.
func (a *agent) drainTasks(grace *time.Duration, markGone bool, partitionAware map[string]bool) {
	a.mu.Lock()
	a.draining, a.drainMarkGone, a.partitionAware = true, markGone, partitionAware
	tasks := make([]*agentTask, 0, len(a.tasks))
	for _, t := range a.tasks {
		tasks = append(tasks, t)
	}
	a.mu.Unlock()
	for _, t := range tasks {
		g := KillGracePeriod(t.info, nil)
		if grace != nil && *grace < g {
			g = *grace
		}
		a.kill(t.fwID, t.info.TaskID.Value, g, false)
	}
}

// drainedStatus is what the agent's updates say while it drains
// (Slave::statusUpdate): a killed task was killed for the draining, and
// is gone by the operator's will when the agent is to be marked gone and
// the framework understands that state.
func (a *agent) drainedStatus(fwID string, state mesos.TaskState, reason string) (mesos.TaskState, string) {
	if !a.draining || (state != mesos.TaskKilling && state != mesos.TaskKilled) {
		return state, reason
	}
	if a.drainMarkGone && a.partitionAware[fwID] && state == mesos.TaskKilled {
		return mesos.TaskGoneByOperator, mesos.ReasonAgentDraining
	}
	return state, mesos.ReasonAgentDraining
}

// shutdownTasks is what an agent does on the master's ShutdownMessage:
// every task is killed at once and nobody hears of it.
func (a *agent) shutdownTasks() {
	a.mu.Lock()
	var fws []string
	seen := map[string]bool{}
	for _, t := range a.tasks {
		if !seen[t.fwID] {
			seen[t.fwID] = true
			fws = append(fws, t.fwID)
		}
	}
	a.mu.Unlock()
	for _, fw := range fws {
		a.killFramework(fw)
	}
}
