package localmesos

import (
	"fmt"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// accept runs the operations of an ACCEPT on the offers, as
// Master::accept does. Invalid offers fail every task with TASK_LOST
// (TASK_DROPPED for partition-aware frameworks) and REASON_INVALID_OFFERS;
// an invalid task fails alone with TASK_ERROR. What the operations leave
// unused is declined with the call's filter. Called with m.mu held.
func (m *master) accept(fw *framework, acc *mesos.Accept) {
	if msg := m.validateOffers(fw, acc.OfferIDs); msg != "" {
		// Every named offer that exists is spent all the same: its
		// resources return to the pool with no filter and no RESCIND.
		for _, id := range acc.OfferIDs {
			if o := m.offers[id.Value]; o != nil {
				m.removeOffer(o)
			}
		}
		state := mesos.TaskLost
		if fw.info.HasCapability(mesos.CapabilityPartitionAware) {
			state = mesos.TaskDropped
		}
		for _, op := range acc.Operations {
			for _, ti := range opTasks(op) {
				agentID := ti.AgentID
				m.masterUpdate(fw, ti.TaskID, &agentID, state, mesos.ReasonInvalidOffers, textInvalidOffersPrefix+msg)
			}
		}
		return
	}

	a := m.offers[acc.OfferIDs[0].Value].agent
	role := m.offers[acc.OfferIDs[0].Value].fw.role
	remaining := newPool()
	for _, id := range acc.OfferIDs {
		o := m.offers[id.Value]
		remaining.addPool(o.resources)
		m.removeOffer(o)
	}
	for _, op := range acc.Operations {
		tasks := opTasks(op)
		switch op.Type {
		case mesos.OpLaunch, mesos.OpLaunchGroup:
		default:
			m.log.Info("offer operation not supported by localmesos; ignored", "type", op.Type, "framework", fw.id.Value)
			continue
		}
		reason := mesos.ReasonTaskInvalid
		if op.Type == mesos.OpLaunchGroup {
			reason = mesos.ReasonTaskGroupInvalid
		}
		failAll := func(msg string) {
			for _, ti := range tasks {
				agentID := ti.AgentID
				m.masterUpdate(fw, ti.TaskID, &agentID, mesos.TaskError, reason, msg)
			}
		}
		msg := ""
		for _, ti := range tasks {
			if msg = validateResources(ti.Resources); msg != "" {
				break
			}
			if ti.Executor != nil {
				if msg = validateResources(ti.Executor.Resources); msg != "" {
					break
				}
			}
		}
		if msg == "" && op.Type == mesos.OpLaunchGroup && op.LaunchGroup != nil {
			msg = validateResources(op.LaunchGroup.Executor.Resources)
		}
		if msg == "" && op.ID != nil {
			msg = fmt.Sprintf(textOperationID, op.Type)
		}
		if msg != "" {
			failAll(msg)
			continue
		}
		var group *mesos.ExecutorInfo
		if op.Type == mesos.OpLaunchGroup {
			if op.LaunchGroup == nil {
				continue // no task group, nothing to launch
			}
			group = &op.LaunchGroup.Executor
		}
		m.launch(fw, a, tasks, group, remaining, role)
	}
	// What the operations did not use is declined with the call's filter.
	if !remaining.empty() {
		m.filter(fw, a.id, remaining, acc.Filters)
	}
}

// validateOffers is validation::offer::validate plus the empty-list check.
func (m *master) validateOffers(fw *framework, ids []mesos.OfferID) string {
	if len(ids) == 0 {
		return textNoOffers
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id.Value] {
			return fmt.Sprintf(textDuplicateOffer, id.Value)
		}
		seen[id.Value] = true
	}
	var first *offer
	for _, id := range ids {
		o := m.offers[id.Value]
		switch {
		case o == nil:
			return fmt.Sprintf(textOfferNotValid, id.Value)
		case o.fw != fw:
			return fmt.Sprintf(textOfferWrongFramework, id.Value, o.fw.id.Value, fw.id.Value)
		case first != nil && first.fw.role != o.fw.role:
			return fmt.Sprintf(textOffersDifferentRole, id.Value, o.fw.role, first.fw.role)
		case first != nil && first.agent != o.agent:
			return fmt.Sprintf(textOffersDifferentAgent, id.Value, o.agent.id, first.agent.id)
		}
		if first == nil {
			first = o
		}
	}
	return ""
}

func opTasks(op mesos.Operation) []mesos.TaskInfo {
	switch {
	case op.Type == mesos.OpLaunch && op.Launch != nil:
		return op.Launch.TaskInfos
	case op.Type == mesos.OpLaunchGroup && op.LaunchGroup != nil:
		return op.LaunchGroup.TaskGroup.Tasks
	}
	return nil
}

// launch validates tasks in order against what is left of the offers and
// starts the valid ones on the agent; each valid task's resources are taken
// before the next is checked. A task group is all or nothing.
func (m *master) launch(fw *framework, a *agentRec, tasks []mesos.TaskInfo, group *mesos.ExecutorInfo, remaining pool, role string) {
	type ok struct {
		info mesos.TaskInfo
		res  pool
	}
	var valid []ok
	seen := map[string]bool{}
	prepareExecutorTasks(fw, tasks, role) // executor_master.go
	for _, ti := range tasks {
		msg := ""
		if group != nil {
			msg = validateGroupExecutor(*group)
		}
		if msg == "" {
			msg = m.validateTask(fw, a, ti, group != nil, seen, remaining, role)
		}
		if msg != "" {
			if group != nil {
				for _, gt := range tasks {
					agentID := gt.AgentID
					m.masterUpdate(fw, gt.TaskID, &agentID, mesos.TaskError, mesos.ReasonTaskGroupInvalid, msg)
				}
				for _, v := range valid {
					remaining.addPool(v.res)
				}
				return
			}
			agentID := ti.AgentID
			m.masterUpdate(fw, ti.TaskID, &agentID, mesos.TaskError, mesos.ReasonTaskInvalid, msg)
			continue
		}
		seen[ti.TaskID.Value] = true
		res := poolOf(ti.Resources)
		remaining.subtractPool(res)
		if ti.Executor != nil {
			remaining.subtractPool(m.addExecutor(fw, a, *ti.Executor)) // executor_master.go
		}
		valid = append(valid, ok{ti, res})
	}
	for _, v := range valid {
		t := &task{info: v.info, fw: fw, agent: a, resources: v.res, state: mesos.TaskStaging}
		t.info.Resources = withAllocation(v.info.Resources, role)
		if group != nil {
			t.executorID = &group.ExecutorID
		} else if v.info.Executor != nil {
			t.executorID = &v.info.Executor.ExecutorID
		}
		fw.tasks[v.info.TaskID.Value] = t
		u, found := fw.used[a.id]
		if !found {
			u = newPool()
			fw.used[a.id] = u
		}
		u.addPool(v.res)
		fw.hold(v.res, 1)
		a.used.addPool(v.res)
		m.log.Info("launching task", "task", v.info.TaskID.Value, "framework", fw.id.Value, "agent", a.id)
		m.opEvent(mesos.OperatorEvent{Type: mesos.TaskAdded, TaskAdded: &mesos.TaskAddedEvent{Task: m.taskJSON(t)}})
		fwID, info, ag := fw.id.Value, t.info, a.agent // as the master keeps it: allocated to the role
		ag.do(func() { ag.launch(fwID, info) })
	}
}

// masterUpdate sends an update the master makes itself (invalid task,
// invalid offers, reconciliation): it has no uuid and is never re-sent.
func (m *master) masterUpdate(fw *framework, taskID mesos.TaskID, agentID *mesos.AgentID, state mesos.TaskState, reason, message string) {
	st := mesos.TaskStatus{TaskID: taskID, State: state, Source: mesos.SourceMaster, Reason: reason, Message: message,
		AgentID: agentID, Timestamp: float64(time.Now().UnixNano()) / 1e9}
	if fw.sub != nil {
		fw.sub.send(mesos.Event{Type: mesos.EventUpdate, Update: &mesos.Update{Status: st}})
	}
}

// statusUpdate receives an update from an agent and forwards it to the
// framework. latest is the newest state the agent knows, which may be
// ahead of the update being delivered (the agent sends one at a time).
func (m *master) statusUpdate(a *agentRec, fwID string, st mesos.TaskStatus, latest mesos.TaskState, info mesos.TaskInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fw := m.frameworks[fwID]
	if fw == nil || fw.removed || m.agentByID(a.id) != a {
		return // the framework or the agent is gone
	}
	t := fw.tasks[st.TaskID.Value]
	if t == nil {
		// The master lost track of the task (it restarted, or another
		// master led when it started); adopt it, as a master does when an
		// agent re-registers with its tasks.
		t = &task{info: info, fw: fw, agent: a, resources: newPool(), state: mesos.TaskStaging}
		fw.tasks[info.TaskID.Value] = t
	}
	prev := t.state
	t.state = latest
	t.updateState, t.updateUUID = st.State, st.UUID
	kept := st
	kept.Data = nil
	appended := len(t.statuses) == 0 || t.statuses[len(t.statuses)-1].State != st.State
	if appended {
		t.statuses = append(t.statuses, kept)
		if len(t.statuses) > maxStatuses {
			t.statuses = t.statuses[1:]
		}
	} else {
		t.statuses[len(t.statuses)-1] = kept
	}
	if st.ContainerStatus != nil || st.Healthy != nil || t.latest.TaskID.Value == "" {
		t.latest = kept
	} else {
		cs, h := t.latest.ContainerStatus, t.latest.Healthy
		t.latest = kept
		t.latest.ContainerStatus, t.latest.Healthy = cs, h
	}
	if latest.Terminal() && !prev.Terminal() {
		m.releaseTask(t)
		m.countTerminal(latest)
	}
	if appended {
		m.opEvent(mesos.OperatorEvent{Type: mesos.TaskUpdated, TaskUpdated: &mesos.TaskUpdatedEvent{FrameworkID: fw.id, Status: kept, State: latest}})
	}
	if fw.sub != nil {
		fw.sub.send(mesos.Event{Type: mesos.EventUpdate, Update: &mesos.Update{Status: st}})
	}
}

// releaseTask returns a task's resources to its agent.
func (m *master) releaseTask(t *task) {
	if t.resources.scalars == nil {
		return
	}
	t.agent.used.subtractPool(t.resources)
	if u, ok := t.fw.used[t.agent.id]; ok {
		u.subtractPool(t.resources)
	}
	t.fw.hold(t.resources, -1)
	t.resources = pool{}
}

// completeTask moves a task to the framework's completed tasks.
func (m *master) completeTask(t *task) {
	delete(t.fw.tasks, t.info.TaskID.Value)
	t.fw.completed = append(t.fw.completed, t)
	if len(t.fw.completed) > maxCompletedTasks {
		t.fw.completed = t.fw.completed[1:]
	}
}

// acknowledge passes an acknowledgement to the agent. Once a terminal
// update is acknowledged the master forgets the task. Nothing here can
// fail the call: Mesos has already answered 202, and unknown agents, tasks
// or uuids are only logged.
func (m *master) acknowledge(fw *framework, ack *mesos.Acknowledge) {
	a := m.agentByID(ack.AgentID.Value)
	if a == nil {
		m.log.Info("acknowledgement for an unknown agent dropped", "agent", ack.AgentID.Value, "task", ack.TaskID.Value)
		return
	}
	if t := fw.tasks[ack.TaskID.Value]; t != nil {
		if t.updateState == "" {
			m.log.Info("acknowledgement for a task with no update dropped", "task", ack.TaskID.Value)
			return
		}
		if string(t.updateUUID) == string(ack.UUID) && t.updateState.Terminal() {
			m.completeTask(t)
			m.checkDrained(t.agent)
		}
	}
	fwID, taskID, uuid, ag := fw.id.Value, ack.TaskID.Value, ack.UUID, a.agent
	ag.do(func() { ag.acknowledge(fwID, taskID, uuid) })
}

// kill kills a task; a task the master does not know is answered by
// explicit reconciliation of that task, as Master::kill does.
func (m *master) kill(fw *framework, k *mesos.Kill) {
	t := fw.tasks[k.TaskID.Value]
	if t == nil {
		m.reconcile(fw, []mesos.ReconcileTask{{TaskID: k.TaskID, AgentID: k.AgentID}})
		return
	}
	if k.AgentID != nil && k.AgentID.Value != t.agent.id {
		m.log.Info("KILL names another agent than the task's; ignored", "task", k.TaskID.Value, "agent", k.AgentID.Value)
		return
	}
	if t.state.Terminal() {
		return
	}
	if m.killOnExecutor(fw, t, k) { // executor_master.go
		return
	}
	grace := KillGracePeriod(t.info, k.KillPolicy)
	fwID, taskID, ag := fw.id.Value, k.TaskID.Value, t.agent.agent
	killing := fw.info.HasCapability(mesos.CapabilityTaskKillingState)
	ag.do(func() { ag.kill(fwID, taskID, grace, killing) })
}

// reconcile answers with the latest state of tasks: every active task when
// none is named (implicit), else each named one in order (explicit).
// Answers come from the master: REASON_RECONCILIATION and no uuid.
func (m *master) reconcile(fw *framework, tasks []mesos.ReconcileTask) {
	send := func(st mesos.TaskStatus) {
		st.Source, st.Reason = mesos.SourceMaster, mesos.ReasonReconciliation
		st.Timestamp = float64(time.Now().UnixNano()) / 1e9
		if fw.sub != nil {
			fw.sub.send(mesos.Event{Type: mesos.EventUpdate, Update: &mesos.Update{Status: st}})
		}
	}
	known := func(t *task) mesos.TaskStatus {
		agentID := mesos.AgentID{Value: t.agent.id}
		state := t.updateState
		if state == "" {
			state = t.state
		}
		return mesos.TaskStatus{TaskID: t.info.TaskID, State: state, Message: textReconcileLatest, AgentID: &agentID,
			ExecutorID: t.executorID, Healthy: t.latest.Healthy, ContainerStatus: t.latest.ContainerStatus}
	}
	if len(tasks) == 0 {
		for _, t := range fw.tasks {
			send(known(t))
		}
		return
	}
	pa := fw.info.HasCapability(mesos.CapabilityPartitionAware)
	for _, rt := range tasks {
		if t := fw.tasks[rt.TaskID.Value]; t != nil {
			send(known(t))
			continue
		}
		st := mesos.TaskStatus{TaskID: rt.TaskID, AgentID: rt.AgentID, State: mesos.TaskLost, Message: textReconcileUnknown}
		_, gone := m.gone[idValueOf(rt.AgentID)]
		if rt.AgentID != nil && m.agentByID(rt.AgentID.Value) != nil {
			st.Message = textReconcileUnknownAgent
			if pa {
				st.State = mesos.TaskGone
			}
		} else if rt.AgentID != nil && gone {
			st.Message = textReconcileGone
			if pa {
				st.State = mesos.TaskGoneByOperator
			}
		} else if pa {
			st.State = mesos.TaskUnknown
		}
		send(st)
	}
}

func (m *master) agentByID(id string) *agentRec {
	for _, a := range m.agents {
		if a.id == id {
			return a
		}
	}
	return nil
}

func idValueOf(id *mesos.AgentID) string {
	if id == nil {
		return ""
	}
	return id.Value
}
