package scheduler

import (
	"context"
	"sync"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Config says which master to use and how; see httpapi.Config.
type Config = httpapi.Config

// Error is a non-2xx answer from the master, with its status and Mesos'
// message. Use errors.As to get it.
type Error = httpapi.Error

// DefaultConfig reads MESOS_MASTER, MESOS_PRINCIPAL, MESOS_SECRET and
// MESOS_CA_FILE.
func DefaultConfig() Config { return httpapi.DefaultConfig() }

// Path is the scheduler API endpoint.
const Path = "/api/v1/scheduler"

// Client makes scheduler API calls for one framework. Subscribe binds it
// to the framework and stream it opens; Bind does the same for a stream
// held elsewhere (by the notebook session's listener). Methods are safe for
// concurrent use.
type Client struct {
	http *httpapi.Client

	mu          sync.Mutex
	frameworkID *mesos.FrameworkID
	streamID    string
}

// New returns a Client for cfg. It does no I/O. A zk:// master is looked up
// in ZooKeeper on the first call, and again whenever the leader it named
// stops answering.
func New(cfg Config) (*Client, error) {
	h, err := httpapi.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{http: h}, nil
}

// Leader is the base URL of the master calls go to now.
func (c *Client) Leader(ctx context.Context) (string, error) { return c.http.Leader(ctx) }

// Bind makes later calls speak for this framework on this stream, without
// subscribing: the stream is held by another process.
func (c *Client) Bind(frameworkID mesos.FrameworkID, streamID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frameworkID = &frameworkID
	c.streamID = streamID
}

// FrameworkID is the framework the client speaks for, or nil before
// Subscribe or Bind.
func (c *Client) FrameworkID() *mesos.FrameworkID {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frameworkID == nil {
		return nil
	}
	id := *c.frameworkID
	return &id
}

// StreamID is the Mesos-Stream-Id calls are sent with.
func (c *Client) StreamID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streamID
}

// Close releases the client's idle connections and, for a zk:// master, its
// ZooKeeper session. A Subscription stays open until closed itself.
func (c *Client) Close() error { return c.http.Close() }
