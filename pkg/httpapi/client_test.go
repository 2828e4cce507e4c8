package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

func TestParseMaster(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://10.0.0.5:5050":  "http://10.0.0.5:5050",
		"https://m.example:443": "https://m.example:443",
		"10.0.0.5:5050":         "http://10.0.0.5:5050",
		"mesos-master":          "http://mesos-master:5050",
		" http://h:1/":          "http://h:1",
		"https://m.example":     "https://m.example:443", // an explicit URL means what it means on the web
	} {
		u, err := httpapi.ParseMaster(in)
		if err != nil || u.String() != want {
			t.Errorf("ParseMaster(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://h:1", "http://", "http://h:1/api", "http://u:p@h:1", "zk://h:2181/mesos"} {
		if _, err := httpapi.ParseMaster(bad); err == nil {
			t.Errorf("ParseMaster(%q) accepted", bad)
		}
	}
}

func do(t *testing.T, master string) error {
	t.Helper()
	c, err := httpapi.New(httpapi.Config{Master: master, Retries: 1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.R(t.Context()).Get("/x")
	return httpapi.Check("TEST", resp, err)
}

// TestRedirectFollowsLeader: a 307 from a master that does not lead is
// followed with the call's body and credentials, even to another host
// (Go would drop them), and later calls go to the leader directly.
func TestRedirectFollowsLeader(t *testing.T) {
	t.Parallel()
	var leaderHits atomic.Int32
	lead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaderHits.Add(1)
		body, _ := io.ReadAll(r.Body)
		user, pass, ok := r.BasicAuth()
		if string(body) != `{"type":"KILL"}` || !ok || user != "p" || pass != "s" {
			http.Error(w, fmt.Sprintf("body %q auth %v %q", body, ok, user), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer lead.Close()
	// "localhost" is another host to Go than the leader's 127.0.0.1.
	follower := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "//"+strings.TrimPrefix(lead.URL, "http://")+r.URL.Path)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	defer follower.Close()
	master := strings.Replace(follower.URL, "127.0.0.1", "localhost", 1)
	var seen []httpapi.Exchange
	c, err := httpapi.New(httpapi.Config{Master: master, Principal: "p", Secret: "s", Observe: func(e httpapi.Exchange) { seen = append(seen, e) }})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		resp, err := c.R(t.Context()).SetBody([]byte(`{"type":"KILL"}`)).Post("/api/v1/scheduler")
		if err := httpapi.Check("KILL", resp, err, http.StatusAccepted); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := c.Leader(t.Context()); got != lead.URL || leaderHits.Load() != 2 {
		t.Errorf("leader %s after the redirect, %d calls reached it; want %s and 2", got, leaderHits.Load(), lead.URL)
	}
	if len(seen) != 2 || seen[0].StatusCode != http.StatusAccepted || string(seen[0].RequestBody) != `{"type":"KILL"}` || seen[0].URL != lead.URL+"/api/v1/scheduler" {
		t.Errorf("observer saw %+v", seen)
	}
}

// TestUnavailableRetried: 503 (no leader elected yet) is retried with
// backoff; a fixed master that refuses connections is not, so a cell
// learns at once that no master runs.
func TestUnavailableRetried(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) < 3 {
			http.Error(w, "No leader elected", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	if err := do(t, srv.URL); err == nil {
		t.Fatal("503 twice with Retries 1: no error")
	}
	c, _ := httpapi.New(httpapi.Config{Master: srv.URL, Retries: 3})
	hits.Store(0)
	resp, err := c.R(t.Context()).Get("/health")
	if err := httpapi.Check("GET /health", resp, err); err != nil || hits.Load() != 3 {
		t.Fatalf("after two 503s: %v (%d requests)", err, hits.Load())
	}

	srv.Close() // nothing listens there now
	began := time.Now()
	err = do(t, srv.URL)
	if err == nil || !strings.Contains(err.Error(), "connection refused") || time.Since(began) > time.Second {
		t.Fatalf("no master: %v after %v, want connection refused at once", err, time.Since(began))
	}
}

func TestRedirectLoopAndBadLocation(t *testing.T) {
	t.Parallel()
	var loop *httptest.Server
	loop = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "//"+strings.TrimPrefix(loop.URL, "http://")+r.URL.Path)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	defer loop.Close()
	if err := do(t, loop.URL); !errors.Is(err, httpapi.ErrTooManyRedirects) {
		t.Fatalf("redirect loop: %v", err)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTemporaryRedirect) // no Location
	}))
	defer bad.Close()
	var pe *httpapi.ProtocolError
	if err := do(t, bad.URL); !errors.As(err, &pe) {
		t.Fatalf("307 without Location: %v", err)
	}
}

func TestStreamContentTypeChecked(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write([]byte("3\nabc"))
	}))
	defer srv.Close()
	c, _ := httpapi.New(httpapi.Config{Master: srv.URL})
	resp, err := c.Stream(t.Context()).SetBody([]byte("{}")).Post("/")
	if err := httpapi.Check("SUBSCRIBE", resp, err); err != nil {
		t.Fatal(err)
	}
	var pe *httpapi.ProtocolError
	if _, err := httpapi.NewStream("SUBSCRIBE", "h", resp.RawResponse); !errors.As(err, &pe) {
		t.Fatalf("protobuf stream accepted: %v", err)
	}
}

// TestZooKeeperMaster: a zk:// master is looked up in a real ZooKeeper,
// and looked up again after the leader it named stops answering.
func TestZooKeeperMaster(t *testing.T) {
	t.Parallel()
	zk := zktest.Start(t)
	var hitsA, hitsB atomic.Int32
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hitsA.Add(1) }))
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hitsB.Add(1) }))
	defer b.Close()
	url := zk.URL("/mesos")
	zm, _ := leader.Parse(url)
	register := func(srv *httptest.Server, id string) *leader.Membership {
		host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
		info := mesos.MasterInfo{ID: id, Hostname: host, Address: &mesos.Address{IP: host, Port: int32(must(strconv.Atoi(port)))}}
		m, err := leader.Register(t.Context(), zm, info, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ma := register(a, "a")
	mb := register(b, "b")
	defer mb.Close()
	c, err := httpapi.New(httpapi.Config{Master: url, Retries: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	call := func() error {
		resp, err := c.R(context.Background()).Get("/")
		return httpapi.Check("TEST", resp, err)
	}
	if err := call(); err != nil || hitsA.Load() != 1 {
		t.Fatalf("first call: %v, leader hits %d", err, hitsA.Load())
	}
	ma.Close()
	a.Close()
	if err := call(); err != nil || hitsB.Load() != 1 {
		t.Fatalf("after the leader left: %v, new leader hits %d", err, hitsB.Load())
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestStream503KeepsMessage: a SUBSCRIBE refused with 503 until the
// retries run out still says why, as a call does.
func TestStream503KeepsMessage(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Master has not finished recovery", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c, _ := httpapi.New(httpapi.Config{Master: srv.URL, Retries: 1})
	resp, err := c.Stream(t.Context()).SetBody([]byte("{}")).Post("/api/v1/scheduler")
	err = httpapi.Check("SUBSCRIBE", resp, err, http.StatusOK)
	if err == nil || !strings.Contains(err.Error(), "Master has not finished recovery") {
		t.Fatalf("SUBSCRIBE after the last 503: %v", err)
	}
}

// TestZooKeeperStaleLeader: a real leader that dies leaves its ZooKeeper
// node for the session timeout (10 s), and no other master is named
// before then. A request meanwhile waits for the next leader rather than
// failing with "connection refused".
func TestZooKeeperStaleLeader(t *testing.T) {
	t.Parallel()
	zk := zktest.Start(t)
	url := zk.URL("/mesos")
	zm, _ := leader.Parse(url)
	register := func(srv *httptest.Server, id string) (*leader.Membership, error) {
		host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
		info := mesos.MasterInfo{ID: id, Hostname: host, Address: &mesos.Address{IP: host, Port: int32(must(strconv.Atoi(port)))}}
		return leader.Register(t.Context(), zm, info, nil)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	stale, err := register(dead, "a")
	if err != nil {
		t.Fatal(err)
	}
	dead.Close() // its node stays, as a crashed master's does until its session expires
	next := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer next.Close()
	elected := make(chan *leader.Membership, 1)
	go func() {
		time.Sleep(9 * time.Second)
		stale.Close()
		m, err := register(next, "b")
		if err != nil {
			t.Error(err)
		}
		elected <- m
	}()
	defer func() {
		if m := <-elected; m != nil {
			m.Close()
		}
	}()
	c, err := httpapi.New(httpapi.Config{Master: url})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.R(t.Context()).Get("/health")
	if err := httpapi.Check("GET /health", resp, err); err != nil {
		t.Fatalf("while the dead leader's node stayed 9 s: %v", err)
	}
}
