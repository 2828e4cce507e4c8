// Package zkdemo is what the ZooKeeper notebook does in one call each, so
// that its cells show ZooKeeper's own calls (ls, get) and the leader
// election, not the plumbing: which ZooKeeper to use (URL), whether it
// answers and how to start one if not (Check), a connection to the
// masters' group (Connect), and two local stand-in masters to watch a
// failover with (StartMasters, StopMasters).
//
//	url := zkdemo.URL()                  // MESOS_ZK, or a zk:// MESOS_MASTER
//	g, err := zkdemo.Connect(ctx, url)   // fails in seconds, saying how to start ZooKeeper
//	defer g.Close()
//	children, _, err := g.Children(g.Path)
package zkdemo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// DefaultURL is the compose cluster's ZooKeeper and masters' path.
const DefaultURL = "zk://127.0.0.1:2181/mesos/vagrant"

// URL is $MESOS_ZK, else $MESOS_MASTER if it is a zk:// URL, else
// DefaultURL.
func URL() string {
	if u := os.Getenv("MESOS_ZK"); u != "" {
		return u
	}
	if m := os.Getenv("MESOS_MASTER"); strings.HasPrefix(m, "zk://") {
		return m
	}
	return DefaultURL
}

// Group is a ZooKeeper session and the path the masters register under.
// The *zk.Conn is go-zookeeper's own: Children is ZooKeeper's ls, Get its
// get.
type Group struct {
	*zk.Conn
	Path string
}

// Connect opens a ZooKeeper session with the servers of url (its chatter
// silenced) and waits, a few seconds at most, until the session is
// established. Its error says how to get a ZooKeeper that answers.
func Connect(ctx context.Context, url string) (*Group, error) {
	m, err := leader.Parse(url)
	if err != nil {
		return nil, fmt.Errorf("%w. Fix: set MESOS_ZK (or MESOS_MASTER) in the shell that starts Jupyter, then restart the kernel", err)
	}
	conn, events, err := zk.Connect(m.Hosts, 10*time.Second, zk.WithLogger(log.New(io.Discard, "", 0)))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return &Group{Conn: conn, Path: m.Path}, nil
			}
		case <-ctx.Done():
			conn.Close()
			return nil, noZooKeeper(m)
		}
	}
}

// Check reports whether a ZooKeeper answers at url's servers, within a
// few seconds; its error says how to start one.
func Check(ctx context.Context, url string) error {
	g, err := Connect(ctx, url)
	if err == nil {
		g.Close()
	}
	return err
}

func noZooKeeper(m leader.Master) error {
	hosts := strings.Join(m.Hosts, ",")
	if local(m) {
		return fmt.Errorf("no ZooKeeper answers at %s. Start one in a terminal with `make zookeeper-server` (ZooKeeper from the installed package on 127.0.0.1:2181, in the foreground; Ctrl-C stops it), or point MESOS_ZK at yours; then run this cell again", hosts)
	}
	return fmt.Errorf("no ZooKeeper answers at %s. For the Vagrant VMs: cd vagrant && vagrant up (ZooKeeper runs on the master VM); for another cluster check MESOS_ZK; then run this cell again", hosts)
}

// local reports whether the ZooKeeper is on this machine.
func local(m leader.Master) bool {
	return len(m.Hosts) > 0 && (strings.HasPrefix(m.Hosts[0], "127.") || strings.HasPrefix(m.Hosts[0], "localhost:"))
}

// Masters lists the masters' nodes in the group (json.info_<sequence>),
// lowest sequence, the leader's, first. Other children (legacy info_
// nodes, log_replicas) are not masters.
func (g *Group) Masters() ([]string, error) {
	children, _, err := g.Children(g.Path)
	if err == zk.ErrNoNode {
		return nil, nil
	}
	nodes := slices.DeleteFunc(children, func(c string) bool { return !strings.HasPrefix(c, "json.info_") })
	slices.Sort(nodes)
	return nodes, err
}

// Leader is the lowest json.info_ node: the leading master's. Its error,
// when no master is registered, names the cell that starts some.
func (g *Group) Leader() (string, error) {
	nodes, err := g.Masters()
	if err == nil && len(nodes) == 0 {
		err = fmt.Errorf("no master is registered under %s: run the \"Masters to look at\" cell first", g.Path)
	}
	if err != nil {
		return "", err
	}
	return nodes[0], nil
}

// MasterInfo gets a master's node and decodes the MasterInfo JSON it
// holds.
func (g *Group) MasterInfo(node string) (mesos.MasterInfo, error) {
	var info mesos.MasterInfo
	data, _, err := g.Get(g.Path + "/" + node)
	if err != nil {
		return info, fmt.Errorf("get %s/%s: %w", g.Path, node, err)
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, fmt.Errorf("%s/%s holds no MasterInfo: %w", g.Path, node, err)
	}
	return info, nil
}
