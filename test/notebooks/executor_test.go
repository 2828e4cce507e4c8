//go:build unix

package notebooks_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
)

// Executor-API's code cells, by what they do.
const (
	exSubscribe = iota + 2
	exInfo
	exLaunch
	exLog
	exMessage
	exSubscriptions
	exKill
	exShutdown
	exTeardown
	exCells
)

// TestExecutorAgentRestart walks Executor-API against the stand-in with
// the agent restarted while the sleeper runs, between the MESSAGE cell
// and the cell that shows the executor's subscriptions: that cell shows
// the executor disconnected and subscribed again, the sleeper is still
// running, and the rest of the notebook (KILL, SHUTDOWN) works on.
func TestExecutorAgentRestart(t *testing.T) {
	needKernel(t)
	master := simulatedMaster(t, func(c *localmesos.Config) { c.Runner = localmesos.RunnerProcess })
	l := startLearner(t, "Executor-API", learnerEnv(t, master.URL))
	l.setup()
	for i := exSubscribe; i <= exMessage; i++ {
		l.ok(i)
	}
	if err := master.RestartAgent(0); err != nil {
		t.Fatal(err)
	}
	// The executor retries with backoff (up to 2 s): a cell run at once
	// may show the first retry refused, truthfully; run again, as a
	// learner would, it shows the subscription that followed.
	var text string
	resubscribed := regexp.MustCompile(`→ SUBSCRIBE with \d+ unacknowledged updates, \d+ unacknowledged tasks: 200 OK`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := testenv.Poll(ctx, time.Second, func() (bool, error) {
		text = l.ok(exSubscriptions)
		_, after, found := strings.Cut(text, "disconnected from the agent; subscribing again")
		return found && resubscribed.MatchString(after), nil
	}); err != nil {
		t.Fatalf("20 s after the agent restarted the subscriptions cell does not show the executor subscribing again:\n%s", text)
	}
	if text := l.ok(exKill); !strings.Contains(text, "TASK_KILLED uuid") {
		t.Errorf("the KILL cell after the agent restarted shows:\n%s", text)
	}
	l.ok(exShutdown)
	l.ok(exTeardown)
}

// TestExecutorNotebookRealMesos walks Executor-API against a real Mesos
// 1.11 master and agent: the real agent starts the demo executor from its
// path on this machine, and every cell shows what it shows against the
// stand-in.
func TestExecutorNotebookRealMesos(t *testing.T) {
	needKernel(t)
	cluster := mesostest.Start(t, mesostest.Options{Docker: mesostest.DockerOff})
	l := startLearner(t, "Executor-API", learnerEnv(t, cluster.URL()))
	l.setup()
	wants := map[int][]string{
		exLaunch:        {"TASK_FINISHED", "TASK_RUNNING", "exited with status 0"},
		exLog:           {"← SUBSCRIBED executor demo of framework", "← LAUNCH sleeper-", "[echo-", "the echo task works"},
		exMessage:       {`demo answered: demo got "ping"; running: [sleeper-`, `← MESSAGE "ping"`},
		exSubscriptions: {"→ SUBSCRIBE with 0 unacknowledged updates, 0 unacknowledged tasks: 200 OK"},
		exKill:          {"← KILL sleeper-", "TASK_KILLED uuid"},
		exShutdown:      {"FAILURE: executor demo ended, wait status 0", "← SHUTDOWN", "every update acknowledged; exiting"},
		exTeardown:      {"removed; the listener stopped"},
	}
	for i := exSubscribe; i < exCells; i++ {
		text := l.ok(i)
		for _, w := range wants[i] {
			if !strings.Contains(text, w) {
				t.Errorf("cell %d (%s) against real Mesos lacks %q:\n%s", i, firstLine(l.code[i]), w, text)
			}
		}
	}
}

// matrixWithSession goes on with the learner matrix of a notebook whose
// cells need more than a session: with one, and without the step before
// them, each such cell names the cell to run first.
var matrixWithSession = map[string]func(*testing.T, *learner){
	"Operator-API": func(t *testing.T, l *learner) {
		// The framework registered by the event stream cell, and no task
		// of its own running: then drained, so that its task has ended.
		// A master of its own: the drain must not wait for tasks the
		// cells run alone above left to frameworks nobody listens to.
		l.restart(sessionsEnv(freshSessions(t)), "MESOS_MASTER="+simulatedMaster(t, nil).URL)
		l.ok(opEventStream)
		cells := []int{opContainers, opFiles, opDrain, opReactivate}
		for _, cell := range cells {
			l.restart()
			if v, _ := verdict(l.run(cell)); !strings.Contains(v, "run the Metrics cell first") {
				t.Errorf("cell %d (%s) with a framework and no task: %s", cell, firstLine(l.code[cell]), v)
			}
		}
		l.ok(opMetrics)
		l.ok(opDrain)
		for _, cell := range cells[:3] {
			l.restart()
			if v, _ := verdict(l.run(cell)); !strings.Contains(v, "is TASK_KILLED (REASON_AGENT_DRAINING") || !strings.Contains(v, "run the Metrics cell first: it launches another") {
				t.Errorf("cell %d (%s) with the task drained: %s", cell, firstLine(l.code[cell]), v)
			}
		}
		l.ok(opReactivate)
		l.ok(opCleanUp)
	},
	"Framework": func(t *testing.T, l *learner) {
		l.restart(sessionsEnv(freshSessions(t)))
		l.ok(fwSubscribe)
		for cell, want := range map[int]string{
			fwStart:        "run the OFFERS handler cell and the REVIVE handler cell first", // a fresh kernel declared no handler
			fwWatch:        "run the Start cell first",
			fwKill:         "run the Start cell first",
			fwKillListener: "run the Start cell first",
		} {
			l.restart()
			if v, _ := verdict(l.run(cell)); !strings.Contains(v, want) {
				t.Errorf("cell %d (%s) with a session and no driver: %s", cell, firstLine(l.code[cell]), v)
			}
		}
		l.ok(fwTeardown)
	},
	"Executor-API": func(t *testing.T, l *learner) {
		l.restart(sessionsEnv(freshSessions(t)))
		l.ok(exSubscribe)
		for _, cell := range []int{exLog, exMessage, exSubscriptions, exKill, exShutdown} {
			l.restart()
			if v, _ := verdict(l.run(cell)); !strings.Contains(v, "run the LAUNCH cell first") {
				t.Errorf("cell %d (%s) with a session and no task: %s", cell, firstLine(l.code[cell]), v)
			}
		}
		l.ok(exTeardown)
	},
}
