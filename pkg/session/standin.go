package session

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"
)

// EnvLocalMesos names a localmesos binary to use instead of building one.
const EnvLocalMesos = "MESOSNB_LOCALMESOS"

// StandIn is a localmesos process a notebook started, detached like the
// listener: for demos that need a master to stop, such as a leader
// failover through ZooKeeper. It is found again by name from later cells.
type StandIn struct {
	Name string
	URL  string // the master's base URL
	PID  int
	dir  string
}

// StartStandIn starts localmesos with args (its flags; --master-addr
// names where the master listens) unless one of that name already runs,
// and waits until its master answers /health.
func StartStandIn(ctx context.Context, name string, args ...string) (*StandIn, error) {
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("stand-in name %q: use letters, digits, '.', '_' and '-'", name)
	}
	root, err := sessionsRoot()
	if err != nil {
		return nil, err
	}
	s := &StandIn{Name: name, dir: filepath.Join(root, "standins", name), URL: "http://127.0.0.1:5050"}
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--master-addr="); ok {
			s.URL = "http://" + v
		} else if a == "--master-addr" && i+1 < len(args) {
			s.URL = "http://" + args[i+1]
		}
	}
	if err := ensureDir(s.dir); err != nil {
		return nil, err
	}
	if pid := readPID(s.dir); pid > 0 && proc.Alive(pid) {
		s.PID = pid
		return s, s.waitHealthy(ctx)
	}
	// A master address someone else answers on would pass the health
	// check below for a stand-in that exited at once.
	if ln, err := net.Listen("tcp", strings.TrimPrefix(s.URL, "http://")); err != nil {
		return nil, fmt.Errorf("localmesos %s cannot listen on %s: %v: stop what uses it, or choose other ports", name, strings.TrimPrefix(s.URL, "http://"), err)
	} else {
		ln.Close()
	}
	bin, err := projectBinary(ctx, "localmesos", EnvLocalMesos)
	if err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(s.dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start localmesos %s: %w", name, err)
	}
	go cmd.Wait()
	s.PID = cmd.Process.Pid
	if err := writeAtomic(filepath.Join(s.dir, "pid"), []byte(strconv.Itoa(s.PID)+"\n")); err != nil {
		return nil, err
	}
	if err := writeAtomic(filepath.Join(s.dir, "url"), []byte(s.URL+"\n")); err != nil {
		return nil, err
	}
	return s, s.waitHealthy(ctx)
}

// FindStandIn returns the stand-in of that name if it runs, without
// starting anything.
func FindStandIn(name string) (*StandIn, bool) {
	root, err := sessionsRoot()
	if err != nil || !nameRE.MatchString(name) {
		return nil, false
	}
	dir := filepath.Join(root, "standins", name)
	pid := readPID(dir)
	if pid <= 0 || !proc.Alive(pid) {
		return nil, false
	}
	url, _ := os.ReadFile(filepath.Join(dir, "url"))
	return &StandIn{Name: name, URL: strings.TrimSpace(string(url)), PID: pid, dir: dir}, true
}

func (s *StandIn) waitHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/health", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		if !proc.Alive(s.PID) {
			return fmt.Errorf("localmesos %s exited at start, saying: %s (its log: %s)", s.Name, lastLines(filepath.Join(s.dir, logFile), 3), filepath.Join(s.dir, logFile))
		}
		if err == nil {
			return nil
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return fmt.Errorf("localmesos %s does not answer %s/health: %w", s.Name, s.URL, err)
		}
	}
}

// Stop ends the stand-in (SIGTERM: it kills its tasks and leaves
// ZooKeeper) and waits for it to exit.
func (s *StandIn) Stop(ctx context.Context) error {
	if s.PID <= 0 || !proc.Alive(s.PID) {
		return nil
	}
	syscall.Kill(s.PID, syscall.SIGTERM)
	for proc.Alive(s.PID) {
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			syscall.Kill(s.PID, syscall.SIGKILL)
			return fmt.Errorf("localmesos %s did not stop: %w", s.Name, err)
		}
	}
	os.Remove(filepath.Join(s.dir, "pid"))
	return nil
}

// Running reports whether the stand-in's process is alive.
func (s *StandIn) Running() bool { return s.PID > 0 && proc.Alive(s.PID) }

// lastLines is the end of a log file, on one line.
func lastLines(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

func readPID(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}
