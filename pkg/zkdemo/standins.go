package zkdemo

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/localmesos/standin"
)

// EnvPort moves the notebook's stand-ins: their master and agent take four
// consecutive ports from it (default 5060: masters on 5060 and 5062,
// agents on 5061 and 5063). Tests set it to free ports.
const EnvPort = "MESOSNB_ZK_DEMO_PORT"

// StandIn is one of the two stand-in masters the notebook may start.
type StandIn struct {
	Name, Master, Agent string // the agent is the master's own, beside it
}

// StandIns are the notebook's two stand-ins, on the ports EnvPort says.
func StandIns() []StandIn {
	port := 5060
	if p, err := strconv.Atoi(os.Getenv(EnvPort)); err == nil && p > 0 {
		port = p
	}
	addr := func(n int) string { return "127.0.0.1:" + strconv.Itoa(port+n) }
	return []StandIn{{"zk-demo-a", addr(0), addr(1)}, {"zk-demo-b", addr(2), addr(3)}}
}

// StartMasters makes sure masters are registered in url's group. If some
// are (the VMs, the compose cluster), it changes nothing. If none is and
// the ZooKeeper is on this machine, it starts the two stand-ins (or finds
// them running), registered in it. It returns what it did, a line each.
func StartMasters(ctx context.Context, url string) ([]string, error) {
	m, err := leader.Parse(url)
	if err != nil {
		return nil, err
	}
	if err := Check(ctx, url); err != nil {
		return nil, err
	}
	if info, err := leader.Lookup(ctx, m, nil); err == nil && Ours(info.HostPort()) == nil {
		return []string{"a master is registered already; its leader is " + info.HostPort()}, nil
	}
	if !local(m) {
		return []string{fmt.Sprintf("no master registered in %s: start the cluster's masters first", m)}, nil
	}
	var said []string
	for _, d := range StandIns() {
		s, err := standin.Start(ctx, d.Name, "--master-addr="+d.Master, "--agent-addr="+d.Agent, "--zk="+url, "--runner=simulated")
		if err != nil {
			return said, err
		}
		said = append(said, fmt.Sprintf("stand-in master %s runs at %s (pid %d)", d.Name, s.URL, s.PID))
	}
	return said, nil
}

// Ours returns the running stand-in of the notebook's at this master
// address, or nil.
func Ours(hostport string) *standin.StandIn {
	for _, d := range StandIns() {
		if s, ok := standin.Find(d.Name); ok && d.Master == hostport {
			return s
		}
	}
	return nil
}

// StopMasters stops the notebook's stand-ins that run, and says which.
func StopMasters(ctx context.Context) ([]string, error) {
	var said []string
	for _, d := range StandIns() {
		if s := Ours(d.Master); s != nil {
			if err := s.Stop(ctx); err != nil {
				return said, err
			}
			said = append(said, "stopped "+d.Name)
		}
	}
	if len(said) == 0 {
		said = append(said, "no stand-in of this notebook's is running")
	}
	return said, nil
}
