package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// lm is a localmesos process.
type lm struct {
	cmd             *exec.Cmd
	url             string
	master, agentAt string
	log             string
}

func freeAddr() string {
	p, err := testenv.FreePort()
	if err != nil {
		panic(err)
	}
	return "127.0.0.1:" + strconv.Itoa(p)
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
	for i := 0; i < 100 && proc.Alive(l.cmd.Process.Pid); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(-l.cmd.Process.Pid, syscall.SIGKILL)
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
