package session_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// The learner's path at the package's level: a session per kernel, a
// session that heals, that never talks to a master behind the learner's
// back, and that fails in seconds. The GoNB kernels are stood in for by
// processes of the test's own; the notebooks' tests (test/notebooks) do
// the same through real kernels.

// kernel is a process standing in for a GoNB kernel: alive until the test
// ends, or until killed.
func kernel(t *testing.T) *os.Process {
	t.Helper()
	cmd := exec.Command("sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process
}

// deadPID is the pid of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// kernelOptions is the session "demo" of a kernel with that id and pid,
// under root, as a notebook's cell would open it.
func kernelOptions(t *testing.T, master, root, id string, pid int) session.Options {
	return session.Options{Name: "demo", Notebook: "Demo.ipynb", Root: root, Kernel: id, ParentPID: pid,
		Client: httpapi.Config{Master: master}, Framework: mesos.FrameworkInfo{User: "root", Name: t.Name()}, StartTimeout: 20 * time.Second}
}

// TestKernelsOwnTheirSessions: a second live kernel on the same notebook
// gets a session and a framework of its own, and is told so; each kernel's
// later cells find its own; a restarted kernel (same id, new process)
// finds its own again; a new kernel id takes over a session whose kernel
// is gone.
func TestKernelsOwnTheirSessions(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	root := t.TempDir()
	k1 := kernelOptions(t, srv.URL, root, "kernel-one", kernel(t).Pid)
	k2 := kernelOptions(t, srv.URL, root, "kernel-two", kernel(t).Pid)
	s1, s2 := start(t, k1), start(t, k2)
	if filepath.Base(s1.Dir) != "demo" || filepath.Base(s2.Dir) != "demo-2" {
		t.Fatalf("sessions in %s and %s, want demo and demo-2", s1.Dir, s2.Dir)
	}
	if !strings.Contains(s2.Note, "another kernel") || !strings.Contains(s2.Note, "demo-2") {
		t.Errorf("the second kernel's note: %q", s2.Note)
	}
	if f1, f2 := state(t, s1).FrameworkID, state(t, s2).FrameworkID; f1 == f2 {
		t.Fatalf("both kernels drive framework %s", f1)
	}
	if o := s2.Owner(); o.Kernel != "kernel-two" || o.Notebook != "Demo.ipynb" || o.Master != srv.URL {
		t.Errorf("the second session's owner: %+v", o)
	}
	for _, k := range []session.Options{k1, k2} {
		s, err := session.Resume(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if s.Dir != map[string]string{"kernel-one": s1.Dir, "kernel-two": s2.Dir}[k.Kernel] || s.How != session.Attached {
			t.Errorf("kernel %s resumed %s (%s)", k.Kernel, s.Dir, s.How)
		}
	}

	// A restart: the same kernel id, a new process.
	restarted := k1
	restarted.ParentPID = kernel(t).Pid
	if s, err := session.Resume(context.Background(), restarted); err != nil || s.Dir != s1.Dir {
		t.Fatalf("the restarted kernel resumed %v, %v", s, err)
	}
	if o := s1.Owner(); o.KernelPID != restarted.ParentPID {
		t.Errorf("the owner's kernel pid is %d, want the restarted kernel's %d", o.KernelPID, restarted.ParentPID)
	}

	// Jupyter restarted: a new kernel id; the old kernel is gone.
	gone := k2
	gone.ParentPID = deadPID(t)
	if _, err := session.Resume(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	newcomer := kernelOptions(t, srv.URL, root, "kernel-three", kernel(t).Pid)
	s3, err := session.Resume(context.Background(), newcomer)
	if err != nil {
		t.Fatal(err)
	}
	if s3.Dir != s2.Dir || state(t, s3).FrameworkID != state(t, s2).FrameworkID {
		t.Errorf("the new kernel took %s, want %s (its kernel is gone)", s3.Dir, s2.Dir)
	}
}

// TestResumeWithoutSession: a cell run before the Subscribe cell names it,
// in one line, and starts nothing.
func TestResumeWithoutSession(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := kernelOptions(t, srv.URL, t.TempDir(), "k", os.Getpid())
	_, err := session.Resume(context.Background(), opts)
	if !errors.Is(err, session.ErrNoSession) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "run the Subscribe cell first") {
		t.Fatalf("Resume before Start: %v", err)
	}
	if entries, _ := os.ReadDir(opts.Root); len(entries) > 1 {
		t.Errorf("Resume wrote %v", entries)
	}
}

// TestMasterChanged: a session on master A, opened while the
// configuration names master B, says so and never talks to A; with
// WithAnyMaster (the TEARDOWN cell) it reaches the framework on A.
func TestMasterChanged(t *testing.T) {
	t.Parallel()
	a, b := startMaster(t, nil), startMaster(t, nil)
	opts := options(t, a.URL)
	s := start(t, opts)
	fw := state(t, s).FrameworkID
	// The same master written another way is the same master.
	same := opts
	same.Client.Master = strings.TrimPrefix(a.URL, "http://")
	if _, err := session.Resume(context.Background(), same); err != nil {
		t.Fatalf("master %s written as %s: %v", a.URL, same.Client.Master, err)
	}
	opts.Client.Master = b.URL
	for _, open := range []func(context.Context, session.Options) (*session.Session, error){session.Start, session.Resume} {
		_, err := open(context.Background(), opts)
		var changed *session.MasterChangedError
		if !errors.As(err, &changed) || changed.Old != a.URL || changed.New != b.URL || !strings.Contains(err.Error(), "TEARDOWN cell") {
			t.Fatalf("opening the session with another master: %v", err)
		}
	}
	s, err := session.Resume(context.Background(), opts.WithAnyMaster())
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Teardown(context.Background()); err != nil {
		t.Fatalf("TEARDOWN through the session's own master: %v", err)
	}
	fws, err := operatorClient(t, a.URL).Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fws.Frameworks) != 0 || len(fws.CompletedFrameworks) != 1 || fws.CompletedFrameworks[0].FrameworkInfo.ID.Value != fw {
		t.Errorf("master A after the TEARDOWN: %d frameworks, completed %+v", len(fws.Frameworks), fws.CompletedFrameworks)
	}
}

// TestNoMasterFailsFast: Start against an address where nothing listens
// fails within seconds, with the warm-up's next step, and leaves nothing
// running that could register a framework later.
func TestNoMasterFailsFast(t *testing.T) {
	t.Parallel()
	opts := options(t, "http://"+testenv.Addr(t))
	began := time.Now()
	_, err := session.Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "no master answers at") || !strings.Contains(err.Error(), "make localmesos") {
		t.Fatalf("Start with no master: %v", err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("Start took %v to fail", took)
	}
	if lockHeld(t, opts.Dir) {
		t.Error("a listener runs after the failed Start")
	}
	// The warm-up says the same.
	if _, werr := session.CheckCluster(context.Background(), opts.Client); werr == nil || !strings.Contains(werr.Error(), "next step: no master answers at") {
		t.Errorf("the warm-up with no master: %v", werr)
	}
}

// TestMalformedMasterFromEnvironment: a MESOS_MASTER that cannot work is
// refused when the options are resolved (the Configuration cell), with
// the exact fix.
func TestMalformedMasterFromEnvironment(t *testing.T) {
	t.Setenv(httpapi.EnvMaster, "foo://bar")
	_, err := session.Options{Root: t.TempDir()}.Resolved()
	if !errors.Is(err, session.ErrBadMaster) {
		t.Fatalf("Resolved with MESOS_MASTER=foo://bar: %v", err)
	}
	for _, want := range []string{"MESOS_MASTER=foo://bar", "set it in the shell that starts Jupyter", "restart the kernel"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	if _, err := session.ClientConfig(); !errors.Is(err, session.ErrBadMaster) {
		t.Errorf("ClientConfig with MESOS_MASTER=foo://bar: %v", err)
	}
}

// TestNoFrameworkForAGoneKernel: a listener whose kernel is gone before it
// subscribed never registers a framework.
func TestNoFrameworkForAGoneKernel(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := options(t, srv.URL)
	opts.ParentPID = deadPID(t)
	_, err := session.Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "none was registered") {
		t.Fatalf("Start for a kernel that is gone: %v", err)
	}
	fws, err := operatorClient(t, srv.URL).Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fws.Frameworks)+len(fws.CompletedFrameworks) != 0 {
		t.Errorf("the master has %d framework(s)", len(fws.Frameworks)+len(fws.CompletedFrameworks))
	}
}

// TestNeverStale: offers of a torn-down framework are not outstanding; a
// task the restarted master no longer knows is not shown running: the
// listener reconciles after re-subscribing, and the wait says how the task
// ended, in words.
func TestNeverStale(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	addr := strings.TrimPrefix(srv.URL, "http://")
	s := start(t, options(t, srv.URL))
	launch(t, s, "t1", "sleep 600")
	id := mesos.TaskID{Value: "t1"}
	if _, err := s.WaitTask(within(context.Background(), 10*time.Second), id, mesos.TaskRunning); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	// A cell runs a good while after the master restarts; the listener
	// sees its stream end at once.
	testenv.Eventually(t, 5*time.Second, "the listener to notice the master is gone", func() bool {
		return state(t, s).Status != session.StatusSubscribed
	})
	startMaster(t, func(c *localmesos.Config) { c.MasterAddr = addr })
	_, err := s.WaitTask(within(context.Background(), 20*time.Second), id, mesos.TaskRunning)
	var ended *session.TaskEndedError
	if !errors.As(err, &ended) || ended.Task.State != mesos.TaskLost || !strings.Contains(err.Error(), "the master does not know the task") {
		t.Fatalf("waiting for the task after the master restarted: %v", err)
	}
	tk, _, _ := s.Task(id)
	if tk.Unconfirmed || tk.State != mesos.TaskLost {
		t.Errorf("the task is %s (unconfirmed %v)", tk.State, tk.Unconfirmed)
	}

	if _, err := s.WaitOffer(within(context.Background(), 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if offers, err := s.Offers(); err != nil || len(offers) != 0 {
		t.Errorf("after TEARDOWN: %d outstanding offer(s), %v", len(offers), err)
	}
}
