package executor

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Config says which agent to talk to, as whom, and how to behave when the
// agent goes away. An executor gets all of it from the environment its
// agent starts it with: use FromEnv.
type Config struct {
	// AgentEndpoint is the agent's host:port (MESOS_AGENT_ENDPOINT).
	AgentEndpoint string
	// FrameworkID and ExecutorID say who the executor is
	// (MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID); every call carries both.
	FrameworkID mesos.FrameworkID
	ExecutorID  mesos.ExecutorID
	// AgentID is the agent's id (MESOS_SLAVE_ID), for logs.
	AgentID string

	// Directory is the executor's sandbox on the host (MESOS_DIRECTORY);
	// Sandbox is the same seen from inside its container (MESOS_SANDBOX),
	// which for an executor without an image is the same directory.
	Directory string
	Sandbox   string

	// Checkpoint is true when the framework checkpoints
	// (MESOS_CHECKPOINT=1). Only then does the agent take the executor
	// back after it restarts, so only then does the client re-subscribe
	// when the stream drops.
	Checkpoint bool
	// RecoveryTimeout is how long the client keeps trying to re-subscribe
	// after the stream drops (MESOS_RECOVERY_TIMEOUT, set with
	// checkpointing); SubscriptionBackoffMax bounds each wait between two
	// tries (MESOS_SUBSCRIPTION_BACKOFF_MAX).
	RecoveryTimeout        time.Duration
	SubscriptionBackoffMax time.Duration
	// ShutdownGracePeriod is how long the agent waits after SHUTDOWN
	// before it kills the executor (MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD):
	// the executor's time to kill its tasks and report them.
	ShutdownGracePeriod time.Duration

	// HeartbeatInterval is how often the client sends a HEARTBEAT call on
	// its own connection, to keep idle connections open through proxies
	// (30 minutes, as Mesos' executor library).
	HeartbeatInterval time.Duration
	// Timeout bounds each call but SUBSCRIBE (default 30 s).
	Timeout time.Duration
	// HTTPClient replaces the default HTTP client.
	HTTPClient *http.Client
	// Observe, when set, is told about every request and its answer.
	Observe func(httpapi.Exchange)
	// Logger hears about disconnections and re-subscriptions; nil
	// discards.
	Logger *slog.Logger
}

// Environment variables the agent sets for its executors
// (src/slave/slave.cpp executorEnvironment).
const (
	EnvAgentEndpoint          = "MESOS_AGENT_ENDPOINT"
	EnvFrameworkID            = "MESOS_FRAMEWORK_ID"
	EnvExecutorID             = "MESOS_EXECUTOR_ID"
	EnvAgentID                = "MESOS_SLAVE_ID"
	EnvDirectory              = "MESOS_DIRECTORY"
	EnvSandbox                = "MESOS_SANDBOX"
	EnvCheckpoint             = "MESOS_CHECKPOINT"
	EnvRecoveryTimeout        = "MESOS_RECOVERY_TIMEOUT"
	EnvSubscriptionBackoffMax = "MESOS_SUBSCRIPTION_BACKOFF_MAX"
	EnvShutdownGracePeriod    = "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"
)

// Defaults, as the Mesos agent's flags and executor library have them.
const (
	DefaultHeartbeatInterval   = 30 * time.Minute // DEFAULT_HEARTBEAT_CALL_INTERVAL
	DefaultShutdownGracePeriod = 5 * time.Second  // --executor_shutdown_grace_period
	DefaultRecoveryTimeout     = 15 * time.Minute // --recovery_timeout
	DefaultBackoffMax          = 2 * time.Second  // --executor_reregistration_timeout
)

// notAnAgent explains a missing variable: the program was started by hand.
const notAnAgent = "this program is a Mesos executor: a Mesos agent starts it, with %s in its environment, when a framework launches a task whose ExecutorInfo runs it"

// FromEnv reads the Config from the environment the agent gives its
// executors. MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID and MESOS_EXECUTOR_ID
// are required; with MESOS_CHECKPOINT=1 the recovery timeout and backoff
// must be set too, as Mesos' own executor library requires.
func FromEnv() (Config, error) { return fromEnv(os.LookupEnv) }

func fromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string { v, _ := lookup(name); return strings.TrimSpace(v) }
	cfg := Config{
		AgentEndpoint: get(EnvAgentEndpoint),
		FrameworkID:   mesos.FrameworkID{Value: get(EnvFrameworkID)},
		ExecutorID:    mesos.ExecutorID{Value: get(EnvExecutorID)},
		AgentID:       get(EnvAgentID),
		Directory:     get(EnvDirectory),
		Sandbox:       get(EnvSandbox),
		Checkpoint:    get(EnvCheckpoint) == "1",
	}
	for _, req := range []struct{ name, v string }{
		{EnvAgentEndpoint, cfg.AgentEndpoint}, {EnvFrameworkID, cfg.FrameworkID.Value}, {EnvExecutorID, cfg.ExecutorID.Value},
	} {
		if req.v == "" {
			return Config{}, fmt.Errorf("%s is not set: "+notAnAgent, req.name, req.name)
		}
	}
	durations := []struct {
		name     string
		to       *time.Duration
		required bool
	}{
		{EnvShutdownGracePeriod, &cfg.ShutdownGracePeriod, false},
		{EnvRecoveryTimeout, &cfg.RecoveryTimeout, cfg.Checkpoint},
		{EnvSubscriptionBackoffMax, &cfg.SubscriptionBackoffMax, cfg.Checkpoint},
	}
	for _, d := range durations {
		v := get(d.name)
		if v == "" {
			if d.required {
				return Config{}, fmt.Errorf("%s is not set although %s=1: the agent sets both for checkpointing frameworks; set it (e.g. %s=15mins)", d.name, EnvCheckpoint, d.name)
			}
			continue
		}
		parsed, err := mesos.ParseDuration(v)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", d.name, err)
		}
		*d.to = parsed
	}
	return cfg, nil
}

func (c Config) withDefaults() Config {
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.ShutdownGracePeriod <= 0 {
		c.ShutdownGracePeriod = DefaultShutdownGracePeriod
	}
	if c.RecoveryTimeout <= 0 {
		c.RecoveryTimeout = DefaultRecoveryTimeout
	}
	if c.SubscriptionBackoffMax <= 0 {
		c.SubscriptionBackoffMax = DefaultBackoffMax
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// check says what is missing or malformed.
func (c Config) check() error {
	switch {
	case c.FrameworkID.Value == "":
		return fmt.Errorf("no framework id: set Config.FrameworkID (%s)", EnvFrameworkID)
	case c.ExecutorID.Value == "":
		return fmt.Errorf("no executor id: set Config.ExecutorID (%s)", EnvExecutorID)
	}
	ep := strings.TrimPrefix(strings.TrimPrefix(c.AgentEndpoint, "http://"), "https://")
	if _, _, err := net.SplitHostPort(ep); err != nil {
		return fmt.Errorf("agent endpoint %q: want host:port, as %s gives it", c.AgentEndpoint, EnvAgentEndpoint)
	}
	return nil
}
