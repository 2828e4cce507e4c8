package localmesos

import (
	"fmt"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The master's side of custom executors (src/master/master.cpp and
// validation.cpp): it checks a task's ExecutorInfo, accounts the
// executor's resources while the executor lives, passes MESSAGE, SHUTDOWN
// and KILL on to the agent, and tells the framework when an executor ends
// (FAILURE) or sends it a message.

// masterExecutor is the master's record of a custom executor on an agent.
type masterExecutor struct {
	info      mesos.ExecutorInfo
	agent     *agentRec
	resources pool
}

// frameworkInfo is a framework's FrameworkInfo, for an agent that starts
// one of its executors.
func (m *master) frameworkInfo(fwID string) (mesos.FrameworkInfo, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if fw := m.frameworks[fwID]; fw != nil {
		return fw.info, true
	}
	return mesos.FrameworkInfo{}, false
}

// prepareExecutorTasks does to tasks with an executor what Master::accept
// does before validating them: it sets ExecutorInfo.framework_id where
// the task leaves it out, and gives the task's and the executor's
// resources the offer's role (injectAllocationInfo), which the executor
// sees in LAUNCH and SUBSCRIBED.
func prepareExecutorTasks(fw *framework, tasks []mesos.TaskInfo, role string) {
	for i := range tasks {
		e := tasks[i].Executor
		if e == nil {
			continue
		}
		filled := *e
		if filled.FrameworkID == nil {
			id := fw.id
			filled.FrameworkID = &id
		}
		filled.Resources = withAllocation(e.Resources, role)
		tasks[i].Executor = &filled
		tasks[i].Resources = withAllocation(tasks[i].Resources, role)
	}
}

// validateTaskExecutor is the ExecutorInfo half of
// task::internal::validateExecutor for a LAUNCH: it returns what the task
// and its executor need from the offers together (the executor's
// resources count only when the agent does not run it yet), or the
// TASK_ERROR message. Called with m.mu held.
func (m *master) validateTaskExecutor(fw *framework, a *agentRec, ti mesos.TaskInfo) (mesos.Resources, string) {
	e := *ti.Executor
	switch {
	case e.Type == "DEFAULT" && e.Command != nil:
		return nil, textExecutorDefaultCommand
	case e.Type == "CUSTOM" && e.Command == nil:
		return nil, textExecutorCustomCommand
	}
	if msg := validateID(e.ExecutorID.Value); msg != "" {
		return nil, msg
	}
	if g := e.ShutdownGracePeriod; g != nil && g.Nanoseconds < 0 {
		return nil, textExecutorNegativeGrace
	}
	if c := e.Container; c != nil && c.Type == mesos.ContainerDocker && c.Docker == nil {
		return nil, textExecutorContainerPrefix + textDockerInfoMissing
	}
	if e.FrameworkID.Value != fw.id.Value {
		return nil, fmt.Sprintf(textExecutorFrameworkID, e.FrameworkID.Value, fw.id.Value)
	}
	existing := fw.executors[executorKey(a.id, e.ExecutorID.Value)]
	if existing != nil && !sameExecutor(existing.info, e) {
		return nil, fmt.Sprintf(textExecutorIncompatible, eventJSON(existing.info), eventJSON(e))
	}
	switch {
	case e.Type != "" && e.Type != "CUSTOM":
		return nil, textExecutorNotCustom
	case e.Command == nil:
		return nil, textExecutorNoCommand
	}
	total := ti.Resources
	if existing == nil {
		total = append(append(mesos.Resources(nil), ti.Resources...), e.Resources...)
	}
	return total, ""
}

// sameExecutor is Mesos' ExecutorInfo equality: resources compare as
// amounts, shutdown_grace_period and labels do not count.
func sameExecutor(a, b mesos.ExecutorInfo) bool {
	if !poolOf(a.Resources).contains(b.Resources) || !poolOf(b.Resources).contains(a.Resources) {
		return false
	}
	a.Resources, b.Resources = nil, nil
	a.ShutdownGracePeriod, b.ShutdownGracePeriod = nil, nil
	a.Labels, b.Labels = nil, nil
	return string(eventJSON(a)) == string(eventJSON(b))
}

// addExecutor records an executor the agent will start for a task, and
// takes its resources; it returns them, or nothing for an executor the
// agent runs already. Called with m.mu held.
func (m *master) addExecutor(fw *framework, a *agentRec, e mesos.ExecutorInfo) pool {
	key := executorKey(a.id, e.ExecutorID.Value)
	if fw.executors[key] != nil {
		return newPool()
	}
	if fw.executors == nil {
		fw.executors = map[string]*masterExecutor{}
	}
	res := poolOf(e.Resources)
	fw.executors[key] = &masterExecutor{info: e, agent: a, resources: res}
	u, found := fw.used[a.id]
	if !found {
		u = newPool()
		fw.used[a.id] = u
	}
	u.addPool(res)
	fw.hold(res, 1)
	a.used.addPool(res)
	return res
}

// removeExecutor gives an executor's resources back. Called with m.mu
// held.
func (m *master) removeExecutor(fw *framework, key string) {
	e := fw.executors[key]
	if e == nil {
		return
	}
	delete(fw.executors, key)
	e.agent.used.subtractPool(e.resources)
	if u, ok := fw.used[e.agent.id]; ok {
		u.subtractPool(e.resources)
	}
	fw.hold(e.resources, -1)
}

// removeFrameworkExecutors gives back the resources of a removed
// framework's executors. Called with m.mu held.
func (m *master) removeFrameworkExecutors(fw *framework) {
	for key := range fw.executors {
		m.removeExecutor(fw, key)
	}
}

// exitedExecutor is Master::exitedExecutor: the executor's resources are
// free, and a connected framework gets FAILURE with the raw wait status.
func (m *master) exitedExecutor(a *agentRec, fwID string, executorID mesos.ExecutorID, status int32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fw := m.frameworks[fwID]
	if fw == nil {
		return
	}
	m.removeExecutor(fw, executorKey(a.id, executorID.Value))
	m.allocateSoon()
	if fw.sub != nil {
		agentID := mesos.AgentID{Value: a.id}
		fw.sub.send(mesos.Event{Type: mesos.EventFailure, Failure: &mesos.Failure{AgentID: &agentID, ExecutorID: &executorID, Status: &status}})
	}
}

// executorMessage passes an executor's MESSAGE to its framework, if the
// framework is connected (Master::executorMessage).
func (m *master) executorMessage(a *agentRec, fwID string, executorID mesos.ExecutorID, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fw := m.frameworks[fwID]
	if fw == nil || fw.sub == nil {
		m.log.Info("executor message for a framework that is not connected; dropped", "framework", fwID, "executor", executorID.Value)
		return
	}
	fw.sub.send(mesos.Event{Type: mesos.EventMessage, Message: &mesos.ExecutorMessage{AgentID: mesos.AgentID{Value: a.id}, ExecutorID: executorID, Data: data}})
}

// frameworkMessage passes a scheduler's MESSAGE call to the agent, best
// effort (Master::message). Called with m.mu held.
func (m *master) frameworkMessage(fw *framework, msg *mesos.Message) {
	a := m.agentByID(msg.AgentID.Value)
	if a == nil || a.agent.ex.down.Load() {
		m.log.Info("framework message for an agent that is not connected; dropped", "agent", msg.AgentID.Value)
		return
	}
	fwID, execID, data, ag := fw.id.Value, msg.ExecutorID.Value, msg.Data, a.agent
	ag.do(func() { ag.frameworkMessage(fwID, execID, data) })
}

// shutdownExecutor passes a scheduler's SHUTDOWN call to the agent
// (Master::shutdown). Called with m.mu held.
func (m *master) shutdownExecutor(fw *framework, sh *mesos.Shutdown) {
	a := m.agentByID(sh.AgentID.Value)
	if a == nil {
		m.log.Info("SHUTDOWN for an unknown agent; dropped", "agent", sh.AgentID.Value)
		return
	}
	fwID, execID, ag := fw.id.Value, sh.ExecutorID.Value, a.agent
	ag.do(func() { ag.shutdownExecutor(fwID, execID) })
}

// killOnExecutor sends a KILL for a task of a custom executor to its
// agent, with the call's kill policy, and reports whether it did. Called
// with m.mu held.
func (m *master) killOnExecutor(fw *framework, t *task, k *mesos.Kill) bool {
	if t.info.Executor == nil {
		return false
	}
	fwID, taskID, policy, ag := fw.id.Value, t.info.TaskID.Value, k.KillPolicy, t.agent.agent
	ag.do(func() { ag.killOnExecutor(fwID, taskID, policy) })
	return true
}
