package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
)

func TestListenAddr(t *testing.T) {
	for _, tc := range []struct{ port, want string }{
		{"", ":80"},
		{"9000", ":9000"},
		{"127.0.0.1:9001", "127.0.0.1:9001"},
		{":9002", ":9002"},
	} {
		if got := listenAddr(tc.port); got != tc.want {
			t.Errorf("listenAddr(%q) = %q, want %q", tc.port, got, tc.want)
		}
	}
}

func TestHandler(t *testing.T) {
	var log bytes.Buffer
	srv := httptest.NewServer(newHandler(site(), &log))
	defer srv.Close()

	for _, tc := range []struct {
		method, path string
		status       int
		body         string // a substring the body must hold
		contentType  string // a prefix of the Content-Type
	}{
		{"GET", "/", 200, "<h1>Hello from a Mesos task</h1>", "text/html"},
		{"HEAD", "/", 200, "", "text/html"},
		{"GET", "/index.html", 301, "", ""}, // FileServer canonicalises to /
		{"GET", "/health", 200, "ok", "text/plain"},
		{"GET", "/missing", 404, "not found", ""},
		{"POST", "/", 405, "", ""},
	} {
		req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
		if !strings.Contains(string(body), tc.body) {
			t.Errorf("%s %s: body %q does not contain %q", tc.method, tc.path, body, tc.body)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
			t.Errorf("%s %s: Content-Type %q, want prefix %q", tc.method, tc.path, ct, tc.contentType)
		}
	}
	if !strings.Contains(log.String(), "demo-site: GET /health 200 from 127.0.0.1:") {
		t.Errorf("access log lacks the /health request:\n%s", log.String())
	}
}

func TestServeAnnouncesHealthchecksAndStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out testenv.Buffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, &out) }()

	if err := checkHealth(context.Background(), ln.Addr().String()); err != nil {
		t.Fatalf("checkHealth on a running server: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after its context ended, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop within 5s of its context ending")
	}
	for _, want := range []string{
		"demo-site: listening on " + ln.Addr().String(),
		"demo-site: serving / (index.html, ",
		"demo-site: health check at /health",
		"demo-site: stopping",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := checkHealth(context.Background(), ln.Addr().String()); err == nil {
		t.Error("checkHealth succeeded after the server stopped")
	}
}

func TestCheckHealthBadAddress(t *testing.T) {
	if err := checkHealth(context.Background(), "no-port"); err == nil {
		t.Error("checkHealth accepted an address with no port")
	}
}
