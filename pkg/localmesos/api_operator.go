package localmesos

import (
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// operatorCallMsg is the part of master.proto's Call the stand-in serves.
var operatorCallMsg = &message{name: "master.Call", fields: []field{
	enum("type", "UNKNOWN", "GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_METRICS", "GET_LOGGING_LEVEL",
		"SET_LOGGING_LEVEL", "LIST_FILES", "READ_FILE", "GET_STATE", "GET_AGENTS", "GET_FRAMEWORKS",
		"GET_EXECUTORS", "GET_OPERATIONS", "GET_TASKS", "GET_ROLES", "GET_WEIGHTS", "UPDATE_WEIGHTS",
		"GET_MASTER", "SUBSCRIBE", "RESERVE_RESOURCES", "UNRESERVE_RESOURCES", "CREATE_VOLUMES",
		"DESTROY_VOLUMES", "GROW_VOLUME", "SHRINK_VOLUME", "GET_MAINTENANCE_STATUS",
		"GET_MAINTENANCE_SCHEDULE", "UPDATE_MAINTENANCE_SCHEDULE", "START_MAINTENANCE", "STOP_MAINTENANCE",
		"DRAIN_AGENT", "DEACTIVATE_AGENT", "REACTIVATE_AGENT", "GET_QUOTA", "UPDATE_QUOTA", "SET_QUOTA",
		"REMOVE_QUOTA", "TEARDOWN", "MARK_AGENT_GONE"),
	msg("teardown", &message{name: "master.Call.Teardown", fields: []field{reqMsg("framework_id", idMsg)}}),
}}

// operator serves POST /api/v1.
func (s *Server) operator(w http.ResponseWriter, r *http.Request) {
	if !s.leaderOnly(w, r) {
		return
	}
	var call mesos.OperatorCall
	raw, ok := readCall(w, r, operatorCallMsg, &call)
	if !ok {
		return
	}
	if !present(operatorCallMsg.field("type"), raw["type"]) {
		plain(w, http.StatusBadRequest, textValidateMasterCall+"Expecting 'type' to be present")
		return
	}
	if call.Type == mesos.OperatorTeardown && call.Teardown == nil {
		plain(w, http.StatusBadRequest, textValidateMasterCall+"Expecting 'teardown' to be present")
		return
	}
	if !negotiate(w, r) {
		return
	}
	m := s.master
	var resp mesos.OperatorResponse
	resp.Type = call.Type
	m.mu.Lock()
	switch call.Type {
	case mesos.GetHealth:
		resp.GetHealth = &mesos.GetHealthResponse{Healthy: true}
	case mesos.GetVersion:
		resp.GetVersion = &mesos.GetVersionResponse{VersionInfo: versionInfo()}
	case mesos.GetMaster:
		resp.GetMaster = &mesos.GetMasterResponse{MasterInfo: m.info, StartTime: seconds(m.started), ElectedTime: seconds(m.elected)}
	case mesos.GetState:
		st := m.getState()
		resp.GetState = &st
	case mesos.GetAgents:
		a := m.getAgents()
		resp.GetAgents = &a
	case mesos.GetFrameworks:
		f := m.getFrameworks()
		resp.GetFrameworks = &f
	case mesos.GetExecutors:
		resp.GetExecutors = &mesos.GetExecutorsResponse{Executors: []mesos.ExecutorState{}}
	case mesos.GetTasks:
		t := m.getTasks()
		resp.GetTasks = &t
	case mesos.OperatorTeardown:
		fw := m.frameworks[call.Teardown.FrameworkID.Value]
		if fw == nil {
			m.mu.Unlock()
			plain(w, http.StatusBadRequest, textNoSuchFramework)
			return
		}
		m.removeFramework(fw)
		m.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		return
	case mesos.OperatorSubscribe:
		sub := m.newOpSubscriber()
		m.mu.Unlock()
		s.serveOperatorStream(w, r, sub)
		return
	default:
		m.mu.Unlock()
		plain(w, http.StatusNotImplemented, textNotImplemented)
		return
	}
	m.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(eventJSON(resp))
}

func seconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func timeInfo(t time.Time) *mesos.TimeInfo {
	if t.IsZero() {
		return nil
	}
	return &mesos.TimeInfo{Nanoseconds: t.UnixNano()}
}

// versionInfo says which Mesos the stand-in mimics, and that it is one.
func versionInfo() mesos.VersionInfo {
	return mesos.VersionInfo{Version: Version, BuildDate: "localmesos", BuildUser: StandIn, GitTag: Version}
}

func (m *master) taskJSON(t *task) mesos.Task {
	task := mesos.Task{
		Name: t.info.Name, TaskID: t.info.TaskID, FrameworkID: t.fw.id, ExecutorID: t.executorID,
		AgentID: mesos.AgentID{Value: t.agent.id}, State: t.state, Resources: t.info.Resources,
		Statuses: append([]mesos.TaskStatus(nil), t.statuses...), StatusUpdateState: t.updateState,
		StatusUpdateUUID: t.updateUUID, Labels: t.info.Labels, Discovery: t.info.Discovery,
		Container: t.info.Container, HealthCheck: t.info.HealthCheck, KillPolicy: t.info.KillPolicy,
		User: t.fw.info.User, Limits: t.info.Limits,
	}
	if t.info.Command != nil && t.info.Command.User != "" {
		task.User = t.info.Command.User
	}
	return task
}

func (m *master) agentState(a *agentRec) mesos.AgentState {
	used := a.used.resources("*")
	offered := a.offered.resources("*")
	return mesos.AgentState{
		AgentInfo: a.info(), Active: true, Version: Version, PID: a.pid(),
		RegisteredTime: timeInfo(a.registered), TotalResources: a.total.resources("*"),
		AllocatedResources: used, OfferedResources: offered,
		Capabilities: []mesos.AgentCapability{{Type: "MULTI_ROLE"}, {Type: "HIERARCHICAL_ROLE"}, {Type: "RESERVATION_REFINEMENT"}},
	}
}

func (m *master) frameworkState(fw *framework) mesos.FrameworkState {
	fs := mesos.FrameworkState{
		FrameworkInfo: fw.info, Active: fw.active, Connected: fw.sub != nil,
		RegisteredTime: timeInfo(fw.registered), ReregisteredTime: timeInfo(fw.reregistered),
		UnregisteredTime: timeInfo(fw.unregistered),
	}
	alloc, offered := newPool(), newPool()
	for _, u := range fw.used {
		alloc.addPool(u)
	}
	for _, o := range sortedOffers(fw) {
		offered.addPool(o.resources)
		fs.Offers = append(fs.Offers, m.offerJSON(o))
	}
	fs.AllocatedResources = alloc.resources("*")
	fs.OfferedResources = offered.resources("*")
	return fs
}

func sortedOffers(fw *framework) []*offer {
	out := make([]*offer, 0, len(fw.offers))
	for _, o := range fw.offers {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (m *master) sortedFrameworks() []*framework {
	out := make([]*framework, 0, len(m.frameworks))
	for _, fw := range m.frameworks {
		out = append(out, fw)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].registered.Before(out[j].registered) })
	return out
}

func (m *master) getAgents() mesos.GetAgentsResponse {
	r := mesos.GetAgentsResponse{Agents: []mesos.AgentState{}, RecoveredAgents: []mesos.AgentInfo{}}
	for _, a := range m.agents {
		r.Agents = append(r.Agents, m.agentState(a))
	}
	return r
}

func (m *master) getFrameworks() mesos.GetFrameworksResponse {
	r := mesos.GetFrameworksResponse{Frameworks: []mesos.FrameworkState{}, CompletedFrameworks: []mesos.FrameworkState{}}
	for _, fw := range m.sortedFrameworks() {
		r.Frameworks = append(r.Frameworks, m.frameworkState(fw))
	}
	for _, fw := range m.completed {
		r.CompletedFrameworks = append(r.CompletedFrameworks, m.frameworkState(fw))
	}
	return r
}

func sortedTasks(ts map[string]*task) []*task {
	out := make([]*task, 0, len(ts))
	for _, t := range ts {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].info.TaskID.Value < out[j].info.TaskID.Value })
	return out
}

func (m *master) getTasks() mesos.GetTasksResponse {
	r := mesos.GetTasksResponse{Tasks: []mesos.Task{}, UnreachableTasks: []mesos.Task{}, CompletedTasks: []mesos.Task{}}
	for _, fw := range m.sortedFrameworks() {
		for _, t := range sortedTasks(fw.tasks) {
			r.Tasks = append(r.Tasks, m.taskJSON(t))
		}
		for _, t := range fw.completed {
			r.CompletedTasks = append(r.CompletedTasks, m.taskJSON(t))
		}
	}
	for _, fw := range m.completed {
		for _, t := range fw.completed {
			r.CompletedTasks = append(r.CompletedTasks, m.taskJSON(t))
		}
	}
	return r
}

func (m *master) getState() mesos.GetStateResponse {
	return mesos.GetStateResponse{
		GetTasks: m.getTasks(), GetExecutors: mesos.GetExecutorsResponse{Executors: []mesos.ExecutorState{}},
		GetFrameworks: m.getFrameworks(), GetAgents: m.getAgents(),
	}
}

// opSubscriber is one operator event stream. Like a scheduler stream it
// has a bounded queue, so a slow reader is cut off instead of slowing the
// master down.
type opSubscriber struct {
	seq   uint64 // order of subscription: the oldest goes first past the limit
	mu    sync.Mutex
	queue [][]byte
	wake  chan struct{}
	done  chan struct{}
	ended bool
}

func (m *master) newOpSubscriber() *opSubscriber {
	m.nextOpSub++
	s := &opSubscriber{seq: m.nextOpSub, wake: make(chan struct{}, 1), done: make(chan struct{})}
	st := m.getState()
	s.push(eventJSON(mesos.OperatorEvent{Type: mesos.OperatorSubscribed, Subscribed: &mesos.OperatorSubscribedEvent{GetState: st, HeartbeatIntervalSeconds: m.cfg.Heartbeat.Seconds()}}))
	// Mesos sends the first heartbeat at once, then one per interval.
	s.push(eventJSON(mesos.OperatorEvent{Type: mesos.OperatorHeartbeat}))
	if len(m.opSubs) >= m.cfg.MaxOperatorSubscribers {
		var oldest *opSubscriber
		for o := range m.opSubs {
			if oldest == nil || o.seq < oldest.seq {
				oldest = o
			}
		}
		oldest.end()
		delete(m.opSubs, oldest)
	}
	m.opSubs[s] = struct{}{}
	return s
}

func (s *opSubscriber) push(b []byte) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	if len(s.queue) >= maxQueued {
		s.mu.Unlock()
		s.end()
		return
	}
	s.queue = append(s.queue, b)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *opSubscriber) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.ended = true
		close(s.done)
	}
}

// opEvent sends an event to every operator stream. Called with m.mu held.
func (m *master) opEvent(ev mesos.OperatorEvent) {
	if len(m.opSubs) == 0 {
		return
	}
	b := eventJSON(ev)
	for s := range m.opSubs {
		s.push(b)
	}
}

func (s *Server) serveOperatorStream(w http.ResponseWriter, r *http.Request, sub *opSubscriber) {
	defer func() {
		s.master.mu.Lock()
		delete(s.master.opSubs, sub)
		s.master.mu.Unlock()
		sub.end()
	}()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	stream := &subscription{wake: sub.wake, done: sub.done}
	take := func() [][]byte {
		sub.mu.Lock()
		defer sub.mu.Unlock()
		q := sub.queue
		sub.queue = nil
		return q
	}
	stream.serveWith(w, r, s.cfg.Heartbeat, take)
}
