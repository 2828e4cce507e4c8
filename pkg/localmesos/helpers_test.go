package localmesos_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/recordio"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// start runs a stand-in with a simulated runner, a short allocation
// interval and a short status update retry, for fast tests.
func start(t testing.TB, edit func(*localmesos.Config)) *localmesos.Server {
	t.Helper()
	cfg := localmesos.Config{Runner: "simulated", AllocationInterval: 50 * time.Millisecond, StatusUpdateRetry: 200 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := localmesos.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// framework is a subscribed scheduler under test: its client, its
// subscription and its events on a channel.
type framework struct {
	t      *testing.T
	c      *scheduler.Client
	sub    *scheduler.Subscription
	events chan mesos.Event
	end    chan error
	cancel context.CancelFunc
}

// subscribe subscribes a framework through the project's scheduler client;
// user and name default to "root" and the test's name.
func subscribe(t *testing.T, srv *localmesos.Server, info mesos.FrameworkInfo, suppressedRoles ...string) *framework {
	t.Helper()
	f, err := trySubscribe(t, srv.URL, info, suppressedRoles...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func trySubscribe(t *testing.T, master string, info mesos.FrameworkInfo, suppressedRoles ...string) (*framework, error) {
	t.Helper()
	return subscribeWith(t, scheduler.Config{Master: master, Retries: 1}, info, suppressedRoles...)
}

// subscribeWith subscribes through a client made from cfg (credentials, a
// zk:// master...).
func subscribeWith(t *testing.T, cfg scheduler.Config, info mesos.FrameworkInfo, suppressedRoles ...string) (*framework, error) {
	t.Helper()
	c, err := scheduler.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if info.User == "" {
		info.User = "root"
	}
	if info.Name == "" {
		info.Name = t.Name()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sub, err := c.Subscribe(ctx, info, suppressedRoles...)
	if err != nil {
		cancel()
		return nil, err
	}
	f := &framework{t: t, c: c, sub: sub, events: make(chan mesos.Event, 10000), end: make(chan error, 1), cancel: cancel}
	go func() {
		for ev, err := range sub.Events() {
			if err != nil {
				f.end <- err
				close(f.events)
				return
			}
			f.events <- ev
		}
	}()
	return f, nil
}

// id is the framework's id.
func (f *framework) id() mesos.FrameworkID { return f.sub.FrameworkID }

// info is a FrameworkInfo that re-subscribes this framework.
func (f *framework) resubscribeInfo(info mesos.FrameworkInfo) mesos.FrameworkInfo {
	id := f.id()
	info.ID = &id
	if info.User == "" {
		info.User = "root"
	}
	if info.Name == "" {
		info.Name = f.t.Name()
	}
	return info
}

// next waits for the next event of the given type, skipping others.
func (f *framework) next(typ mesos.EventType) mesos.Event {
	f.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-f.events:
			if !ok {
				f.t.Fatalf("stream ended while waiting for %s: %v", typ, <-f.end)
			}
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			f.t.Fatalf("no %s within 10s", typ)
		}
	}
}

// none checks that no event of the given types arrives for d.
func (f *framework) none(d time.Duration, types ...mesos.EventType) {
	f.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-f.events:
			if !ok {
				return
			}
			for _, typ := range types {
				if ev.Type == typ {
					f.t.Fatalf("unexpected %s: %s", ev.Type, mustJSON(ev))
				}
			}
		case <-timeout:
			return
		}
	}
}

// ended waits for the stream to end and returns why.
func (f *framework) ended() error {
	f.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-f.events:
			if !ok {
				return <-f.end
			}
		case <-timeout:
			f.t.Fatalf("stream still open after 10s")
		}
	}
}

// offer waits for the next offer.
func (f *framework) offer() mesos.Offer {
	f.t.Helper()
	return f.next(mesos.EventOffers).Offers.Offers[0]
}

// update waits for the next UPDATE and acknowledges it if it has a uuid.
func (f *framework) update() mesos.TaskStatus {
	f.t.Helper()
	st := f.next(mesos.EventUpdate).Update.Status
	if len(st.UUID) > 0 {
		f.ack(st)
	}
	return st
}

// status waits for the next UPDATE without acknowledging it.
func (f *framework) status() mesos.TaskStatus {
	f.t.Helper()
	return f.next(mesos.EventUpdate).Update.Status
}

func (f *framework) ack(st mesos.TaskStatus) {
	f.t.Helper()
	if err := f.c.Acknowledge(context.Background(), st); err != nil {
		f.t.Fatal(err)
	}
}

// launch accepts the offer with the tasks.
func (f *framework) launch(offer mesos.Offer, tasks ...mesos.TaskInfo) {
	f.t.Helper()
	if err := f.c.Accept(context.Background(), []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(tasks...)}, nil); err != nil {
		f.t.Fatal(err)
	}
}

func simpleTask(id string, offer mesos.Offer) mesos.TaskInfo {
	return mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 1000"}}
}

// runTask launches a sleeping task on the framework's next offer and
// acknowledges its updates up to TASK_RUNNING.
func (f *framework) runTask(id string) mesos.TaskInfo {
	f.t.Helper()
	offer := f.offer()
	ti := simpleTask(id, offer)
	f.launch(offer, ti)
	for _, want := range []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning} {
		if st := f.update(); st.State != want || st.TaskID.Value != id {
			f.t.Fatalf("update %s, want %s of %s", mustJSON(st), want, id)
		}
	}
	return ti
}

func operatorClient(t testing.TB, srv *localmesos.Server) *operator.Client {
	t.Helper()
	c, err := operator.New(operator.Config{Master: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// opStream is an operator event stream under test.
type opStream struct {
	t      *testing.T
	events chan mesos.OperatorEvent
}

func operatorSubscribe(t *testing.T, srv *localmesos.Server) *opStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := operatorClient(t, srv).Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := &opStream{t: t, events: make(chan mesos.OperatorEvent, 1000)}
	go func() {
		defer close(s.events)
		for ev, err := range st.Events() {
			if err != nil {
				return
			}
			s.events <- ev
		}
	}()
	return s
}

// next waits for the next operator event, whatever its type.
func (s *opStream) next() mesos.OperatorEvent {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatal("operator stream ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		s.t.Fatal("no operator event within 10s")
	}
	panic("unreachable")
}

// nextOf waits for the next operator event of the given type.
func (s *opStream) nextOf(typ mesos.OperatorEventType) mesos.OperatorEvent {
	s.t.Helper()
	for {
		if ev := s.next(); ev.Type == typ {
			return ev
		}
	}
}

// none checks that no operator event of the given type arrives for d.
func (s *opStream) none(d time.Duration, typ mesos.OperatorEventType) {
	s.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				return
			}
			if ev.Type == typ {
				s.t.Fatalf("unexpected %s: %s", ev.Type, mustJSON(ev))
			}
		case <-timeout:
			return
		}
	}
}

// wantErrorEvent checks that a subscription was refused with an ERROR.
func wantErrorEvent(t *testing.T, err error, msg string) {
	t.Helper()
	var ee *scheduler.ErrorEvent
	if !errors.As(err, &ee) {
		t.Fatalf("got %v, want ERROR %q", err, msg)
	}
	if ee.Message != msg {
		t.Fatalf("ERROR %q, want %q", ee.Message, msg)
	}
}

// answer is a raw HTTP answer: what the tests that need exact bytes and
// headers look at.
type answer struct {
	code   int
	header http.Header
	body   string
}

// rawClient follows no redirects, so tests see the 307s themselves.
var rawClient = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// do sends a request with exactly the given headers ("" values are sent
// as empty headers) and reads the whole answer.
func do(t testing.TB, method, url string, header map[string]string, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{code: resp.StatusCode, header: resp.Header, body: string(b)}
}

// jsonHeaders are the headers of a well-formed call.
func jsonHeaders(extra ...string) map[string]string {
	h := map[string]string{"Content-Type": "application/json", "Accept": "application/json"}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

// post sends a JSON call to the scheduler endpoint.
func post(t testing.TB, srv *localmesos.Server, header map[string]string, body string) answer {
	t.Helper()
	return do(t, http.MethodPost, srv.URL+"/api/v1/scheduler", header, body)
}

// want checks an answer's status and exact body.
func (a answer) want(t testing.TB, code int, body string) {
	t.Helper()
	if a.code != code || a.body != body {
		t.Fatalf("got %d %q, want %d %q", a.code, a.body, code, body)
	}
}

// rawStream is a SUBSCRIBE answer read record by record.
type rawStream struct {
	t      testing.TB
	resp   *http.Response
	recs   chan []byte
	err    chan error
	cancel context.CancelFunc
}

// openStream posts a streaming call (scheduler or operator SUBSCRIBE) and
// starts reading its records. It fails the test unless the answer is 200.
func openStream(t testing.TB, url string, header map[string]string, body string) *rawStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("stream answered %d %q", resp.StatusCode, b)
	}
	s := &rawStream{t: t, resp: resp, recs: make(chan []byte, 1000), err: make(chan error, 1), cancel: cancel}
	go func() {
		defer resp.Body.Close()
		dec := recordio.NewDecoder(resp.Body)
		for {
			rec, err := dec.Next()
			if err != nil {
				s.err <- err
				close(s.recs)
				return
			}
			s.recs <- append([]byte(nil), rec...)
		}
	}()
	return s
}

// subscribeRaw opens a scheduler SUBSCRIBE with the given body.
func subscribeRaw(t testing.TB, srv *localmesos.Server, body string) *rawStream {
	t.Helper()
	return openStream(t, srv.URL+"/api/v1/scheduler", jsonHeaders(), body)
}

// record waits for the stream's next record.
func (s *rawStream) record() []byte {
	s.t.Helper()
	select {
	case rec, ok := <-s.recs:
		if !ok {
			s.t.Fatalf("stream ended: %v", <-s.err)
		}
		return rec
	case <-time.After(10 * time.Second):
		s.t.Fatal("no record within 10s")
	}
	return nil
}

// event waits for the next record and decodes it as a scheduler event.
func (s *rawStream) event() mesos.Event {
	s.t.Helper()
	var ev mesos.Event
	if err := json.Unmarshal(s.record(), &ev); err != nil {
		s.t.Fatal(err)
	}
	return ev
}

// closed checks that the stream ends (cleanly) within a few seconds.
func (s *rawStream) closed() {
	s.t.Helper()
	select {
	case rec, ok := <-s.recs:
		if ok {
			s.t.Fatalf("record %s where the stream should end", rec)
		}
		if err := <-s.err; !errors.Is(err, io.EOF) {
			s.t.Fatalf("stream ended with %v, want EOF", err)
		}
	case <-time.After(10 * time.Second):
		s.t.Fatal("stream still open after 10s")
	}
}

// subscribeCall is the JSON of a SUBSCRIBE call for info.
func subscribeCall(info mesos.FrameworkInfo) string {
	return mustJSON(mesos.Call{Type: mesos.CallSubscribe, FrameworkID: info.ID, Subscribe: &mesos.Subscribe{FrameworkInfo: info}})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// sameJSON says whether two JSON texts mean the same: the stand-in's
// output is Mesos' semantically, not byte for byte (it writes 15 where
// Mesos writes 15.0).
func sameJSON(t testing.TB, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

func ptr[T any](v T) *T { return &v }

func newOperator(master string) (*operator.Client, error) {
	return operator.New(operator.Config{Master: master})
}

func jsonInto(s string, v any) error { return json.Unmarshal([]byte(s), v) }
