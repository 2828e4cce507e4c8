package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// Helpers for the notebooks' story: naming tasks, finding what a cell
// launched earlier (values do not survive between GoNB cells, the session
// folder does), and checking the cluster before anything else.

// TaskID returns a new task id carrying the prefix and Identity, unique
// within the framework: web-alice@laptop-lq3k9x2.
func TaskID(prefix string) string {
	id := strings.NewReplacer("/", "_", "\\", "_", " ", "_").Replace(Identity())
	return fmt.Sprintf("%s-%s-%s", prefix, id, strconv.FormatInt(time.Now().UnixMilli(), 36))
}

// LaunchedTask returns the TaskInfo a cell launched with the given id,
// from the ACCEPT calls the session recorded.
func (s *Session) LaunchedTask(id string) (mesos.TaskInfo, bool, error) {
	calls, err := readCalls(filepath.Join(s.Dir, callsFile))
	if err != nil {
		return mesos.TaskInfo{}, false, err
	}
	for i := len(calls) - 1; i >= 0; i-- {
		var call mesos.Call
		if calls[i].Type != string(mesos.CallAccept) || json.Unmarshal(calls[i].Request, &call) != nil || call.Accept == nil {
			continue
		}
		for _, op := range call.Accept.Operations {
			if op.Launch == nil {
				continue
			}
			for _, t := range op.Launch.TaskInfos {
				if t.TaskID.Value == id {
					return t, true, nil
				}
			}
		}
	}
	return mesos.TaskInfo{}, false, nil
}

// AgentHostname is the hostname the agent's offers gave, where its tasks'
// mapped ports are reachable.
func (s *Session) AgentHostname(agentID string) (string, error) {
	if err := s.reader.refresh(); err != nil {
		return "", err
	}
	for i := len(s.reader.entries) - 1; i >= 0; i-- {
		ev := s.reader.entries[i].Event
		if ev.Type != mesos.EventOffers {
			continue
		}
		for _, o := range ev.Offers.Offers {
			if o.AgentID.Value == agentID {
				return o.Hostname, nil
			}
		}
	}
	return "", fmt.Errorf("no offer from agent %s in the journal", agentID)
}

// WaitStatus waits until the listener reports one of the statuses.
func (s *Session) WaitStatus(ctx context.Context, timeout time.Duration, statuses ...string) (State, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		st, err := s.State()
		if err != nil {
			return st, err
		}
		for _, want := range statuses {
			if st.Status == want {
				return st, nil
			}
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return st, fmt.Errorf("listener still %s (%s) after %s", st.Status, st.Message, timeout)
		}
	}
}

// Cluster is what the warm-up found: who leads, which Mesos, which agents.
type Cluster struct {
	Kind     string // "localmesos stand-in", "Vagrant VMs", "docker compose cluster" or "Mesos cluster"
	Master   string // as configured
	Leader   string // the leading master's address
	Version  string
	StandIn  bool
	Agents   []ClusterAgent
	Problems []string // what is missing, each with the next step
}

// ClusterAgent is one registered agent.
type ClusterAgent struct {
	ID, Hostname, Version, Containerizers string
	Port                                  int
	Resources                             mesos.StateResources
	Attributes                            map[string]any
}

// Docker reports whether the agent can run Docker containers.
func (a ClusterAgent) Docker() bool { return strings.Contains(a.Containerizers, "docker") }

// CheckCluster asks the master and its agents who they are, the way the
// 2016 notebook's warm-up did with GET /state, and says what is missing.
func CheckCluster(ctx context.Context, cfg httpapi.Config) (Cluster, error) {
	if cfg.Master == "" {
		cfg.Master = httpapi.DefaultConfig().Master
	}
	c := Cluster{Master: redact(cfg.Master)}
	op, err := operator.New(cfg)
	if err != nil {
		return c, err
	}
	defer op.Close()
	st, err := op.Legacy().State(ctx)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.DeadlineExceeded) {
			return c, fmt.Errorf("%w\nnext step: no master answers at %s. Start the local stand-in (make localmesos), the VMs (cd vagrant && vagrant up) or the compose cluster (docker/README.md), or point MESOS_MASTER at your master", err, c.Master)
		}
		return c, err
	}
	c.Version = st.Version
	c.StandIn = st.Flags["stand_in"] != "" || strings.Contains(st.BuildUser, "stand-in")
	if st.LeaderInfo != nil {
		c.Leader = st.LeaderInfo.HostPort()
	}
	switch {
	case c.StandIn:
		c.Kind = "localmesos stand-in"
	case strings.Contains(cfg.Master, "192.168.33."):
		c.Kind = "Vagrant VMs"
	case strings.HasPrefix(cfg.Master, "zk://127.0.0.1:2181"):
		c.Kind = "docker compose cluster"
	default:
		c.Kind = "Mesos cluster"
	}
	for _, sa := range st.Slaves {
		a := ClusterAgent{ID: sa.ID, Hostname: sa.Hostname, Port: sa.Port, Version: sa.Version, Resources: sa.Resources, Attributes: sa.Attributes}
		if as, err := op.Legacy().AgentState(ctx, net.JoinHostPort(sa.Hostname, strconv.Itoa(sa.Port))); err == nil {
			a.Containerizers = as.Flags["containerizers"]
		} else {
			c.Problems = append(c.Problems, fmt.Sprintf("agent %s: GET /state failed (%v): check that %s:%d is reachable from here", sa.Hostname, err, sa.Hostname, sa.Port))
		}
		if a.Containerizers != "" && !a.Docker() {
			c.Problems = append(c.Problems, fmt.Sprintf("agent %s runs containerizers %q: Docker tasks will fail; start it with --containerizers=docker,mesos (localmesos: --runner docker, with a Docker engine)", sa.Hostname, a.Containerizers))
		}
		if a.Version != "" && a.Version != st.Version {
			c.Problems = append(c.Problems, fmt.Sprintf("agent %s runs Mesos %s, the master %s", sa.Hostname, a.Version, st.Version))
		}
		c.Agents = append(c.Agents, a)
	}
	if len(c.Agents) == 0 {
		c.Problems = append(c.Problems, "no agent is registered: nothing will be offered. Check the agent's log (vagrant ssh agent; journalctl -u mesos-agent)")
	}
	return c, nil
}

// ShowCluster shows the warm-up's findings.
func ShowCluster(c Cluster) {
	t := table{Title: fmt.Sprintf("%s: Mesos %s, leader %s", c.Kind, c.Version, c.Leader), Empty: "no agents",
		Header: []string{"agent", "host", "version", "containerizers", "cpus", "mem MB", "ports", "attributes"}}
	for _, a := range c.Agents {
		var attrs []string
		for k, v := range a.Attributes {
			attrs = append(attrs, fmt.Sprintf("%s:%v", k, v))
		}
		t.Rows = append(t.Rows, []string{shortID(a.ID), fmt.Sprintf("%s:%d", a.Hostname, a.Port), a.Version, a.Containerizers,
			fmt.Sprint(a.Resources.CPUs), fmt.Sprint(a.Resources.Mem), a.Resources.Ports, strings.Join(slices.Sorted(slices.Values(attrs)), "; ")})
	}
	t.show()
	for _, p := range c.Problems {
		Say("⚠ %s", p)
	}
}
