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

// Error is a non-2xx answer from the master or an agent, with Mesos' own
// message in Body. Use errors.As to get it.
type Error = httpapi.Error

// Path is the operator API endpoint, on masters and agents alike.
const Path = "/api/v1"

// Client is a client for a Mesos master's operator API: one method per
// call of master.proto, named after it (GET_FLAGS is Flags, DRAIN_AGENT is
// DrainAgent), and the legacy GET endpoints apart, in Legacy. Methods are
// safe for concurrent use.
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

// Call sends any operator call and decodes its answer, for calls and
// fields the typed methods leave out. An answer with no body (the calls
// that change something answer 200 or 202 without one) decodes as an
// empty Response.
func (c *Client) Call(ctx context.Context, call mesos.OperatorCall) (*mesos.OperatorResponse, error) {
	var resp mesos.OperatorResponse
	if err := post(ctx, c.http, string(call.Type), call, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// Close releases the client's idle connections and, for a zk:// master, its
// ZooKeeper session.
func (c *Client) Close() error { return c.http.Close() }

// post sends one call: POST /api/v1 with the call as JSON, Content-Type
// and Accept application/json, any 2xx accepted; it decodes the JSON
// answer into out when there is one (the calls that change something
// answer 200 or 202 with no body).
func post(ctx context.Context, h *httpapi.Client, typ string, call, out any) error {
	body, err := json.Marshal(call)
	if err != nil {
		return fmt.Errorf("%s: encode call: %w", typ, err)
	}
	resp, err := h.R(ctx).
		SetHeader("Content-Type", "application/json").
		SetHeader("Accept", "application/json").
		SetBody(body).
		Post(Path)
	if err := httpapi.Check(typ, resp, err); err != nil {
		return err
	}
	raw := resp.Body()
	if len(raw) == 0 || out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode answer %.200q: %w", typ, raw, err)
	}
	return nil
}

// get sends a call whose answer carries the part named after it, and
// returns that part.
func get[T any](ctx context.Context, c *Client, call mesos.OperatorCall, part func(*mesos.OperatorResponse) *T) (*T, error) {
	resp, err := c.Call(ctx, call)
	if err != nil {
		return nil, err
	}
	p := part(resp)
	if p == nil {
		return nil, fmt.Errorf("%s: answer of type %q has no %s part", call.Type, resp.Type, strings.ToLower(string(call.Type)))
	}
	return p, nil
}

// exec sends a call that answers with no body.
func (c *Client) exec(ctx context.Context, call mesos.OperatorCall) error {
	_, err := c.Call(ctx, call)
	return err
}
