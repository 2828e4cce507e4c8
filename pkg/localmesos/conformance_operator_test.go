package localmesos_test

// Conformance D48-D56: the operator API, the legacy read endpoints and
// authentication (see conformance_test.go).

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// D48-D51: the operator API's answers.
func TestConformance_Operator(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	api := srv.URL + "/api/v1"
	a := do(t, http.MethodPost, api, jsonHeaders(), `{"type":"GET_HEALTH"}`)
	a.want(t, http.StatusOK, `{"type":"GET_HEALTH","get_health":{"healthy":true}}`)
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}

	st := do(t, http.MethodPost, api, jsonHeaders(), `{"type":"GET_STATE"}`)
	prefix := `{"type":"GET_STATE","get_state":{"get_tasks":{"tasks":[],"unreachable_tasks":[],"completed_tasks":[]},"get_executors":{"executors":[]},"get_frameworks":{"frameworks":[],"completed_frameworks":[]},"get_agents":{"agents":[{`
	if st.code != 200 || !strings.HasPrefix(st.body, prefix) || !strings.HasSuffix(st.body, `}],"recovered_agents":[]}}}`) {
		t.Fatalf("GET_STATE %d %s", st.code, st.body)
	}

	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"TEARDOWN","teardown":{"framework_id":{"value":"nope"}}}`).
		want(t, http.StatusBadRequest, "No framework found with specified ID")
	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"TEARDOWN"}`).
		want(t, http.StatusBadRequest, "Failed to validate master::Call: Expecting 'teardown' to be present")
	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"TEARDOWN","teardown":{}}`).
		want(t, http.StatusBadRequest, "Failed to convert JSON into Call protobuf: Missing required fields: teardown.framework_id")
	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"NOPE"}`).
		want(t, http.StatusBadRequest, "Failed to validate master::Call: Expecting 'type' to be present")
	do(t, http.MethodPost, api, jsonHeaders(), `{"type":"UNKNOWN"}`).
		want(t, http.StatusNotImplemented, "501 Not Implemented.")
	do(t, http.MethodPost, api, jsonHeaders("Accept", "text/html"), `{"type":"GET_HEALTH"}`).
		want(t, http.StatusNotAcceptable, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'")
	do(t, http.MethodGet, api, nil, "").
		want(t, http.StatusMethodNotAllowed, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.")
}

// D52-D56: the legacy read endpoints.
func TestConformance_LegacyEndpoints(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	f.offer()

	for _, path := range []string{"/master/state.json", "/state.json", "/nope", "/master/redirect/x", "/redirect/x"} {
		a := do(t, http.MethodGet, srv.URL+path, nil, "")
		a.want(t, http.StatusNotFound, "404 Not Found.")
		if ct := a.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Fatalf("%s: Content-Type %q", path, ct)
		}
	}
	for _, path := range []string{"/master/health", "/health"} {
		a := do(t, http.MethodGet, srv.URL+path, nil, "")
		a.want(t, http.StatusOK, "")
		if ct := a.header.Get("Content-Type"); ct != "" {
			t.Fatalf("%s: Content-Type %q", path, ct)
		}
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, path := range []string{"/master/redirect", "/redirect"} {
		a := do(t, http.MethodGet, srv.URL+path, nil, "")
		if a.code != http.StatusTemporaryRedirect || a.header.Get("Location") != "//"+host || a.body != "" {
			t.Fatalf("%s: %d Location %q body %q", path, a.code, a.header.Get("Location"), a.body)
		}
	}

	// D55: /version's keys are sorted.
	v := do(t, http.MethodGet, srv.URL+"/version", nil, "")
	keys := topLevelKeys(t, v.body)
	if !sortedStrings(keys) || !strings.Contains(v.body, `"version":"1.11.0"`) {
		t.Fatalf("/version %s", v.body)
	}

	// D56: /master/state as Mesos writes it.
	st := do(t, http.MethodGet, srv.URL+"/master/state", nil, "")
	for _, want := range []string{`"activated_slaves":1,`, `"orphan_tasks":[]`, `"unregistered_frameworks":[]`, `"version":"1.11.0"`} {
		if !strings.Contains(st.body, want) {
			t.Fatalf("/master/state lacks %s: %s", want, st.body)
		}
	}
	for _, summary := range []string{`"resources":{`, `"used_resources":{`, `"offered_resources":{`, `"unreserved_resources":{`} {
		for rest := st.body; ; {
			i := strings.Index(rest, summary)
			if i < 0 {
				break
			}
			rest = rest[i+len(summary):]
			if !strings.HasPrefix(rest, `"disk":`) || !inOrder(rest, `"disk":`, `"mem":`, `"gpus":`, `"cpus":`) {
				t.Fatalf("summary %s%.80s not in disk, mem, gpus, cpus order", summary, rest)
			}
		}
	}
	// jsonp, as Mesos' JSON endpoints offer.
	j := do(t, http.MethodGet, srv.URL+"/master/state?jsonp=cb", nil, "")
	if j.code != 200 || j.header.Get("Content-Type") != "text/javascript" || !strings.HasPrefix(j.body, "cb({") || !strings.HasSuffix(j.body, "})") {
		t.Fatalf("jsonp: %d %q %.40s", j.code, j.header.Get("Content-Type"), j.body)
	}
}

func topLevelKeys(t *testing.T, body string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: %v", body, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}

func inOrder(s string, parts ...string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// With --credentials, the principal of the credentials speaks for the
// framework: it fills in a FrameworkInfo without one, and must match it.
func TestConformance_Authentication(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Credentials = map[string]string{"alice": "a-secret", "bob": "b-secret"} })
	auth := func(user, secret string, extra ...string) map[string]string {
		h := jsonHeaders(extra...)
		h["Authorization"] = "Basic " + base64Std(user+":"+secret)
		return h
	}
	post(t, srv, auth("alice", "wrong"), subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n"})).want(t, http.StatusUnauthorized, "401 Unauthorized.")
	post(t, srv, auth("alice", "a-secret"), subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n", Principal: "bob"})).
		want(t, http.StatusBadRequest, "Failed to validate scheduler::Call: Authenticated principal 'alice' does not match principal 'bob' set in `FrameworkInfo`")

	s := openStream(t, srv.URL+"/api/v1/scheduler", auth("alice", "a-secret"), subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n"}))
	id := s.event().Subscribed.FrameworkID.Value
	stream := s.resp.Header.Get("Mesos-Stream-Id")
	revive := `{"type":"REVIVE","framework_id":{"value":"` + id + `"}}`
	post(t, srv, auth("bob", "b-secret", "Mesos-Stream-Id", stream), revive).
		want(t, http.StatusBadRequest, "Authenticated principal 'bob' does not match principal 'alice' set in `FrameworkInfo`")
	post(t, srv, auth("alice", "a-secret", "Mesos-Stream-Id", stream), revive).want(t, http.StatusAccepted, "")
	fws := do(t, http.MethodPost, srv.URL+"/api/v1", jsonHeaders(), `{"type":"GET_FRAMEWORKS"}`)
	if !strings.Contains(fws.body, `"principal":"alice"`) {
		t.Fatalf("the authenticated principal is not the framework's: %s", fws.body)
	}
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
