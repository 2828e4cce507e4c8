package httpapi

import (
	"errors"

	"net/http"
	"os"
	"time"

	"github.com/go-resty/resty/v2"
)

// Config says which master to talk to and how. The zero value is not
// usable: start from DefaultConfig and change what you need.
type Config struct {
	// Master is where to find the leading master: "http://host:5050",
	// "https://host:5050", "host:5050", or a ZooKeeper URL such as
	// "zk://192.168.33.10:2181/mesos/vagrant". With a ZooKeeper URL the
	// leader is looked up there, and looked up again when it changes.
	Master string

	// Principal and Secret, when set, are sent as HTTP basic auth on every
	// request (masters run with --authenticate_http_frameworks need it).
	// The secret never appears in errors or logs.
	Principal string
	Secret    string

	// CAFile is a PEM file of certificate authorities to trust for https
	// masters, in addition to the system's.
	CAFile string

	// HTTPClient replaces the default HTTP client (CAFile is then not
	// applied: configure its transport instead). Its CheckRedirect is
	// ignored: redirects to the leader are followed by this package, which
	// also remembers the leader for later calls.
	HTTPClient *http.Client

	// Timeout bounds each call that is not a stream (default 30s).
	Timeout time.Duration

	// Retries is how many times a 503 (no leader elected yet, or the
	// leader still recovering) is retried with backoff (default 5; at
	// least 8, about 20 s, for a zk:// master, whose leader may be gone).
	Retries int

	// MissedHeartbeats is how many heartbeat intervals may pass without
	// any event before a stream is ended with ErrHeartbeatTimeout
	// (default 5, as the Mesos docs recommend).
	MissedHeartbeats int

	// Observe, when set, is told about every request and its answer. The
	// notebook session uses it to show each call; it sees no credentials.
	Observe func(Exchange)
}

// Environment variables DefaultConfig reads.
const (
	EnvMaster    = "MESOS_MASTER"
	EnvPrincipal = "MESOS_PRINCIPAL"
	EnvSecret    = "MESOS_SECRET"
	EnvCAFile    = "MESOS_CA_FILE"
)

// DefaultMaster is used when MESOS_MASTER is not set: the local stand-in's
// default address.
const DefaultMaster = "http://127.0.0.1:5050"

// DefaultConfig returns a Config from the environment: MESOS_MASTER (else
// http://127.0.0.1:5050), MESOS_PRINCIPAL, MESOS_SECRET and MESOS_CA_FILE.
func DefaultConfig() Config {
	c := Config{
		Master:    os.Getenv(EnvMaster),
		Principal: os.Getenv(EnvPrincipal),
		Secret:    os.Getenv(EnvSecret),
		CAFile:    os.Getenv(EnvCAFile),
	}
	if c.Master == "" {
		c.Master = DefaultMaster
	}
	return c
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Retries <= 0 {
		c.Retries = 5
	}
	if c.MissedHeartbeats <= 0 {
		c.MissedHeartbeats = 5
	}
	return c
}

// Exchange is one request and its answer, as Config.Observe sees it.
type Exchange struct {
	Method       string
	URL          string
	RequestBody  []byte
	StatusCode   int    // 0 when no answer came
	Status       string // "202 Accepted"
	ResponseBody []byte // empty for streams and for 202
	Err          error
	Duration     time.Duration
}

// observe tells Config.Observe about an answer (streams: the status only).
func (c *Client) observe(resp *resty.Response, err error) {
	if c.cfg.Observe == nil || resp == nil {
		return
	}
	req := resp.Request
	ex := Exchange{Method: req.Method, URL: req.URL, Err: err}
	ex.RequestBody, _ = req.Body.([]byte)
	if raw := resp.RawResponse; raw != nil {
		ex.StatusCode, ex.Status = raw.StatusCode, raw.Status
		ex.URL = raw.Request.URL.String() // after redirects
		ex.ResponseBody = resp.Body()
	}
	ex.Duration = resp.Time()
	if ex.Duration <= 0 {
		ex.Duration = time.Since(req.Time)
	}
	c.cfg.Observe(ex)
}

// observeError tells Config.Observe about a request that got no usable
// answer.
func (c *Client) observeError(req *resty.Request, err error) {
	if c.cfg.Observe == nil {
		return
	}
	var re *resty.ResponseError
	if errors.As(err, &re) {
		c.observe(re.Response, re.Err)
		return
	}
	ex := Exchange{Method: req.Method, URL: req.URL, Err: err, Duration: time.Since(req.Time)}
	ex.RequestBody, _ = req.Body.([]byte)
	c.cfg.Observe(ex)
}
