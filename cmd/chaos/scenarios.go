package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/recordio"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
	"github.com/mesosnb/mesosnb/pkg/session"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// lm is a localmesos process.
type lm struct {
	cmd             *exec.Cmd
	url             string
	master, agentAt string
	log             string
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startLM runs localmesos with the flags and waits for /health.
func (h *harness) startLM(ctx context.Context, masterAddr string, flags ...string) (*lm, error) {
	if masterAddr == "" {
		masterAddr = freeAddr()
	}
	l := &lm{master: masterAddr, agentAt: freeAddr(), url: "http://" + masterAddr}
	l.log = filepath.Join(h.dir, "localmesos-"+strings.ReplaceAll(masterAddr, ":", "_")+".log")
	logf, err := os.OpenFile(l.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args := append([]string{"--master-addr", l.master, "--agent-addr", l.agentAt, "--allocation-interval", "100ms", "--status-update-retry", "1s"}, flags...)
	l.cmd = exec.Command(h.localmesos, args...)
	l.cmd.Stdout, l.cmd.Stderr = logf, logf
	l.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := l.cmd.Start(); err != nil {
		return nil, err
	}
	go l.cmd.Wait()
	h.onCleanup(func() { l.stop() })
	for {
		if resp, err := http.Get(l.url + "/health"); err == nil {
			resp.Body.Close()
			return l, nil
		}
		if ctx.Err() != nil {
			b, _ := os.ReadFile(l.log)
			return nil, fmt.Errorf("localmesos at %s never answered: %s", l.master, lastLine(string(b)))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for the process to go.
func (l *lm) stop() {
	if l.cmd.Process == nil {
		return
	}
	l.cmd.Process.Signal(syscall.SIGTERM)
	for i := 0; i < 100 && alive(l.cmd.Process.Pid); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(-l.cmd.Process.Pid, syscall.SIGKILL)
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func me() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "root"
}

// startSession starts a listener for a framework on master, in its own
// folder, with this process as its "kernel".
func (h *harness) startSession(ctx context.Context, master, name string, edit func(*session.Options)) (*session.Session, session.Options, error) {
	opts := session.Options{Name: name, Dir: h.scratch(name), Client: httpapi.Config{Master: master}, ParentPID: os.Getpid(),
		Framework: mesos.FrameworkInfo{User: me(), Name: "chaos: " + name, FailoverTimeout: 600}, StartTimeout: 30 * time.Second}
	if edit != nil {
		edit(&opts)
	}
	s, err := session.Start(ctx, opts)
	if err != nil {
		return nil, opts, err
	}
	h.onCleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Stop(c)
	})
	return s, opts, nil
}

// within bounds a wait: ctx with a deadline d from now.
func within(ctx context.Context, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(ctx, d)
	time.AfterFunc(d, cancel)
	return ctx
}

// waitFor polls cond until it holds or ctx ends; the last note explains a
// timeout.
func waitFor(ctx context.Context, what string, cond func() (bool, string)) error {
	note := ""
	err := testenv.Poll(ctx, 50*time.Millisecond, func() (bool, error) {
		ok, n := cond()
		note = n
		return ok, nil
	})
	if err != nil {
		return fmt.Errorf("%s: gave up (%s)", what, note)
	}
	return nil
}

func launch(ctx context.Context, s *session.Session, id string, cmd *mesos.CommandInfo) error {
	offer, err := s.WaitOffer(within(ctx, 20*time.Second))
	if err != nil {
		return err
	}
	c, err := s.Client()
	if err != nil {
		return err
	}
	task := mesos.TaskInfo{Name: id, TaskID: mesos.TaskID{Value: id}, AgentID: offer.AgentID, Resources: mesos.TaskResources(0.1, 16), Command: cmd}
	return c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil)
}

func states(ts []mesos.TaskState) string {
	var s []string
	for _, x := range ts {
		s = append(s, string(x))
	}
	return strings.Join(s, " → ")
}

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
		return !alive(before.ListenerPID), "still alive"
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
		return !alive(st.ListenerPID), "listener still alive"
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

// malformedRequests sends 1,000 bad requests of many kinds to localmesos'
// scheduler and operator endpoints: every answer must be a clear 4xx (or
// 501 for UNKNOWN), the master must stay healthy and its memory bounded.
func malformedRequests(ctx context.Context, h *harness) (string, error) {
	m, err := h.startLM(ctx, "", "--runner", "simulated")
	if err != nil {
		return "", err
	}
	rssBefore := rss(m.cmd.Process.Pid)
	bodies := []func(r *rand.Rand) (string, []byte){
		func(r *rand.Rand) (string, []byte) { return "application/json", randomBytes(r, 200) },
		func(r *rand.Rand) (string, []byte) { return "application/json", []byte(`{"type":`) },
		func(r *rand.Rand) (string, []byte) { return "application/json", []byte(`[]`) },
		func(r *rand.Rand) (string, []byte) { return "application/json", []byte(`{"type":"NOPE"}`) },
		func(r *rand.Rand) (string, []byte) { return "application/json", []byte(`{"type":1}`) },
		func(r *rand.Rand) (string, []byte) {
			return "application/json", []byte(`{"type":"SUBSCRIBE","subscribe":{"framework_info":{}}}`)
		},
		func(r *rand.Rand) (string, []byte) {
			return "application/json", []byte(`{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"bad-uuid"}}`)
		},
		func(r *rand.Rand) (string, []byte) {
			return "application/json", []byte(`{"type":"TEARDOWN","framework_id":{"value":"nope"}}`)
		},
		func(r *rand.Rand) (string, []byte) { return "text/plain", []byte(`{"type":"TEARDOWN"}`) },
		func(r *rand.Rand) (string, []byte) { return "", []byte(`{}`) },
		func(r *rand.Rand) (string, []byte) {
			return "application/json", bytes.Repeat([]byte("["), 100000)
		},
		func(r *rand.Rand) (string, []byte) { return "application/json", bytes.Repeat([]byte(" "), 9<<20) },
	}
	codes := map[int]int{}
	var mu sync.Mutex
	var bad []string
	var wg sync.WaitGroup
	var next atomic.Int32
	client := &http.Client{Timeout: 20 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for {
				i := int(next.Add(1))
				if i > 1000 || ctx.Err() != nil {
					return
				}
				ct, body := bodies[r.IntN(len(bodies))](r)
				path := []string{"/api/v1/scheduler", "/api/v1"}[r.IntN(2)]
				if path == "/api/v1" && bytes.Contains(body, []byte(`"SUBSCRIBE"`)) {
					path = "/api/v1/scheduler" // a valid operator SUBSCRIBE: its 200 stream is right
				}
				req, _ := http.NewRequestWithContext(ctx, []string{"POST", "POST", "POST", "GET", "PUT"}[r.IntN(5)], m.url+path, bytes.NewReader(body))
				if ct != "" {
					req.Header.Set("Content-Type", ct)
				}
				resp, err := client.Do(req)
				mu.Lock()
				if err != nil {
					bad = append(bad, err.Error())
				} else {
					msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
					resp.Body.Close()
					codes[resp.StatusCode]++
					if resp.StatusCode < 400 || resp.StatusCode >= 500 && resp.StatusCode != 501 || len(bytes.TrimSpace(msg)) == 0 {
						bad = append(bad, fmt.Sprintf("%d %q for a %s body", resp.StatusCode, msg, ct))
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 {
		return "", fmt.Errorf("%d unclear answers, first: %s", len(bad), bad[0])
	}
	if resp, err := http.Get(m.url + "/health"); err != nil || resp.StatusCode != 200 {
		return "", fmt.Errorf("localmesos unhealthy after the storm: %v", err)
	}
	rssAfter := rss(m.cmd.Process.Pid)
	if rssAfter > rssBefore+100<<20 {
		return "", fmt.Errorf("localmesos grew from %d MB to %d MB", rssBefore>>20, rssAfter>>20)
	}
	return fmt.Sprintf("1,000 requests answered %s, each with a message; still healthy; RSS %d MB -> %d MB", codeSummary(codes), rssBefore>>20, rssAfter>>20), nil
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, r.IntN(n)+1)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

func codeSummary(codes map[int]int) string {
	var keys []int
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", codes[k], k))
	}
	return strings.Join(parts, ", ")
}

// rss is a process's resident memory in bytes, from /proc.
func rss(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb << 10
		}
	}
	return 0
}

// malformedStreams feeds 1,000 broken RecordIO streams to the decoder and,
// through a fake master, to the scheduler client: each must end with a
// clear error, never a panic or a large allocation.
func malformedStreams(ctx context.Context, h *harness) (string, error) {
	r := rand.New(rand.NewPCG(1, 2))
	kinds := map[string]int{}
	var peak uint64
	var ms runtime.MemStats
	gen := func() []byte {
		switch r.IntN(5) {
		case 0:
			return randomBytes(r, 300)
		case 1:
			return []byte(fmt.Sprintf("%d\n{\"type\":\"HEARTBEAT\"}", 1+r.IntN(1<<30)))
		case 2:
			return []byte("20\n{\"type\":\"HEARTBEAT\"}" + strconv.Itoa(r.IntN(1000)))
		case 3:
			return []byte("99999999999999999999999\n")
		default:
			return recordio.Append([]byte("13\n{\"type\":\"SUB"), []byte("garbage"))
		}
	}
	var served atomic.Value
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Mesos-Stream-Id", "s")
		w.Write(served.Load().([]byte))
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go srv.Serve(ln)
	h.onCleanup(func() { srv.Close() })
	c, err := scheduler.New(scheduler.Config{Master: "http://" + ln.Addr().String(), Retries: 1})
	if err != nil {
		return "", err
	}
	for i := 0; i < 1000; i++ {
		in := gen()
		d := recordio.NewDecoder(bytes.NewReader(in))
		d.SetMaxRecordSize(1 << 20)
		var derr error
		for derr == nil {
			_, derr = d.Next()
		}
		var fe *recordio.FormatError
		switch {
		case errors.As(derr, &fe):
			kinds["format error"]++
		case errors.Is(derr, io.ErrUnexpectedEOF):
			kinds["truncated"]++
		case errors.Is(derr, io.EOF):
			kinds["clean end"]++
		default:
			return "", fmt.Errorf("stream %q: unexpected error %v", in, derr)
		}
		if i%10 == 0 {
			served.Store(in)
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := c.Subscribe(cctx, mesos.FrameworkInfo{User: "u", Name: "n"})
			cancel()
			if err == nil {
				return "", fmt.Errorf("Subscribe accepted the broken stream %q", in)
			}
			kinds["client refused"]++
		}
		if i%50 == 0 {
			// What stays allocated, not what the collector has yet to
			// sweep: a decoder that believed a length would hold it.
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if peak > 32<<20 {
		return "", fmt.Errorf("live heap reached %d MB", peak>>20)
	}
	var parts []string
	for k, v := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return fmt.Sprintf("1,000 streams: %s; live heap at most %d MB", strings.Join(parts, ", "), peak>>20), nil
}
