// Command localmesos runs a local stand-in for an Apache Mesos 1.11 master
// and agent: it speaks the v1 scheduler and operator HTTP APIs on loopback
// the way a real cluster does, for tests, CI and workshops on machines that
// cannot run the Vagrant VMs. It is not Apache Mesos, and says so in
// /version and its logs.
//
//	go run ./cmd/localmesos                       # master :5050, agent :5051
//	go run ./cmd/localmesos --agents 2 --runner simulated
//	go run ./cmd/localmesos --workshop 30           # thirty attendees: see the README
//	go run ./cmd/localmesos --zk zk://127.0.0.1:2181/mesos --master-addr 127.0.0.1:5060 --agent-addr 127.0.0.1:5061
//
// SIGUSR2 restarts its agents, as if their processes had crashed and come
// back (executors of checkpointing frameworks subscribe again).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "localmesos:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("localmesos", flag.ContinueOnError)
	masterAddr := fs.String("master-addr", "127.0.0.1:5050", "address the master listens on")
	agentAddr := fs.String("agent-addr", "127.0.0.1:5051", "address the first agent listens on")
	agents := fs.Int("agents", 0, "extra agents, on the ports after --agent-addr's")
	hostname := fs.String("hostname", "", "hostname the master and agents advertise (default: the listen address)")
	zk := fs.String("zk", "", "zk://host:port/path: register in ZooKeeper and take part in leader election")
	heartbeat := fs.Duration("heartbeat", 15*time.Second, "scheduler stream heartbeat interval")
	allocation := fs.Duration("allocation-interval", time.Second, "how often offers are made")
	offerTimeout := fs.Duration("offer-timeout", 0, "rescind offers held this long (0: never)")
	updateRetry := fs.Duration("status-update-retry", 10*time.Second, "first re-send delay of an unacknowledged status update")
	credentials := fs.String("credentials", "", `JSON file {"credentials":[{"principal":"p","secret":"s"}]}: require HTTP basic auth from frameworks`)
	runner := fs.String("runner", "auto", "how tasks run: docker, process, simulated or auto")
	resources := fs.String("resources", localmesos.DefaultResources, "each agent's resources, in mesos-agent syntax")
	attributes := fs.String("attributes", localmesos.DefaultAttributes, "each agent's attributes, in mesos-agent syntax")
	workDir := fs.String("work-dir", "", "where task sandboxes go (default: a temporary directory)")
	workshop := fs.Int("workshop", 0, "size the cluster for this many workshop attendees: one agent each, with --resources and --offer-timeout of workshop mode unless given")
	verbose := fs.Bool("v", false, "log what the master and agents do")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := workshopFlags(fs, *workshop, agents, resources, offerTimeout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: all settings are flags (see --help)", fs.Args())
	}

	cfg := localmesos.Config{
		MasterAddr: *masterAddr, Hostname: *hostname, ZK: *zk, Heartbeat: *heartbeat,
		AllocationInterval: *allocation, OfferTimeout: *offerTimeout, StatusUpdateRetry: *updateRetry,
		Runner: *runner, Resources: *resources, Attributes: *attributes, WorkDir: *workDir,
	}
	addrs, err := agentAddrs(*agentAddr, *agents)
	if err != nil {
		return err
	}
	cfg.AgentAddrs = addrs
	if *credentials != "" {
		creds, err := readCredentials(*credentials)
		if err != nil {
			return err
		}
		cfg.Credentials = creds
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	srv, err := localmesos.New(cfg)
	if err != nil {
		return err
	}
	fmt.Printf("localmesos: %s\n", localmesos.StandIn)
	fmt.Printf("localmesos: master %s, agents %v\n", srv.URL, srv.AgentURLs)
	if *zk != "" {
		fmt.Printf("localmesos: registered in ZooKeeper; leading: %v\n", srv.Leading())
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	restartAgentsOnSignal(ctx, srv) // restart.go
	<-ctx.Done()
	fmt.Println("localmesos: stopping: killing tasks and leaving ZooKeeper")
	return srv.Close()
}

// workshopFlags applies --workshop N: N agents, workshop mode's resources
// and offer timeout, for each of those flags not given on the command line.
func workshopFlags(fs *flag.FlagSet, n int, agents *int, resources *string, offerTimeout *time.Duration) error {
	if n < 0 {
		return errors.New("--workshop must not be negative")
	}
	if n == 0 {
		return nil
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	w := localmesos.Workshop(n)
	if given["agents"] {
		return errors.New("--workshop N starts N agents: leave out --agents")
	}
	*agents = len(w.AgentAddrs) - 1
	if !given["resources"] {
		*resources = w.Resources
	}
	if !given["offer-timeout"] {
		*offerTimeout = w.OfferTimeout
	}
	return nil
}

// agentAddrs is the first agent's address and n more on the next ports.
func agentAddrs(first string, n int) ([]string, error) {
	host, portStr, err := net.SplitHostPort(first)
	if err != nil {
		return nil, fmt.Errorf("--agent-addr %q: want host:port", first)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("--agent-addr %q: bad port", first)
	}
	if n < 0 {
		return nil, errors.New("--agents must not be negative")
	}
	addrs := []string{first}
	for i := 1; i <= n; i++ {
		next := "0"
		if port != 0 {
			next = strconv.Itoa(port + i)
		}
		addrs = append(addrs, net.JoinHostPort(host, next))
	}
	return addrs, nil
}

// readCredentials reads Mesos' --credentials JSON format.
func readCredentials(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--credentials: %w", err)
	}
	var f struct {
		Credentials []struct {
			Principal string `json:"principal"`
			Secret    string `json:"secret"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf(`--credentials %s: want {"credentials":[{"principal":"...","secret":"..."}]}: %w`, path, err)
	}
	creds := map[string]string{}
	for _, c := range f.Credentials {
		if c.Principal == "" {
			return nil, fmt.Errorf("--credentials %s: an entry has no principal", path)
		}
		creds[c.Principal] = c.Secret
	}
	return creds, nil
}
