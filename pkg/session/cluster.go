package session

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// Before anything else a notebook asks whether the cluster is there: the
// warm-up cell (CheckCluster), and Start before it starts a listener
// (Reachable), so that a missing master is reported in seconds, with the
// next step, never after a minute of waiting.

// Reachable checks, within a few seconds, that a master answers at
// cfg.Master (for a zk:// master: that ZooKeeper names a leader, and the
// leader answers). Any HTTP answer will do; its error is the warm-up's,
// with the next step.
func Reachable(ctx context.Context, cfg httpapi.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cfg.Observe, cfg.Retries, cfg.Timeout = nil, 1, 4*time.Second
	h, err := httpapi.New(cfg)
	if err != nil {
		return err
	}
	defer h.Close()
	resp, err := h.R(ctx).Get("/health")
	err = httpapi.Check("GET /health", resp, err)
	var answered *httpapi.Error
	if err == nil || errors.As(err, &answered) {
		return nil
	}
	return noMaster(err, redact(cfg.Master))
}

// noMaster is the warm-up's answer when nothing answers: what failed,
// then the next step.
func noMaster(err error, master string) error {
	return fmt.Errorf("%w\nnext step: %s", err, noMasterStep(master))
}

// unreachable reports whether err means nothing answered.
func unreachable(err error) bool {
	var ne net.Error
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// noMasterStep is what to do when no master answers at master.
func noMasterStep(master string) string {
	if strings.HasPrefix(master, "zk://") {
		return "no leading master found through " + master + ". Check that ZooKeeper runs and a master registered under that path (the VMs: cd vagrant && vagrant up; the compose cluster: docker/README.md), or point MESOS_MASTER at your master"
	}
	return "no master answers at " + master + ". Start the local stand-in (make localmesos), the VMs (cd vagrant && vagrant up) or the compose cluster (docker/README.md), or point MESOS_MASTER at your master"
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
		if unreachable(err) {
			return c, noMaster(err, c.Master)
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
