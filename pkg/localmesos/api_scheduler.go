package localmesos

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// maxBody bounds a request body. Mesos has no such limit, but a stand-in
// on a laptop should not read a gigabyte because a client sent one.
const maxBody = 8 << 20

// validateCall is scheduler::call::validate: the checks that come after a
// body has become a Call and before anything looks at the framework.
func validateCall(call *mesos.Call, raw map[string]any) string {
	if !present(callMsg.field("type"), raw["type"]) {
		return "Expecting 'type' to be present"
	}
	payload := map[mesos.CallType]string{
		mesos.CallSubscribe: "subscribe", mesos.CallAccept: "accept", mesos.CallDecline: "decline",
		mesos.CallAcceptInverseOffers: "accept_inverse_offers", mesos.CallDeclineInverseOffers: "decline_inverse_offers",
		mesos.CallKill: "kill", mesos.CallShutdown: "shutdown", mesos.CallAcknowledge: "acknowledge",
		mesos.CallAcknowledgeOperationStatus: "acknowledge_operation_status", mesos.CallReconcile: "reconcile",
		mesos.CallReconcileOperations: "reconcile_operations", mesos.CallMessage: "message", mesos.CallRequest: "request",
		mesos.CallUpdateFramework: "update_framework",
	}
	if call.Type == mesos.CallSubscribe {
		if raw["subscribe"] == nil {
			return "Expecting 'subscribe' to be present"
		}
		id := call.Subscribe.FrameworkInfo.ID
		if (call.FrameworkID == nil) != (id == nil) || (id != nil && id.Value != call.FrameworkID.Value) {
			return "'framework_id' differs from 'subscribe.framework_info.id'"
		}
		return ""
	}
	if call.Type == "UNKNOWN" {
		return ""
	}
	if call.FrameworkID == nil {
		return "Expecting 'framework_id' to be present"
	}
	if name, ok := payload[call.Type]; ok && raw[name] == nil {
		return fmt.Sprintf("Expecting '%s' to be present", name)
	}
	switch call.Type {
	case mesos.CallAcknowledge:
		if !validUUID(call.Acknowledge.UUID) {
			return "Not a valid UUID"
		}
	case mesos.CallAcknowledgeOperationStatus:
		if !validUUID(call.AcknowledgeOperationStatus.UUID) {
			return "Not a valid UUID"
		}
	case mesos.CallUpdateFramework:
		id := call.UpdateFramework.FrameworkInfo.ID
		if id == nil || id.Value != call.FrameworkID.Value {
			return "'framework_id' differs from 'update_framework.framework_info.id'"
		}
	}
	return ""
}

// badRequest answers 400 with a plain-text body, as Mesos does.
func plain(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, msg)
}

// readCall does the transport checks and turns the body into a Call.
// It answers the request itself and returns false on any failure.
func readCall(w http.ResponseWriter, r *http.Request, schema *message, out any) (map[string]any, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		plain(w, http.StatusMethodNotAllowed, fmt.Sprintf("405 Method Not Allowed. Expecting one of { 'POST' }, but received '%s'.", r.Method))
		return nil, false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		plain(w, http.StatusBadRequest, textContentTypeMissing)
		return nil, false
	}
	if ct == "application/x-protobuf" {
		plain(w, http.StatusUnsupportedMediaType, textProtobufUnsupported)
		return nil, false
	}
	if ct != "application/json" {
		plain(w, http.StatusUnsupportedMediaType, textContentTypeBad)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		plain(w, http.StatusRequestEntityTooLarge, fmt.Sprintf(textBodyTooLarge, maxBody))
		return nil, false
	}
	v, err := parseJSON(body)
	if err != nil {
		plain(w, http.StatusBadRequest, textParseJSON+err.Error())
		return nil, false
	}
	if msg := convert(schema, v); msg != "" {
		plain(w, http.StatusBadRequest, schemaPrefix(schema)+msg)
		return nil, false
	}
	// The body passed the checks Mesos makes; decoding into our structs
	// cannot meet a type it has not already accepted, except numbers
	// written as strings, which are normalised first.
	if err := json.Unmarshal(normaliseNumbers(schema, v), out); err != nil {
		plain(w, http.StatusBadRequest, schemaPrefix(schema)+err.Error())
		return nil, false
	}
	obj, _ := v.(map[string]any)
	return obj, true
}

func schemaPrefix(m *message) string {
	if m == operatorCallMsg {
		return "Failed to convert JSON into Call protobuf: "
	}
	return textConvertCall
}

// normaliseNumbers rewrites what Mesos accepts but encoding/json does not
// ("15" for a number, "true" for a bool, an unknown optional enum) and
// re-encodes the body.
func normaliseNumbers(m *message, v any) []byte {
	var walk func(m *message, obj map[string]any)
	fix := func(f *field, x any) any {
		switch f.kind {
		case kNumber:
			if s, ok := x.(string); ok {
				if s == "Infinity" || s == "-Infinity" {
					return json.Number("1e308")
				}
				return json.Number(s)
			}
		case kBool:
			if s, ok := x.(string); ok {
				return s == "true"
			}
		case kMessage:
			if o, ok := x.(map[string]any); ok {
				walk(f.msg, o)
			}
		}
		return x
	}
	walk = func(m *message, obj map[string]any) {
		for k, x := range obj {
			f := m.field(k)
			if f == nil {
				delete(obj, k)
				continue
			}
			if f.kind == kEnum && !f.repeated && !present(f, x) {
				delete(obj, k)
				continue
			}
			if arr, ok := x.([]any); ok {
				for i := range arr {
					arr[i] = fix(f, arr[i])
				}
				continue
			}
			obj[k] = fix(f, x)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		walk(m, obj)
	}
	b, _ := json.Marshal(v)
	return b
}

// acceptsJSON applies the Accept header the way libprocess does: missing
// or any value that allows application/json.
func acceptsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok && (q == "0" || q == "0.0" || q == "0.00" || q == "0.000") {
			continue
		}
		if mt == "application/json" || mt == "application/*" || mt == "*/*" {
			return true
		}
	}
	return false
}

// scheduler serves /api/v1/scheduler.
func (s *Server) scheduler(w http.ResponseWriter, r *http.Request) {
	if !s.authenticate(w, r, "mesos-master-scheduler") {
		return
	}
	if !s.leaderOnly(w, r) {
		return
	}
	var call mesos.Call
	raw, ok := readCall(w, r, callMsg, &call)
	if !ok {
		return
	}
	if msg := validateCall(&call, raw); msg != "" {
		plain(w, http.StatusBadRequest, textValidateCall+msg)
		return
	}
	principal, _, _ := r.BasicAuth()
	if call.Type == mesos.CallSubscribe {
		s.subscribe(w, r, &call, principal)
		return
	}
	if call.Type == "UNKNOWN" {
		plain(w, http.StatusNotImplemented, textNotImplemented)
		return
	}
	m := s.master
	m.mu.Lock()
	fw := m.frameworks[call.FrameworkID.Value]
	var status int
	var msg string
	switch {
	case fw == nil:
		status, msg = http.StatusBadRequest, textFrameworkNotFound
	case s.cfg.Credentials != nil && fw.info.Principal != principal:
		status, msg = http.StatusBadRequest, fmt.Sprintf(textPrincipalMismatch, principal, fw.info.Principal)
	case fw.sub == nil:
		status, msg = http.StatusForbidden, textNotSubscribed
	case r.Header.Get("Mesos-Stream-Id") == "":
		status, msg = http.StatusBadRequest, textNoStreamID
	case r.Header.Get("Mesos-Stream-Id") != fw.sub.streamID:
		status, msg = http.StatusBadRequest, fmt.Sprintf(textStreamIDMismatch, r.Header.Get("Mesos-Stream-Id"), fw.id.Value)
	}
	if status != 0 {
		m.mu.Unlock()
		plain(w, status, msg)
		return
	}
	if call.Type == mesos.CallReconcileOperations && !acceptsJSON(r) {
		m.mu.Unlock()
		plain(w, http.StatusNotAcceptable, textAcceptBad)
		return
	}
	code, body := m.dispatch(fw, &call)
	m.mu.Unlock()
	if body != "" {
		plain(w, code, body)
		return
	}
	w.WriteHeader(code)
}

// subscribe answers a SUBSCRIBE with the event stream.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request, call *mesos.Call, principal string) {
	if !acceptsJSON(r) {
		plain(w, http.StatusNotAcceptable, textAcceptBad)
		return
	}
	if r.Header.Get("Mesos-Stream-Id") != "" {
		plain(w, http.StatusBadRequest, textSubscribeStreamID)
		return
	}
	info := call.Subscribe.FrameworkInfo
	if s.cfg.Credentials != nil && info.Principal != "" && info.Principal != principal {
		plain(w, http.StatusBadRequest, fmt.Sprintf(textPrincipalMismatch, principal, info.Principal))
		return
	}
	m := s.master
	m.mu.Lock()
	sub, refusal := m.subscribe(call.Subscribe, principal)
	m.mu.Unlock()

	streamID := uuidString(newUUID())
	if sub != nil {
		streamID = sub.streamID
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Mesos-Stream-Id", streamID)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if sub == nil {
		// Refused after the stream opened: one ERROR event, then close.
		lone := newSubscription(nil, streamID)
		lone.send(mesos.Event{Type: mesos.EventError, Error: &mesos.FrameworkError{Message: refusal}})
		lone.end(refusal)
		lone.serve(w, r, s.cfg.Heartbeat)
		return
	}
	why := sub.serve(w, r, s.cfg.Heartbeat)
	m.disconnected(sub, why)
}

// dispatch carries out a validated call for a subscribed framework and
// returns the status and body to answer with. Called with m.mu held.
func (m *master) dispatch(fw *framework, call *mesos.Call) (int, string) {
	switch call.Type {
	case mesos.CallTeardown:
		m.removeFramework(fw)
	case mesos.CallAccept:
		m.accept(fw, call.Accept)
	case mesos.CallDecline:
		m.decline(fw, call.Decline.OfferIDs, call.Decline.Filters)
	case mesos.CallAcceptInverseOffers, mesos.CallDeclineInverseOffers, mesos.CallMessage, mesos.CallRequest,
		mesos.CallShutdown, mesos.CallAcknowledgeOperationStatus, mesos.CallReconcileOperations:
		// Accepted and, as far as the stand-in goes, done: it has no
		// inverse offers, custom executors or operation feedback.
	case mesos.CallRevive:
		m.revive(fw, call.Revive.Roles)
	case mesos.CallSuppress:
		roles := call.Suppress.Roles
		if len(roles) == 0 {
			roles = frameworkRoles(fw.info)
		}
		if m.checkRoles(fw, roles, "suppress") {
			for _, r := range roles {
				fw.suppressed[r] = true
			}
		}
	case mesos.CallKill:
		m.kill(fw, call.Kill)
	case mesos.CallAcknowledge:
		m.acknowledge(fw, call.Acknowledge)
	case mesos.CallReconcile:
		m.reconcile(fw, call.Reconcile.Tasks)
	case mesos.CallUpdateFramework:
		return m.updateFramework(fw, call.UpdateFramework)
	}
	return http.StatusAccepted, ""
}

func (m *master) decline(fw *framework, ids []mesos.OfferID, f *mesos.Filters) {
	for _, id := range ids {
		o := m.offers[id.Value]
		if o == nil || o.fw != fw {
			continue // declining a spent offer is harmless in Mesos too
		}
		m.removeOffer(o)
		m.filter(fw, o.agent.id, f)
	}
	m.allocateSoon()
}

// revive un-suppresses roles and clears the framework's offer filters.
func (m *master) revive(fw *framework, roles []string) {
	if len(roles) == 0 {
		roles = frameworkRoles(fw.info)
	}
	if !m.checkRoles(fw, roles, "revive") {
		return
	}
	for _, r := range roles {
		delete(fw.suppressed, r)
	}
	fw.filters = map[string]time.Time{}
	m.allocateSoon()
}

// checkRoles is what Mesos checks of REVIVE and SUPPRESS roles: each must
// be valid and one of the framework's, or the whole call is dropped (it
// has already been answered 202).
func (m *master) checkRoles(fw *framework, roles []string, call string) bool {
	mine := frameworkRoles(fw.info)
	for _, r := range roles {
		if validateRole(r) != "" || !contains(mine, r) {
			m.log.Info(call+" role '"+r+"' is not one of the frameworks's subscribed roles; call dropped", "framework", fw.id.Value)
			return false
		}
	}
	return true
}

// updateFramework applies UPDATE_FRAMEWORK; Mesos answers 200 with no
// body, or 400 with what was wrong.
func (m *master) updateFramework(fw *framework, u *mesos.UpdateFramework) (int, string) {
	info := u.FrameworkInfo
	if msg := validateFrameworkInfo(info, u.SuppressedRoles); msg != "" {
		return http.StatusBadRequest, textUpdateInvalidInfo + msg
	}
	switch {
	case info.Principal != fw.info.Principal:
		return http.StatusBadRequest, textUpdateInvalid + textPrincipalChange
	case info.User != fw.info.User:
		return http.StatusBadRequest, textUpdateInvalid + fmt.Sprintf(textUpdateUser, fw.info.User, info.User)
	case info.Checkpoint != fw.info.Checkpoint:
		return http.StatusBadRequest, textUpdateInvalid + fmt.Sprintf(textUpdateCheckpoint, fw.info.Checkpoint, info.Checkpoint)
	}
	changed := string(eventJSON(info)) != string(eventJSON(fw.info)) || !sameRoles(fw.suppressed, u.SuppressedRoles)
	fw.info = info
	fw.role = offerRole(info)
	fw.suppressed = roleSet(u.SuppressedRoles)
	roles := frameworkRoles(info)
	for _, o := range fw.offers {
		if !contains(roles, o.role) {
			m.rescind(o, true)
		}
	}
	if changed {
		m.opEvent(mesos.OperatorEvent{Type: mesos.FrameworkUpdated, FrameworkUpdated: &mesos.FrameworkEvent{Framework: m.frameworkState(fw)}})
	}
	m.allocateSoon()
	return http.StatusOK, ""
}

func sameRoles(have map[string]bool, want []string) bool {
	if len(have) != len(want) {
		return false
	}
	for _, r := range want {
		if !have[r] {
			return false
		}
	}
	return true
}
