package httpapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/mesosnb/mesosnb/pkg/leader"
)

// Conn is a connection to a Mesos cluster's leading master. It sends each
// request to the master it believes leads, follows 307 redirects to the
// real leader and remembers it, and retries 503 with backoff. Streams and
// calls use separate HTTP clients, so a call never shares the connection
// that carries a stream (Mesos requires this for the scheduler API).
type Conn struct {
	cfg     Config
	calls   *resty.Client
	streams *resty.Client
	finder  *zkFinder // nil unless Master is a zk:// URL

	mu   sync.Mutex
	base *url.URL // scheme://host:port of the master believed to lead
}

// NewConn checks the configuration and returns a Conn. It does no I/O: the
// first request finds the leader (in ZooKeeper, for a zk:// master).
func NewConn(cfg Config) (*Conn, error) {
	cfg = cfg.withDefaults()
	c := &Conn{cfg: cfg}
	if strings.HasPrefix(strings.TrimSpace(cfg.Master), "zk://") {
		m, err := leader.Parse(cfg.Master)
		if err != nil {
			return nil, err
		}
		c.finder = &zkFinder{master: m}
	} else {
		base, err := ParseMaster(cfg.Master)
		if err != nil {
			return nil, err
		}
		c.base = base
	}

	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file (MESOS_CA_FILE): %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", cfg.CAFile)
		}
		tlsConf.RootCAs = pool
	}
	c.calls = c.newResty(tlsConf)
	c.streams = c.newResty(tlsConf)
	return c, nil
}

func (c *Conn) newResty(tlsConf *tls.Config) *resty.Client {
	var r *resty.Client
	if c.cfg.HTTPClient != nil {
		hc := *c.cfg.HTTPClient
		r = resty.NewWithClient(&hc)
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tlsConf.Clone()
		// libprocess speaks HTTP/1.1 only.
		tr.ForceAttemptHTTP2 = false
		r = resty.NewWithClient(&http.Client{Transport: tr})
	}
	return r.
		SetLogger(quietLogger{}).
		SetDisableWarn(true).
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}))
}

// ParseMaster turns "http://host:port", "https://host:port" or "host:port"
// into a base URL. ZooKeeper URLs are not accepted here.
func ParseMaster(master string) (*url.URL, error) {
	m := strings.TrimSpace(master)
	if m == "" {
		return nil, errors.New("no master given: set MESOS_MASTER to http://host:5050, host:5050 or zk://host:2181/mesos")
	}
	if !strings.Contains(m, "://") {
		m = "http://" + m
	}
	u, err := url.Parse(m)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("master %q: want http://host:port, https://host:port, host:port or zk://host:2181/path", master)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "5050")
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// Leader returns the base URL (scheme://host:port) of the master this Conn
// currently sends to, looking it up first if needed.
func (c *Conn) Leader(ctx context.Context) (string, error) {
	base, err := c.leader(ctx)
	if err != nil {
		return "", err
	}
	return base.String(), nil
}

// SetLeader points the Conn at a master, as a redirect would. The session
// uses it to send calls where its stream is.
func (c *Conn) SetLeader(baseURL string) error {
	u, err := ParseMaster(baseURL)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.base = u
	c.mu.Unlock()
	return nil
}

func (c *Conn) leader(ctx context.Context) (*url.URL, error) {
	c.mu.Lock()
	base := c.base
	c.mu.Unlock()
	if base != nil {
		return base, nil
	}
	hostport, err := c.finder.Leader(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the leading master in %s: %w", c.finder.master, err)
	}
	scheme := "http"
	if c.cfg.CAFile != "" {
		scheme = "https"
	}
	base = &url.URL{Scheme: scheme, Host: hostport}
	c.mu.Lock()
	c.base = base
	c.mu.Unlock()
	return base, nil
}

// forget drops the remembered leader after a connection failure, so that a
// ZooKeeper-discovered master is looked up again.
func (c *Conn) forget(base *url.URL) {
	if c.finder == nil {
		return
	}
	c.mu.Lock()
	if c.base == base {
		c.base = nil
	}
	c.mu.Unlock()
}

// Request is one HTTP request to the master.
type Request struct {
	Call   string // what is being done, for errors: "SUBSCRIBE", "GET /state"
	Method string // GET or POST
	Path   string // "/api/v1/scheduler"
	Body   []byte // sent as is; nil for GET
	Header http.Header
}

// Do sends a request and reads the whole answer. Any status outside 2xx is
// returned as *Error.
func (c *Conn) Do(ctx context.Context, req Request) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, body, err := c.send(ctx, req, false)
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// Open sends a request whose answer is a stream and returns the response
// with its body open; the caller must close it. It is not bounded by
// Config.Timeout: cancel ctx or close the body to end it.
func (c *Conn) Open(ctx context.Context, req Request) (*http.Response, error) {
	resp, _, err := c.send(ctx, req, true)
	return resp, err
}

// maxRedirects bounds how often masters may pass a request on.
const maxRedirects = 5

func (c *Conn) send(ctx context.Context, req Request, stream bool) (*http.Response, []byte, error) {
	redirects, unavailable, failures := 0, 0, 0
	for {
		base, err := c.leader(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", req.Call, err)
		}
		target := base.String() + req.Path
		resp, body, err := c.attempt(ctx, req, target, stream)
		if err != nil {
			// A ZooKeeper-discovered leader that refuses connections has
			// probably just lost leadership: look it up again, a few times.
			if c.finder != nil && ctx.Err() == nil && failures < c.cfg.Retries {
				failures++
				c.forget(base)
				if werr := wait(ctx, backoff(failures)); werr != nil {
					return nil, nil, fmt.Errorf("%s to %s: %w", req.Call, base.Host, err)
				}
				continue
			}
			return nil, nil, fmt.Errorf("%s to %s: %w", req.Call, base.Host, err)
		}
		switch {
		case resp.StatusCode == http.StatusTemporaryRedirect:
			drain(resp, body, stream)
			loc := resp.Header.Get("Location")
			next, err := base.Parse(loc) // resolves Mesos' protocol-relative //host:port/path
			if loc == "" || err != nil || next.Host == "" {
				return nil, nil, &ProtocolError{Call: req.Call, URL: target, Msg: fmt.Sprintf("307 with an unusable Location %q", loc)}
			}
			redirects++
			if redirects > maxRedirects {
				return nil, nil, fmt.Errorf("%s to %s: %w", req.Call, base.Host, ErrTooManyRedirects)
			}
			c.mu.Lock()
			c.base = &url.URL{Scheme: next.Scheme, Host: next.Host}
			c.mu.Unlock()
			continue
		case resp.StatusCode == http.StatusServiceUnavailable && unavailable < c.cfg.Retries:
			drain(resp, body, stream)
			unavailable++
			if err := wait(ctx, backoff(unavailable)); err != nil {
				return nil, nil, fmt.Errorf("%s to %s: still unavailable: %w", req.Call, base.Host, err)
			}
			continue
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			if stream {
				body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+1))
				resp.Body.Close()
			}
			return nil, nil, &Error{Call: req.Call, URL: target, StatusCode: resp.StatusCode, Status: resp.Status, Body: trimBody(body)}
		}
		return resp, body, nil
	}
}

func (c *Conn) attempt(ctx context.Context, req Request, target string, stream bool) (*http.Response, []byte, error) {
	client := c.calls
	if stream {
		client = c.streams
	}
	r := client.R().SetContext(ctx).SetDoNotParseResponse(stream)
	for k, vs := range req.Header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if c.cfg.Principal != "" {
		r.SetBasicAuth(c.cfg.Principal, c.cfg.Secret)
	}
	if req.Body != nil {
		r.SetBody(bytes.NewReader(req.Body))
		r.SetContentLength(true)
	}
	start := time.Now()
	resp, err := r.Execute(req.Method, target)
	ex := Exchange{Method: req.Method, URL: target, RequestBody: req.Body, Duration: time.Since(start)}
	if err != nil {
		ex.Err = err
		c.observe(ex)
		return nil, nil, err
	}
	raw := resp.RawResponse
	var body []byte
	if stream {
		raw.Body = resp.RawBody()
	} else {
		body = resp.Body()
		ex.ResponseBody = body
	}
	ex.StatusCode, ex.Status = raw.StatusCode, raw.Status
	c.observe(ex)
	return raw, body, nil
}

func (c *Conn) observe(ex Exchange) {
	if c.cfg.Observe != nil {
		c.cfg.Observe(ex)
	}
}

func drain(resp *http.Response, _ []byte, stream bool) {
	if stream {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}
}

// backoff is 250ms doubled per attempt, capped at 4s.
func backoff(attempt int) time.Duration {
	d := 250 * time.Millisecond << min(attempt-1, 4)
	return min(d, 4*time.Second)
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// quietLogger keeps resty from writing to stderr, which notebooks paint
// red; every failure already reaches the caller as an error.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// Config returns the configuration in use, defaults filled in.
func (c *Conn) Config() Config { return c.cfg }

// Close ends the ZooKeeper session of a zk:// master and closes idle
// connections. Open streams are not affected.
func (c *Conn) Close() error {
	c.calls.GetClient().CloseIdleConnections()
	c.streams.GetClient().CloseIdleConnections()
	if c.finder != nil {
		return c.finder.Close()
	}
	return nil
}
