//go:build unix

package notebooks_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// The learner's path (issue 10): a real GoNB kernel driven cell by cell
// over the Jupyter protocol (nbexec.Kernel), restarted, run out of order,
// two at once, with the master or the listener taken away underneath.
// Each test has its own master and session folders; every kernel is shut
// down, and every listener and stand-in stopped, when its test ends.

// learner is one kernel on one notebook, driven the way a learner's
// browser drives it.
type learner struct {
	t        *testing.T
	notebook string
	k        *nbexec.Kernel
	code     []string // the notebook's code cells, in order
	sessions string   // the MESOSNB_SESSION_DIR its cells use
	log      *os.File // the transcript: every cell run and what it showed
}

// Code cells every notebook starts with.
const (
	setupCell  = 0
	configCell = 1
)

// startLearner starts a kernel on the notebook with env (see learnerEnv).
func startLearner(t *testing.T, notebook string, env []string) *learner {
	t.Helper()
	needKernel(t)
	nb, err := nbexec.Read(filepath.Join(repoRoot(t), "notebooks", notebook+".ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	l := &learner{t: t, notebook: notebook, sessions: envValue(env, session.EnvSessionDir)}
	for _, c := range nb.Code() {
		l.code = append(l.code, c.Source)
	}
	base := filepath.Join(t.ArtifactDir(), fmt.Sprintf("%s-%d", notebook, time.Now().UnixNano()))
	logf, err := os.Create(base + ".kernel.log")
	if err != nil {
		t.Fatal(err)
	}
	if l.log, err = os.Create(base + ".transcript.txt"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l.k, err = nbexec.StartKernel(ctx, nbexec.KernelOptions{Dir: filepath.Join(repoRoot(t), "notebooks"), Env: env, Stderr: logf})
	if err != nil {
		logf.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.k.Close(); err != nil {
			t.Errorf("shut the %s kernel down: %v", notebook, err)
		}
		logf.Close()
		l.log.Close()
	})
	return l
}

// envValue is the value of key in env, "" if unset.
func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// run executes code cell i and returns what it showed; the kernel must
// answer (a cell that fails is for the caller to judge).
func (l *learner) run(i int) nbexec.Cell {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cellTimeout)
	defer cancel()
	c, err := l.k.Execute(ctx, l.code[i])
	c.Index = i
	fmt.Fprintf(l.log, "=== cell %d (%s), %v, failed %v\n%s\n", i, firstLine(l.code[i]), c.Duration().Round(time.Millisecond), c.Failed(), c.Text())
	if err != nil {
		l.t.Fatalf("%s code cell %d: %v", l.notebook, i, err)
	}
	return c
}

// ok runs code cell i and fails the test unless it succeeded; it returns
// the cell's text.
func (l *learner) ok(i int) string {
	l.t.Helper()
	c := l.run(i)
	if c.Failed() {
		l.t.Fatalf("%s code cell %d (%s) failed: %s", l.notebook, i, firstLine(l.code[i]), c.ErrorText())
	}
	return c.Text()
}

// setup runs the setup and Configuration cells: all any cell needs.
func (l *learner) setup() {
	l.t.Helper()
	l.ok(setupCell)
	l.ok(configCell)
}

// restart restarts the kernel (the same kernel id, a new process), with
// env added to its environment, and runs the setup and Configuration
// cells again.
func (l *learner) restart(env ...string) {
	l.t.Helper()
	l.restartOnly(env...)
	l.setup()
}

// restartOnly restarts the kernel and runs nothing.
func (l *learner) restartOnly(env ...string) {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fmt.Fprintf(l.log, "=== kernel restart %v\n", env)
	if err := l.k.Restart(ctx, env...); err != nil {
		l.t.Fatal(err)
	}
	if v := envValue(env, session.EnvSessionDir); v != "" {
		l.sessions = v
	}
}

// session opens this kernel's session of the given name, read-only.
func (l *learner) session(name string) *session.Session {
	l.t.Helper()
	s, err := session.Open(session.Options{Name: name, Root: l.sessions, Kernel: l.k.ID})
	if err != nil {
		l.t.Fatalf("the %s session of kernel %s: %v", name, l.k.ID, err)
	}
	return s
}

// frameworkID is the framework of this kernel's session of that name.
func (l *learner) frameworkID(name string) string {
	l.t.Helper()
	st, err := l.session(name).State()
	if err != nil {
		l.t.Fatal(err)
	}
	return st.FrameworkID
}

func firstLine(s string) string {
	for line := range strings.Lines(s) {
		if t := strings.TrimSpace(line); t != "" && t != "%%" {
			return t
		}
	}
	return ""
}

// runFirst matches the one line a cell run too early answers with.
var runFirst = regexp.MustCompile(`run the .+ cell first`)

// verdict says what a cell run on its own did: "ok", "run first: <the
// line>", or why it is neither (a compile error, a panic, several lines,
// another error).
func verdict(c nbexec.Cell) (string, bool) {
	if !c.Failed() {
		return "ok", true
	}
	var stderr []string
	for _, o := range c.Outputs {
		if o.Type == "error" && o.EValue != "exit status 1" {
			return "not a one-line message: " + o.EName + ": " + o.EValue, false
		}
		if o.Name == "stderr" {
			for line := range strings.Lines(o.Text) {
				if t := strings.TrimSpace(line); t != "" && t != "exit status 1" {
					stderr = append(stderr, t)
				}
			}
		}
	}
	switch {
	case len(stderr) != 1:
		return fmt.Sprintf("%d lines on stderr: %q", len(stderr), stderr), false
	case strings.Contains(stderr[0], "panic:"):
		return "a panic: " + stderr[0], false
	case !runFirst.MatchString(stderr[0]):
		return "an error that names no cell to run first: " + stderr[0], false
	}
	return "run first: " + stderr[0], true
}

// learnerEnv is what a test's kernel runs with: the master, a fresh
// sessions folder of the test's own, and kernelEnv.
func learnerEnv(t *testing.T, master string) []string {
	t.Helper()
	return append(notebookEnv(master, freshSessions(t)), kernelEnv(t)...)
}

// kernelEnv is the part of a kernel's environment that keeps what it
// starts inside the package's scratch folder: Jupyter's runtime folder
// (connection files, by which stopKernels finds kernels left running),
// TMPDIR (GoNB's scratch folders), and free ports for the ZooKeeper
// notebook's stand-ins.
func kernelEnv(t testing.TB) []string {
	first, err := testenv.FreePortRange(4)
	if err != nil {
		t.Fatal(err)
	}
	return []string{
		"JUPYTER_RUNTIME_DIR=" + filepath.Join(scratchDir(t), "jupyter-runtime"),
		"TMPDIR=" + filepath.Join(scratchDir(t), "tmp"),
		fmt.Sprintf("MESOSNB_ZK_DEMO_PORT=%d", first),
	}
}

// freshSessions is a new, empty sessions folder, whose listeners and
// stand-ins are stopped when the test ends.
func freshSessions(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp(scratchDir(t), "sessions-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopSessions(t, dir) })
	return dir
}

// simulatedMaster is a localmesos for one test whose tasks are simulated
// (no container needed), quick to offer and to re-send updates.
func simulatedMaster(t *testing.T, edit func(*localmesos.Config)) *localmesos.Server {
	t.Helper()
	cfg := localmesos.Config{MasterAddr: "127.0.0.1:0", AgentAddrs: []string{"127.0.0.1:0"}, Runner: localmesos.RunnerSimulated,
		StatusUpdateRetry: time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := localmesos.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}
