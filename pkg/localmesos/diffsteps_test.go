package localmesos_test

// The steps of the differential test's sequences, and how one side (real
// Mesos or the stand-in) runs them and writes down what it saw.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/recordio"
)

// step is one action of a sequence; run does it on a side and records
// what it observed under label.
type step struct {
	label string
	run   func(s *side, label string)
}

// side is one run of a sequence against one master.
type side struct {
	name    string
	url     string
	agent   string            // the first agent's base URL
	ports   string            // the agent's ports range, "21000-21099"
	vars    map[string]string // placeholder -> this run's value
	streams map[string]*eventStream
	tr      transcript
}

// eventStream is an open SUBSCRIBE answer, read record by record.
type eventStream struct {
	records chan []byte
	end     chan error // the reason it ended, once records is closed
	cancel  context.CancelFunc
	// held are the noise events a wait went past, for a later wait: the
	// first HEARTBEAT and the first OFFERS come in either order.
	held []map[string]any
}

func runOn(t *testing.T, seq sequence, s *side) transcript {
	s.vars = map[string]string{}
	s.streams = map[string]*eventStream{}
	s.vars["master"] = strings.TrimPrefix(s.url, "http://")
	s.vars["agentaddr"] = strings.TrimPrefix(s.agent, "http://")
	s.vars["ports"] = s.ports
	defer s.cleanup()
	// Steps are numbered: a sequence waits for UPDATE more than once.
	for i, st := range seq.steps {
		st.run(s, fmt.Sprintf("%d %s", i+1, st.label))
	}
	return s.tr
}

func (s *side) observe(label, aspect, value string) {
	s.tr = append(s.tr, observation{step: label, aspect: aspect, value: value})
}

// cleanup tears down the frameworks the sequence subscribed (through the
// operator API, which needs no stream) and closes the streams, so that
// the next sequence starts on a quiet shared master.
func (s *side) cleanup() {
	for name, st := range s.streams {
		if fw := s.vars[name+".fw"]; fw != "" {
			body := `{"type":"TEARDOWN","teardown":{"framework_id":{"value":"` + fw + `"}}}`
			if resp, err := diffClient.Post(s.url+"/api/v1", "application/json", strings.NewReader(body)); err == nil {
				resp.Body.Close()
			}
		}
		st.cancel()
	}
}

// diffClient follows no redirects: a 307 is an answer to compare.
var diffClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

var placeholder = regexp.MustCompile(`\{([a-z][a-z0-9]*\.?[a-z0-9]*)\}`)

// expand fills in the placeholders this run knows.
func (s *side) expand(text string) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := s.vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// normalise turns this run's ids back into placeholders, longest first,
// so that texts of both sides compare.
func (s *side) normalise(text string) string {
	names := make([]string, 0, len(s.vars))
	for k, v := range s.vars {
		if len(v) >= 4 {
			names = append(names, k)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		if li, lj := len(s.vars[names[i]]), len(s.vars[names[j]]); li != lj {
			return li > lj
		}
		return names[i] < names[j] // the same id under two names: the first name
	})
	for _, k := range names {
		text = strings.ReplaceAll(text, s.vars[k], "{"+k+"}")
	}
	return text
}

// request is an HTTP call of a step: headers and body may hold
// placeholders. A header with the value "-" is not sent.
type request struct {
	method, path string
	// agent sends it to the first agent instead of the master.
	agent  bool
	header map[string]string
	body   string
	// observe lists answer headers to compare besides Content-Type.
	observe []string
	// noBody leaves the body out: a file's bytes, which differ by run.
	noBody bool
}

func (s *side) send(ctx context.Context, r request) (*http.Response, error) {
	var body io.Reader
	if r.body != "" {
		text := s.expand(r.body)
		if s.name == "mesos" && s.abortsMesos(text) {
			return nil, errors.New("not sent: a scheduler call of type UNKNOWN for a framework the master knows aborts a real 1.11.0 master")
		}
		if s.name == "mesos" && !r.agent && s.removesNoQuota(ctx, text) {
			return nil, errors.New("not sent: REMOVE_QUOTA for a role without quota aborts a real 1.11.0 master")
		}
		if s.name == "mesos" && r.agent && removesStandalone(text) {
			return nil, errors.New("not sent: REMOVE_CONTAINER of a standalone container aborts a real 1.11.0 agent")
		}
		body = strings.NewReader(text)
	}
	base := s.url
	if r.agent {
		base = s.agent
	}
	req, err := http.NewRequestWithContext(ctx, r.method, base+s.expand(r.path), body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		if v != "-" {
			req.Header[http.CanonicalHeaderKey(k)] = []string{s.expand(v)}
		}
	}
	return diffClient.Do(req)
}

// abortsMesos says whether a body is a scheduler call of type UNKNOWN
// that could name a framework the master knows: Mesos 1.11.0 counts the
// call in the framework's metrics before any other check, and a CHECK
// there aborts the master on UNKNOWN. Only ids that begin with "never-"
// are safe to send.
func (s *side) abortsMesos(body string) bool {
	var c struct {
		Type        string
		FrameworkID *struct{ Value string } `json:"framework_id"`
	}
	if json.Unmarshal([]byte(body), &c) != nil {
		return strings.Contains(body, "UNKNOWN") // not sure: do not send
	}
	return c.Type == "UNKNOWN" && c.FrameworkID != nil && !strings.HasPrefix(c.FrameworkID.Value, "never-")
}

// observeAnswer records an answer: status, Content-Type, the asked-for
// headers, and the body: its key set when it is JSON, else its text.
func (s *side) observeAnswer(label string, r request, resp *http.Response, body []byte) {
	s.observe(label, "status", strconv.Itoa(resp.StatusCode))
	s.observe(label, "content-type", resp.Header.Get("Content-Type"))
	for _, h := range r.observe {
		s.observe(label, "header "+h, s.normalise(resp.Header.Get(h)))
	}
	if inner, ok := bytes.CutPrefix(body, []byte("cb(")); ok && bytes.HasSuffix(inner, []byte(")")) {
		s.observe(label, "jsonp", "cb(...)") // the steps name their callback cb
		body = inner[:len(inner)-1]
	}
	if r.noBody {
		return
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if len(body) > 0 && (body[0] == '{' || body[0] == '[') && dec.Decode(&v) == nil {
		s.observe(label, "keys", keySet(v))
		return
	}
	s.observe(label, "body", s.normalise(string(body)))
}

// call is a step that sends a request and compares the answer.
func call(label string, r request) step {
	return step{label, func(s *side, label string) {
		resp, err := s.send(context.Background(), r)
		if err != nil {
			s.observe(label, "error", err.Error())
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		s.observeAnswer(label, r, resp, body)
	}}
}

// callUntil is call, repeated until the answer has the given status or a
// few seconds have passed: for what the master notices on its own time,
// such as a closed stream.
func callUntil(label string, r request, status int) step {
	return step{label, func(s *side, label string) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := s.send(context.Background(), r)
			if err != nil {
				s.observe(label, "error", err.Error())
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == status || time.Now().After(deadline) {
				s.observeAnswer(label, r, resp, body)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}}
}

// jsonHdr are a well-formed call's headers, plus pairs of extra ones.
func jsonHdr(extra ...string) map[string]string {
	h := map[string]string{"Content-Type": "application/json", "Accept": "application/json"}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

// sched posts a scheduler call on stream s's behalf (its stream id).
func sched(label, body string) step {
	return schedAs("s", label, body)
}

// schedAs posts a scheduler call on the named stream's behalf.
func schedAs(stream, label, body string) step {
	return call(label, request{method: http.MethodPost, path: "/api/v1/scheduler", header: jsonHdr("Mesos-Stream-Id", "{"+stream+".stream}"), body: body})
}

// raw posts to the scheduler endpoint with exactly these headers.
func raw(label string, header map[string]string, body string) step {
	return call(label, request{method: http.MethodPost, path: "/api/v1/scheduler", header: header, body: body})
}

// operatorCall posts an operator call.
func operatorCall(label, body string) step {
	return call(label, request{method: http.MethodPost, path: "/api/v1", header: jsonHdr(), body: body})
}

// getPath is a GET of a read endpoint, comparing the named headers too.
func getPath(label, path string, observe ...string) step {
	return call(label, request{method: http.MethodGet, path: path, observe: observe})
}

// fw is a FrameworkInfo as JSON: user root, a name, a failover timeout,
// and extra fields (",\"checkpoint\":true").
func fw(extra string) string {
	return `{"user":"root","name":"differential","failover_timeout":60` + extra + `}`
}

// subscribeTo opens stream name with a SUBSCRIBE call body, compares the
// answer, and starts reading its events.
func subscribeTo(name, body string, header ...string) step {
	r := request{method: http.MethodPost, path: "/api/v1/scheduler", header: jsonHdr(header...), body: body}
	return step{"subscribe " + name, func(s *side, label string) { s.openStream(label, name, r) }}
}

// openStream sends a request whose answer is a stream of events,
// compares the answer, and starts reading the events.
func (s *side) openStream(label, name string, r request) {
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := s.send(ctx, r)
	if err != nil {
		cancel()
		s.observe(label, "error", err.Error())
		return
	}
	s.observe(label, "stream id", map[bool]string{true: "set", false: "unset"}[resp.Header.Get("Mesos-Stream-Id") != ""])
	s.observe(label, "transfer-encoding", strings.Join(resp.TransferEncoding, ","))
	if resp.StatusCode != http.StatusOK {
		defer cancel()
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		s.observeAnswer(label, r, resp, body)
		return
	}
	s.observe(label, "status", "200")
	s.observe(label, "content-type", resp.Header.Get("Content-Type"))
	s.vars[name+".stream"] = resp.Header.Get("Mesos-Stream-Id")
	st := &eventStream{records: make(chan []byte, 1000), end: make(chan error, 1), cancel: cancel}
	s.streams[name] = st
	go func() {
		defer resp.Body.Close()
		dec := recordio.NewDecoder(resp.Body)
		for {
			rec, err := dec.Next()
			if err != nil {
				st.end <- err
				close(st.records)
				return
			}
			st.records <- append([]byte(nil), rec...)
		}
	}()
}

// subscribeFW opens stream s for a framework with fw(extra).
func subscribeFW(extra string) step {
	return subscribeTo("s", `{"type":"SUBSCRIBE","subscribe":{"framework_info":`+fw(extra)+`}}`)
}

// noise are the events a wait skips unless it waits for them: they come
// on the master's clock, not in answer to a call.
var noise = map[string]bool{"HEARTBEAT": true, "OFFERS": true}

// event waits on a stream for the next event of a type and compares it:
// its key set; for UPDATE its state, reason, source, message and whether
// it has a uuid; for ERROR its message; for OFFERS the order of the first
// offer's resources. Events of other types on the way (but HEARTBEAT and
// OFFERS, which are held for a later wait) are compared as "skipped".
func event(stream, typ string) step {
	return step{stream + " " + typ, func(s *side, label string) {
		st := s.streams[stream]
		if st == nil {
			s.observe(label, "event", "no stream")
			return
		}
		ev, skipped, failure := st.next(typ)
		if len(skipped) > 0 {
			s.observe(label, "skipped", strings.Join(skipped, " "))
		}
		if ev == nil {
			s.observe(label, "event", failure)
			return
		}
		s.learn(stream, ev)
		s.observe(label, "event", typ)
		s.observe(label, "keys", keySet(ev))
		switch typ {
		case "UPDATE":
			status, _ := dig(ev, "update", "status").(map[string]any)
			for _, k := range []string{"state", "reason", "source", "message"} {
				v, _ := status[k].(string)
				s.observe(label, k, s.normalise(v))
			}
			s.observe(label, "uuid", map[bool]string{true: "set", false: "unset"}[status["uuid"] != nil])
		case "ERROR":
			msg, _ := dig(ev, "error", "message").(string)
			s.observe(label, "message", s.normalise(msg))
		case "TASK_UPDATED":
			state, _ := dig(ev, "task_updated", "state").(string)
			s.observe(label, "state", state)
		case "OFFERS":
			var names []string
			res, _ := dig(ev, "offers", "offers").([]any)
			if len(res) > 0 {
				res, _ = dig(res[0], "resources").([]any)
			}
			for _, r := range res {
				n, _ := dig(r, "name").(string)
				names = append(names, n)
			}
			s.observe(label, "resources", strings.Join(names, " "))
		}
	}}
}

// next returns the stream's next event of a type (a held one first), the
// types of the other events it went past, or why there is none.
func (st *eventStream) next(typ string) (ev map[string]any, skipped []string, failure string) {
	for i, h := range st.held {
		if h["type"] == typ {
			st.held = append(st.held[:i], st.held[i+1:]...)
			return h, nil, ""
		}
	}
	timeout := time.After(eventTimeout)
	for {
		select {
		case rec, ok := <-st.records:
			if !ok {
				err := <-st.end
				st.end <- err
				return nil, skipped, fmt.Sprintf("the stream ended (%s)", endReason(err))
			}
			var ev map[string]any
			dec := json.NewDecoder(bytes.NewReader(rec))
			dec.UseNumber()
			if err := dec.Decode(&ev); err != nil {
				return nil, skipped, "undecodable: " + string(rec)
			}
			switch got, _ := ev["type"].(string); {
			case got == typ:
				return ev, skipped, ""
			case noise[got]:
				st.held = append(st.held, ev)
			default:
				skipped = append(skipped, got)
			}
		case <-timeout:
			return nil, skipped, fmt.Sprintf("none within %v", eventTimeout)
		}
	}
}

// ended waits for a stream to end and compares how: the events on the
// way (but HEARTBEAT and OFFERS), then the end.
func ended(stream string) step {
	return step{stream + " ends", func(s *side, label string) {
		st := s.streams[stream]
		if st == nil {
			s.observe(label, "end", "no stream")
			return
		}
		var skipped []string
		timeout := time.After(eventTimeout)
		for {
			select {
			case rec, ok := <-st.records:
				if !ok {
					err := <-st.end
					st.end <- err
					if len(skipped) > 0 {
						s.observe(label, "skipped", strings.Join(skipped, " "))
					}
					s.observe(label, "end", endReason(err))
					return
				}
				var ev struct{ Type string }
				_ = json.Unmarshal(rec, &ev)
				if !noise[ev.Type] {
					skipped = append(skipped, ev.Type)
				}
			case <-timeout:
				s.observe(label, "end", fmt.Sprintf("still open after %v", eventTimeout))
				return
			}
		}
	}}
}

// endReason says how a stream ended without quoting addresses.
func endReason(err error) string {
	if errors.Is(err, io.EOF) {
		return "EOF"
	}
	return "error"
}

// closeStream drops a stream's connection, as a scheduler that dies.
func closeStream(stream string) step {
	return step{"close " + stream, func(s *side, label string) {
		if st := s.streams[stream]; st != nil {
			st.cancel()
		}
	}}
}

// fetchPage polls the page a task serves on 127.0.0.1:{s.port} until it
// answers, as the Demo-API notebook does, and compares its status.
func fetchPage() step {
	return step{"fetch page", func(s *side, label string) {
		url := "http://127.0.0.1:" + s.vars["s.port"] + "/"
		deadline := time.Now().Add(eventTimeout)
		for {
			resp, err := diffClient.Get(url)
			if err == nil {
				resp.Body.Close()
				s.observe(label, "status", strconv.Itoa(resp.StatusCode))
				return
			}
			if time.Now().After(deadline) {
				s.observe(label, "status", "no answer within "+eventTimeout.String())
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}}
}

// pause waits, for what must happen on the master's clock.
func pause(d time.Duration) step {
	return step{"pause", func(*side, string) { time.Sleep(d) }}
}

// learn keeps the ids an event gives, for later steps' placeholders.
func (s *side) learn(stream string, ev map[string]any) {
	set := func(name string, v any) {
		if str, ok := v.(string); ok && str != "" {
			s.vars[stream+"."+name] = str
		}
	}
	switch ev["type"] {
	case "SUBSCRIBED":
		set("fw", dig(ev, "subscribed", "framework_id", "value"))
		if id, ok := dig(ev, "subscribed", "master_info", "id").(string); ok {
			s.vars["masterid"] = id
		}
	case "OFFERS":
		offers, _ := dig(ev, "offers", "offers").([]any)
		if len(offers) == 0 {
			return
		}
		o, _ := offers[0].(map[string]any)
		set("offer", dig(o, "id", "value"))
		set("agent", dig(o, "agent_id", "value"))
		set("hostname", o["hostname"])
		res, _ := o["resources"].([]any)
		for _, r := range res {
			r, _ := r.(map[string]any)
			if r["name"] != "ports" {
				continue
			}
			rs, _ := dig(r, "ranges", "range").([]any)
			if len(rs) > 0 {
				if b, ok := dig(rs[0], "begin").(json.Number); ok {
					s.vars[stream+".port"] = b.String()
				}
			}
		}
	case "INVERSE_OFFERS":
		offers, _ := dig(ev, "inverse_offers", "inverse_offers").([]any)
		if len(offers) > 0 {
			set("inverse", dig(offers[0], "id", "value"))
		}
	case "UPDATE":
		st := dig(ev, "update", "status")
		set("task", dig(st, "task_id", "value"))
		set("uuid", dig(st, "uuid"))
		set("agent", dig(st, "agent_id", "value"))
	}
}

// dig follows keys into decoded JSON objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
