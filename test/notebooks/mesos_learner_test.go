//go:build unix

package notebooks_test

import (
	"context"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// The learner's path against real Apache Mesos 1.11 (pkg/mesostest): every
// behaviour the stand-in tests check must hold with the real master too.

// TestZooKeeperNotebookRealMasters runs the ZooKeeper notebook against two
// real masters in one ZooKeeper, the leader stopped while the watch cell
// watches: the notebook finds the masters registered (and starts no
// stand-in), reads and decodes their nodes, names the leader both ways,
// and sees the other master take over.
func TestZooKeeperNotebookRealMasters(t *testing.T) {
	needKernel(t)
	zk := zktest.Start(t)
	group := zk.URL("/mesos")
	cluster := mesostest.Start(t, mesostest.Options{ZK: group, Docker: mesostest.DockerOff})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lead, err := cluster.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := startLearner(t, "ZooKeeper", append(learnerEnv(t, cluster.URL()), "MESOS_ZK="+group))
	l.setup()
	addr := regexp.QuoteMeta(lead.Addr)
	for cell, want := range map[int]string{
		2: `ZooKeeper answers at`,
		3: `a master is registered already; its leader is ` + addr,
		4: `json\.info_\d{10} json\.info_\d{10} log_replicas`,
		5: `"version":"1\.11\.0"`,
		6: `ip field 16777343 -> 127\.0\.0\.1, pid master@` + addr,
		7: `leader found in ZooKeeper: ` + addr,
	} {
		if text := l.ok(cell); !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("cell %d (%s) shows %q, want %s", cell, firstLine(l.code[cell]), text, want)
		}
	}
	// The watch cell: a real master is not one of the notebook's
	// stand-ins, so it is stopped here, as the text tells a learner to.
	done := make(chan string, 1)
	go func() { done <- l.ok(8) }()
	time.Sleep(3 * time.Second)
	lead.Stop()
	text := <-done
	if !strings.Contains(text, "leader: "+lead.Addr) || !strings.Contains(text, "new leader: ") || strings.Contains(text, "new leader: "+lead.Addr) {
		t.Errorf("the watch cell, its leader %s stopped, shows: %s", lead.Addr, text)
	}
	if text := l.ok(9); !strings.Contains(text, "no stand-in of this notebook's is running") {
		t.Errorf("the clean-up cell stopped something: %s", text)
	}
}

// TestDemoAPIRealMesos walks Demo-API against a real master and agent (a
// real Docker container serving the page) with the kernel restarted after
// every step, and the listener SIGKILLed after the ACCEPT: the framework
// stays the same, no cell fails, and the cell after the kill restarts the
// listener and says so.
func TestDemoAPIRealMesos(t *testing.T) {
	needKernel(t)
	image := mesostest.NeedDemoImage(t)
	cluster := mesostest.Start(t, mesostest.Options{Docker: mesostest.DockerRequired})
	l := startLearner(t, "Demo-API", append(learnerEnv(t, cluster.URL()), "DEMO_IMAGE="+image))
	l.setup()
	framework := ""
	for i := demoWarmUp; i < demoCells; i++ {
		text := l.ok(i)
		switch {
		case i == demoWarmUp && !strings.Contains(text, "Mesos 1.11.0"):
			t.Errorf("the warm-up against real Mesos shows: %s", text)
		case i == demoAccept:
			framework = l.frameworkID("demo-api")
			st, err := l.session("demo-api").State()
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(st.ListenerPID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		case i == demoRunning && (!strings.Contains(text, "The listener had stopped (it was killed)") || !strings.Contains(text, "is TASK_RUNNING")):
			t.Errorf("the TASK_RUNNING cell after the listener was killed shows: %s", text)
		case i == demoFetch && !strings.Contains(text, "-> 200 OK"):
			t.Errorf("the page fetch shows: %s", text)
		case i == demoSandbox && !strings.Contains(text, containerSaid):
			t.Errorf("the sandbox cell does not show the container's own output (%q): %s", containerSaid, text)
		}
		if framework != "" && i < demoTeardown {
			if fw := l.frameworkID("demo-api"); fw != framework {
				t.Fatalf("after cell %d the framework is %s, was %s", i, fw, framework)
			}
		}
		if i != demoAccept {
			l.restart()
		}
	}
}

// TestRealMasterRestartedUnderTask: the real master restarts while the
// task runs. With the in-memory registry and no ZooKeeper it forgets the
// agent and the task (the agent, which found its master through a fixed
// address, waits for a new one to be elected, and never re-registers).
// The listener re-subscribes with the same framework id and reconciles;
// the next cell shows what the master says of the task, TASK_LOST, in
// words, never the TASK_RUNNING from before as a fact.
func TestRealMasterRestartedUnderTask(t *testing.T) {
	needKernel(t)
	image := mesostest.NeedDemoImage(t)
	cluster := mesostest.Start(t, mesostest.Options{Docker: mesostest.DockerRequired})
	l := startLearner(t, "Demo-API", append(learnerEnv(t, cluster.URL()), "DEMO_IMAGE="+image))
	l.setup()
	l.ok(demoSubscribe)
	l.ok(demoAccept)
	l.ok(demoRunning)
	framework := l.frameworkID("demo-api")
	master := cluster.Masters[0]
	master.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := master.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c := l.run(demoRunning)
	if text := c.Text(); !c.Failed() || !strings.Contains(text, "ended TASK_LOST (the master does not know the task") {
		t.Errorf("the TASK_RUNNING cell after the real master restarted shows: %s", text)
	}
	if fw := l.frameworkID("demo-api"); fw != framework {
		t.Errorf("framework %s after the restart, was %s", fw, framework)
	}
	tasks, err := l.session("demo-api").Tasks()
	if err != nil || len(tasks) != 1 || tasks[0].Unconfirmed || tasks[0].State != mesos.TaskLost {
		t.Errorf("after the cell the tasks are %+v (%v): want one, TASK_LOST, confirmed by the master", tasks, err)
	}
	l.run(demoKill)
	l.ok(demoTeardown)
}
