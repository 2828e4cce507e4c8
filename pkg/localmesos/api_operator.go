package localmesos

import (
	"net/http"
	"os"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

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

// versionInfo says which Mesos the stand-in mimics, and that it is one
// (build_user), and when this stand-in was built.
func versionInfo() mesos.VersionInfo {
	t := buildTime()
	return mesos.VersionInfo{Version: Version, BuildDate: t.UTC().Format("2006-01-02 15:04:05"), BuildTime: float64(t.Unix()),
		BuildUser: StandIn, GitSHA: buildRevision(), GitTag: Version}
}

// buildTime is when the running program was built: its commit's time when
// the Go toolchain recorded one, else its executable's modification time,
// else when it started.
var buildTime = sync.OnceValue(func() time.Time {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.time" {
				if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
					return t
				}
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			return st.ModTime()
		}
	}
	return time.Now()
})

// buildRevision is the commit the program was built from, if recorded.
func buildRevision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}

func (m *master) taskJSON(t *task) mesos.Task {
	task := mesos.Task{
		Name: t.info.Name, TaskID: t.info.TaskID, FrameworkID: t.fw.id, ExecutorID: t.executorID,
		AgentID: mesos.AgentID{Value: t.agent.id}, State: t.state, Resources: t.info.Resources,
		Statuses: append([]mesos.TaskStatus(nil), t.statuses...), StatusUpdateState: t.updateState,
		StatusUpdateUUID: t.updateUUID, Labels: t.info.Labels, Discovery: t.info.Discovery,
		Container: t.info.Container, HealthCheck: t.info.HealthCheck, KillPolicy: t.info.KillPolicy,
		Limits: t.info.Limits,
	}
	// Mesos names a user only when the task's (or its executor's) command
	// does.
	switch {
	case t.info.Command != nil && t.info.Command.User != "":
		task.User = t.info.Command.User
	case t.info.Executor != nil && t.info.Executor.Command != nil && t.info.Executor.Command.User != "":
		task.User = t.info.Executor.Command.User
	}
	return task
}

// allocations is what the agent's resources are used and offered for,
// role by role.
func (m *master) allocations(a *agentRec) (used, offered map[string]pool) {
	used, offered = map[string]pool{}, map[string]pool{}
	add := func(byRole map[string]pool, role string, p pool) {
		if byRole[role].scalars == nil {
			byRole[role] = newPool()
		}
		byRole[role].addPool(p)
	}
	for _, fw := range m.sortedFrameworks() {
		if u, ok := fw.used[a.id]; ok {
			add(used, fw.role, u)
		}
	}
	for _, o := range m.offers {
		if o.agent == a {
			add(offered, o.role, o.resources)
		}
	}
	return used, offered
}

func (m *master) agentState(a *agentRec) mesos.AgentState {
	used, offered := m.allocations(a)
	st := mesos.AgentState{
		AgentInfo: a.info(), Active: !a.deactivated, Deactivated: a.deactivated, Version: Version, PID: a.pid(),
		RegisteredTime: timeInfo(a.registered), TotalResources: a.total.resources("*"),
		AllocatedResources: byRole(used), OfferedResources: byRole(offered),
		Capabilities: []mesos.AgentCapability{{Type: "MULTI_ROLE"}, {Type: "HIERARCHICAL_ROLE"}, {Type: "RESERVATION_REFINEMENT"}},
	}
	st.AgentInfo.Checkpoint = true // the master's record says so; the agent's own does not
	if a.drain != nil {
		d := *a.drain
		st.DrainInfo = &d
		st.EstimatedDrainStartTime = timeInfo(a.drainStart)
	}
	return st
}

// byRole is resources allocated to roles, in the endpoint format, role
// by role.
func byRole(pools map[string]pool) mesos.Resources {
	var out mesos.Resources
	for _, role := range sortedPoolKeys(pools) {
		out = append(out, allocated(pools[role].resources("*"), role)...)
	}
	return out
}

func sortedPoolKeys(m map[string]pool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (m *master) frameworkState(fw *framework) mesos.FrameworkState {
	reregistered := fw.reregistered
	if reregistered.IsZero() {
		reregistered = fw.registered // as Mesos starts it
	}
	fs := mesos.FrameworkState{
		FrameworkInfo: fw.info, Active: fw.active, Connected: fw.sub != nil,
		RegisteredTime: timeInfo(fw.registered), ReregisteredTime: timeInfo(reregistered),
		UnregisteredTime: timeInfo(fw.unregistered), OfferConstraints: noOfferConstraints(),
	}
	alloc, offered := newPool(), newPool()
	for _, u := range fw.used {
		alloc.addPool(u)
	}
	for _, o := range sortedOffers(fw) {
		offered.addPool(o.resources)
		// The master's record of an offer: allocated to its role, in the
		// post-refinement format, whatever the framework was sent.
		off := m.offerJSON(o)
		off.Resources = allocated(postRefinement(o.resources.offerResources("*")), o.role)
		off.AllocationInfo = &mesos.AllocationInfo{Role: o.role}
		fs.Offers = append(fs.Offers, off)
	}
	fs.AllocatedResources = allocated(alloc.resources("*"), fw.role)
	fs.OfferedResources = allocated(offered.resources("*"), fw.role)
	return fs
}

// noOfferConstraints is a framework's offer constraints as the master
// shows them: {} for none. The stand-in does not apply constraints and
// keeps none.
func noOfferConstraints() *mesos.OfferConstraints { return &mesos.OfferConstraints{} }

// frameworkEventState is a framework as FRAMEWORK_ADDED and
// FRAMEWORK_UPDATED carry it (protobuf::master::event): its info, state
// and the three times, each set, 0 when it has not happened.
func (m *master) frameworkEventState(fw *framework) mesos.FrameworkState {
	ns := func(t time.Time) *mesos.TimeInfo {
		if t.IsZero() {
			return &mesos.TimeInfo{}
		}
		return &mesos.TimeInfo{Nanoseconds: t.UnixNano()}
	}
	reregistered := fw.reregistered
	if reregistered.IsZero() {
		reregistered = fw.registered
	}
	return mesos.FrameworkState{FrameworkInfo: fw.info, Active: fw.active, Connected: fw.sub != nil,
		RegisteredTime: ns(fw.registered), ReregisteredTime: ns(reregistered), UnregisteredTime: ns(fw.unregistered)}
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
			if m.unreachable(t) {
				r.UnreachableTasks = append(r.UnreachableTasks, m.taskJSON(t))
			} else {
				r.CompletedTasks = append(r.CompletedTasks, m.taskJSON(t))
			}
		}
	}
	for _, fw := range m.completed {
		for _, t := range fw.completed {
			r.CompletedTasks = append(r.CompletedTasks, m.taskJSON(t))
		}
	}
	return r
}

// unreachable tells whether a task ended on an agent marked gone without
// its framework being partition-aware: Mesos keeps such a TASK_LOST task
// among the unreachable ones (Master::__removeSlave).
func (m *master) unreachable(t *task) bool {
	_, gone := m.gone[t.agent.id]
	return gone && t.state == mesos.TaskLost && t.latest.Source == mesos.SourceMaster
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
