package localmesos

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// maxBody bounds a request body. Mesos has no such limit, but a stand-in
// on a laptop should not read a gigabyte because a client sent one.
const maxBody = 8 << 20

// validateCall is scheduler::call::validate: the checks that come after a
// body has become a Call and before anything looks at the framework.
// principal is the authenticated one, "" without authentication.
func validateCall(call *mesos.Call, raw map[string]any, principal string) string {
	if !present(callMsg.field("type"), raw["type"]) {
		return "Expecting 'type' to be present"
	}
	if call.Type == mesos.CallSubscribe {
		if raw["subscribe"] == nil {
			return "Expecting 'subscribe' to be present"
		}
		info := call.Subscribe.FrameworkInfo
		if idValue(info.ID) != idValue(call.FrameworkID) {
			return "'framework_id' differs from 'subscribe.framework_info.id'"
		}
		if principal != "" && info.Principal != "" && info.Principal != principal {
			return fmt.Sprintf(textPrincipalMismatch, principal, info.Principal)
		}
		return ""
	}
	if call.FrameworkID == nil {
		return "Expecting 'framework_id' to be present"
	}
	payload := map[mesos.CallType]string{
		mesos.CallAccept: "accept", mesos.CallDecline: "decline",
		mesos.CallAcceptInverseOffers: "accept_inverse_offers", mesos.CallDeclineInverseOffers: "decline_inverse_offers",
		mesos.CallKill: "kill", mesos.CallShutdown: "shutdown", mesos.CallAcknowledge: "acknowledge",
		mesos.CallAcknowledgeOperationStatus: "acknowledge_operation_status", mesos.CallReconcile: "reconcile",
		mesos.CallReconcileOperations: "reconcile_operations", mesos.CallMessage: "message", mesos.CallRequest: "request",
		mesos.CallUpdateFramework: "update_framework",
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
		if call.AcknowledgeOperationStatus.AgentID == nil {
			return "Expecting 'agent_id' to be present"
		}
	case mesos.CallUpdateFramework:
		if idValue(call.UpdateFramework.FrameworkInfo.ID) != idValue(call.FrameworkID) {
			return "'framework_id' differs from 'update_framework.framework_info.id'"
		}
	}
	return ""
}

// idValue is an optional id's value: Mesos compares ids by value, and an
// unset id equals one whose value is empty.
func idValue(id *mesos.FrameworkID) string {
	if id == nil {
		return ""
	}
	return id.Value
}

// plain answers with a plain-text body, as Mesos does for every error.
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
		plain(w, http.StatusMethodNotAllowed, fmt.Sprintf(textMethodNotAllowed, r.Method))
		return nil, false
	}
	ct, ok := headerValue(r, "Content-Type")
	if !ok {
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
	if err := json.Unmarshal(normalise(schema, v), out); err != nil {
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

// headerValue returns a request header the way libprocess sees it:
// present (possibly empty) or absent.
func headerValue(r *http.Request, name string) (string, bool) {
	vs, ok := r.Header[http.CanonicalHeaderKey(name)]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return strings.Join(vs, ","), true
}

// acceptsMediaType is libprocess' Request::acceptsMediaType: no Accept
// header accepts anything; otherwise the most specific entry that names
// the type (type/subtype, then type/*, then */*) decides, and a q of 0
// refuses. A present but empty header accepts nothing.
func acceptsMediaType(r *http.Request, mediaType string) bool {
	accept, ok := headerValue(r, "Accept")
	if !ok {
		return true
	}
	typ, _, _ := strings.Cut(mediaType, "/")
	accept = strings.NewReplacer(" ", "", "\t", "", "\n", "").Replace(accept)
	for _, candidate := range []string{mediaType, typ + "/*", "*/*"} {
		for _, entry := range strings.Split(accept, ",") {
			params := strings.Split(entry, ";")
			if params[0] == "" || !strings.EqualFold(params[0], candidate) {
				continue
			}
			var qs []string
			for _, p := range params[1:] {
				if k, v, ok := strings.Cut(p, "="); ok && k == "q" {
					qs = append(qs, v)
				}
			}
			if len(qs) != 1 {
				return true // no q value, or a malformed one
			}
			q, err := strconv.ParseFloat(qs[0], 64)
			return err == nil && q > 0
		}
	}
	return false
}

// negotiate picks the answer's media type as Mesos does, JSON first. The
// stand-in speaks only JSON, so a client that accepts only protobuf is
// told so; one that accepts neither gets Mesos' own words.
func negotiate(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case acceptsMediaType(r, "application/json"):
		return true
	case acceptsMediaType(r, "application/x-protobuf"):
		plain(w, http.StatusNotAcceptable, textProtobufAccept)
	default:
		plain(w, http.StatusNotAcceptable, textAcceptBad)
	}
	return false
}

// scheduler serves /api/v1/scheduler, making Master::Http::scheduler's
// checks in its order, so that a call wrong in several ways gets the
// answer Mesos would give.
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
	principal := ""
	if s.cfg.Credentials != nil {
		principal, _, _ = r.BasicAuth()
	}
	if msg := validateCall(&call, raw, principal); msg != "" {
		plain(w, http.StatusBadRequest, textValidateCall+msg)
		return
	}
	if call.Type == mesos.CallSubscribe || call.Type == mesos.CallReconcileOperations {
		if !negotiate(w, r) {
			return
		}
	}
	streamID, hasStreamID := headerValue(r, "Mesos-Stream-Id")
	if call.Type == mesos.CallSubscribe {
		if hasStreamID {
			plain(w, http.StatusBadRequest, textSubscribeStreamID)
			return
		}
		if call.Subscribe.FrameworkInfo.Principal == "" {
			// An authenticated framework need not name its principal.
			call.Subscribe.FrameworkInfo.Principal = principal
		}
		s.subscribe(w, r, call.Subscribe)
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
	case principal != "" && fw.info.Principal != principal:
		status, msg = http.StatusBadRequest, fmt.Sprintf(textPrincipalMismatch, principal, fw.info.Principal)
	case fw.sub == nil:
		status, msg = http.StatusForbidden, textNotSubscribed
	case !hasStreamID:
		status, msg = http.StatusBadRequest, textNoStreamID
	case streamID != fw.sub.streamID:
		status, msg = http.StatusBadRequest, fmt.Sprintf(textStreamIDMismatch, streamID, fw.id.Value)
	}
	if status != 0 {
		m.mu.Unlock()
		plain(w, status, msg)
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
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request, call *mesos.Subscribe) {
	m := s.master
	m.mu.Lock()
	sub, refusal := m.subscribe(call)
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
		m.decline(call.Decline.OfferIDs, call.Decline.Filters)
	case mesos.CallAcceptInverseOffers:
		m.inverseOfferReply(fw, call.AcceptInverseOffers.InverseOfferIDs, true) // maintenance.go
	case mesos.CallDeclineInverseOffers:
		m.inverseOfferReply(fw, call.DeclineInverseOffers.InverseOfferIDs, false)
	case mesos.CallRequest, mesos.CallAcknowledgeOperationStatus, mesos.CallReconcileOperations:
		// Accepted and, as far as the stand-in goes, done: it has no
		// operation feedback.
	case mesos.CallMessage:
		m.frameworkMessage(fw, call.Message) // executor_master.go
	case mesos.CallShutdown:
		m.shutdownExecutor(fw, call.Shutdown) // executor_master.go
	case mesos.CallRevive:
		var roles []string
		if call.Revive != nil {
			roles = call.Revive.Roles
		}
		m.revive(fw, roles)
	case mesos.CallSuppress:
		var roles []string
		if call.Suppress != nil {
			roles = call.Suppress.Roles
		}
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
	default:
		// UNKNOWN, or a type this Mesos version does not have.
		return http.StatusNotImplemented, textNotImplemented
	}
	return http.StatusAccepted, ""
}

func (m *master) decline(ids []mesos.OfferID, f *mesos.Filters) {
	for _, id := range ids {
		o := m.offers[id.Value]
		if o == nil {
			continue // declining a spent offer is harmless in Mesos too
		}
		// Mesos does not check whose offer it is: a framework can
		// decline another's, which then vanishes without RESCIND.
		m.removeOffer(o)
		m.filter(o.fw, o.agent.id, o.resources, f)
	}
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
	fw.filters = map[string]refusal{}
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
	if msg := validateFrameworkInfo(info, u.SuppressedRoles, false); msg != "" {
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
		m.opEvent(mesos.OperatorEvent{Type: mesos.FrameworkUpdated, FrameworkUpdated: &mesos.FrameworkEvent{Framework: m.frameworkEventState(fw)}})
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
