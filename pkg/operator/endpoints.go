package operator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The plain GET endpoints predate the v1 API; the 2016 notebook used them,
// and they are still the quickest look at a cluster.

func (c *Client) get(ctx context.Context, path string, out any) error {
	resp, err := c.http.R(ctx).Get(path)
	if err := httpapi.Check("GET "+path, resp, err); err != nil {
		return err
	}
	body := resp.Body()
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("GET %s: decode answer %.200q: %w", path, body, err)
	}
	return nil
}

// MasterState is the leading master's GET /state.
func (c *Client) MasterState(ctx context.Context) (*mesos.MasterState, error) {
	var st mesos.MasterState
	if err := c.get(ctx, "/state", &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// MasterHealth is GET /health: nil when the master answers 200.
func (c *Client) MasterHealth(ctx context.Context) error {
	return c.get(ctx, "/health", nil)
}

// MasterVersion is GET /version.
func (c *Client) MasterVersion(ctx context.Context) (*mesos.VersionInfo, error) {
	var v mesos.VersionInfo
	if err := c.get(ctx, "/version", &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// AgentState is an agent's own GET /state. agent is the agent's base URL
// or host:port, as in an offer's url (scheme://hostname:port).
func (c *Client) AgentState(ctx context.Context, agent string) (*mesos.SlaveState, error) {
	base, err := httpapi.ParseMaster(agent)
	if err != nil {
		return nil, fmt.Errorf("agent address: %w", err)
	}
	resp, err := c.http.R(ctx).Get(base.String() + "/state")
	if err := httpapi.Check("GET /state", resp, err); err != nil {
		return nil, err
	}
	body := resp.Body()
	var st mesos.SlaveState
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("GET %s/state: decode answer %.200q: %w", base, body, err)
	}
	return &st, nil
}

// Redirect asks the configured master (leader or not) where the leader is,
// through GET /redirect, and returns its base URL. It does not follow the
// redirect, and it changes nothing in the client.
func (c *Client) Redirect(ctx context.Context) (string, error) {
	base, err := c.http.Leader(ctx)
	if err != nil {
		return "", err
	}
	// A plain request: the client's redirect policy would follow the 307
	// this endpoint exists to show.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/redirect", nil)
	if err != nil {
		return "", err
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if cc := c.http.Config().HTTPClient; cc != nil {
		hc.Transport = cc.Transport
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET /redirect: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect {
		return "", &httpapi.Error{Call: "GET /redirect", URL: base + "/redirect", StatusCode: resp.StatusCode, Status: resp.Status}
	}
	loc, err := req.URL.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Host == "" {
		return "", &httpapi.ProtocolError{Call: "GET /redirect", URL: base, Msg: fmt.Sprintf("unusable Location %q", resp.Header.Get("Location"))}
	}
	return (&url.URL{Scheme: loc.Scheme, Host: loc.Host}).String(), nil
}
