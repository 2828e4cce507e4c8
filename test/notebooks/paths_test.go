//go:build unix

package notebooks_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/session"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// Demo-API's code cells, by what they do.
const (
	demoWarmUp = iota + 2
	demoSubscribe
	demoEvents
	demoOffers
	demoReadOffer
	demoBuildTask
	demoAccept
	demoRunning
	demoFetch
	demoSandbox
	demoAcknowledge
	demoDecline
	demoReconcile
	demoKill
	demoSession
	demoTeardown
	demoStory
	demoCells
)

// TestLearnerMatrix: for every notebook and every code cell, a fresh kernel
// (and an empty sessions folder) runs the setup and Configuration cells,
// then that cell alone. It either does its step or answers with one line
// naming the cell to run first: never a compile error, never a panic.
func TestLearnerMatrix(t *testing.T) {
	needKernel(t)
	needDocker(t)
	master := simulatedMaster(t, nil)
	zk := zktest.Start(t)
	for _, notebook := range notebookNames {
		t.Run(notebook, func(t *testing.T) {
			env := append(learnerEnv(t, master.URL), "MESOS_ZK="+zk.URL("/mesos/vagrant"))
			l := startLearner(t, notebook, env)
			for i := configCell + 1; i < len(l.code); i++ {
				// A kernel restart is a fresh kernel: a new process, no
				// declarations. The same kernel id, so the folder is new too.
				l.restart(sessionsEnv(freshSessions(t)))
				c := l.run(i)
				v, ok := verdict(c)
				t.Logf("cell %d (%s): %s (%v)", i, firstLine(l.code[i]), v, c.Duration().Round(10*time.Millisecond))
				if !ok {
					t.Errorf("cell %d (%s) run alone after setup and Configuration: %s", i, firstLine(l.code[i]), v)
				}
			}
			if notebook == "Demo-API" {
				// A session and no task yet: each cell about the task names
				// the ACCEPT cell.
				l.restart(sessionsEnv(freshSessions(t)))
				l.ok(demoSubscribe)
				for _, i := range []int{demoRunning, demoFetch, demoSandbox, demoAcknowledge, demoReconcile, demoKill} {
					l.restart()
					if v, _ := verdict(l.run(i)); !strings.Contains(v, "run the ACCEPT cell first") {
						t.Errorf("cell %d (%s) with a session and no task: %s", i, firstLine(l.code[i]), v)
					}
				}
				l.ok(demoTeardown)
			}
			if more := matrixWithSession[notebook]; more != nil {
				more(t, l)
			}
		})
	}
}

// sessionsEnv is the environment entry that points cells at a sessions
// folder.
func sessionsEnv(dir string) string { return session.EnvSessionDir + "=" + dir }

// TestRestartEveryStep: Demo-API with the kernel restarted after every
// step, then the setup and Configuration cells and the next step, as a
// learner who restarts whenever in doubt. No cell fails and the framework
// stays the same from Subscribe to TEARDOWN: the restarted kernel finds
// its session again.
func TestRestartEveryStep(t *testing.T) {
	needKernel(t)
	needDocker(t)
	master := dockerMaster(t)
	l := startLearner(t, "Demo-API", learnerEnv(t, master.URL))
	l.setup()
	framework := ""
	for i := demoWarmUp; i < demoCells; i++ {
		text := l.ok(i)
		if i >= demoSubscribe && i < demoTeardown {
			fw := l.frameworkID("demo-api")
			if framework == "" {
				framework = fw
			}
			if fw != framework {
				t.Fatalf("after cell %d (%s) the framework is %s, was %s", i, firstLine(l.code[i]), fw, framework)
			}
		}
		if i == demoRunning && !strings.Contains(text, "is TASK_RUNNING") {
			t.Errorf("the TASK_RUNNING cell after a restart shows: %s", text)
		}
		if i == demoSandbox && !strings.Contains(text, containerSaid) {
			t.Errorf("the sandbox cell after a restart does not show the container's own output (%q): %s", containerSaid, text)
		}
		l.restart()
	}
	if framework == "" {
		t.Fatal("no framework registered")
	}
}

// TestTwoKernels: two kernels on Demo-API at once, as two tabs with a
// kernel each. The second gets a session and a framework of its own, and
// says so; the first's KILL and TEARDOWN never touch the second's task.
func TestTwoKernels(t *testing.T) {
	needKernel(t)
	master := simulatedMaster(t, nil)
	env := learnerEnv(t, master.URL)
	a, b := startLearner(t, "Demo-API", env), startLearner(t, "Demo-API", env)
	for _, l := range []*learner{a, b} {
		l.setup()
		said := l.ok(demoSubscribe)
		if l == b && !strings.Contains(said, "Another kernel") {
			t.Errorf("the second kernel's Subscribe cell does not say it got a session of its own: %s", said)
		}
		l.ok(demoAccept)
		l.ok(demoRunning)
	}
	fa, fb := a.frameworkID("demo-api"), b.frameworkID("demo-api")
	if fa == fb {
		t.Fatalf("both kernels drive framework %s", fa)
	}
	a.ok(demoKill)
	a.ok(demoTeardown)
	if text := b.ok(demoRunning); !strings.Contains(text, "is TASK_RUNNING") {
		t.Errorf("after the first kernel's KILL and TEARDOWN, the second's task: %s", text)
	}
	op, err := operator.New(operator.Config{Master: master.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	tasks, err := op.Tasks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, tk := range tasks.Tasks {
		if tk.FrameworkID.Value == fb && tk.State == mesos.TaskRunning {
			running++
		}
		if tk.FrameworkID.Value == fa {
			t.Errorf("the torn-down framework %s still has task %s (%s)", fa, tk.TaskID.Value, tk.State)
		}
	}
	if running != 1 {
		t.Errorf("the second kernel's framework %s has %d running task(s), want 1", fb, running)
	}
	b.ok(demoTeardown)
}

// TestMasterRestartedUnderTask: the stand-in restarts (forgetting every
// task) while the task runs. The listener re-subscribes with the same
// framework id and reconciles; the TASK_RUNNING cell run next shows the
// task's true state, TASK_LOST, in words, within a reconciliation round
// trip, and the page fetch and KILL say so too.
func TestMasterRestartedUnderTask(t *testing.T) {
	needKernel(t)
	masterAddr, agentAddr := testenv.Addr(t), testenv.Addr(t)
	edit := func(c *localmesos.Config) { c.MasterAddr, c.AgentAddrs = masterAddr, []string{agentAddr} }
	master := simulatedMaster(t, edit)
	l := startLearner(t, "Demo-API", learnerEnv(t, master.URL))
	l.setup()
	l.ok(demoSubscribe)
	l.ok(demoAccept)
	l.ok(demoRunning)
	framework := l.frameworkID("demo-api")
	master.Close()
	simulatedMaster(t, edit)
	c := l.run(demoRunning)
	text := c.Text()
	if !c.Failed() || !strings.Contains(text, "ended TASK_LOST") || !strings.Contains(text, "the master does not know the task") {
		t.Errorf("the TASK_RUNNING cell after the master restarted shows: %s", text)
	}
	if c.Duration() > 15*time.Second {
		t.Errorf("the TASK_RUNNING cell took %v to tell", c.Duration())
	}
	if fw := l.frameworkID("demo-api"); fw != framework {
		t.Errorf("framework %s after the restart, was %s", fw, framework)
	}
	for _, cell := range []int{demoFetch, demoKill} {
		if c := l.run(cell); !strings.Contains(c.Text(), "TASK_LOST") {
			t.Errorf("cell %d (%s) after the master restarted shows: %s", cell, firstLine(l.code[cell]), c.Text())
		}
	}
	l.ok(demoTeardown)
}

// TestListenerKilled: the listener is SIGKILLed right after ACCEPT. The
// next cell goes on without the Subscribe cell: it restarts the listener
// (the same framework) and says so in one line. No status update is lost:
// every update the agent sent reliably (with a uuid) is in the journal.
func TestListenerKilled(t *testing.T) {
	needKernel(t)
	master := simulatedMaster(t, nil)
	l := startLearner(t, "Demo-API", learnerEnv(t, master.URL))
	l.setup()
	l.ok(demoSubscribe)
	l.ok(demoAccept)
	s := l.session("demo-api")
	before, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(before.ListenerPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	text := l.ok(demoRunning)
	if !strings.Contains(text, "The listener had stopped (it was killed)") || !strings.Contains(text, "is TASK_RUNNING") {
		t.Errorf("the TASK_RUNNING cell after the listener was killed shows: %s", text)
	}
	l.ok(demoKill)
	after, _ := s.State()
	if after.FrameworkID != before.FrameworkID || after.ListenerPID == before.ListenerPID {
		t.Errorf("after the kill: framework %s (was %s), listener %d (was %d)", after.FrameworkID, before.FrameworkID, after.ListenerPID, before.ListenerPID)
	}
	checkNoUpdateLost(t, master.URL, s)
	l.ok(demoTeardown)
}

// checkNoUpdateLost compares the updates the master holds for the
// session's tasks with a uuid (those the agent sends until they are
// acknowledged, and the listener acknowledges only once journaled) with
// the journal's: each must be there.
func checkNoUpdateLost(t *testing.T, master string, s *session.Session) {
	t.Helper()
	entries, err := s.Events(0)
	if err != nil {
		t.Fatal(err)
	}
	journaled := map[string]bool{}
	for _, e := range entries {
		if u := e.Event.Update; u != nil && len(u.Status.UUID) > 0 {
			journaled[string(u.Status.UUID)] = true
		}
	}
	st, _ := s.State()
	op, err := operator.New(operator.Config{Master: master})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	tasks, err := op.Tasks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, tk := range append(tasks.Tasks, tasks.CompletedTasks...) {
		if tk.FrameworkID.Value != st.FrameworkID {
			continue
		}
		for _, u := range tk.Statuses {
			if len(u.UUID) == 0 {
				continue
			}
			checked++
			if !journaled[string(u.UUID)] {
				t.Errorf("task %s's %s update (uuid %x) is not in the journal", tk.TaskID.Value, u.State, u.UUID)
			}
		}
	}
	if checked == 0 {
		t.Error("the master holds no update with a uuid for the session's tasks: nothing was checked")
	}
	t.Logf("%d reliable updates, all in the journal", checked)
}

// dockerMaster is a localmesos for one test that runs the Demo-API task as
// a real container (and command tasks as processes).
func dockerMaster(t *testing.T) *localmesos.Server {
	t.Helper()
	logf, err := os.Create(filepath.Join(t.ArtifactDir(), "localmesos.log"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := standIn(logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); logf.Close() })
	return srv
}

// TestFailsFast: what used to spin or mislead now answers within five
// seconds with the next step: MESOS_MASTER changed under a live session
// (and the way out works), no master at all, a malformed MESOS_MASTER,
// no ZooKeeper.
func TestFailsFast(t *testing.T) {
	needKernel(t)
	a, b := simulatedMaster(t, nil), simulatedMaster(t, nil)
	quick := func(what string, c nbexec.Cell, wants ...string) {
		t.Helper()
		text := c.Text()
		if !c.Failed() {
			t.Errorf("%s: the cell did not fail: %s", what, text)
		}
		if c.Duration() > 5*time.Second {
			t.Errorf("%s: the cell took %v", what, c.Duration())
		}
		for _, w := range wants {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the cell does not say %q: %s", what, w, text)
			}
		}
	}
	l := startLearner(t, "Demo-API", learnerEnv(t, a.URL))
	l.setup()
	l.ok(demoSubscribe)
	onA := l.frameworkID("demo-api")

	l.restart("MESOS_MASTER=" + b.URL)
	for _, cell := range []int{demoSubscribe, demoOffers} {
		quick(fmt.Sprintf("cell %d with MESOS_MASTER changed under the session", cell), l.run(cell),
			"holds framework "+onA+" on master "+a.URL, "MESOS_MASTER now names "+b.URL, "run the TEARDOWN cell")
	}
	// The way out the message names: TEARDOWN on the old master, then a
	// new framework on the new one.
	l.ok(demoTeardown)
	l.ok(demoSubscribe)
	if st, _ := l.session("demo-api").State(); st.Master != b.URL || st.FrameworkID == onA {
		t.Errorf("after TEARDOWN and Subscribe: framework %s on %s", st.FrameworkID, st.Master)
	}
	l.ok(demoTeardown)

	nowhere := "http://" + testenv.Addr(t)
	l.restart("MESOS_MASTER="+nowhere, sessionsEnv(freshSessions(t)))
	quick("Subscribe with no master", l.run(demoSubscribe), "no master answers at "+nowhere, "make localmesos")
	// Nothing was left trying: no listener, no framework.
	if s, err := session.Open(session.Options{Name: "demo-api", Root: l.sessions, Kernel: l.k.ID}); err == nil {
		if st, _ := s.State(); st.ListenerPID != 0 || st.FrameworkID != "" {
			t.Errorf("the failed Subscribe left listener %d, framework %q", st.ListenerPID, st.FrameworkID)
		}
	}

	l.restartOnly("MESOS_MASTER=foo://bar")
	l.ok(setupCell)
	for _, cell := range []int{configCell, demoOffers} {
		quick(fmt.Sprintf("cell %d with a malformed MESOS_MASTER", cell), l.run(cell),
			"MESOS_MASTER=foo://bar", "set it in the shell that starts Jupyter", "restart the kernel")
	}

	z := startLearner(t, "ZooKeeper", append(learnerEnv(t, a.URL), "MESOS_ZK=zk://"+testenv.Addr(t)+"/mesos"))
	z.setup()
	for _, cell := range []int{2, 3} {
		quick(fmt.Sprintf("ZooKeeper cell %d with no ZooKeeper", cell), z.run(cell), "no ZooKeeper answers at", "make zookeeper-server")
	}
}
