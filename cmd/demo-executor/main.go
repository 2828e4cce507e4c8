// Command demo-executor is a small custom Mesos executor built on
// pkg/executor, for learning the executor HTTP API.
//
// A framework runs it by launching tasks with an ExecutorInfo whose
// command starts this program; each task's TaskInfo.data is the shell
// command the task runs (empty: run until killed). The executor
//
//   - runs each launched task as a child process and reports it with
//     UPDATE: TASK_RUNNING, then TASK_FINISHED or TASK_FAILED when it
//     exits, or TASK_KILLED (after TASK_KILLING, for frameworks that
//     asked for that state) when a KILL stops it;
//   - answers every MESSAGE from the framework with a MESSAGE of its own;
//   - on SHUTDOWN kills its tasks, reports them, waits for the agent to
//     acknowledge the reports, and exits.
//
// It writes each exchange with the agent to its standard output, which the
// agent keeps in the sandbox (MESOS_DIRECTORY/stdout), one line each:
// "→" for a call it made, "←" for an event it got. Task output goes to
// the same file, each line prefixed with the task id.
//
// Started by hand, without the agent's environment, it says what it needs
// and exits with status 2.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/executor"
	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

func main() {
	cfg, err := executor.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo-executor:", err)
		os.Exit(2)
	}
	os.Exit(run(cfg, os.Stdout))
}

// run is the executor's life: subscribe, handle events until SHUTDOWN (or
// the agent is gone for good), then exit with a status for the agent.
func run(cfg executor.Config, out io.Writer) int {
	d := newDemo(out)
	cfg.Observe = d.observe
	cfg.Logger = slog.New(lineHandler{d})
	c, err := executor.New(cfg)
	if err != nil {
		d.logf("!", "%v", err)
		return 2
	}
	d.c = c
	d.logf("·", "demo-executor %s of framework %s; agent at %s; sandbox %s", cfg.ExecutorID.Value, cfg.FrameworkID.Value, cfg.AgentEndpoint, sandboxName(cfg.Directory))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	d.ctx = ctx

	sub, err := c.Subscribe(ctx)
	if err != nil {
		d.logf("!", "SUBSCRIBE failed: %v", err)
		return 1
	}
	events := pump(ctx, sub)
	for {
		select {
		case e, open := <-events:
			if !open {
				return d.closed(ctx)
			}
			if e.err != nil {
				d.logf("!", "%v; killing the tasks and exiting", e.err)
				d.killNow()
				return 1
			}
			d.handle(e.ev, sub)
		case <-d.wake: // a task's last update went out
		}
		if d.done() {
			d.logf("·", "every update acknowledged; exiting")
			return 0
		}
	}
}

// closed is how the executor ends when the agent closes the stream.
func (d *demo) closed(ctx context.Context) int {
	if ctx.Err() != nil {
		d.logf("!", "signalled; killing the tasks and exiting")
		d.killNow()
		return 1
	}
	d.logf("·", "the agent closed the stream after SHUTDOWN; exiting")
	return 0
}

type event struct {
	ev  mesos.ExecutorEvent
	err error
}

// pump hands the stream's events to the loop in run, which also listens
// for tasks whose last update has gone out. It stops with ctx, which run
// cancels when it returns.
func pump(ctx context.Context, sub *executor.Subscription) <-chan event {
	events := make(chan event)
	go func() {
		defer close(events)
		for ev, err := range sub.Events() {
			select {
			case events <- event{ev, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return events
}

// handle does what one event asks.
func (d *demo) handle(ev mesos.ExecutorEvent, sub *executor.Subscription) {
	switch ev.Type {
	case mesos.ExecutorEventSubscribed:
		s := ev.Subscribed
		updates, tasks := d.c.Unacknowledged()
		d.logf("←", "SUBSCRIBED executor %s of framework %s (%s) on agent %s:%d, container %s; re-sent %d updates and %d tasks not yet acknowledged",
			s.ExecutorInfo.ExecutorID.Value, d.c.Config().FrameworkID.Value, s.FrameworkInfo.Name, s.AgentInfo.Hostname, s.AgentInfo.Port,
			containerID(s.ContainerID), len(updates), len(tasks))
		d.killingState = s.FrameworkInfo.HasCapability(mesos.CapabilityTaskKillingState)
	case mesos.ExecutorEventLaunch:
		t := ev.Launch.Task
		d.logf("←", "LAUNCH %s: %q", t.TaskID.Value, string(t.Data))
		d.launch(t)
	case mesos.ExecutorEventLaunchGroup:
		for _, t := range ev.LaunchGroup.TaskGroup.Tasks {
			d.logf("←", "LAUNCH_GROUP %s: %q", t.TaskID.Value, string(t.Data))
			d.launch(t)
		}
	case mesos.ExecutorEventKill:
		d.logf("←", "KILL %s", ev.Kill.TaskID.Value)
		d.kill(ev.Kill.TaskID.Value, ev.Kill.KillPolicy)
	case mesos.ExecutorEventAcknowledged:
		d.logf("←", "ACKNOWLEDGED %s %s", ev.Acknowledged.TaskID.Value, shortUUID(ev.Acknowledged.UUID))
	case mesos.ExecutorEventMessage:
		d.logf("←", "MESSAGE %q", ev.Message.Data)
		reply := fmt.Sprintf("%s got %q; running: %v", sub.ExecutorInfo.ExecutorID.Value, ev.Message.Data, d.running())
		if err := d.c.Message(d.ctx, []byte(reply)); err != nil {
			d.logf("!", "MESSAGE reply: %v", err)
		}
	case mesos.ExecutorEventShutdown:
		d.logf("←", "SHUTDOWN: killing every task, then exiting once the agent has acknowledged their updates")
		d.shutdown(d.c.Config().ShutdownGracePeriod)
	case mesos.ExecutorEventError:
		d.logf("←", "ERROR %s", ev.Error.Message)
	case mesos.ExecutorEventHeartbeat:
		d.logf("←", "HEARTBEAT")
	default:
		d.logf("←", "%s (not known to this executor; ignored)", ev.Type)
	}
}

// observe writes each call and its answer; the stream's events are
// written as they are handled.
func (d *demo) observe(ex httpapi.Exchange) {
	if ex.Err != nil {
		d.logf("→", "%s: failed: %v", callSummary(ex.RequestBody), ex.Err)
		return
	}
	d.logf("→", "%s: %s", callSummary(ex.RequestBody), ex.Status)
}

// sandboxName is the sandbox's path from its frameworks/ folder on: the
// agent's work folder before it says nothing about the exchange, and the
// log is shown in notebooks that are published.
func sandboxName(dir string) string {
	if i := strings.Index(dir, "/frameworks/"); i >= 0 {
		return "…" + dir[i:]
	}
	return dir
}

func containerID(id *mesos.ContainerID) string {
	if id == nil {
		return "-"
	}
	return id.Value
}

func shortUUID(b []byte) string {
	if len(b) < 4 {
		return fmt.Sprintf("uuid %x", b)
	}
	return fmt.Sprintf("uuid %x…", b[:4])
}

// stamp is the time on each log line: wall clock to the millisecond.
func stamp() string { return time.Now().Format("15:04:05.000") }

// lineHandler writes the client's own news (disconnected, subscribed
// again) as lines like the others: "·", the message, its attributes.
type lineHandler struct{ d *demo }

func (h lineHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h lineHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h lineHandler) WithGroup(string) slog.Handler            { return h }
func (h lineHandler) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		msg += fmt.Sprintf(" %s=%v", a.Key, a.Value)
		return true
	})
	h.d.logf("·", "%s", msg)
	return nil
}
