// Package standin starts the local stand-in, localmesos, as a process of
// its own that outlives the notebook cell that started it: for demos that
// need masters to stop and start, such as the ZooKeeper notebook's leader
// failover between two stand-ins.
//
//	a, err := standin.Start(ctx, "zk-demo-a", "--master-addr=127.0.0.1:5060",
//		"--agent-addr=127.0.0.1:5061", "--zk=zk://127.0.0.1:2181/mesos")
//	...
//	a, ok := standin.Find("zk-demo-a") // from a later cell
//	err = a.Stop(ctx)
//
// A stand-in that exits at start is reported with what it said, never
// announced as started; one whose address is taken is refused before it
// starts. The localmesos program is built from this module's source on
// first use (MESOSNB_LOCALMESOS names a built one instead). The package
// does not import localmesos itself, so a cell that uses it stays small.
package standin

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/binaries"
	"github.com/mesosnb/mesosnb/internal/proc"
)

// EnvLocalMesos names a localmesos binary to use instead of building one.
const EnvLocalMesos = "MESOSNB_LOCALMESOS"

// StandIn is a localmesos process a notebook started, detached like the
// session's listener: for demos that need a master to stop, such as a
// leader failover through ZooKeeper. It is found again by name from later
// cells.
type StandIn struct {
	Name string
	URL  string // the master's base URL
	PID  int
	dir  string
}

// Start starts localmesos with args (its flags; --master-addr names where
// the master listens) unless one of that name already runs, and waits
// until its master answers /health.
func Start(ctx context.Context, name string, args ...string) (*StandIn, error) {
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("stand-in name %q: use letters, digits, '.', '_' and '-'", name)
	}
	root, err := folder()
	if err != nil {
		return nil, err
	}
	s := &StandIn{Name: name, dir: filepath.Join(root, name), URL: "http://127.0.0.1:5050"}
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--master-addr="); ok {
			s.URL = "http://" + v
		} else if a == "--master-addr" && i+1 < len(args) {
			s.URL = "http://" + args[i+1]
		}
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("stand-in folder: %w", err)
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
	bin, err := binaries.Path(ctx, "localmesos", EnvLocalMesos)
	if err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(s.dir, "localmesos.log"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
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
	// The url first: Find trusts a folder whose pid is written.
	if err := writeFile(filepath.Join(s.dir, "url"), s.URL); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(s.dir, "pid"), strconv.Itoa(s.PID)); err != nil {
		return nil, err
	}
	return s, s.waitHealthy(ctx)
}

// Find returns the stand-in of that name if it runs, without starting
// anything.
func Find(name string) (*StandIn, bool) {
	root, err := folder()
	if err != nil || !nameRE.MatchString(name) {
		return nil, false
	}
	dir := filepath.Join(root, name)
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
			return fmt.Errorf("localmesos %s exited at start, saying: %s (its log: %s)", s.Name, lastLines(filepath.Join(s.dir, "localmesos.log"), 3), filepath.Join(s.dir, "localmesos.log"))
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

// EnvSessionDir is the session package's folder setting: stand-ins live in
// its "standins" folder, so a test that moves the sessions moves them too.
const EnvSessionDir = "MESOSNB_SESSION_DIR"

// folder is where stand-ins keep their pid, url and log:
// $MESOSNB_SESSION_DIR/standins, else <user cache dir>/mesosnb/sessions/standins.
func folder() (string, error) {
	if d := os.Getenv(EnvSessionDir); d != "" {
		return filepath.Join(d, "standins"), nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a folder for stand-ins (set %s): %w", EnvSessionDir, err)
	}
	return filepath.Join(cache, "mesosnb", "sessions", "standins"), nil
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// writeFile replaces a small file whole: written aside, then renamed.
func writeFile(path, line string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(line+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
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
