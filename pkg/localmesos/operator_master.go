package localmesos

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The master's operator API, POST /api/v1: every call of master.proto read
// and validated as Master::Http::api does (src/master/http.cpp, then
// validation::master::call::validate), then answered. The cluster-state
// answers are in api_operator.go; quota, maintenance, draining and
// reservations in their own files.

// opReply is an operator call's answer: a Response (200, JSON), or a
// status with a plain-text body.
type opReply struct {
	code int
	body string
	resp *mesos.OperatorResponse
}

func okReply(resp mesos.OperatorResponse) opReply { return opReply{code: http.StatusOK, resp: &resp} }

func textReply(code int, body string) opReply { return opReply{code: code, body: body} }

// emptyOK is 200 with no body, what Mesos answers to calls that change
// something.
var emptyOK = opReply{code: http.StatusOK}

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
	if msg := validateMasterCall(&call, raw); msg != "" {
		plain(w, http.StatusBadRequest, textValidateMasterCall+msg)
		return
	}
	if !negotiate(w, r) {
		return
	}
	if call.Type == mesos.OperatorSubscribe {
		m := s.master
		m.mu.Lock()
		sub := m.newOpSubscriber()
		m.mu.Unlock()
		s.serveOperatorStream(w, r, sub)
		return
	}
	reply := s.masterCall(&call)
	if reply.resp == nil {
		if reply.body == "" && reply.code < 300 {
			w.WriteHeader(reply.code) // 200 or 202, no body, as Mesos
			return
		}
		plain(w, reply.code, reply.body)
		return
	}
	reply.resp.Type = call.Type
	w.Header().Set("Content-Type", "application/json")
	w.Write(eventJSON(reply.resp))
}

// validateMasterCall is validation::master::call::validate: the type, the
// payload it needs, and the resources of a reservation.
func validateMasterCall(call *mesos.OperatorCall, raw map[string]any) string {
	if !present(operatorCallMsg.field("type"), raw["type"]) {
		return "Expecting 'type' to be present"
	}
	if name, ok := masterPayload[string(call.Type)]; ok && raw[name] == nil {
		return fmt.Sprintf("Expecting '%s' to be present", name)
	}
	switch call.Type {
	case mesos.ReserveResources:
		return reservationResourcesError(call.ReserveResources.Resources)
	case mesos.UnreserveResources:
		return reservationResourcesError(call.UnreserveResources.Resources)
	case mesos.GrowVolume:
		if call.GrowVolume.AgentID == nil {
			return textGrowShrinkAgent
		}
	case mesos.ShrinkVolume:
		if call.ShrinkVolume.AgentID == nil {
			return textGrowShrinkAgent
		}
	}
	return ""
}

// masterCall answers a validated call other than SUBSCRIBE.
func (s *Server) masterCall(call *mesos.OperatorCall) opReply {
	m := s.master
	switch call.Type {
	case mesos.OperatorUnknown:
		return textReply(http.StatusNotImplemented, textNotImplemented)
	case mesos.GetVersion:
		return okReply(mesos.OperatorResponse{GetVersion: &mesos.GetVersionResponse{VersionInfo: versionInfo()}})
	case mesos.GetFlags:
		return okReply(mesos.OperatorResponse{GetFlags: &mesos.GetFlagsResponse{Flags: flagList(s.masterFlags())}})
	case mesos.ListFiles:
		l, ferr := listFiles(s.files, call.ListFiles.Path)
		if ferr != nil {
			return textReply(ferr.code, ferr.msg)
		}
		return okReply(mesos.OperatorResponse{ListFiles: &mesos.ListFilesResponse{FileInfos: l}})
	case mesos.ReadFile:
		rf, ferr := readFile(s.files, call.ReadFile)
		if ferr != nil {
			return textReply(ferr.code, ferr.msg)
		}
		return okReply(mesos.OperatorResponse{ReadFile: rf})
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := s.read(call); ok {
		return r
	}
	return m.change(call)
}

// read answers the calls that only look at the cluster; ok is false for
// the others. Called with m.mu held.
func (s *Server) read(call *mesos.OperatorCall) (opReply, bool) {
	m := s.master
	switch call.Type {
	case mesos.GetHealth:
		return okReply(mesos.OperatorResponse{GetHealth: &mesos.GetHealthResponse{Healthy: true}}), true
	case mesos.GetMetrics:
		return okReply(mesos.OperatorResponse{GetMetrics: &mesos.GetMetricsResponse{Metrics: metricList(s.masterMetrics())}}), true
	case mesos.GetLoggingLevel:
		return okReply(mesos.OperatorResponse{GetLoggingLevel: &mesos.GetLoggingLevelResponse{Level: m.logging.get()}}), true
	case mesos.GetMaster:
		return okReply(mesos.OperatorResponse{GetMaster: &mesos.GetMasterResponse{MasterInfo: m.info, StartTime: seconds(m.started), ElectedTime: seconds(m.elected)}}), true
	case mesos.GetState:
		st := m.getState()
		return okReply(mesos.OperatorResponse{GetState: &st}), true
	case mesos.GetAgents:
		a := m.getAgents()
		return okReply(mesos.OperatorResponse{GetAgents: &a}), true
	case mesos.GetFrameworks:
		f := m.getFrameworks()
		return okReply(mesos.OperatorResponse{GetFrameworks: &f}), true
	case mesos.GetExecutors:
		e := m.getExecutors()
		return okReply(mesos.OperatorResponse{GetExecutors: &e}), true
	case mesos.GetTasks:
		t := m.getTasks()
		return okReply(mesos.OperatorResponse{GetTasks: &t}), true
	case mesos.GetOperations:
		// Only operations with an id are tracked, and the stand-in
		// refuses ids on the operations it runs (LAUNCH, LAUNCH_GROUP).
		return okReply(mesos.OperatorResponse{GetOperations: &mesos.GetOperationsResponse{}}), true
	case mesos.GetRoles:
		return okReply(mesos.OperatorResponse{GetRoles: &mesos.GetRolesResponse{Roles: m.roles()}}), true
	case mesos.GetWeights:
		return m.getWeights(), true
	case mesos.GetQuota:
		return okReply(mesos.OperatorResponse{GetQuota: &mesos.GetQuotaResponse{Status: m.quotaStatus()}}), true
	case mesos.GetMaintenanceSchedule:
		return okReply(mesos.OperatorResponse{GetMaintenanceSchedule: &mesos.GetMaintenanceScheduleResponse{Schedule: m.maint.schedule}}), true
	case mesos.GetMaintenanceStatus:
		return okReply(mesos.OperatorResponse{GetMaintenanceStatus: &mesos.GetMaintenanceStatusResponse{Status: m.maintenanceStatus()}}), true
	}
	return opReply{}, false
}

// change answers the calls that change the cluster: the logging level,
// weights, quota, maintenance, agents, reservations, a framework's
// TEARDOWN. Called with
// m.mu held.
func (m *master) change(call *mesos.OperatorCall) opReply {
	switch call.Type {
	case mesos.SetLoggingLevel:
		m.logging.set(call.SetLoggingLevel)
		return emptyOK
	case mesos.UpdateWeights:
		return m.updateWeights(call.UpdateWeights.WeightInfos)
	case mesos.OperatorTeardown:
		fw := m.frameworks[call.Teardown.FrameworkID.Value]
		if fw == nil {
			return textReply(http.StatusBadRequest, textNoSuchFramework)
		}
		m.removeFramework(fw)
		return emptyOK
	case mesos.UpdateQuota:
		return m.updateQuota(call.UpdateQuota)
	case mesos.SetQuota:
		return m.setQuota(call.SetQuota.QuotaRequest)
	case mesos.RemoveQuota:
		return m.removeQuota(call.RemoveQuota.Role)
	case mesos.UpdateMaintenanceSchedule:
		return m.updateSchedule(call.UpdateMaintenanceSchedule.Schedule)
	case mesos.StartMaintenance:
		return m.startMaintenance(call.StartMaintenance.Machines)
	case mesos.StopMaintenance:
		return m.stopMaintenance(call.StopMaintenance.Machines)
	case mesos.DrainAgent:
		return m.drainAgent(call.DrainAgent)
	case mesos.DeactivateAgent:
		return m.deactivateAgent(call.DeactivateAgent.AgentID.Value)
	case mesos.ReactivateAgent:
		return m.reactivateAgent(call.ReactivateAgent.AgentID.Value)
	case mesos.MarkAgentGone:
		return m.markAgentGone(call.MarkAgentGone.AgentID.Value)
	case mesos.ReserveResources:
		return m.reserve(call.ReserveResources)
	case mesos.UnreserveResources:
		return m.unreserve(call.UnreserveResources)
	case mesos.CreateVolumes, mesos.DestroyVolumes, mesos.GrowVolume, mesos.ShrinkVolume:
		return m.volumeCall(call)
	}
	return textReply(http.StatusNotImplemented, textNotImplemented)
}

// flagList is a flags map as GET_FLAGS lists it, sorted by name.
func flagList(flags map[string]string) []mesos.Flag {
	out := make([]mesos.Flag, 0, len(flags))
	for _, k := range sortedStrings(flags) {
		out = append(out, mesos.Flag{Name: k, Value: flags[k]})
	}
	return out
}

// listFiles answers LIST_FILES from a files process, as the master's and
// the agent's Http::listFiles do.
func listFiles(f *files, path string) ([]mesos.FileInfo, *filesError) {
	list, ferr := f.browse(path)
	if ferr != nil {
		return nil, ferr
	}
	infos := make([]mesos.FileInfo, len(list))
	for i, fi := range list {
		infos[i] = fi.proto()
	}
	return infos, nil
}

// readFile answers READ_FILE: at most 64 KiB from the offset, and the
// file's size.
func readFile(f *files, rf *mesos.ReadFileCall) (*mesos.ReadFileResponse, *filesError) {
	size, data, ferr := f.read(rf.Path, rf.Offset, rf.Length)
	if ferr != nil {
		return nil, ferr
	}
	if data == nil {
		data = []byte{}
	}
	return &mesos.ReadFileResponse{Size: uint64(size), Data: data}, nil
}

// loggingLevel is a master's or agent's verbosity, as SET_LOGGING_LEVEL
// sets it: level for a while, then back to 0. The stand-in's log has no
// verbose levels to switch on; the level is kept and answered.
type loggingLevel struct {
	level uint32
	until time.Time
}

func (l *loggingLevel) get() uint32 {
	if time.Now().After(l.until) {
		return 0
	}
	return l.level
}

func (l *loggingLevel) set(c *mesos.SetLoggingLevelCall) {
	l.level, l.until = c.Level, time.Now().Add(time.Duration(c.Duration.Nanoseconds))
}

// getExecutors lists the executors: the stand-in runs each task under a
// command executor of its own, which the master does not track (as a Mesos
// master does not track command executors either).
func (m *master) getExecutors() mesos.GetExecutorsResponse {
	return mesos.GetExecutorsResponse{Executors: []mesos.ExecutorState{}}
}

// roles is GET_ROLES: every role with a framework, a weight, a quota or a
// reservation, with its weight, frameworks and what they hold.
func (m *master) roles() []mesos.Role {
	byName := map[string]*mesos.Role{}
	get := func(name string) *mesos.Role {
		r := byName[name]
		if r == nil {
			r = &mesos.Role{Name: name, Weight: m.weight(name)}
			byName[name] = r
		}
		return r
	}
	held := map[string]pool{}
	for _, fw := range m.sortedFrameworks() {
		for _, role := range frameworkRoles(fw.info) {
			r := get(role)
			r.Frameworks = append(r.Frameworks, fw.id)
		}
		p, ok := held[fw.role]
		if !ok {
			p = newPool()
			held[fw.role] = p
		}
		for _, u := range fw.used {
			p.addPool(u)
		}
		for _, o := range fw.offers {
			p.addPool(o.resources)
		}
	}
	for role := range m.weights {
		get(role)
	}
	for _, a := range m.agents {
		for role := range a.total.reservedByRole() {
			get(role)
		}
	}
	for role := range m.quotas {
		get(role)
	}
	for role, p := range held {
		if fw := byName[role]; fw != nil {
			fw.Resources = p.resources("")
		}
	}
	out := make([]mesos.Role, 0, len(byName))
	for _, r := range byName {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// weight is a role's weight: what UPDATE_WEIGHTS set, else 1.
func (m *master) weight(role string) float64 {
	if w, ok := m.weights[role]; ok {
		return w
	}
	return 1
}

func (m *master) getWeights() opReply {
	if len(m.weights) == 0 {
		return okReply(mesos.OperatorResponse{}) // Mesos leaves get_weights out
	}
	var infos []mesos.WeightInfo
	for _, role := range sortedKeys64(m.weights) {
		infos = append(infos, mesos.WeightInfo{Weight: m.weights[role], Role: role})
	}
	return okReply(mesos.OperatorResponse{GetWeights: &mesos.GetWeightsResponse{WeightInfos: infos}})
}

// updateWeights is Master::WeightsHandler::_updateWeights: every role
// valid and every weight positive, or nothing changes.
func (m *master) updateWeights(infos []mesos.WeightInfo) opReply {
	for i, wi := range infos {
		role := strings.TrimSpace(wi.Role)
		if msg := validateRole(role); msg != "" {
			return textReply(http.StatusBadRequest, fmt.Sprintf(textWeightsBadRole, role, msg))
		}
		if wi.Weight <= 0 {
			return textReply(http.StatusBadRequest, fmt.Sprintf(textWeightsBadWeight, role, cppDouble(wi.Weight)))
		}
		infos[i].Role = role
	}
	for _, wi := range infos {
		m.weights[wi.Role] = wi.Weight
	}
	m.allocateSoon()
	return emptyOK
}

func sortedKeys64(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
