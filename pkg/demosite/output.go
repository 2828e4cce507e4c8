package demosite

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// Output reads what the session's latest task wrote, its stdout and
// stderr, from its sandbox on its agent: two READ_FILE calls to the
// agent's operator API, shown to opts' Observer. The agent's address is
// the one its offers gave. A task still starting is waited for; an ended
// one is read too (the agent keeps its sandbox). Its error, when no task
// was launched, names the cell to run first.
func Output(ctx context.Context, s *session.Session, opts session.Options) (operator.Sandbox, error) {
	t, err := s.LastTask()
	if err != nil {
		return operator.Sandbox{}, err
	}
	if t.State == "" || t.State == mesos.TaskStaging || t.State == mesos.TaskStarting {
		if t, err = s.WaitTask(ctx, t.ID, mesos.TaskRunning); err != nil {
			return operator.Sandbox{}, fmt.Errorf("%w: run the ACCEPT cell to launch another", err)
		}
	}
	st, err := s.State()
	if err != nil {
		return operator.Sandbox{}, err
	}
	addr, err := agentAddress(s, t.AgentID)
	if err != nil {
		return operator.Sandbox{}, err
	}
	if opts, err = opts.Resolved(); err != nil {
		return operator.Sandbox{}, err
	}
	cfg := opts.Client
	if opts.Observer != nil {
		cfg.Observe = opts.Observer.Call
	}
	c, err := operator.New(cfg)
	if err != nil {
		return operator.Sandbox{}, err
	}
	defer c.Close()
	agent, err := c.Agent(addr)
	if err != nil {
		return operator.Sandbox{}, err
	}
	defer agent.Close()
	return agent.ReadSandbox(ctx, mesos.FrameworkID{Value: st.FrameworkID}, t.ID.Value)
}

// agentAddress is where the agent's offers say it listens (their url):
// its IP, else its hostname, and its port.
func agentAddress(s *session.Session, agentID mesos.AgentID) (string, error) {
	entries, err := s.Events(0)
	if err != nil {
		return "", err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		ev := entries[i].Event
		if ev.Type != mesos.EventOffers || ev.Offers == nil {
			continue
		}
		for _, o := range ev.Offers.Offers {
			if o.AgentID != agentID || o.URL == nil {
				continue
			}
			host := o.URL.Address.IP
			if host == "" {
				host = o.URL.Address.Hostname
			}
			return net.JoinHostPort(host, strconv.Itoa(int(o.URL.Address.Port))), nil
		}
	}
	return "", fmt.Errorf("no offer from agent %s with its address in the journal: cannot tell where to read the sandbox", agentID.Value)
}
