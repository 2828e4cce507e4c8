package framework_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/demosite"
	"github.com/mesosnb/mesosnb/pkg/framework"
	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// copies is the desired state of the test's framework, as the notebook's.
const copies = 3

// The handlers of the Framework notebook, written the same way.
func onOffer(ctx context.Context, fw *framework.Framework) error {
	ids, need := []mesos.OfferID{fw.Offer.ID}, copies-fw.Live()
	if tasks := demosite.Tasks(fw.Offer, demosite.Local, need); len(tasks) > 0 {
		return fw.Client.Accept(ctx, ids, []mesos.Operation{mesos.LaunchOp(tasks...)}, mesos.RefuseFor(1))
	}
	if err := fw.Client.Decline(ctx, ids, mesos.RefuseFor(30)); err != nil || need > 0 {
		return err
	}
	return fw.Client.Suppress(ctx)
}

func reviveIfShort(ctx context.Context, fw *framework.Framework) error {
	if fw.Live() < copies {
		return fw.Client.Revive(ctx)
	}
	return nil
}

// options are the session options of the test and of its driver, which
// is this test binary started again (TestMain): the master comes from
// MESOS_MASTER in the environment both share.
func options(dir string) session.Options {
	return session.Options{Dir: dir, Framework: mesos.FrameworkInfo{User: "root", Name: "keep-three test"}, StartTimeout: 20 * time.Second}
}

// TestMain is also the driver: Start, in the copy of this binary it
// launches, runs the handlers and exits.
func TestMain(m *testing.M) {
	framework.OnOffer(onOffer)
	framework.OnUpdate(reviveIfShort)
	framework.OnSubscribed(reviveIfShort)
	if dir := os.Getenv(framework.EnvDriver); dir != "" {
		framework.Start(context.Background(), options(dir))
	}
	os.Exit(m.Run())
}

// TestKeepsThree: the driver launches three copies on the offers, then
// declines and suppresses; a copy killed by hand is replaced; a driver
// started again replaces the running one without a copy too many; Stop
// stops it and the copies stay.
func TestKeepsThree(t *testing.T) {
	srv, err := localmesos.New(localmesos.Config{Runner: localmesos.RunnerSimulated, AllocationInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Setenv(httpapi.EnvMaster, srv.URL)
	ctx := context.Background()
	opts := options(t.TempDir())
	opts.ParentPID = os.Getpid()
	s, err := session.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx)
	d, err := framework.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer framework.Stop(ctx, opts)
	defer logDriver(t, opts.Dir)
	if d.Status != framework.DriverRunning || len(d.Handlers) != 3 || !strings.Contains(d.Handlers[0], "onOffer") {
		t.Fatalf("driver %+v: want it running the three handlers", d.DriverState)
	}
	three := waitThree(t, s)

	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	victim := three.Tasks[0]
	if err := c.Kill(ctx, victim.ID, &victim.AgentID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitTask(ctx, victim.ID, mesos.TaskKilled); err != nil {
		t.Fatal(err)
	}
	after := waitThree(t, s)
	if after.Ended != 1 {
		t.Errorf("after one kill: %d ended, want 1", after.Ended)
	}
	// Satisfied, it declines the next offer and suppresses.
	testenv.Eventually(t, 10*time.Second, "a DECLINE and a SUPPRESS", func() bool {
		calls := callTypes(t, s)
		return calls["ACCEPT"] > 0 && calls["REVIVE"] > 0 && calls["DECLINE"] > 0 && calls["SUPPRESS"] > 0
	})

	again, err := framework.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.Replaced != d.PID {
		t.Errorf("the second Start replaced pid %d, want %d", again.Replaced, d.PID)
	}
	time.Sleep(time.Second) // some allocation intervals: offers come, none is used
	if v := look(t, s); v.Running != copies || v.Live() != copies {
		t.Errorf("after the driver was replaced: %d running, %d live: want %d", v.Running, v.Live(), copies)
	}
	msg, err := framework.Stop(ctx, opts)
	if err != nil || !strings.Contains(msg, fmt.Sprint(again.PID)) {
		t.Errorf("Stop said %q, %v", msg, err)
	}
	if _, ok := framework.Running(s); ok {
		t.Error("a driver still runs after Stop")
	}
	op, err := operator.New(operator.Config{Master: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	tasks, err := op.Tasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, tk := range tasks.Tasks {
		if tk.State == mesos.TaskRunning {
			running++
		}
	}
	if running != copies {
		t.Errorf("the master has %d running task(s) after the driver stopped, want %d", running, copies)
	}
}

// TestStartNeedsASession: without a framework Start names the cell to
// run first, and starts nothing.
func TestStartNeedsASession(t *testing.T) {
	t.Setenv(httpapi.EnvMaster, "http://"+testenv.Addr(t))
	opts := options(t.TempDir())
	_, err := framework.Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "run the Subscribe cell first") {
		t.Fatalf("Start without a session: %v", err)
	}
	msg, err := framework.Stop(context.Background(), opts)
	if err != nil || !strings.Contains(msg, "No driver") {
		t.Errorf("Stop without a session said %q, %v", msg, err)
	}
}

func look(t *testing.T, s *session.Session) framework.View {
	t.Helper()
	v, err := framework.Look(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// waitThree waits for three copies running and no other live.
func waitThree(t *testing.T, s *session.Session) framework.View {
	t.Helper()
	var v framework.View
	testenv.Eventually(t, 20*time.Second, "three copies running", func() bool {
		v = look(t, s)
		return v.Running == copies && v.Live() == copies
	})
	return v
}

// callTypes counts the calls the session made, by type.
func callTypes(t *testing.T, s *session.Session) map[string]int {
	t.Helper()
	calls, err := s.Calls()
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, c := range calls {
		n[c.Type]++
	}
	return n
}

// logDriver shows the driver's log of a test that failed.
func logDriver(t *testing.T, dir string) {
	if t.Failed() {
		b, _ := os.ReadFile(filepath.Join(dir, "driver.log"))
		t.Logf("driver.log:\n%s", b)
	}
}
