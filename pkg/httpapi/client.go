package httpapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/mesosnb/mesosnb/pkg/leader"
)

// Client is how this project talks to one Mesos cluster: two resty clients
// (one for calls, one for streams, so that a call never shares the
// connection a stream holds, as the scheduler API requires) configured
// once, below, with the whole policy: where the leader is, what to do with
// a 307, which answers to retry.
type Client struct {
	cfg     Config
	retries int
	calls   *resty.Client
	streams *resty.Client
	master  *master
}

// New checks the configuration and returns a Client. It does no I/O: the
// first request finds the leader (in ZooKeeper, for a zk:// master).
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	m, err := newMaster(cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, master: m, retries: cfg.Retries}
	if m.finder != nil {
		// A leader that died leaves its ZooKeeper node for the session
		// timeout (10 s on a real master), and the next one is elected
		// only then: keep looking for about 20 s.
		c.retries = max(cfg.Retries, zkRetries)
	}
	if c.calls, err = c.newResty(); err != nil {
		return nil, err
	}
	c.calls.SetTimeout(cfg.Timeout)
	if c.streams, err = c.newResty(); err != nil {
		return nil, err
	}
	c.streams.SetDoNotParseResponse(true) // the caller reads the stream
	return c, nil
}

// newResty is the policy every request follows.
func (c *Client) newResty() (*resty.Client, error) {
	var r *resty.Client
	if c.cfg.HTTPClient != nil {
		hc := *c.cfg.HTTPClient
		r = resty.NewWithClient(&hc)
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ForceAttemptHTTP2 = false // libprocess speaks HTTP/1.1 only
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		r = resty.NewWithClient(&http.Client{Transport: tr})
		if err := trustCAFile(r, c.cfg.CAFile); err != nil {
			return nil, err
		}
	}
	if c.cfg.Principal != "" {
		r.SetBasicAuth(c.cfg.Principal, c.cfg.Secret)
	}
	return r.
		SetLogger(quietLogger{}).
		OnBeforeRequest(c.master.route).                 // a path goes to the master believed to lead
		SetRedirectPolicy(c.master.followLeader(c.cfg)). // a 307 names the leader: go there, remember it
		SetRetryCount(c.retries).                        // 503: no leader elected yet, or it is recovering;
		SetRetryWaitTime(250 * time.Millisecond).        // a zk:// leader that stopped answering is looked
		SetRetryMaxWaitTime(4 * time.Second).            // up again
		AddRetryCondition(c.master.retry).
		AddRetryHook(c.closeRetried).
		OnSuccess(func(_ *resty.Client, resp *resty.Response) { c.observe(resp, nil) }).
		OnError(func(req *resty.Request, err error) { c.observeError(req, err) }), nil
}

// R starts a call: bounded by Config.Timeout, its answer read whole.
func (c *Client) R(ctx context.Context) *resty.Request { return c.calls.R().SetContext(ctx) }

// Stream starts a request whose answer is a stream (SUBSCRIBE): not
// bounded in time, its body left open for the caller (resp.RawBody()).
func (c *Client) Stream(ctx context.Context) *resty.Request { return c.streams.R().SetContext(ctx) }

// Config returns the configuration in use, defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// Leader returns the base URL (scheme://host:port) of the master requests
// go to now, looking it up in ZooKeeper first if needed.
func (c *Client) Leader(ctx context.Context) (string, error) {
	u, err := c.master.leader(ctx)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Close closes idle connections and, for a zk:// master, the ZooKeeper
// session. Open streams are not affected.
func (c *Client) Close() error {
	c.calls.GetClient().CloseIdleConnections()
	c.streams.GetClient().CloseIdleConnections()
	return c.master.close()
}

// ParseMaster turns "http://host:port", "https://host:port" or "host:port"
// into a base URL, with leader.Parse's rules (one parser for the whole
// project): host:port alone means http and port 5050; an explicit URL
// without a port means 80 or 443, as anywhere on the web. ZooKeeper URLs
// are not accepted here.
func ParseMaster(m string) (*url.URL, error) {
	if strings.TrimSpace(m) == "" {
		return nil, errors.New("no master given: set MESOS_MASTER to http://host:5050, host:5050 or zk://host:2181/mesos")
	}
	lm, err := leader.Parse(m)
	if err != nil {
		return nil, err
	}
	if lm.IsZooKeeper() {
		return nil, fmt.Errorf("master %s: a zk:// address names a ZooKeeper group, not one master's HTTP address", lm)
	}
	return &url.URL{Scheme: lm.Scheme, Host: lm.Hosts[0]}, nil
}

// master remembers which master leads: the configured one, the one a 307
// named, or the one ZooKeeper names.
type master struct {
	finder *zkFinder // nil unless Master is a zk:// URL
	https  bool      // for ZooKeeper-found leaders: https when a CA file is set

	mu   sync.Mutex
	base *url.URL
}

func newMaster(cfg Config) (*master, error) {
	if strings.HasPrefix(strings.TrimSpace(cfg.Master), "zk://") {
		m, err := leader.Parse(cfg.Master)
		if err != nil {
			return nil, err
		}
		return &master{finder: &zkFinder{master: m}, https: cfg.CAFile != ""}, nil
	}
	base, err := ParseMaster(cfg.Master)
	if err != nil {
		return nil, err
	}
	return &master{base: base}, nil
}

func (m *master) leader(ctx context.Context) (*url.URL, error) {
	m.mu.Lock()
	base := m.base
	m.mu.Unlock()
	if base != nil {
		return base, nil
	}
	hostport, err := m.finder.Leader(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the leading master in %s: %w", m.finder.master, err)
	}
	base = &url.URL{Scheme: "http", Host: hostport}
	if m.https {
		base.Scheme = "https"
	}
	m.set(base)
	return base, nil
}

func (m *master) set(u *url.URL) {
	m.mu.Lock()
	m.base = u
	m.mu.Unlock()
}

// route is a resty request middleware: a request for a path ("/api/v1/scheduler")
// goes to the master believed to lead. It runs again on every retry.
func (m *master) route(_ *resty.Client, r *resty.Request) error {
	if !strings.HasPrefix(r.URL, "/") {
		return nil // an absolute URL: an agent, say
	}
	base, err := m.leader(r.Context())
	if err != nil {
		return err
	}
	r.URL = base.String() + r.URL
	return nil
}

// zkRetries is how often a request to a zk:// master is tried again: the
// backoff (250 ms doubling, 4 s at most) then spans about 20 s.
const zkRetries = 8

// maxRedirects bounds how often masters may pass a request on.
const maxRedirects = 5

// followLeader is the redirect policy. A master that does not lead answers
// 307 with Location //leader:port/path (Go resolves the missing scheme);
// the request goes there with its body, and later ones go there directly.
// Go drops credentials on a redirect to another host; masters of one
// cluster share them, so they are set again.
func (m *master) followLeader(cfg Config) resty.RedirectPolicy {
	return resty.RedirectPolicyFunc(func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return ErrTooManyRedirects
		}
		m.set(&url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host})
		if cfg.Principal != "" {
			req.SetBasicAuth(cfg.Principal, cfg.Secret)
		}
		return nil
	})
}

// retry is the retry condition: 503 (no leader yet, or recovering), and,
// for a leader found in ZooKeeper, a connection that failed (it has
// probably just lost leadership: forget it, so the next try looks again).
// Any other failure of a fixed master is the caller's at once.
func (m *master) retry(resp *resty.Response, err error) bool {
	if err != nil {
		if m.finder == nil || errors.Is(err, ErrTooManyRedirects) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		m.set(nil)
		return true
	}
	return resp != nil && resp.StatusCode() == http.StatusServiceUnavailable
}

func (m *master) close() error {
	if m.finder == nil {
		return nil
	}
	return m.finder.Close()
}

// closeRetried closes the body of a stream answer that is about to be
// retried (a 503), which resty leaves open for streams. resty runs the
// hook after the last attempt too: that answer is the caller's, whose
// Check reads Mesos' message from it ("Master has not finished recovery").
func (c *Client) closeRetried(resp *resty.Response, _ error) {
	if resp != nil && resp.RawResponse != nil && resp.Request.Attempt <= c.retries {
		resp.RawBody().Close()
	}
}

// trustCAFile adds a PEM file of CAs to the system's for https masters.
// resty's own SetRootCertificate only logs a bad file; this says so.
func trustCAFile(r *resty.Client, file string) error {
	if file == "" {
		return nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read CA file (MESOS_CA_FILE): %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return fmt.Errorf("CA file %s holds no PEM certificate", file)
	}
	tr, err := r.Transport()
	if err != nil {
		return err
	}
	if pool, err := x509.SystemCertPool(); err == nil {
		tr.TLSClientConfig.RootCAs = pool // resty would start from an empty pool
	}
	r.SetRootCertificateFromString(string(pem))
	return nil
}

// quietLogger keeps resty from writing to stderr, which notebooks paint
// red; every failure already reaches the caller as an error.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
