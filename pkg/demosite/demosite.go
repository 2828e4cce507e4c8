package demosite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// Images the task runs.
const (
	// EnvImage overrides the choice.
	EnvImage = "DEMO_IMAGE"
	// Nginx is what the 2016 notebook ran, for real clusters that can pull it.
	Nginx = "nginx:1.27-alpine"
	// Local is the project's own image (make images), for the stand-in,
	// which may have no registry to pull from.
	Local = "mesosnb/demo-site:dev"
)

// Image is $DEMO_IMAGE, else Local when the master is the localmesos
// stand-in (its GET /version says so), else Nginx.
func Image(ctx context.Context, cfg httpapi.Config) string {
	if img := os.Getenv(EnvImage); img != "" {
		return img
	}
	if cfg.Master == "" {
		cfg.Master = httpapi.DefaultConfig().Master
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cfg.Observe = nil
	h, err := httpapi.New(cfg)
	if err != nil {
		return Nginx
	}
	defer h.Close()
	var v mesos.VersionInfo
	resp, err := h.R(ctx).Get("/version")
	if httpapi.Check("GET /version", resp, err) == nil && json.Unmarshal(resp.Body(), &v) == nil && strings.Contains(v.BuildUser, "stand-in") {
		return Local
	}
	return Nginx
}

// Task is the TaskInfo that runs image on the offer's agent: 0.2 cpus,
// 64 MB, and the offer's first free port mapped to the container's port
// 80 (BRIDGE networking), so that the page is reachable at the agent's
// address on that port. shell false runs the image's own entrypoint.
func Task(offer mesos.Offer, image string) mesos.TaskInfo {
	port := offer.Resources.Ports().Range[0].Begin
	return mesos.TaskInfo{
		Name:      "demo-site",
		TaskID:    session.TaskID("web"),
		AgentID:   offer.AgentID,
		Resources: mesos.TaskResources(0.2, 64, port),
		Command:   &mesos.CommandInfo{Shell: new(false)},
		Container: &mesos.ContainerInfo{Type: mesos.ContainerDocker, Docker: &mesos.DockerInfo{
			Image:        image,
			Network:      mesos.NetworkBridge,
			PortMappings: []mesos.PortMapping{{HostPort: uint32(port), ContainerPort: 80, Protocol: "tcp"}},
		}},
	}
}

// Page is what a GET of the site answered.
type Page struct {
	URL    string
	Status string // "200 OK"
	Size   int
	Title  string
}

var titleRE = regexp.MustCompile(`<title>(.*?)</title>`)

// Fetch gets the page the session's latest task serves, on the agent's
// address at the host port its TaskInfo mapped. A task that is not
// running (yet, or any more) serves nothing: the error says so, and which
// cell to run.
func Fetch(ctx context.Context, s *session.Session) (Page, error) {
	t, err := s.LastTask()
	if err != nil {
		return Page{}, err
	}
	switch {
	case t.State == "" || t.Unconfirmed || t.State == mesos.TaskStaging || t.State == mesos.TaskStarting:
		if t, err = s.WaitTask(ctx, t.ID, mesos.TaskRunning); err != nil {
			return Page{}, fmt.Errorf("%w: it serves no page; run the ACCEPT cell to launch another", err)
		}
	case t.State != mesos.TaskRunning:
		return Page{}, fmt.Errorf("task %s is %s (%s): it serves no page; run the ACCEPT cell to launch another", t.ID.Value, t.State, session.Explain(t.Status))
	}
	if t.Launched == nil || t.Launched.Container == nil || t.Launched.Container.Docker == nil || len(t.Launched.Container.Docker.PortMappings) == 0 {
		return Page{}, fmt.Errorf("task %s maps no port: it is not the demo site; run the ACCEPT cell to launch it", t.ID.Value)
	}
	host, err := s.AgentHostname(t.AgentID)
	if err != nil {
		return Page{}, err
	}
	p := Page{URL: fmt.Sprintf("http://%s:%d/", host, t.Launched.Container.Docker.PortMappings[0].HostPort)}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return p, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return p, fmt.Errorf("GET %s: %w (the task is %s: is the agent's address reachable from here?)", p.URL, err, t.State)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	p.Status, p.Size = resp.Status, len(body)
	if m := titleRE.FindSubmatch(body); m != nil {
		p.Title = string(m[1])
	}
	return p, err
}
