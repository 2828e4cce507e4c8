//go:build unix

package notebooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/framework"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/session"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// Framework.ipynb's code cells, by what they do.
const (
	fwSubscribe = iota + 2
	fwOffer
	fwRevive
	fwStart
	fwWatch
	fwKill
	fwKillListener
	fwWatchAgain
	fwStory
	fwStop
	fwTeardown
	fwCells
)

// fwCopies is the notebook's desired state.
const fwCopies = 3

// TestFrameworkUnderFaults runs the Framework notebook's own framework (its
// handler cells, its driver) through what real frameworks meet: a copy
// killed by hand (the notebook's KILL cell), the listener SIGKILLed, the
// stand-in restarted (it forgets every task). Each time three copies run
// again within ten allocation intervals; the master never runs more than
// three of them at once (polled), nor does the framework's journal ever
// hold more than three running, even when the master answers the
// reconciliation after its offers; every status update that carried a uuid
// was acknowledged (the master answered 202), and none more often than it
// was delivered.
func TestFrameworkUnderFaults(t *testing.T) {
	needKernel(t)
	const interval = time.Second // the allocation interval, as Mesos'
	masterAddr, agentAddr := testenv.Addr(t), testenv.Addr(t)
	edit := func(c *localmesos.Config) {
		c.MasterAddr, c.AgentAddrs, c.AllocationInterval = masterAddr, []string{agentAddr}, interval
	}
	master := simulatedMaster(t, edit)
	proxy := newMasterProxy(t, master.URL)
	running := pollRunning(t, master.URL)
	l := startLearner(t, "Framework", learnerEnv(t, proxy.URL))
	l.setup()
	for _, cell := range []int{fwSubscribe, fwOffer, fwRevive, fwStart} {
		l.ok(cell)
	}
	s := l.session("framework")
	if text := l.ok(fwWatch); !strings.Contains(text, "3 of 3 running, nothing else live: converged") {
		t.Fatalf("the Watch cell shows: %s", text)
	}

	// A copy killed by hand: the KILL cell waits for TASK_KILLED, then
	// watches the replacement come.
	began := time.Now()
	if text := l.ok(fwKill); !strings.Contains(text, "converged") || !strings.Contains(text, "ended 1") {
		t.Errorf("the KILL cell shows: %s", text)
	}
	t.Logf("a copy killed by hand: three running again after %v (the cell)", time.Since(began).Round(10*time.Millisecond))

	// The listener SIGKILLed: the driver restarts it, and the master
	// answers its reconciliation only after offers have come; the copies,
	// unconfirmed meanwhile, count as live: nothing is launched.
	proxy.slowReconcile.Store(int64(2 * interval))
	launched := len(launches(t, s))
	st, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(st.ListenerPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	recovered(t, s, "the listener killed", 10*interval, func(v framework.View) bool {
		now, _ := s.State()
		return now.ListenerPID != st.ListenerPID && now.Subscriptions > st.Subscriptions
	})
	if n := len(launches(t, s)); n != launched {
		t.Errorf("after the listener was killed the framework launched %d task(s); the copies ran on", n-launched)
	}
	proxy.slowReconcile.Store(0)

	// The stand-in restarted: it forgets every task. The reconciliation
	// answers TASK_LOST for each copy, and the framework launches three.
	old := liveIDs(t, s)
	master.Close()
	simulatedMaster(t, edit)
	recovered(t, s, "the stand-in restarted", 10*interval, func(v framework.View) bool {
		for _, task := range v.Tasks {
			if old[task.ID.Value] {
				return false
			}
		}
		return true
	})
	// The new master offers at once (it knows nothing of a suppression):
	// whether a REVIVE comes before the ACCEPT depends on what arrives first.
	if text := l.ok(fwStory); !strings.Contains(text, "TASK_LOST REASON_RECONCILIATION") || !strings.Contains(text, "ACCEPT  launch") {
		t.Errorf("the Story cell after the stand-in restarted shows: %s", text)
	}
	l.ok(fwStop)
	l.ok(fwTeardown)

	if most := running.stop(); most > fwCopies {
		t.Errorf("the master ran %d of the framework's tasks at once, want at most %d", most, fwCopies)
	}
	checkJournalRunning(t, s)
	proxy.check(t, s)
}

// recovered waits until three copies run and nothing else is live, and
// done holds too, within limit, and logs how long it took.
func recovered(t *testing.T, s *session.Session, what string, limit time.Duration, done func(framework.View) bool) {
	t.Helper()
	began := time.Now()
	var v framework.View
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	err := testenv.Poll(ctx, 20*time.Millisecond, func() (bool, error) {
		var err error
		v, err = framework.Look(s)
		return err == nil && v.Running == fwCopies && v.Live() == fwCopies && done(v), err
	})
	if err != nil {
		t.Fatalf("%s: not three copies running within %v: %d running, %d live (%v)", what, limit, v.Running, v.Live(), err)
	}
	t.Logf("%s: three running again after %v", what, time.Since(began).Round(10*time.Millisecond))
}

func launches(t *testing.T, s *session.Session) []mesos.TaskInfo {
	t.Helper()
	l, err := s.Launches()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// liveIDs are the tasks the framework holds as live.
func liveIDs(t *testing.T, s *session.Session) map[string]bool {
	t.Helper()
	v, err := framework.Look(s)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, task := range v.Tasks {
		ids[task.ID.Value] = true
	}
	return ids
}

// checkJournalRunning replays the journal's updates in order: at no point
// do more than three tasks stand at TASK_RUNNING.
func checkJournalRunning(t *testing.T, s *session.Session) {
	t.Helper()
	entries, err := s.Events(0)
	if err != nil {
		t.Fatal(err)
	}
	running, most := map[string]bool{}, 0
	for _, e := range entries {
		if u := e.Event.Update; u != nil {
			running[u.Status.TaskID.Value] = u.Status.State == mesos.TaskRunning
			n := 0
			for _, r := range running {
				if r {
					n++
				}
			}
			most = max(most, n)
		}
	}
	if most > fwCopies {
		t.Errorf("the journal has %d tasks running at once, want at most %d", most, fwCopies)
	}
}

// runningPoll counts, every 50 ms, the tasks the master holds at
// TASK_RUNNING, and keeps the most it saw.
type runningPoll struct {
	done chan struct{}
	most chan int
}

func pollRunning(t *testing.T, master string) *runningPoll {
	op, err := operator.New(operator.Config{Master: master})
	if err != nil {
		t.Fatal(err)
	}
	p := &runningPoll{done: make(chan struct{}), most: make(chan int, 1)}
	go func() {
		defer op.Close()
		most := 0
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			if tasks, err := op.Tasks(ctx); err == nil { // no answer while the master restarts
				n := 0
				for _, task := range tasks.Tasks {
					if task.State == mesos.TaskRunning {
						n++
					}
				}
				most = max(most, n)
			}
			cancel()
			select {
			case <-p.done:
				p.most <- most
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			close(p.done)
		}
	})
	return p
}

// stop ends the polling and returns the most tasks seen running at once.
func (p *runningPoll) stop() int {
	close(p.done)
	return <-p.most
}

// masterProxy sits between the kernel's session and the master. It counts
// the ACKNOWLEDGE calls the master accepted, by uuid, and, while
// slowReconcile is set, holds each RECONCILE call that long before passing
// it on: a master slow to answer, as a real one recovering from a failover
// is, while its offers already come.
type masterProxy struct {
	URL           string
	slowReconcile atomic.Int64 // a time.Duration
	mu            sync.Mutex
	n             map[string]int
}

func newMasterProxy(t *testing.T, master string) *masterProxy {
	target, err := url.Parse(master)
	if err != nil {
		t.Fatal(err)
	}
	a := &masterProxy{n: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.FlushInterval = -1 // the SUBSCRIBE answer is a stream
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		var call mesos.Call
		json.Unmarshal(body, &call)
		if call.Type == mesos.CallReconcile {
			time.Sleep(time.Duration(a.slowReconcile.Load()))
		}
		if call.Type != mesos.CallAcknowledge || call.Acknowledge == nil {
			rp.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		rp.ServeHTTP(rec, r)
		if rec.status == http.StatusAccepted {
			a.mu.Lock()
			a.n[string(call.Acknowledge.UUID)]++
			a.mu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// check wants every update with a uuid in the journal acknowledged, and
// none more often than the journal holds it (an update the agent sent
// again is acknowledged again).
func (a *masterProxy) check(t *testing.T, s *session.Session) {
	t.Helper()
	entries, err := s.Events(0)
	if err != nil {
		t.Fatal(err)
	}
	delivered := map[string]int{}
	var order []mesos.TaskStatus
	for _, e := range entries {
		if u := e.Event.Update; u != nil && len(u.Status.UUID) > 0 {
			if delivered[string(u.Status.UUID)] == 0 {
				order = append(order, u.Status)
			}
			delivered[string(u.Status.UUID)]++
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, st := range order {
		switch n := a.n[string(st.UUID)]; {
		case n == 0:
			t.Errorf("%s %s (uuid %x) was never acknowledged", st.TaskID.Value, st.State, st.UUID)
		case n > delivered[string(st.UUID)]:
			t.Errorf("%s %s (uuid %x) was acknowledged %d times, delivered %d", st.TaskID.Value, st.State, st.UUID, n, delivered[string(st.UUID)])
		}
	}
	if len(order) == 0 {
		t.Error("no update with a uuid in the journal: nothing was checked")
	}
	t.Logf("%d updates with a uuid, each acknowledged", len(order))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// checkFramework checks a headless run of Framework: the driver started,
// three copies running (the watch's table), one killed and replaced, the
// listener killed and the copies confirmed by the reconciliation, the
// driver stopped and the framework torn down.
func checkFramework(t *testing.T, e *execution) {
	nb := checkRun(t, e)
	text := textOf(nb)
	wantText(t, text,
		"OFFERS → onOffer", "UPDATE → reviveIfShort", "SUBSCRIBED → reviveIfShort",
		"Driver started (pid",
		"3 of 3 running, nothing else live: converged",
		"Killed the listener", "the driver started another",
		"TASK_RUNNING REASON_RECONCILIATION",
		"Stopped the driver",
		"removed, its copies killed",
	)
	for _, call := range []string{"KILL", "TEARDOWN"} {
		if !regexp.MustCompile(`POST \S+/api/v1/scheduler\s+→\s+[0-9]{3} [^\n]*\{\s*"type": "` + call + `"`).MatchString(text) {
			t.Errorf("no %s call shown with its request body and answer", call)
		}
	}
	if tables := htmlTables(nb, regexp.MustCompile(`^desired 3 · running 3 · starting 0 · killing 0 · unconfirmed 0 · ended [0-9]+ · driver pid`)); len(tables) < 3 {
		t.Errorf("%d desired-against-running tables with three running, want one per Watch (3)", len(tables))
	}
	if tables := htmlTables(nb, regexp.MustCompile(`^Since the latest subscription$`)); len(tables) != 1 || !strings.Contains(tables[0], ">SUBSCRIBED<") {
		t.Errorf("the Story table (%d) does not start with the re-subscription", len(tables))
	}
}

// checkExecutorAPI checks a headless run of Executor-API: two tasks on one
// executor, a MESSAGE answered, the sleeper killed by the executor, the
// executor shut down, and each step as the executor wrote it in its
// sandbox.
func checkExecutorAPI(t *testing.T, e *execution) {
	nb := checkRun(t, e)
	wantText(t, textOf(nb),
		`"executor_id": {`, `"shell": false`,
		"← SUBSCRIBED executor demo of framework",
		"← LAUNCH sleeper-", "← LAUNCH echo-", "the echo task works", "TASK_FINISHED",
		`demo answered: demo got "ping"; running: [sleeper-`,
		`← MESSAGE "ping"`,
		"→ SUBSCRIBE with 0 unacknowledged updates",
		"← KILL sleeper-", "TASK_KILLED uuid",
		"FAILURE: executor demo ended, wait status 0",
		"← SHUTDOWN", "every update acknowledged; exiting",
		"removed; the listener stopped",
	)
}

// TestFrameworkNotebookRealMesos runs the Framework notebook top to bottom
// against a real Mesos 1.11 master and agent, whose copies are real Docker
// containers: three run, a copy killed by hand is replaced, the listener
// killed is restarted by the driver and the copies confirmed, the driver
// stops and the framework is torn down.
func TestFrameworkNotebookRealMesos(t *testing.T) {
	needKernel(t)
	image := mesostest.NeedDemoImage(t)
	cluster := mesostest.Start(t, mesostest.Options{Docker: mesostest.DockerRequired})
	l := startLearner(t, "Framework", append(learnerEnv(t, cluster.URL()), "DEMO_IMAGE="+image))
	l.setup()
	wants := map[int]string{
		fwStart:        "Driver started (pid",
		fwWatch:        "3 of 3 running, nothing else live: converged",
		fwKill:         "3 of 3 running, nothing else live: converged",
		fwKillListener: "the driver started another",
		fwWatchAgain:   "3 of 3 running, nothing else live: converged",
		fwStory:        "TASK_RUNNING REASON_RECONCILIATION",
		fwStop:         "Stopped the driver",
		fwTeardown:     "removed, its copies killed",
	}
	for i := fwSubscribe; i < fwCells; i++ {
		if text := l.ok(i); !strings.Contains(text, wants[i]) {
			t.Errorf("cell %d (%s) against real Mesos lacks %q:\n%s", i, firstLine(l.code[i]), wants[i], text)
		}
	}
}

// TestFrameworkInBrowser runs the Framework notebook through the browser
// UI (runInBrowser): the desired-against-running table, redrawn in place
// while the framework works, is rendered with three copies running after
// each Watch.
func TestFrameworkInBrowser(t *testing.T) {
	ctx, res := runInBrowser(t, "Framework")
	tables, err := chromedp.Run(ctx, chromedp.Evaluate[[]renderedTable](`[...document.querySelectorAll('.output_html')].flatMap(el => {
		const b = el.querySelector('b'), table = el.querySelector('table');
		if (!b || !table) return [];
		return [{Title: b.textContent.trim(), Rows: [...table.querySelectorAll('tr')].slice(1).map(tr => [...tr.querySelectorAll('td')].map(c => c.textContent.trim())), Visible: table.getBoundingClientRect().height > 0}];
	})`))
	if err != nil {
		t.Fatal(err)
	}
	three := 0
	for _, tb := range tables {
		if strings.HasPrefix(tb.Title, "desired 3 · running 3 · ") && tb.Visible && len(tb.Rows) == fwCopies {
			three++
		}
	}
	if three < 3 {
		t.Errorf("%d rendered desired-against-running tables with three copies running, want one per Watch (3): %+v", three, tables)
	}
	if !strings.Contains(res.Text, "OFFERS → onOffer") {
		t.Errorf("the handler cells' output is not shown: %s", res.Text)
	}
}

// TestFrameworkLeaderMoves: the Framework notebook against two stand-in
// masters in one ZooKeeper group (MESOS_MASTER=zk://...). The leader
// goes; the listener follows ZooKeeper to the new one and re-subscribes
// with the same framework id; the new master knows none of the copies
// (each stand-in has agents of its own), answers TASK_LOST for each, and
// the framework launches three on the new leader's agent.
func TestFrameworkLeaderMoves(t *testing.T) {
	needKernel(t)
	group := zktest.Start(t).URL("/mesos")
	zkMaster := func(c *localmesos.Config) { c.ZK = group }
	a, b := simulatedMaster(t, zkMaster), simulatedMaster(t, zkMaster)
	testenv.Eventually(t, 10*time.Second, "one master to lead", func() bool { return a.Leading() != b.Leading() })
	lead, next := a, b
	if b.Leading() {
		lead, next = b, a
	}
	l := startLearner(t, "Framework", learnerEnv(t, group))
	l.setup()
	for _, cell := range []int{fwSubscribe, fwOffer, fwRevive, fwStart, fwWatch} {
		l.ok(cell)
	}
	s := l.session("framework")
	framework0 := l.frameworkID("framework")
	old := liveIDs(t, s)
	lead.Close()
	recovered(t, s, "the leader moved", 20*time.Second, func(v framework.View) bool {
		for _, task := range v.Tasks {
			if old[task.ID.Value] {
				return false
			}
		}
		st, _ := s.State()
		return st.Leader == next.URL
	})
	if fw := l.frameworkID("framework"); fw != framework0 {
		t.Errorf("framework %s at the new leader, was %s", fw, framework0)
	}
	if text := l.ok(fwStory); !strings.Contains(text, "TASK_LOST REASON_RECONCILIATION") {
		t.Errorf("the Story cell after the leader moved shows: %s", text)
	}
	l.ok(fwStop)
	l.ok(fwTeardown)
}
