package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// EnvDriver, set to a session folder, makes Start run the driver of that
// session instead of starting one: it is how the copy of a cell's program
// that Start launches knows it is the driver.
const EnvDriver = "MESOSNB_FRAMEWORK_DRIVER"

// Files of the driver, in the session folder beside the listener's.
const (
	driverBinary = "driver"      // the copy of the program that started it
	driverState  = "driver.json" // DriverState
	driverLog    = "driver.log"  // one line per event handled and call made
	driverLock   = "driver.lock" // held (flock) by the live driver
)

// DriverState is what the driver reports of itself, in driver.json.
type DriverState struct {
	PID      int       `json:"pid"`
	Status   string    `json:"status"`            // "running" or "stopped"
	Message  string    `json:"message,omitempty"` // why it stopped
	Handlers []string  `json:"handlers"`          // as Handlers says them
	Started  time.Time `json:"started"`
	Handled  int       `json:"handled"` // handler calls made
	// LastError is the latest error a handler returned, or the driver met
	// before calling one, with the event it was for.
	LastError string    `json:"last_error,omitempty"`
	Updated   time.Time `json:"updated"`
}

// Driver statuses, DriverState.Status.
const (
	DriverRunning = "running"
	DriverStopped = "stopped"
)

// Driver is a driver Start started.
type Driver struct {
	DriverState
	// Replaced is the pid of the driver it replaced, 0 if none ran.
	Replaced int
	// FrameworkID is the framework it drives.
	FrameworkID string
}

// ErrNoHandlers is Start's answer in a kernel whose cells declared no
// handler: the driver would do nothing.
var ErrNoHandlers = errors.New("no handler is declared in this kernel (a kernel restart forgets them): run the OFFERS handler cell and the REVIVE handler cell first")

// Start starts the driver of the session: a copy of this very program,
// which holds the handlers the cells declared (OnOffer, OnUpdate,
// OnSubscribed), run detached from the cell, with its output in the
// session folder's driver.log. A driver already running is stopped first:
// run the cell again after changing a handler and the new code takes
// over. It returns once the driver runs.
//
// In the driver itself (EnvDriver is set) Start never returns: it runs
// the handlers over the session's events until it is stopped (Stop), the
// framework is torn down, or the kernel that owns the session has been
// gone for two heartbeat intervals, then exits the program.
func Start(ctx context.Context, opts session.Options) (*Driver, error) {
	if dir := os.Getenv(EnvDriver); dir != "" {
		os.Exit(runDriver(dir, opts))
	}
	s, err := session.Resume(ctx, opts)
	if err != nil {
		return nil, err
	}
	if len(Handlers()) == 0 {
		if ds, ok := Running(s); ok {
			return nil, fmt.Errorf("%w (the driver started before, pid %d, runs on meanwhile)", ErrNoHandlers, ds.PID)
		}
		return nil, ErrNoHandlers
	}
	st, err := s.State()
	if err != nil {
		return nil, err
	}
	old, err := stop(ctx, s.Dir)
	if err != nil {
		return nil, err
	}
	bin, err := copyProgram(s.Dir)
	if err != nil {
		return nil, err
	}
	pid, exited, err := spawn(bin, s.Dir)
	if err != nil {
		return nil, err
	}
	ds, err := waitRunning(ctx, s.Dir, pid, exited)
	if err != nil {
		return nil, err
	}
	return &Driver{DriverState: ds, Replaced: old.PID, FrameworkID: st.FrameworkID}, nil
}

// Stop stops the session's driver, if one runs, and says what it did.
// The framework and its tasks stay: nothing replaces a task that ends
// until a driver runs again.
func Stop(ctx context.Context, opts session.Options) (string, error) {
	s, err := session.Open(opts)
	if errors.Is(err, session.ErrNoSession) {
		return "No driver is running: this kernel has no framework yet.", nil
	}
	if err != nil {
		return "", err
	}
	old, err := stop(ctx, s.Dir)
	if err != nil || old.PID == 0 {
		return "No driver is running.", err
	}
	return fmt.Sprintf("Stopped the driver (pid %d) after %d handler call(s).", old.PID, old.Handled), nil
}

// Running returns the state of the session's driver, ok false when none
// runs.
func Running(s *session.Session) (DriverState, bool) {
	ds, err := readState(s.Dir)
	return ds, err == nil && locked(s.Dir) && proc.Alive(ds.PID)
}

// stop ends the driver of the session folder dir, if one runs: SIGTERM,
// then SIGKILL if it has not exited within ten seconds. It returns its
// last state (PID 0 when none ran).
func stop(ctx context.Context, dir string) (DriverState, error) {
	if !locked(dir) {
		return DriverState{}, nil
	}
	ds, _ := readState(dir)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	signaled := 0
	for locked(dir) {
		// A driver that is starting writes its pid only once it holds the
		// lock: read it again until then.
		if ds.PID > 0 && ds.PID != signaled && ds.Status == DriverRunning {
			syscall.Kill(ds.PID, syscall.SIGTERM)
			signaled = ds.PID
		}
		select {
		case <-ctx.Done():
			if signaled > 0 {
				syscall.Kill(signaled, syscall.SIGKILL)
			}
			return ds, fmt.Errorf("the driver (pid %d) did not stop within 10s: killed it; its log: %s", ds.PID, driverLog)
		case <-time.After(20 * time.Millisecond):
		}
		if now, err := readState(dir); err == nil {
			ds = now
		}
	}
	ds, _ = readState(dir)
	return ds, nil
}

// copyProgram copies the running program into the session folder. GoNB
// builds each cell's program in one place and overwrites it with the next
// cell's: the driver must run a copy of its own.
func copyProgram(dir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find this program to copy it for the driver: %w", err)
	}
	src, err := os.Open(self)
	if err != nil {
		return "", err
	}
	defer src.Close()
	bin := filepath.Join(dir, driverBinary)
	tmp := fmt.Sprintf("%s.%d.tmp", bin, os.Getpid())
	dst, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o700)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// A driver still running its copy keeps it: a rename never
		// changes a running program's file.
		err = os.Rename(tmp, bin)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("copy this program for the driver: %w", err)
	}
	return bin, nil
}

// spawn starts the driver detached, as the session starts its listener:
// a process session of its own, stdin from /dev/null, output to
// driver.log, so that the cell ends at once and the driver outlives it.
// GoNB's pipes are left out of its environment: it shows nothing in the
// notebook.
func spawn(bin, dir string) (int, <-chan error, error) {
	logf, err := os.OpenFile(filepath.Join(dir, driverLog), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return 0, nil, err
	}
	defer logf.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, nil, err
	}
	defer devnull.Close()
	cmd := exec.Command(bin)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GONB_PIPE") && !strings.HasPrefix(kv, EnvDriver+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, EnvDriver+"="+dir)
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("start the driver: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return cmd.Process.Pid, exited, nil
}

// waitRunning waits for the driver pid to say it runs.
func waitRunning(ctx context.Context, dir string, pid int, exited <-chan error) (DriverState, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if ds, err := readState(dir); err == nil && ds.PID == pid {
			if ds.Status == DriverRunning {
				return ds, nil
			}
			return ds, fmt.Errorf("the driver stopped at once: %s", ds.Message)
		}
		select {
		case err := <-exited:
			return DriverState{}, fmt.Errorf("the driver exited at once (%v), saying: %s", err, lastLine(filepath.Join(dir, driverLog)))
		case <-ctx.Done():
			syscall.Kill(pid, syscall.SIGKILL)
			return DriverState{}, fmt.Errorf("the driver did not start within 30s; its last words: %s", lastLine(filepath.Join(dir, driverLog)))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// locked reports whether a driver holds the session's driver lock.
func locked(dir string) bool {
	f, err := os.OpenFile(filepath.Join(dir, driverLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return true
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

func readState(dir string) (DriverState, error) {
	var ds DriverState
	b, err := os.ReadFile(filepath.Join(dir, driverState))
	if err == nil {
		err = json.Unmarshal(b, &ds)
	}
	return ds, err
}

// writeState replaces driver.json whole: a reader never sees half of it.
func writeState(dir string, ds DriverState) error {
	ds.Updated = time.Now().UTC()
	b, err := json.MarshalIndent(ds, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, driverState+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, driverState))
}

// lastLine is the last line of a log, what it said last.
func lastLine(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// WaitListener waits until a listener other than the one of pid old holds
// the framework's stream: the driver restarts a listener that died within
// a second. Without a driver it says which cell to run first (the next
// cell's session.Resume restarts the listener then).
func WaitListener(ctx context.Context, s *session.Session, old int) (session.State, error) {
	if _, ok := Running(s); !ok {
		return session.State{}, errors.New("no driver is running to restart the listener (the next cell will): run the Start cell first")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		st, err := s.State()
		if err == nil && st.ListenerPID != old && st.ListenerPID > 0 && st.Status == session.StatusSubscribed && st.StreamID != "" {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("no new listener within 30s (%s %s): see driver.log in the session folder", st.Status, st.Message)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
