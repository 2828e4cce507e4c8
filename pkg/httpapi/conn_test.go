package httpapi_test

import (
	"context"
	"errors"
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
		" http://h:1/ignored":   "http://h:1",
	} {
		u, err := httpapi.ParseMaster(in)
		if err != nil || u.String() != want {
			t.Errorf("ParseMaster(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://h:1", "http://"} {
		if _, err := httpapi.ParseMaster(bad); err == nil {
			t.Errorf("ParseMaster(%q) accepted", bad)
		}
	}
}

func do(t *testing.T, master string) error {
	t.Helper()
	conn, err := httpapi.NewConn(httpapi.Config{Master: master, Retries: 1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = conn.Do(t.Context(), httpapi.Request{Call: "TEST", Method: "GET", Path: "/x"})
	return err
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
	conn, _ := httpapi.NewConn(httpapi.Config{Master: srv.URL})
	resp, err := conn.Open(t.Context(), httpapi.Request{Call: "SUBSCRIBE", Method: "POST", Path: "/", Body: []byte("{}")})
	if err != nil {
		t.Fatal(err)
	}
	var pe *httpapi.ProtocolError
	if _, err := httpapi.NewStream("SUBSCRIBE", "h", resp); !errors.As(err, &pe) {
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
	conn, err := httpapi.NewConn(httpapi.Config{Master: url, Retries: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	call := func() error {
		_, _, err := conn.Do(context.Background(), httpapi.Request{Call: "TEST", Method: "GET", Path: "/"})
		return err
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
