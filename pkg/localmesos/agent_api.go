package localmesos

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"unicode"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/recordio"
)

// An agent's own endpoints besides /state, /health and /version: its
// files (/files/*, files.go), its metrics (/metrics/snapshot) and its
// operator API (POST /api/v1, agent.proto's calls), read in the order
// Mesos' agent reads them (src/slave/http.cpp Http::api and _api): the
// media types first, the body after, then validation::agent::call::validate.

// serveAgentAPI serves those endpoints and reports whether it answered.
func (s *Server) serveAgentAPI(a *agent, w http.ResponseWriter, r *http.Request) bool {
	if endpoint, ok := strings.CutPrefix(r.URL.Path, "/files/"); ok {
		a.files.serve(w, r, endpoint)
		return true
	}
	switch strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/slave(1)"), "/") {
	case "/api/v1":
		s.agentAPI(a, w, r)
		return true
	case "/metrics/snapshot":
		metricsSnapshot(w, r, s.agentMetrics(a))
		return true
	}
	return false
}

const (
	recordIO             = "application/recordio"
	textAgentContentType = "Expecting 'Content-Type' of application/json or application/x-protobuf or application/recordio"
	textAgentAccept      = "Expecting 'Accept' to allow application/json or application/x-protobuf or application/recordio"
)

// agentAPI serves POST /api/v1 on an agent, checking what Mesos' agent
// checks in its order: the method, the media types, the body, the call.
func (s *Server) agentAPI(a *agent, w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		plain(w, http.StatusMethodNotAllowed, fmt.Sprintf(textMethodNotAllowed, r.Method))
		return
	}
	m, refused := agentMediaTypes(r)
	var body []byte
	if refused == nil {
		body, refused = readAgentBody(w, r, m)
	}
	var call agentCall
	if refused == nil {
		call, refused = parseAgentCall(body, m)
	}
	if refused != nil {
		plain(w, refused.code, refused.text)
		return
	}
	code, text, resp := s.agentCall(a, &call)
	switch {
	case resp != nil:
		resp.Type = call.Type
		w.Header().Set("Content-Type", "application/json")
		w.Write(eventJSON(resp))
	case text == "" && code < 300:
		w.WriteHeader(code) // 200 or 202, no body, as Mesos
	default:
		plain(w, code, text)
	}
}

// agentRefusal is an answer that ends a request: a status and Mesos' text.
type agentRefusal struct {
	code int
	text string
}

func refuse(code int, text string) *agentRefusal { return &agentRefusal{code, text} }

// agentMedia is what a request's headers ask of the agent API: a call
// streamed as RecordIO (ATTACH_CONTAINER_INPUT), a streamed answer.
type agentMedia struct {
	streaming, streamingAccept bool
	messageCT                  string
}

// agentMediaTypes checks Content-Type, Message-Content-Type, Accept and
// Message-Accept as the agent's http.cpp does.
func agentMediaTypes(r *http.Request) (agentMedia, *agentRefusal) {
	var m agentMedia
	ct, ok := headerValue(r, "Content-Type")
	switch {
	case !ok:
		return m, refuse(http.StatusBadRequest, textContentTypeMissing)
	case ct == "application/x-protobuf":
		return m, refuse(http.StatusUnsupportedMediaType, textProtobufUnsupported)
	case ct != "application/json" && ct != recordIO:
		return m, refuse(http.StatusUnsupportedMediaType, textAgentContentType)
	}
	m.streaming = ct == recordIO
	messageCT, hasMessageCT := headerValue(r, "Message-Content-Type")
	m.messageCT = messageCT
	switch {
	case m.streaming && !hasMessageCT:
		return m, refuse(http.StatusBadRequest, "Expecting 'Message-Content-Type' to be set for streaming requests")
	case m.streaming && messageCT != "application/json" && messageCT != "application/x-protobuf":
		return m, refuse(http.StatusUnsupportedMediaType, "Expecting 'Message-Content-Type' of application/json or application/x-protobuf")
	case !m.streaming && hasMessageCT:
		return m, refuse(http.StatusUnsupportedMediaType, "Expecting 'Message-Content-Type' to be not set for non-streaming requests")
	}
	switch {
	case acceptsMediaType(r, "application/json"):
	case acceptsMediaType(r, "application/x-protobuf"):
		return m, refuse(http.StatusNotAcceptable, textProtobufAccept)
	case acceptsMediaType(r, recordIO):
		m.streamingAccept = true
	default:
		return m, refuse(http.StatusNotAcceptable, textAgentAccept)
	}
	_, hasMessageAccept := headerValue(r, "Message-Accept")
	switch {
	case !m.streamingAccept && hasMessageAccept:
		return m, refuse(http.StatusNotAcceptable, "Expecting 'Message-Accept' to be not set for non-streaming responses")
	case m.streamingAccept && !acceptsHeader(r, "Message-Accept", "application/json") && !acceptsHeader(r, "Message-Accept", "application/x-protobuf"):
		return m, refuse(http.StatusNotAcceptable, "Expecting 'Message-Accept' to allow application/json or application/x-protobuf")
	}
	return m, nil
}

// readAgentBody reads the call: the whole body, or for a streamed call its
// first RecordIO record only (the input that follows it is streamed for as
// long as the client likes).
func readAgentBody(w http.ResponseWriter, r *http.Request, m agentMedia) ([]byte, *agentRefusal) {
	if !m.streaming {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			return nil, refuse(http.StatusRequestEntityTooLarge, fmt.Sprintf(textBodyTooLarge, maxBody))
		}
		return b, nil
	}
	if m.messageCT == "application/x-protobuf" {
		return nil, refuse(http.StatusUnsupportedMediaType, textProtobufUnsupported)
	}
	br := bufio.NewReader(http.MaxBytesReader(w, r.Body, maxBody))
	for {
		if b, err := br.Peek(1); err != nil || !unicode.IsSpace(rune(b[0])) {
			break
		}
		br.ReadByte()
	}
	rec, err := recordio.NewDecoder(br).Next()
	switch {
	case errors.Is(err, io.EOF):
		return nil, refuse(http.StatusBadRequest, "Received EOF while reading request body")
	case err != nil:
		return nil, refuse(http.StatusBadRequest, err.Error())
	}
	return rec, nil
}

// parseAgentCall reads and validates agent::Call, and checks that its
// type goes with how it was sent and what answer was asked for.
func parseAgentCall(body []byte, m agentMedia) (agentCall, *agentRefusal) {
	v, err := parseJSON(body)
	if err != nil {
		return agentCall{}, refuse(http.StatusBadRequest, textParseJSON+err.Error())
	}
	if msg := convert(agentCallMsg, v); msg != "" {
		return agentCall{}, refuse(http.StatusBadRequest, msg) // the agent adds no prefix
	}
	raw, _ := v.(map[string]any)
	call := agentCall{raw: raw}
	if err := json.Unmarshal(normalise(agentCallMsg, v), &call.AgentAPICall); err != nil {
		return call, refuse(http.StatusBadRequest, err.Error())
	}
	if msg := validateAgentCall(&call); msg != "" {
		return call, refuse(http.StatusBadRequest, "Failed to validate agent::Call: "+msg)
	}
	switch t := call.Type; {
	case m.streaming && t != mesos.AgentAttachContainerInput:
		return call, refuse(http.StatusUnsupportedMediaType, "Streaming 'Content-Type' application/recordio is not supported for "+string(t)+" call")
	case !m.streaming && t == mesos.AgentAttachContainerInput:
		return call, refuse(http.StatusUnsupportedMediaType, "Expecting 'Content-Type' to be application/recordio for ATTACH_CONTAINER_INPUT call")
	case m.streamingAccept && t != mesos.AgentAttachContainerOutput && t != mesos.AgentLaunchNestedContainerSession:
		return call, refuse(http.StatusNotAcceptable, "Streaming response is not supported for "+string(t)+" call")
	}
	return call, nil
}

// agentCall is agent.proto's Call as the stand-in reads it: the payloads
// it answers typed, the rest (containers, resource providers) looked at in
// the JSON as validation needs.
type agentCall struct {
	mesos.AgentAPICall
	raw map[string]any
}

// agentCall answers a validated call: a status and a text, or a Response.
func (s *Server) agentCall(a *agent, call *agentCall) (int, string, *mesos.AgentAPIResponse) {
	ok := func(r mesos.AgentAPIResponse) (int, string, *mesos.AgentAPIResponse) { return http.StatusOK, "", &r }
	switch call.Type {
	case mesos.AgentGetHealth:
		return ok(mesos.AgentAPIResponse{GetHealth: &mesos.GetHealthResponse{Healthy: true}})
	case mesos.AgentGetFlags:
		return ok(mesos.AgentAPIResponse{GetFlags: &mesos.GetFlagsResponse{Flags: flagList(s.agentFlags(a))}})
	case mesos.AgentGetVersion:
		return ok(mesos.AgentAPIResponse{GetVersion: &mesos.GetVersionResponse{VersionInfo: versionInfo()}})
	case mesos.AgentGetMetrics:
		return ok(mesos.AgentAPIResponse{GetMetrics: &mesos.GetMetricsResponse{Metrics: metricList(s.agentMetrics(a))}})
	case mesos.AgentGetLoggingLevel:
		a.mu.Lock()
		defer a.mu.Unlock()
		return ok(mesos.AgentAPIResponse{GetLoggingLevel: &mesos.GetLoggingLevelResponse{Level: a.logging.get()}})
	case mesos.AgentSetLoggingLevel:
		a.mu.Lock()
		a.logging.set(call.SetLoggingLevel)
		a.mu.Unlock()
		return http.StatusOK, "", nil
	case mesos.AgentListFiles:
		l, ferr := listFiles(a.files, call.ListFiles.Path)
		if ferr != nil {
			return ferr.code, ferr.msg, nil
		}
		return ok(mesos.AgentAPIResponse{ListFiles: &mesos.ListFilesResponse{FileInfos: l}})
	case mesos.AgentReadFile:
		rf, ferr := readFile(a.files, call.ReadFile)
		if ferr != nil {
			return ferr.code, ferr.msg, nil
		}
		return ok(mesos.AgentAPIResponse{ReadFile: rf})
	case mesos.AgentGetState:
		st := s.agentStateCall(a)
		return ok(mesos.AgentAPIResponse{GetState: &st})
	case mesos.AgentGetContainers:
		cs := a.containers()
		if len(cs) == 0 {
			return ok(mesos.AgentAPIResponse{}) // Mesos leaves get_containers out
		}
		return ok(mesos.AgentAPIResponse{GetContainers: &mesos.GetContainersResponse{Containers: cs}})
	case mesos.AgentGetFrameworks:
		st := s.agentStateCall(a)
		return ok(mesos.AgentAPIResponse{GetFrameworks: &st.GetFrameworks})
	case mesos.AgentGetExecutors:
		st := s.agentStateCall(a)
		return ok(mesos.AgentAPIResponse{GetExecutors: &st.GetExecutors})
	case mesos.AgentGetTasks:
		st := s.agentStateCall(a)
		return ok(mesos.AgentAPIResponse{GetTasks: &st.GetTasks})
	case mesos.AgentGetOperations:
		return ok(mesos.AgentAPIResponse{GetOperations: &mesos.GetOperationsResponse{}})
	case mesos.AgentGetResourceProviders:
		return ok(mesos.AgentAPIResponse{GetResourceProviders: &mesos.GetResourceProvidersResponse{}})
	case mesos.AgentGetAgent:
		s.master.mu.Lock()
		info := a.rec.info()
		resp := mesos.GetAgentResponse{AgentInfo: &info}
		if d := a.rec.drain; d != nil {
			c := d.Config
			resp.DrainConfig = &c
			resp.EstimatedDrainStartTime = timeInfo(a.rec.drainStart)
		}
		s.master.mu.Unlock()
		return ok(mesos.AgentAPIResponse{GetAgent: &resp})
	case mesos.AgentPruneImages:
		// Like a Mesos agent without an image provisioner: nothing to
		// prune (Docker images are the Docker engine's, which
		// PRUNE_IMAGES never touches).
		return http.StatusOK, "", nil
	case mesos.AgentAddResourceProviderConfig, mesos.AgentUpdateResourceProviderConfig:
		payload, _ := call.raw[agentPayloads[string(call.Type)]].(map[string]any)
		info, _ := payload["info"].(map[string]any)
		typ, _ := info["type"].(string)
		name, _ := info["name"].(string)
		if msg := providerConfigError(info); msg != "" {
			return http.StatusBadRequest, fmt.Sprintf("Failed to validate resource provider config with type '%s' and name '%s': %s", typ, name, msg), nil
		}
		return http.StatusNotImplemented, fmt.Sprintf(textNoProviders, call.Type), nil
	case mesos.AgentRemoveResourceProviderConfig:
		// What a Mesos agent started without the flag answers; the
		// stand-in's agents have none.
		return http.StatusInternalServerError, "Missing required flag --resource_provider_config_dir", nil
	case mesos.AgentMarkResourceProviderGone:
		return http.StatusOK, "", nil // it has none: each is already gone
	case "UNKNOWN":
		return http.StatusNotImplemented, textNotImplemented, nil
	}
	return a.containerCall(call)
}

// providerConfigError is LocalResourceProvider::validate as far as a
// configuration without its storage goes: the type, then the storage
// provider's own checks of the name and the storage.
func providerConfigError(info map[string]any) string {
	typ, _ := info["type"].(string)
	name, _ := info["name"].(string)
	if typ != "org.apache.mesos.rp.local.storage" {
		return "Unknown local resource provider type '" + typ + "'"
	}
	if info["id"] != nil {
		return "'ResourceProviderInfo.id' must not be set"
	}
	valid := name != ""
	for _, c := range name {
		valid = valid && (c < 128 && (c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'))
	}
	if !valid {
		return "Resource provider name '" + name + "' does not follow Java package naming convention"
	}
	if info["storage"] == nil {
		return "'ResourceProviderInfo.storage' must be set"
	}
	return ""
}

// containerCall answers the container calls: about a container the agent
// does not have, in Mesos' words; about one it has, refused.
func (a *agent) containerCall(call *agentCall) (int, string, *mesos.AgentAPIResponse) {
	payload, _ := call.raw[agentPayloads[string(call.Type)]].(map[string]any)
	id := containerIDOf(payload["container_id"])
	if call.Type == mesos.AgentAttachContainerInput {
		if t, _ := payload["type"].(string); t != "CONTAINER_ID" {
			return http.StatusBadRequest, "Expecting 'attach_container_input.type' to be CONTAINER_ID", nil
		}
	}
	if id.Value != "" && !a.hasContainer(rootContainer(id).Value) {
		name := containerString(id)
		switch call.Type {
		case mesos.AgentWaitContainer, mesos.AgentWaitNestedContainer, mesos.AgentAttachContainerOutput, mesos.AgentAttachContainerInput:
			return http.StatusNotFound, "Container " + name + " cannot be found", nil
		case mesos.AgentKillContainer, mesos.AgentKillNestedContainer:
			return http.StatusNotFound, "Container '" + name + "' cannot be found (or is already killed)", nil
		case mesos.AgentLaunchNestedContainer, mesos.AgentLaunchNestedContainerSession:
			return http.StatusBadRequest, "Root container " + rootContainer(id).Value + " not found", nil
		case mesos.AgentLaunchContainer:
			if id.Parent != nil {
				return http.StatusBadRequest, "Root container " + rootContainer(id).Value + " not found", nil
			}
		case mesos.AgentRemoveContainer, mesos.AgentRemoveNestedContainer:
			return http.StatusInternalServerError, "Root container " + rootContainer(id).Value + " not found", nil
		}
	}
	return http.StatusNotImplemented, fmt.Sprintf(textNoContainers, call.Type), nil
}

// containerString is a container id as Mesos prints it: its parents'
// ids first, joined by dots.
func containerString(id mesos.ContainerID) string {
	if id.Parent == nil {
		return id.Value
	}
	return containerString(*id.Parent) + "." + id.Value
}

func rootContainer(id mesos.ContainerID) mesos.ContainerID {
	for id.Parent != nil {
		id = *id.Parent
	}
	return id
}

func (a *agent) hasContainer(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range a.tasks {
		if t.container != nil && t.container.ContainerID != nil && t.container.ContainerID.Value == id {
			return true
		}
	}
	return false
}

// agentStateCall is the agent's GET_STATE: its tasks by stage, its
// executors (a command executor per task) and their frameworks.
func (s *Server) agentStateCall(a *agent) mesos.AgentStateResponse {
	st := mesos.AgentStateResponse{
		GetTasks: mesos.AgentTasksResponse{PendingTasks: []mesos.Task{}, QueuedTasks: []mesos.Task{},
			LaunchedTasks: []mesos.Task{}, TerminatedTasks: []mesos.Task{}, CompletedTasks: []mesos.Task{}},
		GetExecutors:  mesos.AgentExecutorsResponse{Executors: []mesos.AgentExecutor{}, CompletedExecutors: []mesos.AgentExecutor{}},
		GetFrameworks: mesos.AgentFrameworksResponse{Frameworks: []mesos.AgentFramework{}, CompletedFrameworks: []mesos.AgentFramework{}},
	}
	running, ended := map[string]bool{}, map[string]bool{}
	a.mu.Lock()
	for _, t := range sortedAgentTasks(a.tasks) {
		task := a.taskJSON(t)
		if t.state.Terminal() {
			st.GetTasks.TerminatedTasks = append(st.GetTasks.TerminatedTasks, task)
		} else {
			st.GetTasks.LaunchedTasks = append(st.GetTasks.LaunchedTasks, task)
		}
		st.GetExecutors.Executors = append(st.GetExecutors.Executors, mesos.AgentExecutor{ExecutorInfo: a.executorInfo(t.fwID, t.info.TaskID.Value, t.info.Resources)})
		running[t.fwID] = true
	}
	for _, fwID := range sortedDoneKeys(a.completed) {
		for _, d := range a.completed[fwID] {
			agentID := mesos.AgentID{Value: a.rec.id}
			st.GetTasks.CompletedTasks = append(st.GetTasks.CompletedTasks, mesos.Task{Name: d.name, TaskID: mesos.TaskID{Value: d.taskID},
				FrameworkID: mesos.FrameworkID{Value: d.fwID}, AgentID: agentID, State: d.state})
			st.GetExecutors.CompletedExecutors = append(st.GetExecutors.CompletedExecutors, mesos.AgentExecutor{ExecutorInfo: a.executorInfo(d.fwID, d.taskID, nil)})
			ended[fwID] = true
		}
	}
	a.mu.Unlock()
	m := s.master
	m.mu.Lock()
	defer m.mu.Unlock()
	info := func(id string) mesos.FrameworkInfo {
		if fw := m.frameworks[id]; fw != nil {
			return fw.info
		}
		for _, fw := range m.completed {
			if fw.id.Value == id {
				return fw.info
			}
		}
		return mesos.FrameworkInfo{ID: &mesos.FrameworkID{Value: id}}
	}
	for _, id := range sortedBoolKeys(running) {
		st.GetFrameworks.Frameworks = append(st.GetFrameworks.Frameworks, mesos.AgentFramework{FrameworkInfo: info(id)})
	}
	for _, id := range sortedBoolKeys(ended) {
		if !running[id] {
			st.GetFrameworks.CompletedFrameworks = append(st.GetFrameworks.CompletedFrameworks, mesos.AgentFramework{FrameworkInfo: info(id)})
		}
	}
	return st
}

// taskJSON is a task as the agent API shows it. Called with a.mu held.
func (a *agent) taskJSON(t *agentTask) mesos.Task {
	task := mesos.Task{Name: t.info.Name, TaskID: t.info.TaskID, FrameworkID: mesos.FrameworkID{Value: t.fwID},
		AgentID: mesos.AgentID{Value: a.rec.id}, State: t.state, Resources: t.info.Resources, Labels: t.info.Labels,
		Container: t.info.Container, HealthCheck: t.info.HealthCheck, KillPolicy: t.info.KillPolicy, Discovery: t.info.Discovery}
	for _, st := range t.statuses {
		st.Data = nil
		task.Statuses = append(task.Statuses, st)
	}
	if n := len(t.statuses); n > 0 {
		task.StatusUpdateState, task.StatusUpdateUUID = t.statuses[n-1].State, t.statuses[n-1].UUID
	}
	return task
}

// executorInfo describes the command executor the stand-in plays for a
// task: it has no executor program, the agent runs the task itself.
func (a *agent) executorInfo(fwID, taskID string, resources mesos.Resources) mesos.ExecutorInfo {
	fw := mesos.FrameworkID{Value: fwID}
	return mesos.ExecutorInfo{ExecutorID: mesos.ExecutorID{Value: taskID}, FrameworkID: &fw, Name: executorName(taskID),
		Source: taskID, Resources: resources,
		Command: &mesos.CommandInfo{Shell: new(false), Value: "localmesos (the agent runs the task itself: no executor program)",
			Arguments: []string{"localmesos"}}}
}

// containers is GET_CONTAINERS: each running task's container, with what
// the stand-in knows of its use.
func (a *agent) containers() []mesos.Container {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []mesos.Container
	for _, t := range sortedAgentTasks(a.tasks) {
		if t.container == nil || t.container.ContainerID == nil || t.state.Terminal() {
			continue
		}
		fw, ex := mesos.FrameworkID{Value: t.fwID}, mesos.ExecutorID{Value: t.info.TaskID.Value}
		cs := &mesos.ContainerStatus{ContainerID: t.container.ContainerID, ExecutorPID: t.container.ExecutorPID}
		out = append(out, mesos.Container{FrameworkID: &fw, ExecutorID: &ex, ExecutorName: executorName(t.info.TaskID.Value),
			ContainerID: *t.container.ContainerID, ContainerStatus: cs, ResourceStatistics: usage(t)})
	}
	return out
}

func sortedAgentTasks(ts map[string]*agentTask) []*agentTask {
	out := make([]*agentTask, 0, len(ts))
	for _, t := range ts {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func sortedDoneKeys(m map[string][]*doneExecutor) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedBoolKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// acceptsHeader is acceptsMediaType for another header than Accept
// (Message-Accept): absent, it accepts anything.
func acceptsHeader(r *http.Request, header, mediaType string) bool {
	v, ok := headerValue(r, header)
	if !ok {
		return true
	}
	clone := r.Clone(r.Context())
	clone.Header = http.Header{"Accept": {v}}
	return acceptsMediaType(clone, mediaType)
}
