package executor

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Path is the executor API endpoint on the agent.
const Path = "/api/v1/executor"

// Error is a non-2xx answer from the agent, with its status and Mesos'
// message ("Failed to validate Executor::Call: ..."). Use errors.As.
type Error = httpapi.Error

// Client speaks for one executor to its agent. It keeps every status
// update it sent until the agent acknowledges it, and every task it was
// given until one of the task's updates is acknowledged: after a
// disconnection both go back to the agent with the next SUBSCRIBE, as
// Mesos' executor protocol requires. Methods are safe for concurrent use.
type Client struct {
	cfg  Config
	http *httpapi.Client

	mu      sync.Mutex
	updates []mesos.TaskStatus // sent, not yet acknowledged, in order
	tasks   []mesos.TaskInfo   // received, none of their updates acknowledged yet
}

// New checks the configuration and returns a Client. It does no I/O.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	endpoint := cfg.AgentEndpoint
	if !strings.Contains(endpoint, "://") {
		endpoint = "http://" + endpoint
	}
	// The agent's endpoint takes a master's place: a 503 (the agent is
	// still recovering) is retried as a master's.
	h, err := httpapi.New(httpapi.Config{
		Master: endpoint, HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout, Observe: cfg.Observe,
	})
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, http: h}, nil
}

// Config is the configuration in use, defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// Update sends a status update of one of the executor's tasks and keeps it
// until the agent acknowledges it (an ACKNOWLEDGED event). It fills in
// what the agent requires: a fresh uuid unless one is set, source
// SOURCE_EXECUTOR, the executor id and a timestamp. It returns the status
// as sent.
//
// When the agent cannot be reached (it is restarting), the update is kept
// and goes back with the next SUBSCRIBE: the error says so. An update the
// agent refuses (400) is dropped: it would be refused again.
func (c *Client) Update(ctx context.Context, status mesos.TaskStatus) (mesos.TaskStatus, error) {
	if len(status.UUID) == 0 {
		status.UUID = newUUID()
	}
	status.Source = mesos.SourceExecutor
	id := c.cfg.ExecutorID
	status.ExecutorID = &id
	if status.Timestamp == 0 {
		status.Timestamp = float64(time.Now().UnixNano()) / 1e9
	}
	c.mu.Lock()
	c.updates = append(c.updates, status)
	c.mu.Unlock()

	err := c.call(ctx, mesos.ExecutorCall{Type: mesos.ExecutorCallUpdate, Update: &mesos.ExecutorUpdate{Status: status}})
	var refused *Error
	switch {
	case errors.As(err, &refused) && refused.StatusCode/100 == 4:
		c.forgetUpdate(status.UUID)
		return status, err
	case err != nil:
		return status, fmt.Errorf("%w (the update is kept and re-sent with the next SUBSCRIBE)", err)
	}
	return status, nil
}

// Message sends opaque data to the framework, which gets it as a MESSAGE
// event. Delivery is best effort: nothing is kept or retried.
func (c *Client) Message(ctx context.Context, data []byte) error {
	return c.call(ctx, mesos.ExecutorCall{Type: mesos.ExecutorCallMessage, Message: &mesos.ExecutorData{Data: data}})
}

// Unacknowledged returns the updates the agent has not acknowledged yet
// and the tasks none of whose updates it has: what the next SUBSCRIBE
// re-sends.
func (c *Client) Unacknowledged() ([]mesos.TaskStatus, []mesos.TaskInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]mesos.TaskStatus(nil), c.updates...), append([]mesos.TaskInfo(nil), c.tasks...)
}

// call posts a call but SUBSCRIBE on a connection of its own; the agent
// answers 202 Accepted.
func (c *Client) call(ctx context.Context, call mesos.ExecutorCall) error {
	call.ExecutorID, call.FrameworkID = c.cfg.ExecutorID, c.cfg.FrameworkID
	body, err := json.Marshal(call)
	if err != nil {
		return fmt.Errorf("%s: encode call: %w", call.Type, err)
	}
	resp, err := c.http.R(ctx).
		SetHeader("Content-Type", "application/json").
		SetHeader("Accept", "application/json").
		SetBody(body).
		Post(Path)
	return httpapi.Check(string(call.Type), resp, err, http.StatusAccepted)
}

// received does the bookkeeping an event asks for: tasks given are kept
// until acknowledged, and an acknowledgement releases its update and
// task.
func (c *Client) received(ev mesos.ExecutorEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case ev.Type == mesos.ExecutorEventLaunch && ev.Launch != nil:
		c.tasks = append(c.tasks, ev.Launch.Task)
	case ev.Type == mesos.ExecutorEventLaunchGroup && ev.LaunchGroup != nil:
		c.tasks = append(c.tasks, ev.LaunchGroup.TaskGroup.Tasks...)
	case ev.Type == mesos.ExecutorEventAcknowledged && ev.Acknowledged != nil:
		c.updates = dropUpdate(c.updates, ev.Acknowledged.UUID)
		kept := c.tasks[:0]
		for _, t := range c.tasks {
			if t.TaskID != ev.Acknowledged.TaskID {
				kept = append(kept, t)
			}
		}
		c.tasks = kept
	}
}

func (c *Client) forgetUpdate(uuid []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.updates = dropUpdate(c.updates, uuid)
}

func dropUpdate(updates []mesos.TaskStatus, uuid []byte) []mesos.TaskStatus {
	kept := updates[:0]
	for _, u := range updates {
		if string(u.UUID) != string(uuid) {
			kept = append(kept, u)
		}
	}
	return kept
}

// newUUID is a random (version 4) UUID's 16 bytes: the agent refuses
// uuids without a valid version.
func newUUID() []byte {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return b
}

// Close releases idle connections. An open Subscription stays open until
// closed itself.
func (c *Client) Close() error { return c.http.Close() }
