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

// Legacy is the master's and agents' plain GET endpoints, which predate
// the v1 API: the 2016 notebook used them, and they are still the quickest
// look at a cluster. Get it with Client.Legacy.
type Legacy struct {
	c *Client
}

// Legacy groups the plain GET endpoints: State is GET /state, Health GET
// /health, and so on.
func (c *Client) Legacy() Legacy { return Legacy{c} }

func getJSON(ctx context.Context, h *httpapi.Client, path string, out any) error {
	resp, err := h.R(ctx).Get(path)
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

// State is the leading master's GET /state.
func (l Legacy) State(ctx context.Context) (*mesos.MasterState, error) {
	var st mesos.MasterState
	if err := getJSON(ctx, l.c.http, "/state", &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Health is GET /health: nil when the master answers 200.
func (l Legacy) Health(ctx context.Context) error {
	return getJSON(ctx, l.c.http, "/health", nil)
}

// Version is GET /version.
func (l Legacy) Version(ctx context.Context) (*mesos.VersionInfo, error) {
	var v mesos.VersionInfo
	if err := getJSON(ctx, l.c.http, "/version", &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// MetricsSnapshot is GET /metrics/snapshot: every metric by name.
func (l Legacy) MetricsSnapshot(ctx context.Context) (map[string]float64, error) {
	m := map[string]float64{}
	if err := getJSON(ctx, l.c.http, "/metrics/snapshot", &m); err != nil {
		return nil, err
	}
	return m, nil
}

// AgentState is an agent's own GET /state. agent is the agent's base URL
// or host:port, as in an offer's url (scheme://hostname:port).
func (l Legacy) AgentState(ctx context.Context, agent string) (*mesos.SlaveState, error) {
	a, err := l.c.Agent(agent)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	var st mesos.SlaveState
	if err := getJSON(ctx, a.http, "/state", &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Redirect asks the configured master (leader or not) where the leader is,
// through GET /redirect, and returns its base URL. It does not follow the
// redirect, and it changes nothing in the client.
func (l Legacy) Redirect(ctx context.Context) (string, error) {
	c := l.c
	base, err := c.http.Leader(ctx)
	if err != nil {
		return "", err
	}
	hc := &http.Client{Transport: http.DefaultTransport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if cc := c.http.Config().HTTPClient; cc != nil {
		hc.Transport = cc.Transport
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/redirect", nil)
	if err != nil {
		return "", err
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
