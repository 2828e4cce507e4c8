package localmesos

import (
	"net/http"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The legacy read endpoints: master /state, agent /state, /version,
// /health, /redirect. Their JSON is hand-written in Mesos (not protobuf
// JSON): "slaves", plain-string ids, flat resource maps.

func (m *master) stateTask(t *task) mesos.StateTask {
	st := mesos.StateTask{
		ID: t.info.TaskID.Value, Name: t.info.Name, FrameworkID: t.fw.id.Value, SlaveID: t.agent.id,
		State: t.state, Resources: poolOf(t.info.Resources).stateResources(), Role: t.fw.role,
		Statuses: []mesos.StateStatus{}, Container: t.info.Container,
	}
	if t.executorID != nil {
		st.ExecutorID = t.executorID.Value
	}
	for _, s := range t.statuses {
		st.Statuses = append(st.Statuses, mesos.StateStatus{State: s.State, Timestamp: s.Timestamp, ContainerStatus: stateContainer(s.ContainerStatus)})
	}
	return st
}

// stateContainer is a container status as /state writes it: its id and
// networks (no executor pid).
func stateContainer(cs *mesos.ContainerStatus) *mesos.ContainerStatus {
	if cs == nil {
		return nil
	}
	return &mesos.ContainerStatus{ContainerID: cs.ContainerID, NetworkInfos: cs.NetworkInfos}
}

func (m *master) stateFramework(fw *framework) mesos.StateFramework {
	used, offered := newPool(), newPool()
	for _, u := range fw.used {
		used.addPool(u)
	}
	sf := mesos.StateFramework{
		ID: fw.id.Value, Name: fw.info.Name, User: fw.info.User, Hostname: fw.info.Hostname, Principal: fw.info.Principal,
		WebUIURL: fw.info.WebUIURL, Active: fw.active, Connected: fw.sub != nil, Capabilities: []string{},
		FailoverTimeout: fw.info.FailoverTimeout, Checkpoint: fw.info.Checkpoint,
		RegisteredTime: seconds(fw.registered), UnregisteredTime: seconds(fw.unregistered),
		Tasks: []mesos.StateTask{}, UnreachableTasks: []mesos.StateTask{}, CompletedTasks: []mesos.StateTask{},
		Offers: []mesos.StateOffer{}, Executors: []any{}, OfferConstraints: noOfferConstraints(),
	}
	if !fw.reregistered.IsZero() {
		sf.ReregisteredTime = seconds(fw.reregistered)
	}
	for _, c := range fw.info.Capabilities {
		sf.Capabilities = append(sf.Capabilities, c.Type)
	}
	if fw.info.HasCapability(mesos.CapabilityMultiRole) {
		sf.Roles = fw.info.Roles
	} else {
		sf.Role = fw.role
	}
	for _, t := range sortedTasks(fw.tasks) {
		sf.Tasks = append(sf.Tasks, m.stateTask(t))
	}
	for _, t := range fw.completed {
		sf.CompletedTasks = append(sf.CompletedTasks, m.stateTask(t))
	}
	for _, o := range sortedOffers(fw) {
		offered.addPool(o.resources)
		sf.Offers = append(sf.Offers, mesos.StateOffer{ID: o.id, FrameworkID: fw.id.Value, SlaveID: o.agent.id, Resources: o.resources.stateResources()})
	}
	sf.UsedResources, sf.OfferedResources = used.stateResources(), offered.stateResources()
	both := used.clone()
	both.addPool(offered)
	sf.Resources = both.stateResources()
	return sf
}

// masterState is GET /state on the master.
func (m *master) masterState(flags map[string]string) mesos.MasterState {
	st := mesos.MasterState{
		Version: Version, GitTag: Version, BuildDate: versionInfo().BuildDate, BuildTime: versionInfo().BuildTime, BuildUser: StandIn,
		StartTime: seconds(m.started), ElectedTime: seconds(m.elected), ID: m.id, PID: m.info.PID,
		Hostname: m.info.Hostname, Capabilities: []string{"AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"},
		Flags: flags, Slaves: []mesos.StateAgent{}, RecoveredSlaves: []mesos.StateAgent{},
		Frameworks: []mesos.StateFramework{}, CompletedFrameworks: []mesos.StateFramework{},
		OrphanTasks: []mesos.StateTask{}, UnregisteredFrameworks: []string{},
	}
	leader, l := m.info, m.leadership()
	if !l.leading && l.leader != nil {
		leader = *l.leader
	}
	if l.leading || l.leader != nil {
		st.Leader = leader.PID
		st.LeaderInfo = &mesos.StateLeaderInfo{ID: leader.ID, PID: leader.PID, Port: leader.Port, Hostname: leader.Hostname, Domain: leader.Domain}
	}
	for _, a := range m.agents {
		if a.deactivated {
			st.DeactivatedSlaves++
		} else {
			st.ActivatedSlaves++
		}
		st.Slaves = append(st.Slaves, m.stateAgent(a))
	}
	for _, fw := range m.sortedFrameworks() {
		st.Frameworks = append(st.Frameworks, m.stateFramework(fw))
	}
	for _, fw := range m.completed {
		st.CompletedFrameworks = append(st.CompletedFrameworks, m.stateFramework(fw))
	}
	return st
}

// stateAgent is an agent as /state and /slaves show it.
func (m *master) stateAgent(a *agentRec) mesos.StateAgent {
	sa := mesos.StateAgent{
		ID: a.id, PID: a.pid(), Hostname: a.hostname, Port: a.port, RegisteredTime: seconds(a.registered),
		Resources: a.total.stateResources(), UsedResources: a.used.stateResources(), OfferedResources: a.offered.stateResources(),
		ReservedResources: map[string]mesos.StateResources{}, UnreservedResources: a.total.forRole("").stateResources(),
		Attributes: attributeMap(a.attributes), Active: !a.deactivated, Deactivated: a.deactivated, Version: Version,
		Capabilities: []string{"MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"},
	}
	for role, p := range a.total.reservedByRole() {
		sa.ReservedResources[role] = p.stateResources()
	}
	if a.drain != nil {
		d := *a.drain
		sa.DrainInfo = &d
		sa.EstimatedDrainStartTimeSeconds = seconds(a.drainStart)
	}
	return sa
}

// slavesAgent is an agent as /slaves shows it: as /state does, and its
// resources in full (protobuf JSON in the endpoint format), which an
// operator needs to unreserve them.
type slavesAgent struct {
	mesos.StateAgent
	ReservedFull   map[string]mesos.Resources `json:"reserved_resources_full"`
	UnreservedFull mesos.Resources            `json:"unreserved_resources_full"`
	UsedFull       mesos.Resources            `json:"used_resources_full"`
	OfferedFull    mesos.Resources            `json:"offered_resources_full"`
}

// slavesEndpoint is GET /slaves (Master::ReadOnlyHandler::slaves): the agents,
// or the one of ?slave_id.
func (m *master) slavesEndpoint(id string) any {
	out := []slavesAgent{}
	for _, a := range m.agents {
		if id != "" && a.id != id {
			continue
		}
		used, offered := m.allocations(a)
		sa := slavesAgent{StateAgent: m.stateAgent(a), ReservedFull: map[string]mesos.Resources{},
			UnreservedFull: nonNil(a.total.forRole("").resources("*")), UsedFull: nonNil(byRole(used)), OfferedFull: nonNil(byRole(offered))}
		for role, p := range a.total.reservedByRole() {
			sa.ReservedFull[role] = p.resources("*")
		}
		out = append(out, sa)
	}
	return struct {
		Slaves    []slavesAgent      `json:"slaves"`
		Recovered []mesos.StateAgent `json:"recovered_slaves"`
	}{out, []mesos.StateAgent{}}
}

// frameworksEndpoint is GET /frameworks (Master::ReadOnlyHandler::frameworks):
// the frameworks, or the one of ?framework_id, as /state shows them.
func (m *master) frameworksEndpoint(id string) any {
	st := struct {
		Frameworks   []mesos.StateFramework `json:"frameworks"`
		Completed    []mesos.StateFramework `json:"completed_frameworks"`
		Unregistered []string               `json:"unregistered_frameworks"`
	}{[]mesos.StateFramework{}, []mesos.StateFramework{}, []string{}}
	for _, fw := range m.sortedFrameworks() {
		if id == "" || fw.id.Value == id {
			st.Frameworks = append(st.Frameworks, m.stateFramework(fw))
		}
	}
	for _, fw := range m.completed {
		if id == "" || fw.id.Value == id {
			st.Completed = append(st.Completed, m.stateFramework(fw))
		}
	}
	return st
}

func nonNil(rs mesos.Resources) mesos.Resources {
	if rs == nil {
		return mesos.Resources{}
	}
	return rs
}

// slaveState is GET /state on an agent.
func (s *Server) slaveState(a *agent) mesos.SlaveState {
	m := s.master
	st := mesos.SlaveState{
		Version: Version, ID: a.rec.id, PID: a.rec.pid(), Hostname: a.rec.hostname, StartTime: seconds(m.started),
		MasterHostname: m.info.Hostname, Resources: a.rec.total.stateResources(), Attributes: attributeMap(a.rec.attributes),
		LogDir: filepath.Dir(s.logFile.path), // where /slave/log is
		Flags:  s.agentFlags(a), Frameworks: []mesos.SlaveFramework{}, CompletedFrameworks: []mesos.SlaveFramework{},
	}
	a.mu.Lock()
	byFW := map[string]*mesos.SlaveFramework{}
	var order []string
	get := func(fwID string) *mesos.SlaveFramework {
		f := byFW[fwID]
		if f == nil {
			f = &mesos.SlaveFramework{ID: fwID, Executors: []mesos.SlaveExecutor{}, CompletedExecutors: []mesos.SlaveExecutor{}}
			byFW[fwID] = f
			order = append(order, fwID)
		}
		return f
	}
	running := map[string]bool{}
	for _, t := range a.tasks {
		f := get(t.fwID)
		running[t.fwID] = true
		f.Executors = append(f.Executors, a.stateExecutor(t))
	}
	for fwID, done := range a.completed {
		f := get(fwID)
		for _, d := range done {
			task := mesos.StateTask{ID: d.taskID, Name: d.name, FrameworkID: d.fwID, SlaveID: a.rec.id, State: d.state,
				Resources: d.resources, Statuses: []mesos.StateStatus{}}
			f.CompletedExecutors = append(f.CompletedExecutors, mesos.SlaveExecutor{ID: d.taskID, Name: executorName(d.taskID),
				Directory: d.sandbox, Tasks: []mesos.StateTask{}, CompletedTasks: []mesos.StateTask{task}})
		}
	}
	a.mu.Unlock()
	sort.Strings(order)
	m.mu.Lock()
	for _, id := range order {
		f := byFW[id]
		sort.Slice(f.Executors, func(i, j int) bool { return f.Executors[i].ID < f.Executors[j].ID })
		if fw := m.frameworks[id]; fw != nil {
			f.Name = fw.info.Name
		} else {
			for _, c := range m.completed {
				if c.id.Value == id {
					f.Name = c.info.Name
				}
			}
		}
		// A framework with nothing left running on the agent is a
		// completed one there, as in Mesos.
		if running[id] {
			st.Frameworks = append(st.Frameworks, *f)
		} else {
			st.CompletedFrameworks = append(st.CompletedFrameworks, *f)
		}
	}
	m.mu.Unlock()
	return st
}

// stateExecutor is a running task's executor in the agent's /state: the
// command executor Mesos runs for a command or Docker task, with its
// sandbox. Called with a.mu held.
func (a *agent) stateExecutor(t *agentTask) mesos.SlaveExecutor {
	task := mesos.StateTask{ID: t.info.TaskID.Value, Name: t.info.Name, FrameworkID: t.fwID, ExecutorID: "",
		SlaveID: a.rec.id, State: t.state, Resources: poolOf(t.info.Resources).stateResources(), Statuses: []mesos.StateStatus{}}
	return mesos.SlaveExecutor{ID: t.info.TaskID.Value, Name: executorName(t.info.TaskID.Value),
		Directory: t.sandbox, Tasks: []mesos.StateTask{task}, CompletedTasks: []mesos.StateTask{}}
}

// executorName is the command executor's name in /state.
func executorName(taskID string) string { return "Command Executor (Task: " + taskID + ")" }

// agentFlags are the flags an agent's /state shows; containerizers says
// whether Docker tasks run in Docker, as a real agent's flags do.
func (s *Server) agentFlags(a *agent) map[string]string {
	return map[string]string{
		"containerizers": Containerizers(a.runner),
		"resources":      a.rec.total.resources("").String(),
		"attributes":     s.cfg.Attributes,
		"port":           strconv.Itoa(a.rec.port),
		"work_dir":       s.cfg.WorkDir,
		"runner":         a.runner.Name(),
		"stand_in":       StandIn,
	}
}

// writeVersion is GET /version: sorted keys, as Mesos writes a JSON::Object.
func writeVersion(w http.ResponseWriter, r *http.Request) {
	vi := versionInfo()
	v := map[string]any{"build_date": vi.BuildDate, "build_time": vi.BuildTime, "build_user": StandIn, "git_tag": Version, "version": Version}
	if vi.GitSHA != "" {
		v["git_sha"] = vi.GitSHA
	}
	writeJSON(w, r, eventJSON(v))
}
