package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"

	"github.com/mesosnb/mesosnb/internal/nbexec"

	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/recordio"
	"github.com/mesosnb/mesosnb/pkg/session"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// listenerKilled: kill -9 the listener right after TASK_STARTING is in the
// journal; a new listener must fail over with the same framework id, and
// the journal must end up with every state the task went through.
func listenerKilled(ctx context.Context, h *harness) (string, error) {
	m, err := h.startLM(ctx, "", "--runner", "process")
	if err != nil {
		return "", err
	}
	s, opts, err := h.startSession(ctx, m.url, "listener-kill", nil)
	if err != nil {
		return "", err
	}
	before, _ := s.State()
	if err := launch(ctx, s, "chaos-sleeper", &mesos.CommandInfo{Value: "sleep 2; exit 0"}); err != nil {
		return "", err
	}
	if err := waitFor(ctx, "TASK_STARTING journaled", func() (bool, string) {
		_, ok, _ := s.Task(mesos.TaskID{Value: "chaos-sleeper"})
		return ok, "no update yet"
	}); err != nil {
		return "", err
	}
	syscall.Kill(before.ListenerPID, syscall.SIGKILL)
	killedAt := time.Now()
	// The kernel frees the listener's lock when the process is gone, a
	// moment after the signal: a user re-running the cell is never faster.
	if err := waitFor(ctx, "the killed listener to go", func() (bool, string) {
		return !proc.Alive(before.ListenerPID), "still alive"
	}); err != nil {
		return "", err
	}
	s2, err := session.Start(ctx, opts)
	if err != nil {
		return "", err
	}
	after, _ := s2.State()
	if after.FrameworkID != before.FrameworkID || s2.How != session.Failover {
		return "", fmt.Errorf("after the kill: %s with framework %s, before %s", s2.How, after.FrameworkID, before.FrameworkID)
	}
	t, err := s2.WaitTask(within(ctx, 40*time.Second), mesos.TaskID{Value: "chaos-sleeper"}, mesos.TaskFinished)
	if err != nil {
		return "", err
	}
	want := []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskFinished}
	if states(t.States) != states(want) {
		return "", fmt.Errorf("journal has %s, want %s", states(t.States), states(want))
	}
	return fmt.Sprintf("listener pid %d killed at TASK_STARTING; new listener (%s) kept framework %s; journal: %s (finished %s after the kill)",
		before.ListenerPID, s2.How, after.FrameworkID, states(t.States), time.Since(killedAt).Round(100*time.Millisecond)), nil
}

// masterRestarted: stop localmesos and start a new one on the same
// address; the listener must re-subscribe with the same framework id.
func masterRestarted(ctx context.Context, h *harness) (string, error) {
	m, err := h.startLM(ctx, "", "--runner", "simulated")
	if err != nil {
		return "", err
	}
	s, _, err := h.startSession(ctx, m.url, "master-restart", nil)
	if err != nil {
		return "", err
	}
	before, _ := s.State()
	m.stop()
	if _, err := h.startLM(ctx, m.master, "--runner", "simulated"); err != nil {
		return "", err
	}
	var after session.State
	err = waitFor(ctx, "re-subscription to the new localmesos", func() (bool, string) {
		after, _ = s.State()
		return after.Status == session.StatusSubscribed && after.Subscriptions > before.Subscriptions, after.Status + " " + after.Message
	})
	if err != nil {
		return "", err
	}
	if after.FrameworkID != before.FrameworkID {
		return "", fmt.Errorf("framework id changed: %s -> %s", before.FrameworkID, after.FrameworkID)
	}
	return fmt.Sprintf("framework %s re-subscribed to the restarted master (subscriptions %d -> %d, new stream %s)",
		after.FrameworkID, before.Subscriptions, after.Subscriptions, after.StreamID), nil
}

func startZK(ctx context.Context, h *harness) (*zktest.Server, error) {
	if err := zktest.Installed(); err != nil {
		return nil, fmt.Errorf("ZooKeeper is needed: %v (%s)", err, zktest.InstallCommand)
	}
	zk, err := zktest.StartProcess(ctx, h.scratch("zookeeper"))
	if err != nil {
		return nil, err
	}
	h.onCleanup(zk.Stop)
	return zk, nil
}

// leaderFailover: two masters in one ZooKeeper; stop the leader; the
// listener must follow to the other with the same framework id.
func leaderFailover(ctx context.Context, h *harness) (string, error) {
	zk, err := startZK(ctx, h)
	if err != nil {
		return "", err
	}
	url := zk.URL("/mesos")
	a, err := h.startLM(ctx, "", "--runner", "simulated", "--zk", url)
	if err != nil {
		return "", err
	}
	b, err := h.startLM(ctx, "", "--runner", "simulated", "--zk", url)
	if err != nil {
		return "", err
	}
	s, _, err := h.startSession(ctx, url, "failover", nil)
	if err != nil {
		return "", err
	}
	before, _ := s.State()
	leaderProc, other := a, b
	if !strings.Contains(before.Leader, a.master) {
		leaderProc, other = b, a
	}
	leaderProc.stop()
	var after session.State
	err = waitFor(ctx, "re-subscription to the new leader", func() (bool, string) {
		after, _ = s.State()
		return after.Status == session.StatusSubscribed && strings.Contains(after.Leader, other.master), after.Status + " " + after.Leader + " " + after.Message
	})
	if err != nil {
		return "", err
	}
	if after.FrameworkID != before.FrameworkID {
		return "", fmt.Errorf("framework id changed: %s -> %s", before.FrameworkID, after.FrameworkID)
	}
	return fmt.Sprintf("leader %s stopped; framework %s re-subscribed to %s", before.Leader, after.FrameworkID, after.Leader), nil
}

// zookeeperRestarted: restart ZooKeeper under a master and a framework;
// the master must still lead, the framework's stream survive, and a call
// through a zk:// client still find the leader.
func zookeeperRestarted(ctx context.Context, h *harness) (string, error) {
	zk, err := startZK(ctx, h)
	if err != nil {
		return "", err
	}
	url := zk.URL("/mesos")
	m, err := h.startLM(ctx, "", "--runner", "simulated", "--zk", url)
	if err != nil {
		return "", err
	}
	s, _, err := h.startSession(ctx, url, "zk-restart", nil)
	if err != nil {
		return "", err
	}
	before, _ := s.State()
	zk.Stop()
	time.Sleep(time.Second)
	if err := zk.Restart(ctx); err != nil {
		return "", err
	}
	zm, _ := leader.Parse(url)
	var info mesos.MasterInfo
	err = waitFor(ctx, "a leader in the restarted ZooKeeper", func() (bool, string) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		info, err = leader.Lookup(c, zm, nil)
		return err == nil, fmt.Sprint(err)
	})
	if err != nil {
		return "", err
	}
	c, err := s.Client()
	if err != nil {
		return "", err
	}
	if err := c.Revive(ctx); err != nil {
		return "", fmt.Errorf("a call after the restart: %w", err)
	}
	after, _ := s.State()
	if after.FrameworkID != before.FrameworkID || info.HostPort() != m.master {
		return "", fmt.Errorf("after the restart: framework %s (was %s), leader %s (want %s)", after.FrameworkID, before.FrameworkID, info.HostPort(), m.master)
	}
	return fmt.Sprintf("ZooKeeper restarted; %s still leads; framework %s %s (subscriptions %d -> %d); REVIVE answered 202",
		info.HostPort(), after.FrameworkID, after.Status, before.Subscriptions, after.Subscriptions), nil
}

// masterStalls: a master that sends SUBSCRIBED and then nothing, not even
// heartbeats; the listener's watchdog must fire and it must subscribe
// again with its framework id.
func masterStalls(ctx context.Context, h *harness) (string, error) {
	var subscribes atomic.Int32
	var mu sync.Mutex
	var resubscribedWith string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var call mesos.Call
		json.NewDecoder(r.Body).Decode(&call)
		if call.Type != mesos.CallSubscribe {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		n := subscribes.Add(1)
		if call.FrameworkID != nil {
			mu.Lock()
			resubscribedWith = call.FrameworkID.Value
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Mesos-Stream-Id", fmt.Sprintf("stream-%d", n))
		enc := recordio.NewEncoder(w)
		enc.Encode([]byte(`{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"stalling-0000"},"heartbeat_interval_seconds":0.2}}`))
		enc.Encode([]byte(`{"type":"HEARTBEAT"}`))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // then silence
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go srv.Serve(ln)
	h.onCleanup(func() { srv.Close() })
	start := time.Now()
	_, _, err = h.startSession(ctx, "http://"+ln.Addr().String(), "stall", func(o *session.Options) { o.Client.MissedHeartbeats = 2 })
	if err != nil {
		return "", err
	}
	if err := waitFor(ctx, "a second SUBSCRIBE after the silence", func() (bool, string) {
		return subscribes.Load() >= 2, fmt.Sprintf("%d subscribes", subscribes.Load())
	}); err != nil {
		return "", err
	}
	mu.Lock()
	defer mu.Unlock()
	if resubscribedWith != "stalling-0000" {
		return "", fmt.Errorf("re-subscribed with framework id %q", resubscribedWith)
	}
	return fmt.Sprintf("stream silent after SUBSCRIBED (heartbeat 0.2s, watchdog 2 intervals); re-subscribed with framework stalling-0000 %s after the start", time.Since(start).Round(10*time.Millisecond)), nil
}

// kernelKilled: a real GoNB kernel starts the listener from a cell, then
// the kernel is killed; the listener must stop within two heartbeat
// intervals (plus its one-second check), while the framework and its task
// stay on the master.
func kernelKilled(ctx context.Context, h *harness) (string, error) {
	m, err := h.startLM(ctx, "", "--runner", "simulated", "--heartbeat", "1s")
	if err != nil {
		return "", err
	}
	sessions := h.scratch("kernel-sessions")
	wd, _ := os.Getwd()
	k, err := nbexec.StartKernel(ctx, nbexec.KernelOptions{Dir: filepath.Join(wd, "notebooks"),
		Env: []string{"MESOS_MASTER=" + m.url, "MESOSNB_SESSION_DIR=" + sessions, "TMPDIR=" + h.scratch("kernel-tmp")}})
	if err != nil {
		return "", fmt.Errorf("start a GoNB kernel (Debian's python3 with jupyter_client is needed): %w", err)
	}
	h.onCleanup(func() { k.Close() })
	for _, code := range []string{
		"%noautoget\n%goflags -ldflags=-s\n!*bash \"$GONB_DIR/setup.sh\"",
		"import \"github.com/mesosnb/mesosnb/pkg/session\"\n%%\n_, err := session.Start(context.Background(), session.Options{Name: \"chaos-kernel\"})\nif err != nil { panic(err) }",
	} {
		c, err := k.Execute(ctx, code)
		if err != nil || c.Failed() {
			return "", fmt.Errorf("the kernel cell did not start a session: %v %s", err, c.ErrorText())
		}
	}
	kernelPID := k.PID
	s, err := session.Open(session.Options{Name: "chaos-kernel", Dir: filepath.Join(sessions, "chaos-kernel")})
	if err != nil {
		return "", err
	}
	h.onCleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Stop(c)
	})
	if err := launch(ctx, s, "survivor", &mesos.CommandInfo{Value: "sleep 1000"}); err != nil {
		return "", err
	}
	if _, err := s.WaitTask(within(ctx, 20*time.Second), mesos.TaskID{Value: "survivor"}, mesos.TaskRunning); err != nil {
		return "", err
	}
	st, _ := s.State()
	syscall.Kill(kernelPID, syscall.SIGKILL)
	killed := time.Now()
	if err := waitFor(ctx, "the listener to stop", func() (bool, string) {
		return !proc.Alive(st.ListenerPID), "listener still alive"
	}); err != nil {
		return "", err
	}
	gone := time.Since(killed)
	limit := 2*time.Duration(st.HeartbeatInterval*float64(time.Second)) + 3*time.Second
	if gone > limit {
		return "", fmt.Errorf("listener stopped %s after the kernel, over %s", gone, limit)
	}
	op, _ := operator.New(operator.Config{Master: m.url})
	tasks, err := op.Tasks(ctx)
	if err != nil {
		return "", err
	}
	fws, err := op.Frameworks(ctx)
	if err != nil {
		return "", err
	}
	running := false
	for _, t := range tasks.Tasks {
		running = running || (t.TaskID.Value == "survivor" && t.State == mesos.TaskRunning)
	}
	kept := false
	for _, f := range fws.Frameworks {
		kept = kept || (f.FrameworkInfo.ID != nil && f.FrameworkInfo.ID.Value == st.FrameworkID && !f.Connected)
	}
	if !running || !kept {
		return "", fmt.Errorf("after the listener stopped: task running %v, framework kept (disconnected) %v", running, kept)
	}
	return fmt.Sprintf("kernel pid %d killed; listener pid %d stopped %s later (limit %s); framework %s kept, disconnected, task survivor still TASK_RUNNING",
		kernelPID, st.ListenerPID, gone.Round(100*time.Millisecond), limit, st.FrameworkID), nil
}
