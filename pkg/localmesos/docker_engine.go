package localmesos

// The Docker Engine HTTP API client the docker runner uses: plain
// net/http on the engine's socket, errors in the engine's own words.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultDockerHost is the Docker engine's socket when DOCKER_HOST is not
// set.
const DefaultDockerHost = "unix:///var/run/docker.sock"

// dockerInspect is the part of GET /containers/{id}/json localmesos reads.
type dockerInspect struct {
	HostConfig struct {
		NetworkMode string
	}
	NetworkSettings struct {
		IPAddress string
		Networks  map[string]struct {
			IPAddress         string
			GlobalIPv6Address string
		}
	}
}

// dockerEngine is a client of the Docker Engine HTTP API: plain net/http
// over the engine's unix socket (or a loopback TCP port). Paths carry no
// API version, so the engine answers in its own current one: the few
// fields read here have not changed in years, while a pinned version would
// be refused by engines that have dropped it.
type dockerEngine struct {
	host   string // as given, for messages
	base   string // URL prefix of every request
	client *http.Client
}

// newDockerEngine makes a client for host (unix:///path or
// tcp://127.0.0.1:port); empty means $DOCKER_HOST, then DefaultDockerHost.
// Only loopback TCP addresses are accepted, and no TLS.
func newDockerEngine(host string) (*dockerEngine, error) {
	if host == "" {
		host = os.Getenv("DOCKER_HOST")
	}
	if host == "" {
		host = DefaultDockerHost
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("Docker host %q: %w", host, err)
	}
	tr := &http.Transport{
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     30 * time.Second,
		// Proxy stays nil: HTTP_PROXY must never see engine traffic.
	}
	e := &dockerEngine{host: host, client: &http.Client{Transport: tr}}
	switch u.Scheme {
	case "unix":
		path := u.Host + u.Path
		if path == "" {
			return nil, fmt.Errorf("Docker host %q: no socket path", host)
		}
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
		e.base = "http://docker"
	case "tcp", "http":
		if os.Getenv("DOCKER_TLS_VERIFY") != "" {
			return nil, fmt.Errorf("Docker host %q: DOCKER_TLS_VERIFY is set, and localmesos speaks to the engine without TLS; use its unix socket", host)
		}
		h := u.Hostname()
		ip := net.ParseIP(h)
		if h != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("Docker host %q: localmesos only talks to an engine on a unix socket or a loopback address", host)
		}
		if u.Port() == "" {
			return nil, fmt.Errorf("Docker host %q: no port", host)
		}
		e.base = "http://" + u.Host
	default:
		return nil, fmt.Errorf("Docker host %q: only unix:// and tcp:// (loopback) engines are supported", host)
	}
	return e, nil
}

// dockerError is an error answer of the engine, in its own words.
type dockerError struct {
	Status  int
	Message string
}

// Error reads as the docker CLI prints it, which is also what Mesos quotes
// from the CLI's stderr.
func (e *dockerError) Error() string { return "Error response from daemon: " + e.Message }

// send makes one request and returns the response of a successful one
// (status below 400); the caller closes its body.
func (e *dockerEngine) send(ctx context.Context, method, path string, q url.Values, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	target := e.base + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the Docker engine at %s: %w", e.host, err)
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var m struct{ Message string }
		if json.Unmarshal(b, &m) != nil || m.Message == "" {
			m.Message = strings.TrimSpace(string(b))
		}
		return nil, &dockerError{Status: resp.StatusCode, Message: m.Message}
	}
	return resp, nil
}

// do makes one request and decodes its JSON answer into out, if not nil.
func (e *dockerEngine) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	resp, err := e.send(ctx, method, path, q, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("reading the Docker engine's answer to %s %s: %w", method, path, err)
	}
	return nil
}

// ping tells whether the engine answers GET /_ping with OK.
func (e *dockerEngine) ping(ctx context.Context) error {
	resp, err := e.send(ctx, http.MethodGet, "/_ping", nil, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	if strings.TrimSpace(string(b)) != "OK" {
		return fmt.Errorf("the Docker engine at %s answered %q to a ping", e.host, b)
	}
	return nil
}

// inspect reads a container's state and network settings, and gives the
// engine's answer as it came too (what docker inspect prints of it).
func (e *dockerEngine) inspect(ctx context.Context, id string) (*dockerInspect, json.RawMessage, error) {
	var raw json.RawMessage
	if err := e.do(ctx, http.MethodGet, "/containers/"+id+"/json", nil, nil, &raw); err != nil {
		return nil, nil, err
	}
	var ins dockerInspect
	if err := json.Unmarshal(raw, &ins); err != nil {
		return nil, nil, fmt.Errorf("reading the Docker engine's inspection of container %s: %w", id, err)
	}
	return &ins, raw, nil
}

// ensureImage makes sure the engine has the image, pulling it when it is
// missing or when force is set, as Docker::pull does. A failed pull says
// what to do about it: localmesos is often used where no registry answers.
func (e *dockerEngine) ensureImage(ctx context.Context, ref string, force bool) error {
	if !force {
		ictx, cancel := context.WithTimeout(ctx, dockerRequestTimeout)
		err := e.do(ictx, http.MethodGet, "/images/"+ref+"/json", nil, nil, nil)
		cancel()
		var de *dockerError
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &de) || de.Status != http.StatusNotFound:
			return fmt.Errorf("Failed to inspect image '%s': %w", ref, err)
		}
	}
	if err := e.pull(ctx, ref); err != nil {
		advice := "the image is not in the local Docker engine and no registry could provide it: build it (docker build -t " + ref + " ...) or load it (docker load) on this machine, then launch the task again"
		if force {
			advice = "force_pull_image is set, so the image is pulled even when the engine has it, and no registry could provide it: unset force_pull_image to use a locally built or loaded image"
		}
		return fmt.Errorf("Failed to pull image '%s': %w (%s)", ref, err, advice)
	}
	return nil
}

// pull asks the engine to pull an image and waits until it is done. The
// engine reports a failure either as an error answer or, once the pull has
// begun, as an "error" object in its progress stream.
func (e *dockerEngine) pull(ctx context.Context, ref string) error {
	ctx, cancel := context.WithTimeout(ctx, dockerPullTimeout)
	defer cancel()
	resp, err := e.send(ctx, http.MethodPost, "/images/create", url.Values{"fromImage": {ref}}, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the pull's progress: %w", err)
		}
		if msg.Error != "" {
			return &dockerError{Status: http.StatusOK, Message: msg.Error}
		}
	}
}
