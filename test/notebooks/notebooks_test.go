//go:build unix

package notebooks_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/google/go-cmp/cmp"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/zkdemo"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// notebookNames are the notebooks in this folder, in the order they run:
// Operator-API after Demo-API, as a reader would, so that the operator's
// view has a finished framework to show.
var notebookNames = []string{"Demo-API", "Operator-API", "ZooKeeper", "Framework", "Executor-API"}

const (
	// cellTimeout bounds one cell. The first Go cell of the first run may
	// compile the project's packages and their dependencies with a cold
	// build cache: measured at up to four minutes on a busy 2-core machine.
	// No other cell waits for more than two minutes.
	cellTimeout = 8 * time.Minute
	// executionsTimeout bounds all the headless runs together.
	executionsTimeout = 20 * time.Minute
)

// execution is one headless run of a notebook.
type execution struct {
	name string           // the notebook, such as "Demo-API"
	path string           // the executed notebook
	nb   *nbexec.Notebook // what it showed; nil when nbconvert wrote nothing
	took time.Duration    // wall time of jupyter nbconvert --execute
	err  error
}

// executions are the runs TestNotebooks checks and TestCommittedOutputs
// compares the committed outputs with: each notebook once, then Demo-API a
// second time against the same master and session folder.
type executions struct {
	err        error                 // nothing could run
	first      map[string]*execution // by notebook name
	rerun      *execution            // Demo-API again
	zkMissing  error                 // ZooKeeper is not installed: the ZooKeeper notebook did not run
	zkDemoPort int                   // the first of the ZooKeeper notebook's stand-ins' ports
}

// shared holds the executions: running the notebooks takes minutes, so
// the tests that need them share one set, made by whichever asks first.
var shared struct {
	once sync.Once
	ex   *executions
}

// executeAll returns the shared executions, running the notebooks if no
// test has yet. It skips (or, under CI, fails) the test when Jupyter, the
// GoNB kernel or a Docker engine is missing.
func executeAll(t *testing.T) *executions {
	t.Helper()
	needKernel(t)
	needDocker(t)
	shared.once.Do(func() { shared.ex = runNotebooks(t) })
	return shared.ex
}

// runNotebooks runs every notebook headless against one in-process
// localmesos, and a real ZooKeeper for the ZooKeeper notebook, then stops
// everything they started. It does not skip t, and fails it only when
// something the notebooks started cannot be stopped: the outcome of the
// runs is in the executions, for every test that reads them.
func runNotebooks(t *testing.T) *executions {
	ex := &executions{first: map[string]*execution{}}
	dir := filepath.Join(scratchDir(t), "executions")
	sessions := filepath.Join(dir, "sessions")
	runtime := filepath.Join(dir, "jupyter-runtime")
	for _, d := range []string{sessions, runtime} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			ex.err = err
			return ex
		}
	}
	ctx, cancel := boundedContext(t, executionsTimeout)
	defer cancel()

	logf, err := os.Create(filepath.Join(dir, "localmesos.log"))
	if err != nil {
		ex.err = err
		return ex
	}
	defer logf.Close()
	srv, err := standIn(logf)
	if err != nil {
		ex.err = fmt.Errorf("start localmesos: %w", err)
		return ex
	}
	var zk *zktest.Server
	// Order matters: the notebooks' stand-ins leave ZooKeeper before it
	// stops, and the listeners end before the master they listen to.
	defer func() {
		stopKernels(t, runtime)
		stopSessions(t, sessions)
		if zk != nil {
			zk.Stop()
		}
		srv.Close()
	}()
	t.Logf("localmesos at %s (log %s); GoNB %s", srv.URL, logf.Name(), gonbVersion())

	root := repoRoot(t)
	env := append(notebookEnv(srv.URL, sessions), "JUPYTER_RUNTIME_DIR="+runtime)
	run := func(name, out string, extra ...string) *execution {
		e := &execution{name: name, path: filepath.Join(dir, out)}
		began := time.Now()
		e.nb, e.err = nbexec.Run(ctx, nbexec.Options{
			Notebook: filepath.Join(root, "notebooks", name+".ipynb"),
			Output:   e.path,
			Env:      append(slices.Clip(env), extra...),
			Timeout:  cellTimeout,
		})
		e.took = time.Since(began)
		if e.err == nil && e.nb == nil {
			e.err = errors.New("nbconvert wrote no notebook")
		}
		t.Logf("executed %s in %v (err: %v)", name, e.took.Round(100*time.Millisecond), e.err)
		// A kernel left by a run that timed out must not hold the session
		// or the master while the next notebook runs.
		stopKernels(t, runtime)
		return e
	}

	ex.first["Demo-API"] = run("Demo-API", "Demo-API.ipynb")
	ex.first["Operator-API"] = run("Operator-API", "Operator-API.ipynb")
	ex.first["Framework"] = run("Framework", "Framework.ipynb")
	ex.first["Executor-API"] = run("Executor-API", "Executor-API.ipynb")

	zkRun := &execution{name: "ZooKeeper", path: filepath.Join(dir, "ZooKeeper.ipynb")}
	switch err := zktest.Installed(); {
	case err != nil:
		ex.zkMissing = err
	default:
		zk, err = zktest.StartProcess(ctx, filepath.Join(dir, "zookeeper"))
		if err != nil {
			zkRun.err = fmt.Errorf("start ZooKeeper: %w", err)
			zk = nil
			break
		}
		// Free ports for the notebook's two stand-ins (5060-5063 unless
		// told): other work runs on this machine at the same time.
		first, err := testenv.FreePortRange(4)
		if err != nil {
			zkRun.err = err
			break
		}
		ex.zkDemoPort = first
		zkRun = run("ZooKeeper", "ZooKeeper.ipynb", "MESOS_ZK="+zk.URL("/mesos/vagrant"), fmt.Sprintf("%s=%d", zkdemo.EnvPort, first))
	}
	if ex.zkMissing == nil {
		ex.first["ZooKeeper"] = zkRun
	}

	// Every cell must be safe to run again: the same notebook against the
	// same master and the same session folder, after its own TEARDOWN.
	ex.rerun = run("Demo-API", "Demo-API.rerun.ipynb")
	return ex
}

// boundedContext is t's context with a timeout: at most max, and ending
// half a minute before the test binary's -timeout would, so that a hung
// notebook is reported as such rather than as a panic.
func boundedContext(t *testing.T, max time.Duration) (context.Context, context.CancelFunc) {
	d := max
	if deadline, ok := t.Deadline(); ok {
		d = min(d, time.Until(deadline)-30*time.Second)
	}
	return context.WithTimeout(t.Context(), d)
}

// TestNotebooks executes every notebook top to bottom with jupyter
// nbconvert --execute on the GoNB kernel (issue 5, items 6 and 8) and
// checks that no cell failed and that the outputs show what the notebook
// is there to show. Demo-API runs twice against the same master and
// session folder: the second run must pass too.
func TestNotebooks(t *testing.T) {
	ex := executeAll(t)
	if ex.err != nil {
		t.Fatal(ex.err)
	}
	saveExecuted(t, ex)

	t.Run("Demo-API", func(t *testing.T) { checkDemoAPI(t, ex.first["Demo-API"]) })
	t.Run("Operator-API", func(t *testing.T) { checkOperatorAPI(t, ex.first["Operator-API"]) })
	t.Run("ZooKeeper", func(t *testing.T) {
		if ex.zkMissing != nil {
			testenv.Unavailable(t, "%v", ex.zkMissing)
		}
		checkZooKeeper(t, ex.first["ZooKeeper"], ex.zkDemoPort)
	})
	t.Run("Framework", func(t *testing.T) { checkFramework(t, ex.first["Framework"]) })
	t.Run("Executor-API", func(t *testing.T) { checkExecutorAPI(t, ex.first["Executor-API"]) })
	t.Run("Demo-API again", func(t *testing.T) {
		checkDemoAPI(t, ex.rerun)
		// The second run tells the same story as the first: same cells,
		// same kinds of output. A display that went missing (a table, a
		// call and its answer) shows up here.
		if first := ex.first["Demo-API"]; first.nb != nil && ex.rerun.nb != nil {
			if diff := compareShapes(t, first.nb, ex.rerun.nb); diff != "" {
				t.Errorf("the second run's outputs differ in shape from the first's (-first +second):\n%s", diff)
			}
		}
	})

	// The wall times go in the log, for the performance note.
	for _, e := range append(slices.Collect(mapValues(ex.first, notebookNames)), ex.rerun) {
		t.Log(timing(e))
	}
}

// mapValues yields m's values in the order of keys, skipping missing ones.
func mapValues(m map[string]*execution, keys []string) iter.Seq[*execution] {
	return func(yield func(*execution) bool) {
		for _, k := range keys {
			if e, ok := m[k]; ok && !yield(e) {
				return
			}
		}
	}
}

// saveExecuted copies the executed notebooks into the test's artifact
// folder (kept with go test -artifacts), for a look at a failed CI run.
func saveExecuted(t *testing.T, ex *executions) {
	dir := t.ArtifactDir()
	for _, e := range append(slices.Collect(mapValues(ex.first, notebookNames)), ex.rerun) {
		b, err := os.ReadFile(e.path)
		if err != nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(e.path)), b, 0o644); err != nil {
			t.Log(err)
		}
	}
	t.Logf("executed notebooks in %s", dir)
}

// timing says how long a run took: the whole of nbconvert, and the cells
// as the kernel timed them.
func timing(e *execution) string {
	if e.nb == nil {
		return fmt.Sprintf("%s: %v, failed", filepath.Base(e.path), e.took.Round(100*time.Millisecond))
	}
	var ds []time.Duration
	var slowest nbexec.Cell
	for _, c := range e.nb.Code() {
		ds = append(ds, c.Duration())
		if c.Duration() > slowest.Duration() {
			slowest = c
		}
	}
	slices.Sort(ds)
	var median time.Duration
	if len(ds) > 0 {
		median = ds[len(ds)/2]
	}
	first, _, _ := strings.Cut(strings.TrimSpace(slowest.Source), "\n")
	return fmt.Sprintf("%s: %v wall, %d code cells, median cell %v, slowest cell %d (%v): %s",
		filepath.Base(e.path), e.took.Round(100*time.Millisecond), len(ds), median.Round(10*time.Millisecond),
		slowest.Index, slowest.Duration().Round(10*time.Millisecond), first)
}

// checkRun fails the test if the run failed, if a cell failed (GoNB
// reports a compile error as an error output, a panic or an os.Exit on
// stderr), or if a code cell was never executed.
func checkRun(t *testing.T, e *execution) *nbexec.Notebook {
	t.Helper()
	if e == nil {
		t.Fatal("not run")
	}
	if e.err != nil {
		t.Fatalf("%s: %v", e.name, e.err)
	}
	for _, c := range e.nb.Code() {
		if c.Failed() {
			t.Errorf("cell %d failed: %s", c.Index, c.ErrorText())
		}
		if c.Started.IsZero() {
			t.Errorf("cell %d was not executed", c.Index)
		}
	}
	return e.nb
}

// wantText fails the test for each of wants that no cell showed.
func wantText(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("no cell shows %q", w)
		}
	}
}

// htmlTables returns the HTML displays drawn by the session package's
// tables (a <b> title over a <table>) whose title matches title.
func htmlTables(nb *nbexec.Notebook, title *regexp.Regexp) []string {
	var found []string
	for _, c := range nb.Code() {
		for _, o := range c.Outputs {
			if m := regexp.MustCompile(`^<b>([^<]*)</b><br><table`).FindStringSubmatch(o.HTML); m != nil && title.MatchString(m[1]) {
				found = append(found, o.HTML)
			}
		}
	}
	return found
}

// demoSiteTitle is the <title> of the page the demo-site container serves.
func demoSiteTitle(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docker", "demo-site", "static", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<title>(.*?)</title>`).FindSubmatch(b)
	if m == nil {
		t.Fatal("docker/demo-site/static/index.html has no <title>")
	}
	return string(m[1])
}

// containerSaid is the first line the demo-site container prints on its
// stdout: the sandbox cell shows it, read from the task's sandbox.
const containerSaid = "demo-site: listening on"

// checkDemoAPI checks a run of Demo-API: subscribed, an offer table, the
// task running in a real container whose page was fetched and whose own
// output was read from its sandbox, then killed, and the framework torn
// down.
func checkDemoAPI(t *testing.T, e *execution) {
	nb := checkRun(t, e)
	text := textOf(nb)
	wantText(t, text,
		"SUBSCRIBED",
		"Found the localmesos stand-in",
		demoImage,
		"is TASK_RUNNING after",
		"-> 200 OK", // the GET of the page the container serves
		fmt.Sprintf("title %q", demoSiteTitle(t)),
		containerSaid,                // read from the sandbox's stdout
		"demo-site: GET / 200 from ", // the page fetch, as the container logged it
		"stderr: empty",
		"TASK_KILLED",
		"removed; the listener stopped",
	)
	// Every call a cell makes is shown with its request body and the
	// master's answer (a display that is lost when a cell's program exits
	// before GoNB has it would be missing here).
	for _, call := range []string{"ACCEPT", "ACKNOWLEDGE", "DECLINE", "RECONCILE", "KILL", "TEARDOWN"} {
		if !regexp.MustCompile(`POST \S+/api/v1/scheduler\s+→\s+[0-9]{3} [^\n]*\{\s*"type": "` + call + `"`).MatchString(text) {
			t.Errorf("no %s call shown with its request body and answer", call)
		}
	}
	checkSandboxReads(t, text)
	// A simulated task would reach TASK_RUNNING too: the container must
	// have been real (the page fetch above also says so).
	if strings.Contains(text, localmesos.SimulatedMessage) {
		t.Errorf("the task was simulated, not run in Docker: %q", localmesos.SimulatedMessage)
	}
	offers := htmlTables(nb, regexp.MustCompile(`^[1-9][0-9]* outstanding offer\(s\)$`))
	if len(offers) == 0 {
		t.Error("no table of outstanding offers")
	}
	tasks := htmlTables(nb, regexp.MustCompile(`^Tasks$`))
	for _, state := range []string{"TASK_RUNNING", "TASK_KILLED"} {
		if !slices.ContainsFunc(tasks, func(h string) bool { return strings.Contains(h, ">"+state+"<") }) {
			t.Errorf("no Tasks table with a task in %s (%d Tasks tables)", state, len(tasks))
		}
	}
}

// Operator-API's code cells, by what they do.
const (
	opHealth = iota + 2
	opFlags
	opState
	opAgents
	opFrameworks
	opEventStream
	opBoard
	opMetrics
	opContainers
	opFiles
	opRoles
	opQuota
	opQuotaBack
	opDrain
	opReactivate
	opCleanUp
)

// checkSandboxReads checks that the sandbox cell showed its two READ_FILE
// calls to the agent, each with its request and the agent's answer.
func checkSandboxReads(t *testing.T, text string) {
	t.Helper()
	for _, file := range []string{"stdout", "stderr"} {
		if !regexp.MustCompile(`POST \S+/api/v1\s+→\s+200 OK \{"type":"READ_FILE"[^\n]*\{\s*"type": "READ_FILE",\s*"read_file": \{\s*"path": "/frameworks/[^"]+/executors/[^"]+/runs/latest/` + file + `"`).MatchString(text) {
			t.Errorf("no READ_FILE of the task's %s shown with its request and answer", file)
		}
	}
}

// checkOperatorAPI checks a run of Operator-API: health, version, and the
// operator event stream showing its own task launched and killed, then
// the sections on flags, metrics, the agent's API, roles, quota and
// draining.
func checkOperatorAPI(t *testing.T, e *execution) {
	nb := checkRun(t, e)
	text := textOf(nb)
	wantText(t, text,
		"GET /health: true",
		"GET_HEALTH healthy: true",
		"GET_VERSION: Mesos "+localmesos.Version+" (built by localmesos",
		"FRAMEWORK_ADDED",
		"TASK_ADDED",
		"now TASK_RUNNING",
		"now TASK_KILLED",
		"answered 200",
		"--allocation_interval=1secs",
	)
	checkOperatorSections(t, text)
}

// checkOperatorSections checks what Operator-API's later sections show,
// on the stand-in and on real Mesos alike: the flags; a task that moves
// the metrics; the agent's container and the task's sandbox; a quota set
// and set back, each call shown with its answer; the agent drained, the
// task killed for it, and the agent back in service.
func checkOperatorSections(t *testing.T, text string) {
	t.Helper()
	wantText(t, text,
		"--registry=",
		"GET_CONTAINERS on agent http://127.0.0.1:",
		"sleeper: holding 0.1 cpus and 32 MB for an hour", // the task's stdout, read from its sandbox
		"GET_ROLES: ",
		"TASK_KILLED (REASON_AGENT_DRAINING",
		"is DRAINED",
	)
	for what, re := range map[string]string{
		"GET_FLAGS' count":                          `GET_FLAGS: [1-9][0-9]* flags, among them:`,
		"tasks_running before and after the launch": `master/tasks_running\s+0\s+1\s`,
		"cpus_used before and after the launch":     `master/cpus_used\s+0\s+0\.1\s`,
		"the held task's container":                 `1 container\(s\)[^\n]*hold-`,
		"the sandbox's files":                       `LIST_FILES /frameworks/\S+/executors/hold-\S+/runs/latest: \d+ entries[^\n]*stdout`,
		"the quota set":                             `workshop\s+none\s+cpus:1; mem:512`,
		"the quota set back":                        `workshop\s+none\s+none`,
		"the agent back in service":                 `REACTIVATE_AGENT[\s\S]*1 agent\(s\)\s+agent[^\n]*…-S0\s+\S+\s+\S+\s+active\s`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("no cell shows %s (%s)", what, re)
		}
	}
	for _, call := range []string{"UPDATE_QUOTA", "GET_QUOTA", "DRAIN_AGENT", "REACTIVATE_AGENT"} {
		if !regexp.MustCompile(`POST \S+/api/v1\s+→\s+200 OK[^\n]*\{\s*"type": "` + call + `"`).MatchString(text) {
			t.Errorf("no %s call shown with its request body and answer", call)
		}
	}
}

// checkZooKeeper checks a run of the ZooKeeper notebook: the masters'
// nodes, the leader found in ZooKeeper, and a new leader once the
// notebook stopped that one.
func checkZooKeeper(t *testing.T, e *execution, port int) {
	nb := checkRun(t, e)
	text := textOf(nb)
	wantText(t, text, "json.info_0000000000", "json.info_0000000001", "ip field 16777343 -> 127.0.0.1")
	masters := []string{fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("127.0.0.1:%d", port+2)}
	found := regexp.MustCompile(`leader found in ZooKeeper: (\S+)`).FindStringSubmatch(text)
	watched := regexp.MustCompile(`(?m)^leader: (\S+)\nstopping stand-in`).FindStringSubmatch(text)
	next := regexp.MustCompile(`new leader: (\S+)`).FindStringSubmatch(text)
	switch {
	case found == nil:
		t.Error("no leader found in ZooKeeper")
	case watched == nil:
		t.Error("the watch cell did not stop the leader")
	case next == nil:
		t.Error("no new leader after the leader stopped")
	case found[1] != watched[1] || next[1] == watched[1]:
		t.Errorf("leader found %s, leader stopped %s, new leader %s: want the found one stopped and another elected", found[1], watched[1], next[1])
	case !slices.Contains(masters, found[1]) || !slices.Contains(masters, next[1]):
		t.Errorf("leaders %s and %s are not the notebook's stand-ins (%v)", found[1], next[1], masters)
	}
}

// compareShapes compares two runs of a notebook by the shapes of their
// outputs (nbexec.Notebook.Shape) and returns the difference that matters:
// in each cell, the kinds of output it made, not their order. GoNB sends a
// cell's prints and its displays down different pipes, so whether a line
// printed next to a table is saved before or after it, and whether two
// prints around a display merge into one stream output, varies from run to
// run; such a difference is only logged.
func compareShapes(t *testing.T, a, b *nbexec.Notebook) string {
	t.Helper()
	exact := cmp.Diff(a.Shape(), b.Shape())
	if exact == "" {
		return ""
	}
	if diff := cmp.Diff(outputKinds(a.Shape()), outputKinds(b.Shape())); diff != "" {
		return diff
	}
	t.Logf("same kinds of output, in another order (stream and display outputs race in GoNB):\n%s", exact)
	return ""
}

// outputKinds reduces each cell of a shape to its type and the sorted set
// of the kinds of output it made.
func outputKinds(shape []string) []string {
	out := make([]string, len(shape))
	for i, cell := range shape {
		typ, list, _ := strings.Cut(cell, ":")
		kinds := strings.Split(list, ",")
		slices.Sort(kinds)
		out[i] = typ + ":" + strings.Join(slices.Compact(kinds), ",")
	}
	return out
}
