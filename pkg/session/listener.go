package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// Environment the listener process reads besides the MESOS_* variables.
const (
	// envListenerMaster carries the master, credentials and all, from
	// Start to the listener without writing it to disk.
	envListenerMaster = "MESOSNB_LISTENER_MASTER"
)

// ErrLocked means another listener holds the session already.
var ErrLocked = errors.New("another listener holds this session")

// listener holds one framework's subscription for as long as it should
// live: it re-subscribes after drops, journals every event, acknowledges
// updates once journaled, and stops on TEARDOWN, on SIGTERM, or when the
// kernel that started it has been gone for two heartbeat intervals.
type listener struct {
	dir     string
	cfg     listenerConfig
	info    mesos.FrameworkInfo
	journal *journalWriter
	client  *scheduler.Client
	log     *log.Logger

	mu        sync.Mutex
	state     State
	sub       *scheduler.Subscription // the current stream, for closing it from outside
	rescinded map[string]bool         // offers the master took back, until their hold ends
}

// RunListener is the body of the mesos-listener program: it holds the
// session in dir until ctx ends or the framework is gone. It returns
// ErrLocked when another listener already holds the session.
func RunListener(ctx context.Context, dir string) error {
	lock, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := takeLock(ctx, lock); err != nil {
		return err
	}

	l := &listener{dir: dir, log: log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds), rescinded: map[string]bool{}}
	b, err := os.ReadFile(filepath.Join(dir, configFile))
	if err != nil {
		return fmt.Errorf("read listener config: %w", err)
	}
	if err := json.Unmarshal(b, &l.cfg); err != nil {
		return fmt.Errorf("read listener config: %w", err)
	}
	if err := json.Unmarshal(l.cfg.Framework, &l.info); err != nil {
		return fmt.Errorf("read framework info: %w", err)
	}
	if l.state, err = readState(dir); err != nil {
		l.log.Printf("state.json unreadable, starting afresh: %v", err)
		l.state = State{}
	}
	l.state.Name, l.state.Master, l.state.FrameworkName = l.cfg.Name, l.cfg.MasterRedacted, l.info.Name
	l.state.FailoverTimeout = l.info.FailoverTimeout
	l.state.ListenerPID = os.Getpid()
	l.state.StartedAt = time.Now().UTC()
	l.setStatus(StatusStarting, "")

	if l.journal, err = openJournal(filepath.Join(dir, journalFile)); err != nil {
		return fmt.Errorf("open journal: %w", err)
	}
	defer l.journal.close()

	master := os.Getenv(envListenerMaster)
	if master == "" {
		master = l.cfg.MasterRedacted
	}
	cc := httpapi.DefaultConfig()
	cc.Master, cc.CAFile, cc.Principal = master, l.cfg.CAFile, l.cfg.Principal
	cc.MissedHeartbeats = l.cfg.MissedHeartbeats
	if l.client, err = scheduler.New(cc); err != nil {
		return err
	}
	defer l.client.Close()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go l.watchParent(ctx, cancel)
	if strings.HasPrefix(master, "zk://") {
		go l.watchLeader(ctx, master)
	}
	why := l.loop(ctx)
	if cause := context.Cause(ctx); cause != nil && why == "" {
		why = cause.Error()
	}
	l.mu.Lock()
	removed := l.state.Status == StatusRemoved
	l.mu.Unlock()
	if !removed {
		l.setStatus(StatusStopped, why)
	}
	l.log.Printf("listener stopped: %s", why)
	return nil
}

// loop subscribes, reads, and subscribes again, with backoff, until the
// context ends or the framework is gone. It returns why it stopped.
func (l *listener) loop(ctx context.Context) string {
	failures := 0
	for ctx.Err() == nil {
		info := l.info
		l.mu.Lock()
		if l.state.FrameworkID != "" {
			info.ID = &mesos.FrameworkID{Value: l.state.FrameworkID}
		}
		l.mu.Unlock()
		// Nobody is left to use a new framework: registering one would
		// leave it disconnected on the master for its failover timeout.
		if info.ID == nil {
			if pid := kernelPID(l.dir); pid > 0 && !proc.Alive(pid) {
				return fmt.Sprintf("the kernel that wanted a framework (pid %d) is gone; none was registered", pid)
			}
		}
		sub, err := l.client.Subscribe(ctx, info)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, scheduler.ErrFrameworkRemoved) {
				l.setStatus(StatusRemoved, "the master removed the framework (TEARDOWN, or its failover timeout passed)")
				return "framework removed"
			}
			failures++
			wait := backoff(failures)
			l.setStatus(StatusReconnecting, fmt.Sprintf("subscribe failed (retry in %s): %v", wait, err))
			l.log.Printf("subscribe failed, retrying in %s: %v", wait, err)
			if sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		failures = 0
		l.mu.Lock()
		l.sub = sub
		l.state.FrameworkID = sub.FrameworkID.Value
		l.state.StreamID = sub.StreamID
		l.state.Leader = sub.Master
		l.state.HeartbeatInterval = sub.HeartbeatInterval.Seconds()
		l.state.Subscriptions++
		// state.json says so once SUBSCRIBED is in the journal (read
		// writes it then): a cell that sees the stream sees its events.
		l.state.Status, l.state.Message = StatusSubscribed, ""
		l.mu.Unlock()
		l.log.Printf("subscribed: framework %s, stream %s, master %s", sub.FrameworkID.Value, sub.StreamID, sub.Master)
		rctx, stopReconciling := context.WithCancel(ctx)
		go l.reconcile(rctx, sub.FrameworkID.Value)
		end := l.read(ctx, sub)
		stopReconciling()
		l.mu.Lock()
		l.sub = nil
		l.mu.Unlock()
		if ctx.Err() != nil {
			break
		}
		if errors.Is(end, scheduler.ErrFailedOver) {
			// Someone else subscribed as this framework: do not fight.
			l.setStatus(StatusStopped, "another subscriber took over the framework (Framework failed over)")
			return "superseded"
		}
		failures++
		l.setStatus(StatusReconnecting, fmt.Sprintf("stream ended: %v", end))
		l.log.Printf("stream ended, re-subscribing: %v", end)
		if sleep(ctx, backoff(failures)) != nil {
			break
		}
	}
	return ""
}

// read journals the stream's events and acknowledges updates. It returns
// the error that ended the stream.
func (l *listener) read(ctx context.Context, sub *scheduler.Subscription) error {
	for ev, err := range sub.Events() {
		if err != nil {
			return err
		}
		now := time.Now()
		needsAck := ev.Type == mesos.EventUpdate && ev.Update != nil && len(ev.Update.Status.UUID) > 0
		// An update is on disk before it is acknowledged: if the listener
		// dies in between, the agent sends it again.
		if _, err := l.journal.append(sub.FrameworkID.Value, ev, now, needsAck); err != nil {
			l.log.Printf("journal write failed: %v", err)
			l.setStatus(StatusReconnecting, "cannot write the journal: "+err.Error())
			return err
		}
		l.mu.Lock()
		l.state.LastEvent = now.UTC()
		if ev.Type == mesos.EventHeartbeat {
			l.state.LastHeartbeat = now.UTC()
		}
		l.mu.Unlock()
		if ev.Type == mesos.EventHeartbeat || ev.Type == mesos.EventSubscribed {
			l.writeState()
		}
		switch {
		case ev.Type == mesos.EventOffers && ev.Offers != nil:
			l.hold(ctx, sub, ev.Offers.Offers)
		case ev.Type == mesos.EventRescind && ev.Rescind != nil:
			l.mu.Lock()
			l.rescinded[ev.Rescind.OfferID.Value] = true
			l.mu.Unlock()
		}
		if needsAck {
			if err := l.client.Acknowledge(ctx, ev.Update.Status); err != nil {
				l.log.Printf("acknowledge %s %s failed (the agent will send it again): %v", ev.Update.Status.TaskID.Value, ev.Update.Status.State, err)
			}
		}
	}
	return errors.New("stream ended")
}

// takeLock takes the listener's lock. Cells that ask whether a listener
// runs hold it for an instant (listenerRunning), so a few tries over a
// tenth of a second tell such a probe from a live listener.
func takeLock(ctx context.Context, lock *os.File) error {
	for range 5 {
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			return nil
		}
		if sleep(ctx, 20*time.Millisecond) != nil {
			break
		}
	}
	return ErrLocked
}

func (l *listener) setStatus(status, msg string) {
	l.mu.Lock()
	l.state.Status, l.state.Message = status, msg
	l.mu.Unlock()
	l.writeState()
}

func (l *listener) writeState() {
	l.mu.Lock()
	l.state.UpdatedAt = time.Now().UTC()
	st := l.state
	l.mu.Unlock()
	if err := writeJSON(filepath.Join(l.dir, stateFile), st); err != nil {
		l.log.Printf("write state: %v", err)
	}
}

// watchParent stops the listener once the kernel that started it (or the
// last one that attached) has been gone for two heartbeat intervals, so no
// framework is left running overnight, and at once if the session folder
// is removed. The framework itself lives on for its failover_timeout, and
// its tasks with it.
func (l *listener) watchParent(ctx context.Context, cancel context.CancelCauseFunc) {
	var goneSince time.Time
	pid := kernelPID(l.dir)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := os.Stat(l.dir); errors.Is(err, fs.ErrNotExist) {
			// Nobody will read what it writes: no reason to live.
			cancel(fmt.Errorf("its session folder %s was removed", l.dir))
			return
		}
		// An owner file that cannot be read (removed with the folder's
		// other files) leaves the kernel read last in charge.
		if o, ok := readOwner(l.dir); ok {
			pid = o.KernelPID
		}
		if pid <= 0 || proc.Alive(pid) {
			goneSince = time.Time{}
			continue
		}
		if goneSince.IsZero() {
			goneSince = time.Now()
			l.log.Printf("kernel (pid %d) is gone; stopping unless one attaches", pid)
		}
		l.mu.Lock()
		hb := time.Duration(l.state.HeartbeatInterval * float64(time.Second))
		l.mu.Unlock()
		if hb <= 0 {
			hb = 15 * time.Second
		}
		if time.Since(goneSince) > 2*hb {
			cancel(fmt.Errorf("the kernel that started the listener (pid %d) has been gone for %s", pid, (2 * hb).Round(time.Second)))
			return
		}
	}
}

// kernelPID is the kernel that used the session last (0: none known).
func kernelPID(dir string) int {
	o, _ := readOwner(dir)
	return o.KernelPID
}

// reconcile asks the master, right after every (re-)subscription, for the
// latest state of each task the journal holds as live, and of each task a
// cell launched that no update has named yet (explicit), then of every
// task it knows for the framework (implicit), as the Mesos reconciliation
// docs advise after a failover. The answers come on the stream as updates
// without a uuid: a task the master no longer knows comes back TASK_LOST
// (or TASK_GONE, TASK_UNKNOWN), never stays TASK_RUNNING in the journal,
// and a launch the master lost (it restarted between the ACCEPT and the
// task's first update) is answered too, not waited for forever.
//
// A master that has just failed over does not answer for a task on an
// agent that has not re-registered with it yet, and a call can be lost:
// so, as the docs advise, the explicit request is sent again for the tasks
// that no update has named since, after 2 s, then doubling up to 30 s,
// until every one has been answered or ctx (the subscription) ends.
func (l *listener) reconcile(ctx context.Context, frameworkID string) {
	began := time.Now()
	explicit := func(tasks []mesos.ReconcileTask) {
		if err := l.client.Reconcile(ctx, tasks...); err != nil && ctx.Err() == nil {
			l.log.Printf("explicit reconciliation of %d task(s) failed: %v", len(tasks), err)
		}
	}
	tasks := l.liveTasks(frameworkID, time.Time{})
	if len(tasks) > 0 {
		explicit(tasks)
	}
	if err := l.client.Reconcile(ctx); err != nil && ctx.Err() == nil {
		l.log.Printf("implicit reconciliation failed: %v", err)
	}
	l.log.Printf("reconciliation asked: %d live task(s) by name, then all", len(tasks))
	for wait := reconcileRetry; len(tasks) > 0; wait = min(2*wait, reconcileRetryMax) {
		if sleep(ctx, wait) != nil {
			return
		}
		if tasks = l.liveTasks(frameworkID, began); len(tasks) > 0 {
			explicit(tasks)
			l.log.Printf("reconciliation asked again, after %s: %d task(s) not answered for yet", wait, len(tasks))
		}
	}
}

// How soon, and at most how often, the explicit reconciliation of tasks
// the master has not answered for is sent again.
var (
	reconcileRetry    = 2 * time.Second
	reconcileRetryMax = 30 * time.Second
)

// liveTasks are the tasks to reconcile by name: those the journal holds
// as live and those a cell launched that no update has named, leaving out
// the ones an update has named since answered.
func (l *listener) liveTasks(frameworkID string, answered time.Time) []mesos.ReconcileTask {
	s, _, err := scanJournal(filepath.Join(l.dir, journalFile), 0)
	if err != nil {
		l.log.Printf("reconcile: read the journal: %v", err)
	}
	latest := map[string]Entry{}
	var order []string
	for _, e := range s.Entries {
		if e.FrameworkID != frameworkID || e.Event.Type != mesos.EventUpdate || e.Event.Update == nil {
			continue
		}
		id := e.Event.Update.Status.TaskID.Value
		if _, seen := latest[id]; !seen {
			order = append(order, id)
		}
		latest[id] = e
	}
	var tasks []mesos.ReconcileTask
	for _, id := range order {
		e := latest[id]
		if st := e.Event.Update.Status; !st.State.Terminal() && (answered.IsZero() || e.Received.Before(answered)) {
			tasks = append(tasks, mesos.ReconcileTask{TaskID: st.TaskID, AgentID: st.AgentID})
		}
	}
	launched, err := launchesIn(l.dir, frameworkID)
	if err != nil {
		l.log.Printf("reconcile: read the calls: %v", err)
	}
	for _, info := range launched {
		if _, heard := latest[info.TaskID.Value]; !heard {
			tasks = append(tasks, mesos.ReconcileTask{TaskID: info.TaskID, AgentID: &info.AgentID})
		}
	}
	return tasks
}

// watchLeader follows the leader in ZooKeeper: when it changes, the
// current stream is closed so that the loop re-subscribes to the new one
// at once, without waiting for the watchdog.
func (l *listener) watchLeader(ctx context.Context, master string) {
	m, err := leader.Parse(master)
	if err != nil {
		return
	}
	for ctx.Err() == nil {
		d, err := leader.Connect(ctx, m, nil)
		if err != nil {
			if sleep(ctx, 5*time.Second) != nil {
				return
			}
			continue
		}
		var current string
		for info, err := range d.Watch(ctx) {
			if err != nil {
				continue
			}
			hp := info.HostPort()
			if current != "" && hp != current {
				// The old leader's address is forgotten when it stops
				// answering, or it redirects to the new one.
				l.log.Printf("leader changed in ZooKeeper: %s -> %s; re-subscribing", current, hp)
				l.mu.Lock()
				if l.sub != nil {
					l.sub.Close()
				}
				l.mu.Unlock()
			}
			current = hp
		}
		d.Close()
	}
}

// backoff is 500ms doubled per failure, capped at 15s (the cap the Mesos
// docs suggest for re-subscription).
func backoff(failures int) time.Duration {
	return min(500*time.Millisecond<<min(failures-1, 5), 15*time.Second)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
