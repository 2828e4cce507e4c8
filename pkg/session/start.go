package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// How Start found the session, Session.How.
const (
	Started  = "started"  // a new listener registered a new framework
	Attached = "attached" // a live listener was already holding the framework
	Failover = "failover" // the listener was gone; a new one re-subscribed with the same framework id
)

// Session is a framework held by a listener process, as seen from a cell.
type Session struct {
	// Dir is the session folder.
	Dir string
	// How says what Start did: Started, Attached or Failover.
	How string
	// Note explains How in a sentence, for the notebook.
	Note string

	opts   Options
	reader *reader
}

// Start makes sure a listener holds the framework and returns once it is
// subscribed. Run it again, from the same kernel or a new one, and it
// attaches to the live listener instead of registering a second
// framework. If the listener is gone but its framework is still within
// failover_timeout, a new listener re-subscribes with the same framework
// id (a framework failover) and Session.How says so.
func Start(ctx context.Context, opts Options) (*Session, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := ensureDir(opts.Dir); err != nil {
		return nil, err
	}
	unlock, err := lockStart(ctx, opts.Dir, opts.StartTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s := &Session{Dir: opts.Dir, opts: opts, reader: newReader(opts.Dir)}
	if err := writeAtomic(filepath.Join(opts.Dir, parentFile), []byte(strconv.Itoa(opts.ParentPID)+"\n")); err != nil {
		return nil, fmt.Errorf("session folder %s: %w", opts.Dir, err)
	}
	st, err := readState(opts.Dir)
	if err != nil {
		return nil, err
	}
	tornDown := tornDown(opts.Dir, st.FrameworkID)
	if st.ListenerPID > 0 && !alive(st.ListenerPID) {
		// A killed listener's lock outlives its main thread for a moment,
		// while its other threads exit: wait for it, not for a listener.
		for deadline := time.Now().Add(2 * time.Second); listenerRunning(opts.Dir) && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}
	if listenerRunning(opts.Dir) {
		if tornDown {
			// A cell tore the framework down and the listener has not
			// learned it yet: it will, and exit; then start afresh.
			err = waitExit(ctx, opts.Dir, opts.StartTimeout)
		} else if err = s.waitSubscribed(ctx, opts.StartTimeout, nil); err == nil {
			s.How = Attached
			s.Note = fmt.Sprintf("attached to the running listener (pid %d) of framework %s", st.ListenerPID, st.FrameworkID)
			return s, nil
		}
		// A listener on its way out (its framework removed, or told to
		// stop) is as good as gone; any other failure is the answer.
		if !errors.Is(err, errListenerExited) {
			return nil, err
		}
		if st, err = readState(opts.Dir); err != nil {
			return nil, err
		}
	}

	// No live listener: pick up the framework if the master still keeps it.
	keep := st.FrameworkID != "" && st.Status != StatusRemoved && st.Status != "" && !tornDown &&
		time.Since(st.UpdatedAt) < time.Duration(st.FailoverTimeout*float64(time.Second)) &&
		st.Master == redact(opts.Client.Master)
	switch {
	case keep:
		s.How = Failover
		s.Note = fmt.Sprintf("the listener was gone (%s, last seen %s ago); a new one re-subscribes framework %s with its id, within its failover timeout",
			st.Status, time.Since(st.UpdatedAt).Round(time.Second), st.FrameworkID)
	default:
		if st.FrameworkID != "" {
			// A new framework: keep the old one's journal aside.
			old := filepath.Join(opts.Dir, journalFile)
			os.Rename(old, filepath.Join(opts.Dir, "journal."+st.FrameworkID+".jsonl"))
			os.Rename(filepath.Join(opts.Dir, callsFile), filepath.Join(opts.Dir, "calls."+st.FrameworkID+".jsonl"))
		}
		st = State{}
		s.How = Started
		s.Note = "started a listener, which registers a new framework"
	}
	// No pid until the new listener writes its own: Stop must never
	// signal the old one's, which the system may have given to another
	// process by now.
	st.Name, st.Master, st.Status, st.Message, st.StreamID, st.ListenerPID = opts.Name, redact(opts.Client.Master), StatusStarting, "", "", 0
	st.UpdatedAt = time.Now().UTC()
	if err := writeJSON(filepath.Join(opts.Dir, stateFile), st); err != nil {
		return nil, err
	}
	fi, err := json.Marshal(opts.Framework)
	if err != nil {
		return nil, err
	}
	cfg := listenerConfig{Name: opts.Name, MasterRedacted: redact(opts.Client.Master), CAFile: opts.Client.CAFile,
		Principal: opts.Client.Principal, Framework: fi, MissedHeartbeats: opts.Client.MissedHeartbeats}
	if err := writeJSON(filepath.Join(opts.Dir, configFile), cfg); err != nil {
		return nil, err
	}
	bin, err := projectBinary(ctx, "mesos-listener", EnvListener)
	if err != nil {
		return nil, err
	}
	exited, err := spawn(bin, opts)
	if err != nil {
		return nil, err
	}
	if err := s.waitSubscribed(ctx, opts.StartTimeout, exited); err != nil {
		return nil, err
	}
	return s, nil
}

// Open returns the session in opts' folder without starting anything: for
// cells that only read, and for tools.
func Open(opts Options) (*Session, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, stateFile)); err != nil {
		return nil, fmt.Errorf("no session in %s: run the subscribe cell (session.Start) first", opts.Dir)
	}
	return &Session{Dir: opts.Dir, How: Attached, opts: opts, reader: newReader(opts.Dir)}, nil
}

// waitSubscribed waits for the listener to report a stream, or to give up.
// exited, when not nil, reports the end of a listener this process
// started, so that one that fails at once is reported at once.
func (s *Session) waitSubscribed(ctx context.Context, timeout time.Duration, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := newProgress("Waiting for the listener to subscribe")
	defer p.done()
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
			p.update(fmt.Sprintf("listener %s %s", st.Status, st.Message))
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
		return "no master answers at " + st.Master + ": start the local stand-in (make localmesos), the VMs (cd vagrant && vagrant up) or the compose cluster, or set MESOS_MASTER"
	case strings.Contains(msg, "401"):
		return "the master wants credentials: set MESOS_PRINCIPAL and MESOS_SECRET"
	case strings.Contains(msg, "ZooKeeper"), strings.Contains(msg, "zookeeper"):
		return "ZooKeeper did not name a leader: check that ZooKeeper runs and a master is registered under the path in MESOS_MASTER"
	}
	return "check MESOS_MASTER and that the master is up"
}

// lockStart makes Starts of one session take turns, in whatever processes
// they run (two kernels running the subscribe cell at once): the first
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
			return nil, fmt.Errorf("another Start of this session has been busy for %s: let it finish (another kernel's subscribe cell?), then run this one again", timeout)
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
func spawn(bin string, opts Options) (<-chan error, error) {
	logf, err := os.OpenFile(filepath.Join(opts.Dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
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
		return nil, fmt.Errorf("start the listener %s: %w (set %s to a built mesos-listener, or unset it to build one)", bin, err, EnvListener)
	}
	// Reap it if this process lives long enough to see it exit, and tell
	// Start, if it still waits, that it did.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return exited, nil
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

// projectBinary finds one of the project's programs (cmd/<name>): $env
// when set, else one built from this module's source into the user's
// cache, rebuilt when the source changes. A cell never needs a shell
// command to get it.
func projectBinary(ctx context.Context, name, env string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	key, err := sourceKey(root, name)
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin := filepath.Join(cache, "mesosnb", "bin", name+"-"+key)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", bin, os.Getpid())
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp, "./cmd/"+name)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("build %s in %s: %v\n%s", name, root, err, out)
	}
	return bin, os.Rename(tmp, bin)
}

// moduleRoot is where this module's source is: two levels above this
// file, or the replace directory a notebook's go.mod points at.
func moduleRoot() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		root := filepath.Dir(filepath.Dir(filepath.Dir(file)))
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return root, nil
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == modulePath && d.Replace != nil && filepath.IsAbs(d.Replace.Path) {
				return d.Replace.Path, nil
			}
		}
	}
	return "", fmt.Errorf("cannot find the source of %s to build its programs: set %s to a built mesos-listener", modulePath, EnvListener)
}

const modulePath = "github.com/mesosnb/mesosnb"

// sourceKey hashes what cmd/<name> is built from (Go version, go.mod,
// go.sum, the .go files under pkg, internal and cmd/<name>: names, sizes and times),
// so a changed source gets a fresh binary.
func sourceKey(root, name string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version())
	for _, dir := range []string{"pkg", "internal", filepath.Join("cmd", name)} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintln(h, p, fi.Size(), fi.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// redact hides a zk:// password for anything written to disk or shown.
func redact(master string) string {
	if m, err := leader.Parse(master); err == nil {
		if m.IsZooKeeper() {
			return m.String()
		}
	}
	return master
}
