package localmesos

import (
	"io"
	"log/slog"
	"time"
)

// Config configures a stand-in cluster: one master and its agents.
type Config struct {
	// MasterAddr is where the master listens; "127.0.0.1:0" picks a free
	// port. The stand-in binds loopback unless told otherwise.
	MasterAddr string
	// AgentAddrs are where the agents listen, one agent each. Empty means
	// one agent on a free loopback port.
	AgentAddrs []string
	// Hostname is what the master and agents call themselves in
	// MasterInfo, offers and redirects; default: the host part of
	// MasterAddr.
	Hostname string

	// ZK, a zk://host:port/path URL, makes the master register in
	// ZooKeeper and lead only while its node is the lowest; others answer
	// with a 307 to the leader.
	ZK string

	// Heartbeat is the scheduler stream's heartbeat interval (15s, as in
	// Mesos, where it cannot be changed).
	Heartbeat time.Duration
	// AllocationInterval is how often offers are made (1s, as Mesos'
	// --allocation_interval).
	AllocationInterval time.Duration
	// OfferTimeout rescinds offers held longer than this; zero never does
	// (Mesos' --offer_timeout default).
	OfferTimeout time.Duration
	// StatusUpdateRetry is the first re-send delay of an unacknowledged
	// status update; it doubles up to ten minutes (10s in Mesos).
	StatusUpdateRetry time.Duration

	// ExecutorHeartbeat is how often agents send HEARTBEAT to their
	// custom executors (30 minutes, as Mesos'
	// DEFAULT_EXECUTOR_HEARTBEAT_INTERVAL). ExecutorRegistrationTimeout is
	// how long an agent waits for a new executor to subscribe (1 minute,
	// --executor_registration_timeout); ExecutorReregistrationTimeout how
	// long a restarted agent waits for its executors to subscribe again
	// (2 s, --executor_reregistration_timeout).
	ExecutorHeartbeat             time.Duration
	ExecutorRegistrationTimeout   time.Duration
	ExecutorReregistrationTimeout time.Duration

	// MaxOperatorSubscribers bounds the operator event streams; past it
	// the oldest is closed (1000, as Mesos'
	// --max_operator_event_stream_subscribers).
	MaxOperatorSubscribers int

	// Credentials, when not nil, turns on HTTP basic auth for frameworks:
	// principal to secret.
	Credentials map[string]string

	// Runner is "docker", "process", "simulated" or "auto" (the default).
	Runner string
	// Resources and Attributes are each agent's, in mesos-agent's flag
	// syntax. Extra agents get their ports range shifted so that agents on
	// one host never hand out the same port.
	Resources  string
	Attributes string

	// WorkDir holds the task sandboxes; default a temporary directory
	// removed by Close.
	WorkDir string

	// Logger receives what the master and agents do; nil discards it.
	Logger *slog.Logger
}

// Defaults of the agent, like the 2016 Vagrant agent's attributes and
// ports, with room for a workshop's worth of small tasks.
const (
	DefaultResources  = "cpus:4;mem:4096;disk:10240;ports:[9000-10000]"
	DefaultAttributes = "rack:r2d2;pod:demo,dev"
)

// Version is what the stand-in reports as its Mesos version: the release
// whose API it mimics.
const Version = "1.11.0"

// StandIn is said wherever the stand-in describes itself (/version,
// MasterInfo, logs), so nobody mistakes it for a real Mesos.
const StandIn = "localmesos, a local stand-in for a Mesos 1.11 master and agent (not Apache Mesos)"

func (c Config) withDefaults() Config {
	if c.MasterAddr == "" {
		c.MasterAddr = "127.0.0.1:0"
	}
	if len(c.AgentAddrs) == 0 {
		c.AgentAddrs = []string{"127.0.0.1:0"}
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.AllocationInterval <= 0 {
		c.AllocationInterval = time.Second
	}
	if c.StatusUpdateRetry <= 0 {
		c.StatusUpdateRetry = 10 * time.Second
	}
	if c.ExecutorHeartbeat <= 0 {
		c.ExecutorHeartbeat = 30 * time.Minute
	}
	if c.ExecutorRegistrationTimeout <= 0 {
		c.ExecutorRegistrationTimeout = time.Minute
	}
	if c.ExecutorReregistrationTimeout <= 0 {
		c.ExecutorReregistrationTimeout = 2 * time.Second
	}
	if c.MaxOperatorSubscribers <= 0 {
		c.MaxOperatorSubscribers = 1000
	}
	if c.Runner == "" {
		c.Runner = "auto"
	}
	if c.Resources == "" {
		c.Resources = DefaultResources
	}
	if c.Attributes == "" {
		c.Attributes = DefaultAttributes
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// WorkshopResources is each agent's resources in workshop mode: room for
// a few demo-site tasks (0.2 cpus, 64 MB and one port each) per attendee.
const WorkshopResources = "cpus:1;mem:1024;disk:4096;ports:[9000-9019]"

// WorkshopOfferTimeout is the offer timeout of workshop mode: an offer
// nobody acts on (an attendee reading, or between cells) goes back to the
// allocator after this long.
const WorkshopOfferTimeout = 10 * time.Second

// Workshop returns the configuration for a workshop of n attendees (the
// `--workshop N` flag): one agent per attendee, sized by
// WorkshopResources, and offers rescinded after WorkshopOfferTimeout.
// Mesos offers each agent's free resources to one framework at a time, so
// with fewer agents than attendees the others wait their turn; the
// measured reasons are in the README's "Running a workshop". The
// allocation interval and everything else stay Mesos' defaults. Agents
// listen on free loopback ports; set AgentAddrs for fixed ones.
func Workshop(n int) Config {
	n = max(n, 1)
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = "127.0.0.1:0"
	}
	return Config{AgentAddrs: addrs, Resources: WorkshopResources, OfferTimeout: WorkshopOfferTimeout}
}
