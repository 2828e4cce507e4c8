package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
	conn *httpapi.Conn

	mu          sync.Mutex
	frameworkID *mesos.FrameworkID
	streamID    string
}

// New returns a Client for cfg. It does no I/O. A zk:// master is looked up
// in ZooKeeper on the first call, and again whenever the leader it named
// stops answering.
func New(cfg Config) (*Client, error) {
	conn, err := httpapi.NewConn(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn}, nil
}

// Conn is the connection the client sends on, for callers that need the
// leader's address.
func (c *Client) Conn() *httpapi.Conn { return c.conn }

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

// Call sends any call but SUBSCRIBE: it fills in framework_id and the
// Mesos-Stream-Id header, posts the call on a connection of its own, and
// returns the answer's body (empty for 202). Most code uses the typed
// methods (Accept, Kill...), which all go through Call.
func (c *Client) Call(ctx context.Context, call mesos.Call) ([]byte, error) {
	if call.Type == mesos.CallSubscribe {
		return nil, fmt.Errorf("SUBSCRIBE: use Subscribe, which keeps the stream open")
	}
	c.mu.Lock()
	fw, sid := c.frameworkID, c.streamID
	c.mu.Unlock()
	if fw == nil {
		return nil, fmt.Errorf("%s: not subscribed: call Subscribe (or Bind) first", call.Type)
	}
	call.FrameworkID = fw
	body, err := json.Marshal(call)
	if err != nil {
		return nil, fmt.Errorf("%s: encode call: %w", call.Type, err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("Mesos-Stream-Id", sid)
	_, resp, err := c.conn.Do(ctx, httpapi.Request{Call: string(call.Type), Method: http.MethodPost, Path: Path, Body: body, Header: h})
	return resp, err
}

func (c *Client) call(ctx context.Context, call mesos.Call) error {
	_, err := c.Call(ctx, call)
	return err
}

// Close releases the client's idle connections and, for a zk:// master, its
// ZooKeeper session. A Subscription stays open until closed itself.
func (c *Client) Close() error { return c.conn.Close() }
