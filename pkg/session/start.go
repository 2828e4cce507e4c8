package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/binaries"

	"github.com/mesosnb/mesosnb/internal/proc"

	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// How Start or Resume found the session, Session.How.
const (
	Started  = "started"  // a new listener registered a new framework
	Attached = "attached" // a live listener was already holding the framework
	Failover = "failover" // the listener was gone; a new one re-subscribed with the same framework id
)

// Session is a framework held by a listener process, as seen from a cell.
type Session struct {
	// Dir is the session folder.
	Dir string
	// How says what Start or Resume did: Started, Attached or Failover.
	How string
	// Note explains How in a sentence, for the notebook.
	Note string

	opts   Options
	reader *reader
}

// Start is the subscribe cell's one call: it makes sure a listener holds
// this kernel's framework and returns once it is subscribed. Run it again,
// or from the restarted kernel, and it attaches to the same listener; if
// the listener is gone but its framework is still within failover_timeout,
// a new listener re-subscribes with the same framework id. A second kernel
// on the same notebook gets a session and a framework of its own, and
// Session.Note says so.
func Start(ctx context.Context, opts Options) (*Session, error) { return open(ctx, opts, true) }

// Resume is every later cell's call: this kernel's session, ready to use.
// If its listener is gone it starts a new one that re-subscribes with the
// same framework id and journal, and tells the Observer so in a sentence.
// It never registers a framework: without one its error (wrapping
// ErrNoSession) says to run the Subscribe cell first.
func Resume(ctx context.Context, opts Options) (*Session, error) { return open(ctx, opts, false) }

// Open returns the session without starting or checking anything: for
// tools that only read.
func Open(opts Options) (*Session, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	dir, _, unlock, err := pickDir(opts, false)
	if err != nil {
		return nil, err
	}
	unlock()
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err != nil {
		return nil, fmt.Errorf("no session yet: %w", ErrNoSession)
	}
	opts.Dir = dir
	return &Session{Dir: dir, How: Attached, opts: opts, reader: newReader(dir)}, nil
}

// MasterChangedError is the answer to opening a session whose framework
// lives on another master than MESOS_MASTER names now: the session never
// talks to the old master behind the learner's back.
type MasterChangedError struct {
	Session, FrameworkID string
	Old, New             string // the session's master, the one configured now
}

func (e *MasterChangedError) Error() string {
	return fmt.Sprintf("session %s holds framework %s on master %s, but MESOS_MASTER now names %s. "+
		"To stay on %s: set MESOS_MASTER=%s in the shell that starts Jupyter and restart the kernel. "+
		"To move to %s: run the TEARDOWN cell (it removes the framework from %s), then the Subscribe cell",
		e.Session, e.FrameworkID, e.Old, e.New, e.Old, e.Old, e.New, e.Old)
}

// open is Start (start true) and Resume: it claims this kernel's session
// folder, attaches to a live listener, or decides what a missing one
// means, and starts one when it should.
func open(ctx context.Context, opts Options, start bool) (*Session, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	dir, picked, unlockRoot, err := pickDir(opts, start)
	if err != nil {
		return nil, err
	}
	defer unlockRoot()
	opts.Dir = dir
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	unlock, err := lockStart(ctx, dir, opts.StartTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s := &Session{Dir: dir, opts: opts, reader: newReader(dir)}
	st, err := s.claim(start)
	if err != nil {
		return nil, err
	}
	unlockRoot() // the choice is on disk: other kernels see it

	if st, err = s.attach(ctx, st, start, picked); err != nil {
		return nil, err
	}
	if s.How == Attached {
		return s, nil
	}
	if st, err = s.decide(st, start, picked); err != nil {
		return nil, err
	}
	// Fail in seconds, with the next step, rather than leave a listener
	// trying for a minute against a master that is not there.
	if err := Reachable(ctx, s.opts.Client); err != nil {
		return nil, err
	}
	if err := s.spawnListener(ctx, st); err != nil {
		return nil, err
	}
	if !start {
		s.observer().Note(s.Note)
	}
	return s, nil
}

// claim reads the folder's state, refuses a framework that lives on
// another master than the configuration names (unless AnyMaster, which
// talks to that master), and writes this kernel down as the owner.
func (s *Session) claim(start bool) (State, error) {
	st, err := readState(s.Dir)
	if err != nil {
		return st, err
	}
	if held(s.Dir, st) && st.Master != "" && !sameMaster(st.Master, s.opts.Client.Master) {
		if !s.opts.AnyMaster {
			return st, &MasterChangedError{Session: filepath.Base(s.Dir), FrameworkID: st.FrameworkID, Old: st.Master, New: redact(s.opts.Client.Master)}
		}
		s.opts.Client.Master = st.Master
	}
	opts := s.opts
	own := Owner{Notebook: opts.Notebook, Kernel: opts.Kernel, KernelPID: opts.ParentPID, Master: redact(opts.Client.Master), Since: time.Now().UTC()}
	if old, ok := readOwner(s.Dir); ok && old.Kernel == own.Kernel && sameMaster(old.Master, own.Master) {
		own.Since = old.Since
	}
	if err := writeJSON(filepath.Join(s.Dir, ownerFile), own); err != nil {
		return st, fmt.Errorf("session folder %s: %w", s.Dir, err)
	}
	if start {
		pruneJournals(opts.Root, s.Dir, opts.KeepJournals)
	}
	return st, nil
}

// held reports whether the folder's framework is still the session's: it
// has one, and neither the master nor a cell removed it.
func held(dir string, st State) bool {
	return st.FrameworkID != "" && st.Status != StatusRemoved && !tornDown(dir, st.FrameworkID)
}

// sameMaster reports whether two ways of writing MESOS_MASTER name the
// same master ("127.0.0.1:5050" and "http://127.0.0.1:5050/" do).
func sameMaster(a, b string) bool {
	ma, erra := leader.Parse(a)
	mb, errb := leader.Parse(b)
	if erra != nil || errb != nil {
		return a == b
	}
	return ma.String() == mb.String()
}

// attach joins a running listener: Resume always (the waits deal with one
// that is re-subscribing), Start once it is subscribed. It sets s.How to
// Attached when it did; a listener on its way out (its framework removed,
// or told to stop) is waited for and counts as gone, and the state it
// left is returned.
func (s *Session) attach(ctx context.Context, st State, start bool, picked string) (State, error) {
	dir, opts := s.Dir, s.opts
	if st.ListenerPID > 0 && !proc.Alive(st.ListenerPID) {
		// A killed listener's lock outlives its main thread for a moment,
		// while its other threads exit: wait for it, not for a listener.
		for deadline := time.Now().Add(2 * time.Second); listenerRunning(dir) && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}
	if !listenerRunning(dir) {
		return st, nil
	}
	var err error
	switch {
	case tornDown(dir, st.FrameworkID):
		// A cell tore the framework down and the listener has not
		// learned it yet: it will, and exit.
		err = waitExit(ctx, dir, opts.StartTimeout)
	case !start:
		s.How = Attached
		return st, nil
	default:
		if st.Status != StatusSubscribed {
			// Its master may be away: say so now, not after a minute.
			if rerr := Reachable(ctx, opts.Client); rerr != nil {
				return st, fmt.Errorf("%w\n(the running listener of framework %s keeps trying, and re-subscribes when the master is back)", rerr, st.FrameworkID)
			}
		}
		if err = s.waitSubscribed(ctx, opts.StartTimeout, nil); err == nil {
			s.How = Attached
			s.Note = join(picked, fmt.Sprintf("attached to the running listener (pid %d) of framework %s", st.ListenerPID, st.FrameworkID))
			return st, nil
		}
	}
	if !errors.Is(err, errListenerExited) {
		return st, err
	}
	return readState(dir)
}

// decide says what a session without a live listener gets: a failover
// with the same framework id while the master keeps the framework, a new
// framework (Start), or, for Resume, the error naming the cell to run.
// It returns the state the new listener starts from.
func (s *Session) decide(st State, start bool, picked string) (State, error) {
	keeps := held(s.Dir, st)
	switch {
	case keeps && time.Since(st.UpdatedAt) < time.Duration(st.FailoverTimeout*float64(time.Second)):
		s.How = Failover
		s.Note = join(picked, fmt.Sprintf("the listener had stopped (%s); a new one re-subscribed framework %s with its id and kept its journal",
			gone(st), st.FrameworkID))
		return st, nil
	case !start && st.FrameworkID == "":
		return st, fmt.Errorf("no framework in this session yet: %w", ErrNoSession)
	case !start:
		why := "is past its failover timeout"
		if !keeps {
			why = "was torn down"
		}
		return st, fmt.Errorf("framework %s %s: %w to register a new one", st.FrameworkID, why, ErrNoSession)
	}
	if st.FrameworkID != "" {
		// A new framework: keep the old one's journal aside.
		os.Rename(filepath.Join(s.Dir, journalFile), filepath.Join(s.Dir, "journal."+st.FrameworkID+".jsonl"))
		os.Rename(filepath.Join(s.Dir, callsFile), filepath.Join(s.Dir, "calls."+st.FrameworkID+".jsonl"))
	}
	s.How = Started
	s.Note = join(picked, "started a listener, which registers a new framework")
	return State{}, nil
}

// spawnListener starts a listener for the session and waits for it to
// subscribe. One that does not, and has no framework yet, is stopped: no
// listener registers a framework after the cell that wanted it gave up.
func (s *Session) spawnListener(ctx context.Context, st State) error {
	opts := s.opts
	// No pid until the new listener writes its own: Stop must never
	// signal the old one's, which the system may have given to another
	// process by now.
	st.Name, st.Master, st.Status, st.Message, st.StreamID, st.ListenerPID = opts.Name, redact(opts.Client.Master), StatusStarting, "", "", 0
	st.UpdatedAt = time.Now().UTC()
	if err := writeJSON(filepath.Join(s.Dir, stateFile), st); err != nil {
		return err
	}
	fi, err := json.Marshal(opts.Framework)
	if err != nil {
		return err
	}
	cfg := listenerConfig{Name: opts.Name, MasterRedacted: redact(opts.Client.Master), CAFile: opts.Client.CAFile,
		Principal: opts.Client.Principal, Framework: fi, MissedHeartbeats: opts.Client.MissedHeartbeats,
		HoldOffers: opts.HoldOffers.Seconds()}
	if err := writeJSON(filepath.Join(s.Dir, configFile), cfg); err != nil {
		return err
	}
	bin, err := binaries.Path(ctx, "mesos-listener", EnvListener)
	if err != nil {
		return err
	}
	proc, exited, err := spawn(bin, opts)
	if err != nil {
		return err
	}
	if err := s.waitSubscribed(ctx, opts.StartTimeout, exited); err != nil {
		if now, _ := readState(s.Dir); now.FrameworkID == "" {
			proc.Signal(syscall.SIGTERM)
		}
		return err
	}
	return nil
}

// gone says why a listener is not running, from what it wrote last.
func gone(st State) string {
	switch {
	case st.Status == StatusStopped && st.Message != "":
		return st.Message
	case st.Status == StatusStarting, st.Status == StatusSubscribed, st.Status == StatusReconnecting:
		return "it was killed"
	}
	return st.Status
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// waitSubscribed waits for the listener to report a stream, or to give up.
// exited, when not nil, reports the end of a listener this process
// started, so that one that fails at once is reported at once.
func (s *Session) waitSubscribed(ctx context.Context, timeout time.Duration, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	obs := s.observer()
	defer obs.Waiting("the listener to subscribe", "")
	for {
		st, err := readState(s.Dir)
		if err == nil {
			switch st.Status {
			case StatusSubscribed:
				if st.StreamID != "" {
					return nil
				}
			case StatusRemoved, StatusStopped:
				if !listenerRunning(s.Dir) {
					return fmt.Errorf("%w: %s (its log: %s)", errListenerExited, st.Message, filepath.Join(s.Dir, logFile))
				}
			}
			obs.Waiting("the listener to subscribe", strings.TrimSpace(st.Status+" "+st.Message))
		}
		select {
		case <-ctx.Done():
			st, _ := readState(s.Dir)
			return fmt.Errorf("no subscription after %s: %s; %s (listener log: %s)", timeout, st.Message, nextStep(st), filepath.Join(s.Dir, logFile))
		case werr := <-exited:
			exited = nil
			st, _ := readState(s.Dir)
			// It may have stopped for a reason it wrote down (the loop
			// reports that), or lost the lock to another kernel's
			// listener, which is then the one to wait for.
			if st.Status != StatusRemoved && st.Status != StatusStopped && !listenerRunning(s.Dir) {
				return fmt.Errorf("the listener exited before subscribing (%v), saying: %s; see its log %s",
					werr, logTail(s.Dir), filepath.Join(s.Dir, logFile))
			}
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// logTail is the last line of the listener's log: what it said last.
func logTail(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, logFile))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// errListenerExited is waitSubscribed's answer when the listener it waits
// for has exited.
var errListenerExited = errors.New("the listener stopped")

// waitExit waits for a listener that is about to exit to do so.
func waitExit(ctx context.Context, dir string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for listenerRunning(dir) {
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return fmt.Errorf("the listener of a torn-down framework is still running after %s: stop it (Session.Stop), then start again (its log: %s)",
				timeout, filepath.Join(dir, logFile))
		}
	}
	return errListenerExited
}

// tornDown reports whether a cell's TEARDOWN of the framework was
// accepted: the framework is gone even if the listener has not noticed.
func tornDown(dir, frameworkID string) bool {
	if frameworkID == "" {
		return false
	}
	calls, _ := readCalls(filepath.Join(dir, callsFile))
	for _, c := range calls {
		if c.Type != string(mesos.CallTeardown) || c.Status/100 != 2 {
			continue
		}
		var call mesos.Call
		if json.Unmarshal(c.Request, &call) == nil && call.FrameworkID != nil && call.FrameworkID.Value == frameworkID {
			return true
		}
	}
	return false
}

// nextStep tells the user what to do about a listener that cannot
// subscribe.
func nextStep(st State) string {
	msg := st.Message
	switch {
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"), strings.Contains(msg, "i/o timeout"):
		return noMasterStep(st.Master)
	case strings.Contains(msg, "401"):
		return "the master wants credentials: set MESOS_PRINCIPAL and MESOS_SECRET"
	case strings.Contains(msg, "ZooKeeper"), strings.Contains(msg, "zookeeper"):
		return "ZooKeeper did not name a leader: check that ZooKeeper runs and a master is registered under the path in MESOS_MASTER"
	}
	return "check MESOS_MASTER and that the master is up"
}

// lockStart makes Starts of one session take turns, in whatever processes
// they run (two cells of one kernel, a cell and a tool): the first
// decides, starts a listener and waits for it to subscribe; the next then
// finds it running and attaches. The lock is released when the returned
// function closes its file; the listener does not inherit it.
func lockStart(ctx context.Context, dir string, timeout time.Duration) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, startLockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("session folder %s: %w", dir, err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			f.Close()
			return nil, fmt.Errorf("another Start of this session has been busy for %s: let it finish, then run this cell again", timeout)
		}
	}
	return func() { f.Close() }, nil
}

// listenerRunning reports whether a listener holds the session's lock.
func listenerRunning(dir string) bool {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return true
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// spawn starts the listener detached: its own process session, stdin from
// /dev/null and output to listener.log, so that the cell that started it
// ends at once and a kernel restart does not take it down.
func spawn(bin string, opts Options) (*os.Process, <-chan error, error) {
	logf, err := os.OpenFile(filepath.Join(opts.Dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	defer logf.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, nil, err
	}
	defer devnull.Close()
	cmd := exec.Command(bin, "--dir", opts.Dir)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Env = append(os.Environ(), envListenerMaster+"="+opts.Client.Master)
	if opts.Client.Secret != "" {
		cmd.Env = append(cmd.Env, "MESOS_SECRET="+opts.Client.Secret)
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start the listener %s: %w (set %s to a built mesos-listener, or unset it to build one)", bin, err, EnvListener)
	}
	// Reap it if this process lives long enough to see it exit, and tell
	// Start, if it still waits, that it did.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return cmd.Process, exited, nil
}

// Stop asks the listener to end: it closes its stream and exits. The
// framework and its tasks stay for failover_timeout; TEARDOWN (through the
// Client) removes them at once.
func (s *Session) Stop(ctx context.Context) error {
	// The pid is read again while waiting: a listener that is still
	// starting writes its own only once it holds the session.
	signaled := 0
	for listenerRunning(s.Dir) {
		st, err := readState(s.Dir)
		if err != nil {
			return err
		}
		if st.ListenerPID > 0 && st.ListenerPID != signaled {
			syscall.Kill(st.ListenerPID, syscall.SIGTERM)
			signaled = st.ListenerPID
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return fmt.Errorf("listener (pid %d) still running: %w", st.ListenerPID, err)
		}
	}
	return nil
}

// Owner returns who the session belongs to.
func (s *Session) Owner() Owner {
	o, _ := readOwner(s.Dir)
	return o
}
