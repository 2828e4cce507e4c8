package executor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/executor"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// agentEnv is the environment a Mesos 1.11.0 agent gave an executor of a
// checkpointing framework (recorded from the real agent).
var agentEnv = map[string]string{
	"MESOS_AGENT_ENDPOINT": "127.0.0.1:53911", "MESOS_CHECKPOINT": "1",
	"MESOS_DIRECTORY": "/var/lib/mesos/slaves/S0/frameworks/F/executors/e1/runs/C", "MESOS_SANDBOX": "/var/lib/mesos/slaves/S0/frameworks/F/executors/e1/runs/C",
	"MESOS_EXECUTOR_ID": "e1", "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD": "5secs", "MESOS_FRAMEWORK_ID": "F-0000",
	"MESOS_HTTP_COMMAND_EXECUTOR": "0", "MESOS_RECOVERY_TIMEOUT": "15mins", "MESOS_SLAVE_ID": "S0",
	"MESOS_SLAVE_PID": "slave(1)@127.0.0.1:53911", "MESOS_SUBSCRIPTION_BACKOFF_MAX": "2secs",
}

func setEnv(t *testing.T, env map[string]string, without ...string) {
	for k, v := range env {
		t.Setenv(k, v)
	}
	for _, k := range without {
		t.Setenv(k, "")
	}
}

func TestFromEnv(t *testing.T) {
	setEnv(t, agentEnv)
	cfg, err := executor.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AgentEndpoint != "127.0.0.1:53911" || cfg.FrameworkID.Value != "F-0000" || cfg.ExecutorID.Value != "e1" || cfg.AgentID != "S0" ||
		!cfg.Checkpoint || cfg.RecoveryTimeout != 15*time.Minute || cfg.SubscriptionBackoffMax != 2*time.Second ||
		cfg.ShutdownGracePeriod != 5*time.Second || !strings.HasSuffix(cfg.Directory, "/runs/C") || cfg.Sandbox != cfg.Directory {
		t.Fatalf("read %+v", cfg)
	}
}

// Started by hand, the executor says which variable is missing and why.
func TestFromEnvMissing(t *testing.T) {
	for _, c := range []struct {
		without []string
		want    string
	}{
		{[]string{"MESOS_AGENT_ENDPOINT"}, "MESOS_AGENT_ENDPOINT is not set: this program is a Mesos executor: a Mesos agent starts it"},
		{[]string{"MESOS_FRAMEWORK_ID"}, "MESOS_FRAMEWORK_ID is not set"},
		{[]string{"MESOS_EXECUTOR_ID"}, "MESOS_EXECUTOR_ID is not set"},
		{[]string{"MESOS_RECOVERY_TIMEOUT"}, "MESOS_RECOVERY_TIMEOUT is not set although MESOS_CHECKPOINT=1"},
	} {
		t.Run(c.without[0], func(t *testing.T) {
			setEnv(t, agentEnv, c.without...)
			if _, err := executor.FromEnv(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("FromEnv: %v, want %q", err, c.want)
			}
		})
	}
	t.Run("bad duration", func(t *testing.T) {
		setEnv(t, agentEnv)
		t.Setenv("MESOS_SUBSCRIPTION_BACKOFF_MAX", "2s")
		if _, err := executor.FromEnv(); err == nil || !strings.Contains(err.Error(), `MESOS_SUBSCRIPTION_BACKOFF_MAX: invalid duration "2s"`) {
			t.Fatalf("FromEnv: %v", err)
		}
	})
	t.Run("no checkpoint", func(t *testing.T) {
		setEnv(t, agentEnv, "MESOS_CHECKPOINT", "MESOS_RECOVERY_TIMEOUT", "MESOS_SUBSCRIPTION_BACKOFF_MAX")
		cfg, err := executor.FromEnv()
		if err != nil || cfg.Checkpoint {
			t.Fatalf("FromEnv: %+v, %v", cfg, err)
		}
	})
}

func TestNewChecks(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cfg  executor.Config
		want string
	}{
		{executor.Config{AgentEndpoint: "127.0.0.1:5051", ExecutorID: idOf("e")}, "no framework id"},
		{executor.Config{AgentEndpoint: "127.0.0.1:5051", FrameworkID: fwOf("f")}, "no executor id"},
		{executor.Config{AgentEndpoint: "localhost", FrameworkID: fwOf("f"), ExecutorID: idOf("e")}, `agent endpoint "localhost": want host:port`},
	} {
		if _, err := executor.New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v): %v, want %q", c.cfg, err, c.want)
		}
	}
}

func idOf(s string) mesos.ExecutorID  { return mesos.ExecutorID{Value: s} }
func fwOf(s string) mesos.FrameworkID { return mesos.FrameworkID{Value: s} }
