package scheduler_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/recordio"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// fakeMaster is a scripted master: its handler answers SUBSCRIBE with the
// given records, cut into random chunks, and records every call.
type fakeMaster struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []recorded
	remote map[string]string // call type -> client address
}

type recorded struct {
	call   mesos.Call
	header http.Header
}

func newFakeMaster(t *testing.T, records []string, after func(w http.ResponseWriter)) *fakeMaster {
	fm := &fakeMaster{t: t, remote: map[string]string{}}
	fm.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var call mesos.Call
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &call); err != nil {
			http.Error(w, "Failed to parse body into JSON", http.StatusBadRequest)
			return
		}
		fm.mu.Lock()
		fm.calls = append(fm.calls, recorded{call, r.Header.Clone()})
		fm.remote[string(call.Type)] = r.RemoteAddr
		fm.mu.Unlock()
		if call.Type != mesos.CallSubscribe {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Mesos-Stream-Id", "stream-1")
		w.WriteHeader(http.StatusOK)
		var all []byte
		for _, rec := range records {
			all = recordio.Append(all, []byte(rec))
		}
		// Cut the stream at random byte boundaries, one flush per piece.
		for len(all) > 0 {
			n := min(len(all), 1+rand.IntN(40))
			w.Write(all[:n])
			w.(http.Flusher).Flush()
			all = all[n:]
		}
		if after != nil {
			after(w)
		}
	}))
	t.Cleanup(fm.srv.Close)
	return fm
}

func (fm *fakeMaster) recorded() []recorded {
	fm.mu.Lock()
	defer fm.mu.Unlock()
	return append([]recorded(nil), fm.calls...)
}

const subscribedJSON = `{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"m1-0000"},"heartbeat_interval_seconds":15.0,"master_info":{"id":"m1","ip":16777343,"port":5050,"address":{"ip":"127.0.0.1","port":5050}}}}`

func newClient(t *testing.T, master string, edit func(*scheduler.Config)) *scheduler.Client {
	t.Helper()
	cfg := scheduler.Config{Master: master}
	if edit != nil {
		edit(&cfg)
	}
	c, err := scheduler.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSubscribeEventsInOrderAcrossChunks(t *testing.T) {
	t.Parallel()
	records := []string{subscribedJSON, `{"type":"HEARTBEAT"}`,
		`{"type":"OFFERS","offers":{"offers":[{"id":{"value":"m1-O1"},"framework_id":{"value":"m1-0000"},"agent_id":{"value":"m1-S0"},"hostname":"h"}]}}`,
		`{"type":"RESCIND","rescind":{"offer_id":{"value":"m1-O1"}}}`}
	fm := newFakeMaster(t, records, nil)
	c := newClient(t, fm.srv.URL, nil)
	sub, err := c.Subscribe(t.Context(), mesos.FrameworkInfo{User: "root", Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if sub.StreamID != "stream-1" || sub.FrameworkID.Value != "m1-0000" || sub.HeartbeatInterval != 15*time.Second || sub.MasterInfo.HostPort() != "127.0.0.1:5050" {
		t.Fatalf("subscription: %+v", sub)
	}
	var types []mesos.EventType
	var end error
	for ev, err := range sub.Events() {
		if err != nil {
			end = err
			break
		}
		types = append(types, ev.Type)
	}
	want := []mesos.EventType{mesos.EventSubscribed, mesos.EventHeartbeat, mesos.EventOffers, mesos.EventRescind}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	if !errors.Is(end, io.EOF) {
		t.Fatalf("stream end: %v, want io.EOF", end)
	}
	calls := fm.recorded()
	h := calls[0].header
	if h.Get("Content-Type") != "application/json" || h.Get("Mesos-Stream-Id") != "" || calls[0].call.FrameworkID != nil {
		t.Fatalf("SUBSCRIBE headers %v, framework_id %v", h, calls[0].call.FrameworkID)
	}
}

// TestCallsCarryStreamIDOnAnotherConnection: every call has exactly
// Content-Type application/json, the stream id, the framework id, and
// travels on a different connection from the open stream.
func TestCallsCarryStreamIDOnAnotherConnection(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	fm := newFakeMaster(t, []string{subscribedJSON}, func(http.ResponseWriter) { <-release })
	defer close(release)
	c := newClient(t, fm.srv.URL, nil)
	sub, err := c.Subscribe(t.Context(), mesos.FrameworkInfo{User: "root", Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	ctx := t.Context()
	uuid := []byte("0123456789abcdef")
	steps := []func() error{
		func() error {
			return c.Accept(ctx, []mesos.OfferID{{Value: "O1"}}, []mesos.Operation{mesos.LaunchOp(mesos.TaskInfo{Name: "t", TaskID: mesos.TaskID{Value: "t"}})}, mesos.RefuseFor(5))
		},
		func() error { return c.Decline(ctx, []mesos.OfferID{{Value: "O2"}}, nil) },
		func() error { return c.AcceptInverseOffers(ctx, []mesos.OfferID{{Value: "I1"}}, nil) },
		func() error { return c.DeclineInverseOffers(ctx, []mesos.OfferID{{Value: "I1"}}, nil) },
		func() error { return c.Revive(ctx, "*") },
		func() error { return c.Suppress(ctx) },
		func() error { return c.Kill(ctx, mesos.TaskID{Value: "t"}, nil) },
		func() error { return c.Shutdown(ctx, mesos.ExecutorID{Value: "e"}, mesos.AgentID{Value: "S0"}) },
		func() error {
			return c.Acknowledge(ctx, mesos.TaskStatus{TaskID: mesos.TaskID{Value: "t"}, AgentID: &mesos.AgentID{Value: "S0"}, UUID: uuid})
		},
		func() error {
			return c.AcknowledgeOperationStatus(ctx, mesos.OperationStatus{OperationID: &mesos.OperationID{Value: "op"}, UUID: &mesos.UUID{Value: uuid}})
		},
		func() error { return c.Reconcile(ctx) },
		func() error { return c.ReconcileOperations(ctx) },
		func() error {
			return c.Message(ctx, mesos.AgentID{Value: "S0"}, mesos.ExecutorID{Value: "e"}, []byte("hi"))
		},
		func() error { return c.Request(ctx, mesos.ResourceRequest{Resources: mesos.TaskResources(1, 32)}) },
		func() error { return c.UpdateFramework(ctx, mesos.FrameworkInfo{User: "root", Name: "renamed"}) },
		func() error { return c.Teardown(ctx) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	calls := fm.recorded()[1:]
	if len(calls) != len(steps) {
		t.Fatalf("%d calls recorded, want %d", len(calls), len(steps))
	}
	seen := map[mesos.CallType]bool{}
	for _, rc := range calls {
		seen[rc.call.Type] = true
		if ct := rc.header.Values("Content-Type"); len(ct) != 1 || ct[0] != "application/json" {
			t.Errorf("%s: Content-Type %q", rc.call.Type, ct)
		}
		if rc.header.Get("Mesos-Stream-Id") != "stream-1" || rc.call.FrameworkID == nil || rc.call.FrameworkID.Value != "m1-0000" {
			t.Errorf("%s: stream id %q framework %v", rc.call.Type, rc.header.Get("Mesos-Stream-Id"), rc.call.FrameworkID)
		}
	}
	if len(seen) != 16 {
		t.Errorf("%d distinct call types sent, want the 16 non-SUBSCRIBE ones", len(seen))
	}
	fm.mu.Lock()
	defer fm.mu.Unlock()
	if fm.remote["SUBSCRIBE"] == fm.remote["ACCEPT"] {
		t.Errorf("ACCEPT used the stream's connection %s", fm.remote["ACCEPT"])
	}
}

func TestResubscribeSendsBothFrameworkIDs(t *testing.T) {
	t.Parallel()
	fm := newFakeMaster(t, []string{subscribedJSON}, nil)
	c := newClient(t, fm.srv.URL, nil)
	id := &mesos.FrameworkID{Value: "m1-0000"}
	sub, err := c.Subscribe(t.Context(), mesos.FrameworkInfo{User: "root", Name: "test", ID: id, FailoverTimeout: 3600})
	if err != nil {
		t.Fatal(err)
	}
	sub.Close()
	call := fm.recorded()[0].call
	if call.FrameworkID == nil || call.FrameworkID.Value != "m1-0000" || call.Subscribe.FrameworkInfo.ID.Value != "m1-0000" {
		t.Fatalf("re-subscribe call: %+v", call)
	}
}

func TestAcknowledgeWithoutUUIDSendsNothing(t *testing.T) {
	t.Parallel()
	fm := newFakeMaster(t, []string{subscribedJSON}, nil)
	c := newClient(t, fm.srv.URL, nil)
	c.Bind(mesos.FrameworkID{Value: "m1-0000"}, "stream-1")
	err := c.Acknowledge(t.Context(), mesos.TaskStatus{TaskID: mesos.TaskID{Value: "t"}, State: mesos.TaskLost, AgentID: &mesos.AgentID{Value: "S0"}})
	if !errors.Is(err, scheduler.ErrNoUUID) {
		t.Fatalf("got %v, want ErrNoUUID", err)
	}
	if n := len(fm.recorded()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestSubscribeRefusedWithErrorEvent(t *testing.T) {
	t.Parallel()
	fm := newFakeMaster(t, []string{`{"type":"ERROR","error":{"message":"Framework has been removed"}}`}, nil)
	c := newClient(t, fm.srv.URL, nil)
	_, err := c.Subscribe(t.Context(), mesos.FrameworkInfo{User: "root", Name: "test"})
	var ee *scheduler.ErrorEvent
	if !errors.As(err, &ee) || ee.Message != "Framework has been removed" {
		t.Fatalf("got %v", err)
	}
}

func TestErrorEventEndsStream(t *testing.T) {
	t.Parallel()
	fm := newFakeMaster(t, []string{subscribedJSON, `{"type":"ERROR","error":{"message":"Framework failed over"}}`, `{"type":"HEARTBEAT"}`}, nil)
	c := newClient(t, fm.srv.URL, nil)
	sub, err := c.Subscribe(t.Context(), mesos.FrameworkInfo{User: "root", Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var types []mesos.EventType
	var end error
	for ev, err := range sub.Events() {
		if err != nil {
			end = err
			break
		}
		types = append(types, ev.Type)
	}
	var ee *scheduler.ErrorEvent
	if len(types) != 2 || types[1] != mesos.EventError || !errors.As(end, &ee) || ee.Message != "Framework failed over" {
		t.Fatalf("events %v, end %v", types, end)
	}
}

// TestWatchdog: a master that sends SUBSCRIBED and falls silent ends the
// stream with ErrHeartbeatTimeout after MissedHeartbeats intervals.
func TestWatchdog(t *testing.T) {
	t.Parallel()
	silent := `{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"m1-0000"},"heartbeat_interval_seconds":0.05}}`
	release := make(chan struct{})
	fm := newFakeMaster(t, []string{silent}, func(http.ResponseWriter) { <-release })
	defer close(release)
	c := newClient(t, fm.srv.URL, func(cfg *scheduler.Config) { cfg.MissedHeartbeats = 2 })
	sub, err := c.Subscribe(t.Context(), mesos.FrameworkInfo{User: "root", Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var end error
	for _, err := range sub.Events() {
		if err != nil {
			end = err
		}
	}
	if !errors.Is(end, httpapi.ErrHeartbeatTimeout) {
		t.Fatalf("stream end %v, want ErrHeartbeatTimeout", end)
	}
}

func TestContextCancelEndsStream(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	fm := newFakeMaster(t, []string{subscribedJSON}, func(http.ResponseWriter) { <-release })
	defer close(release)
	c := newClient(t, fm.srv.URL, nil)
	ctx, cancel := context.WithCancel(t.Context())
	sub, err := c.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	var end error
	for _, err := range sub.Events() {
		end = err
	}
	if !errors.Is(end, context.Canceled) {
		t.Fatalf("stream end %v, want context.Canceled", end)
	}
}

// TestRedirectToLeader: a non-leading master answers 307 with Mesos'
// protocol-relative Location; the client follows it and keeps sending to
// the leader afterwards.
func TestRedirectToLeader(t *testing.T) {
	t.Parallel()
	leader := newFakeMaster(t, []string{subscribedJSON}, nil)
	var followerHits atomic.Int32
	follower := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followerHits.Add(1)
		w.Header().Set("Location", "//"+strings.TrimPrefix(leader.srv.URL, "http://")+r.URL.Path)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	defer follower.Close()
	c := newClient(t, follower.URL, nil)
	sub, err := c.Subscribe(t.Context(), mesos.FrameworkInfo{User: "root", Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if sub.Master != leader.srv.URL {
		t.Fatalf("stream held by %s, want %s", sub.Master, leader.srv.URL)
	}
	if err := c.Revive(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := followerHits.Load(); n != 1 {
		t.Fatalf("follower asked %d times, want once (the leader is remembered)", n)
	}
	if got, _ := c.Leader(t.Context()); got != leader.srv.URL {
		t.Fatalf("leader %s", got)
	}
}

func TestRetry503ThenSuccess(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= 2 {
			http.Error(w, "Master has not finished recovery", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil)
	c.Bind(mesos.FrameworkID{Value: "m1-0000"}, "s")
	if err := c.Revive(t.Context()); err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	if hits.Load() != 3 {
		t.Fatalf("%d attempts", hits.Load())
	}
}

// TestTypedErrors: each error status comes back as *scheduler.Error with
// Mesos' message, and basic-auth secrets never appear in it.
func TestTypedErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code int
		body string
	}{
		{400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"},
		{401, ""},
		{403, "Framework is not subscribed"},
		{406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'"},
		{415, "Expecting 'Content-Type' of application/json or application/x-protobuf"},
		{503, "No leader elected"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if u, p, ok := r.BasicAuth(); !ok || u != "tutorial" || p != "s3cret-pass" {
					t.Errorf("basic auth %q %q %v", u, p, ok)
				}
				if tc.code == 401 {
					w.Header().Set("WWW-Authenticate", `Basic realm="mesos-master-scheduler"`)
				}
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(tc.code)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c := newClient(t, srv.URL, func(cfg *scheduler.Config) {
				cfg.Principal, cfg.Secret, cfg.Retries = "tutorial", "s3cret-pass", 1
			})
			c.Bind(mesos.FrameworkID{Value: "m1-0000"}, "s")
			err := c.Kill(t.Context(), mesos.TaskID{Value: "t"}, nil)
			var se *scheduler.Error
			if !errors.As(err, &se) || se.StatusCode != tc.code || se.Body != tc.body || se.Call != "KILL" {
				t.Fatalf("got %#v", err)
			}
			if strings.Contains(err.Error(), "s3cret") || !strings.HasPrefix(err.Error(), "KILL to 127.0.0.1:") {
				t.Fatalf("error text %q", err)
			}
		})
	}
}

// TestHTTPSWithCAFile: an https master whose certificate only a CA file
// vouches for.
func TestHTTPSWithCAFile(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	cert := srv.Certificate()
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	without := newClient(t, srv.URL, nil)
	without.Bind(mesos.FrameworkID{Value: "f"}, "s")
	var uerr x509.UnknownAuthorityError
	if err := without.Revive(t.Context()); !errors.As(err, &uerr) {
		t.Fatalf("without the CA: %v", err)
	}
	with := newClient(t, srv.URL, func(cfg *scheduler.Config) { cfg.CAFile = caFile })
	with.Bind(mesos.FrameworkID{Value: "f"}, "s")
	if err := with.Revive(t.Context()); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
}

func TestObserveSeesRequestAndAnswer(t *testing.T) {
	t.Parallel()
	fm := newFakeMaster(t, nil, nil)
	var seen []httpapi.Exchange
	c := newClient(t, fm.srv.URL, func(cfg *scheduler.Config) {
		cfg.Observe = func(ex httpapi.Exchange) { seen = append(seen, ex) }
	})
	c.Bind(mesos.FrameworkID{Value: "f"}, "s")
	if err := c.Decline(t.Context(), []mesos.OfferID{{Value: "O1"}}, mesos.RefuseFor(30)); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].StatusCode != 202 || !strings.Contains(string(seen[0].RequestBody), `"refuse_seconds":30`) {
		t.Fatalf("observed %+v", seen)
	}
}

func TestUUIDIsSentAsTheSameBase64(t *testing.T) {
	t.Parallel()
	fm := newFakeMaster(t, nil, nil)
	c := newClient(t, fm.srv.URL, nil)
	c.Bind(mesos.FrameworkID{Value: "f"}, "s")
	uuid, _ := base64.StdEncoding.DecodeString("D2pMLpsdTzqMLR4vOktcbQ==")
	st := mesos.TaskStatus{TaskID: mesos.TaskID{Value: "t"}, AgentID: &mesos.AgentID{Value: "S0"}, UUID: uuid}
	if err := c.Acknowledge(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	got := fm.recorded()[0].call.Acknowledge
	if base64.StdEncoding.EncodeToString(got.UUID) != "D2pMLpsdTzqMLR4vOktcbQ==" {
		t.Fatalf("uuid %x", got.UUID)
	}
}
