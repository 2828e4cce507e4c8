package operator

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Config says which master to use and how; see httpapi.Config.
type Config = httpapi.Config

// Error is a non-2xx answer from the master. Use errors.As to get it.
type Error = httpapi.Error

// Path is the operator API endpoint.
const Path = "/api/v1"

// Client is a client for the master's operator API and its plain read
// endpoints. Methods are safe for concurrent use.
type Client struct {
	http *httpapi.Client
}

// New returns a Client for cfg. It does no I/O.
func New(cfg Config) (*Client, error) {
	h, err := httpapi.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{http: h}, nil
}

// Call sends an operator call, POST /api/v1 with the call as JSON, and
// decodes its answer (200 OK with a JSON body, empty for some calls).
func (c *Client) Call(ctx context.Context, call mesos.OperatorCall) (*mesos.OperatorResponse, error) {
	body, err := json.Marshal(call)
	if err != nil {
		return nil, fmt.Errorf("%s: encode call: %w", call.Type, err)
	}
	r, err := c.http.R(ctx).
		SetHeader("Content-Type", "application/json").
		SetHeader("Accept", "application/json").
		SetBody(body).
		Post(Path)
	if err := httpapi.Check(string(call.Type), r, err); err != nil {
		return nil, err
	}
	raw := r.Body()
	var resp mesos.OperatorResponse
	if len(raw) == 0 {
		return &resp, nil // TEARDOWN answers 200 with no body
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("%s: decode answer %.200q: %w", call.Type, raw, err)
	}
	return &resp, nil
}

// callFor sends a call whose answer must carry the part named after it.
func callFor[T any](ctx context.Context, c *Client, typ mesos.OperatorCallType, part func(*mesos.OperatorResponse) *T) (*T, error) {
	resp, err := c.Call(ctx, mesos.OperatorCall{Type: typ})
	if err != nil {
		return nil, err
	}
	p := part(resp)
	if p == nil {
		return nil, fmt.Errorf("%s: answer of type %q has no %s part", typ, resp.Type, strings.ToLower(string(typ)))
	}
	return p, nil
}

// Health asks whether the master is healthy. GET_HEALTH.
func (c *Client) Health(ctx context.Context) (bool, error) {
	r, err := callFor(ctx, c, mesos.GetHealth, func(r *mesos.OperatorResponse) *mesos.GetHealthResponse { return r.GetHealth })
	if err != nil {
		return false, err
	}
	return r.Healthy, nil
}

// Version returns the master's version. GET_VERSION.
func (c *Client) Version(ctx context.Context) (*mesos.VersionInfo, error) {
	r, err := callFor(ctx, c, mesos.GetVersion, func(r *mesos.OperatorResponse) *mesos.GetVersionResponse { return r.GetVersion })
	if err != nil {
		return nil, err
	}
	return &r.VersionInfo, nil
}

// Master describes the master answering. GET_MASTER.
func (c *Client) Master(ctx context.Context) (*mesos.GetMasterResponse, error) {
	return callFor(ctx, c, mesos.GetMaster, func(r *mesos.OperatorResponse) *mesos.GetMasterResponse { return r.GetMaster })
}

// State returns tasks, executors, frameworks and agents in one answer.
// GET_STATE.
func (c *Client) State(ctx context.Context) (*mesos.GetStateResponse, error) {
	return callFor(ctx, c, mesos.GetState, func(r *mesos.OperatorResponse) *mesos.GetStateResponse { return r.GetState })
}

// Agents lists the registered agents. GET_AGENTS.
func (c *Client) Agents(ctx context.Context) (*mesos.GetAgentsResponse, error) {
	return callFor(ctx, c, mesos.GetAgents, func(r *mesos.OperatorResponse) *mesos.GetAgentsResponse { return r.GetAgents })
}

// Frameworks lists the frameworks, current and completed. GET_FRAMEWORKS.
func (c *Client) Frameworks(ctx context.Context) (*mesos.GetFrameworksResponse, error) {
	return callFor(ctx, c, mesos.GetFrameworks, func(r *mesos.OperatorResponse) *mesos.GetFrameworksResponse { return r.GetFrameworks })
}

// Tasks lists the tasks, current, unreachable and completed. GET_TASKS.
func (c *Client) Tasks(ctx context.Context) (*mesos.GetTasksResponse, error) {
	return callFor(ctx, c, mesos.GetTasks, func(r *mesos.OperatorResponse) *mesos.GetTasksResponse { return r.GetTasks })
}

// Teardown removes a framework and kills its tasks, as an operator: it
// needs no stream id, so it can clean up a framework whose scheduler is
// gone. TEARDOWN.
func (c *Client) Teardown(ctx context.Context, id mesos.FrameworkID) error {
	_, err := c.Call(ctx, mesos.OperatorCall{Type: mesos.OperatorTeardown, Teardown: &mesos.TeardownFramework{FrameworkID: id}})
	return err
}

// Close releases the client's idle connections and, for a zk:// master, its
// ZooKeeper session.
func (c *Client) Close() error { return c.http.Close() }
