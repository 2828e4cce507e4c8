package main

import (
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/mesostest"
)

// The same exchange with a real Mesos 1.11 agent, which starts the demo
// executor from its path on this machine (a path the agent can see): the
// framework sees exactly what it sees with localmesos, and the executor
// writes the same story to its sandbox.
func TestExchangeWithRealAgent(t *testing.T) {
	c := mesostest.Start(t, mesostest.Options{Docker: mesostest.DockerOff})
	seen := exchange(t, c.URL())
	checkTranscript(t, seen, wantTranscript)
	log := sandboxLog(t, c.Agents[0].WorkDir, "demo")
	for _, want := range []string{
		"← SUBSCRIBED executor demo of framework", "← LAUNCH t1", "← LAUNCH t2", "[t1] hello from t1",
		"→ UPDATE t2 TASK_FINISHED", "← ACKNOWLEDGED t2", `← MESSAGE "ping"`, "← KILL t1", "→ UPDATE t1 TASK_KILLED",
		"← SHUTDOWN", "every update acknowledged; exiting",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the sandbox's stdout lacks %q:\n%s", want, log)
		}
	}
	t.Logf("the executor's side, from its sandbox on the real agent:\n%s", log)
}
