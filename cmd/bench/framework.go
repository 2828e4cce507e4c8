package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/pkg/framework"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// kills is how many copies frameworkRows kills.
const kills = 50

// The Framework notebook's cells that start its framework: setup,
// Configuration, Subscribe, the two handler cells, Start.
var frameworkStart = []int{0, 1, 2, 3, 4, 5}

// frameworkRows measures the Framework notebook's own framework (its
// cells, run in a GoNB kernel; its driver): 50 times, a running copy is
// killed by hand, and the time from its TASK_KILLED to its replacement's
// TASK_RUNNING is taken from the session's journal, both as the listener
// received them. Against the stand-in as `make localmesos` runs it, and,
// for comparison, against real Mesos 1.11 (one master, one agent with
// Docker) when it is installed.
func frameworkRows() ([]Row, error) {
	srv, err := localmesos.New(localmesos.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	runner := "simulated tasks"
	if localmesos.PingDocker(context.Background(), "") == nil {
		runner = "Docker containers"
	}
	took, err := killAndReplace(srv.URL)
	srv.Close()
	if err != nil {
		return nil, err
	}
	real := "real Mesos: not measured"
	if d, err := killAndReplaceRealMesos(); err != nil {
		real += " (" + err.Error() + ")"
	} else {
		real = fmt.Sprintf("real Mesos 1.11: p50 %.0f ms, p99 %.0f ms", ms(d, 0.5), ms(d, 0.99))
	}
	note := fmt.Sprintf("%d kills; the notebook's own handlers; stand-in, 1 s allocation interval, %s", len(took), runner)
	return []Row{
		{Name: "framework: copy killed → replacement running p50", Value: ms(took, 0.5), Unit: "ms", Comparison: real, Note: note},
		{Name: "framework: copy killed → replacement running p99", Value: ms(took, 0.99), Unit: "ms", Target: "a few allocation intervals (< 3 s)"},
	}, nil
}

// ms is the q-quantile of sorted durations, in milliseconds.
func ms(sorted []time.Duration, q float64) float64 {
	return float64(sorted[int(q*float64(len(sorted)-1))].Microseconds()) / 1000
}

// killAndReplaceRealMesos is killAndReplace against a real master and
// agent whose copies run the project's demo-site image.
func killAndReplaceRealMesos() ([]time.Duration, error) {
	if err := exec.Command("docker", "image", "inspect", mesostest.DemoImage).Run(); err != nil {
		return nil, fmt.Errorf("no %s image: make images", mesostest.DemoImage)
	}
	dir, err := os.MkdirTemp("", "bench-framework-mesos-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	c, err := mesostest.StartProcess(context.Background(), dir, mesostest.Options{Docker: mesostest.DockerRequired})
	if err != nil {
		return nil, err
	}
	defer c.Stop()
	return killAndReplace(c.URL(), "DEMO_IMAGE="+mesostest.DemoImage)
}

// killAndReplace runs the notebook's framework against master and
// returns the kill-to-replacement times, sorted.
func killAndReplace(master string, extraEnv ...string) ([]time.Duration, error) {
	dir, err := os.MkdirTemp("", "bench-framework-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	sessions := filepath.Join(dir, "sessions")
	env := append([]string{"MESOS_MASTER=" + master, session.EnvSessionDir + "=" + sessions,
		"PATH=" + os.Getenv("PATH") + ":" + filepath.Join(strings.TrimSpace(string(gopath)), "bin")}, extraEnv...)
	nb, err := nbexec.Read("notebooks/Framework.ipynb")
	if err != nil {
		return nil, err
	}
	code := nb.Code()
	ctx := context.Background()
	k, err := nbexec.StartKernel(ctx, nbexec.KernelOptions{Dir: "notebooks", Env: env})
	if err != nil {
		return nil, fmt.Errorf("start a kernel for the Framework notebook: %w", err)
	}
	defer k.Close()
	for _, i := range frameworkStart {
		c, err := k.Execute(ctx, code[i].Source)
		if err == nil && c.Failed() {
			err = fmt.Errorf("Framework cell %d failed: %s", code[i].Index, c.ErrorText())
		}
		if err != nil {
			return nil, err
		}
	}
	opts := session.Options{Name: "framework", Root: sessions, Kernel: k.ID}
	s, err := session.Open(opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		framework.Stop(ctx, opts)
		if c, err := s.Client(); err == nil {
			c.Teardown(ctx)
			c.Close()
		}
		s.Stop(ctx)
	}()
	if _, err := converged(ctx, s); err != nil {
		return nil, err
	}
	var took []time.Duration
	for range kills {
		d, err := killOne(ctx, s)
		if err != nil {
			return nil, err
		}
		took = append(took, d)
	}
	slices.Sort(took)
	return took, nil
}

// converged waits until three copies run and nothing else is live.
func converged(ctx context.Context, s *session.Session) (framework.View, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		v, err := framework.Look(s)
		if err != nil || (v.Running == 3 && v.Live() == 3) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("the framework did not get back to three copies within a minute: %d running, %d live", v.Running, v.Live())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// killOne kills the oldest running copy and returns the time from its
// TASK_KILLED to the TASK_RUNNING of the copy that replaced it.
func killOne(ctx context.Context, s *session.Session) (time.Duration, error) {
	before, err := framework.Look(s)
	if err != nil {
		return 0, err
	}
	old := map[string]bool{}
	for _, t := range before.Tasks {
		old[t.ID.Value] = true
	}
	victim, err := framework.OldestRunning(s)
	if err != nil {
		return 0, err
	}
	c, err := s.Client()
	if err != nil {
		return 0, err
	}
	defer c.Close()
	since := s.Seq()
	if err := c.Kill(ctx, victim.ID, &victim.AgentID); err != nil {
		return 0, err
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := s.WaitTask(wctx, victim.ID, mesos.TaskKilled); err != nil {
		return 0, err
	}
	if _, err := converged(ctx, s); err != nil {
		return 0, err
	}
	entries, err := s.Events(since)
	if err != nil {
		return 0, err
	}
	var died, running time.Time
	for _, e := range entries {
		u := e.Event.Update
		switch {
		case u == nil:
		case u.Status.TaskID == victim.ID && u.Status.State == mesos.TaskKilled && died.IsZero():
			died = e.Received
		case !old[u.Status.TaskID.Value] && u.Status.State == mesos.TaskRunning && running.IsZero():
			running = e.Received
		}
	}
	if died.IsZero() || running.IsZero() {
		return 0, errors.New("no TASK_KILLED, or no replacement's TASK_RUNNING, in the journal")
	}
	return running.Sub(died), nil
}
