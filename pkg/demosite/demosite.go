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

// What one copy of the site takes.
const (
	CPUs = 0.2
	Mem  = 64 // MB
)

// Task is the TaskInfo that runs image on the offer's agent: 0.2 cpus,
// 64 MB, and the offer's first free port mapped to the container's port
// 80 (BRIDGE networking), so that the page is reachable at the agent's
// address on that port. shell false runs the image's own entrypoint.
//
// An offer with no ports (an agent started without any) gives a task
// that maps none: it runs, and serves nothing reachable.
func Task(offer mesos.Offer, image string) mesos.TaskInfo {
	if ports := offer.Resources.Ports().Range; len(ports) > 0 {
		return task(offer, image, ports[0].Begin)
	}
	return task(offer, image, 0)
}

// Tasks is up to n copies of Task that fit in the offer together, each
// with a port of its own: what a framework that is n copies short can
// launch on it. None when n is 0 or the offer is too small for one.
func Tasks(offer mesos.Offer, image string, n int) []mesos.TaskInfo {
	var tasks []mesos.TaskInfo
	// A little slack: 0.6 cpus minus two copies' 0.2 is 0.19999999999999998.
	cpus, mem := offer.Resources.CPUs()+1e-9, offer.Resources.Mem()
	for _, r := range offer.Resources.Ports().Range {
		for port := r.Begin; port <= r.End && len(tasks) < n && cpus >= CPUs && mem >= Mem; port++ {
			tasks = append(tasks, task(offer, image, port))
			cpus, mem = cpus-CPUs, mem-Mem
		}
	}
	return tasks
}

// task is the demo site's TaskInfo with the host port mapped to the
// container's 80 (none for port 0).
func task(offer mesos.Offer, image string, port uint64) mesos.TaskInfo {
	t := mesos.TaskInfo{
		Name:      "demo-site",
		TaskID:    session.TaskID("web"),
		AgentID:   offer.AgentID,
		Resources: mesos.TaskResources(CPUs, Mem),
		Command:   &mesos.CommandInfo{Shell: new(false)},
		Container: &mesos.ContainerInfo{Type: mesos.ContainerDocker, Docker: &mesos.DockerInfo{Image: image, Network: mesos.NetworkBridge}},
	}
	if port > 0 {
		t.Resources = mesos.TaskResources(CPUs, Mem, port)
		t.Container.Docker.PortMappings = []mesos.PortMapping{{HostPort: uint32(port), ContainerPort: 80, Protocol: "tcp"}}
	}
	return t
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
		return Page{}, fmt.Errorf("task %s maps no port (not the demo site, or its offer had no ports): it serves nothing to fetch; run the ACCEPT cell to launch another", t.ID.Value)
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
