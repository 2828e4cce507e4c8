package display

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/framework"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// Handlers shows the handlers this kernel's cells declared.
func Handlers() {
	hs := framework.Handlers()
	if len(hs) == 0 {
		fmt.Println("no handler declared yet")
		return
	}
	fmt.Println("handlers declared in this kernel:")
	for _, h := range hs {
		fmt.Println("  " + strings.ReplaceAll(h, "main.", ""))
	}
}

// Driver shows a driver Start started.
func Driver(d *framework.Driver) {
	replaced := "no driver was running"
	if d.Replaced > 0 {
		replaced = fmt.Sprintf("it replaced the one before (pid %d)", d.Replaced)
	}
	Say("Driver started (pid %d) for framework %s: a copy of this cell's program, detached; %s.", d.PID, d.FrameworkID, replaced)
	for _, h := range d.Handlers {
		fmt.Println("  " + strings.ReplaceAll(h, "main.", ""))
	}
}

// WatchLimit bounds a Watch whose ctx has no deadline.
const WatchLimit = 90 * time.Second

// Watch shows desired against running, redrawn in place while the
// session's framework works, until desired copies run and no other task
// is live (or ctx's deadline, WatchLimit by default); then it leaves the
// last table, and says how long it took. Without a driver it says which
// cell to run first.
func Watch(ctx context.Context, s *session.Session, desired int) {
	if _, ok := framework.Running(s); !ok {
		Check(errors.New("no driver is running for this framework: run the Start cell first"))
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, WatchLimit)
		defer cancel()
	}
	began, live := time.Now(), NewLive()
	for {
		v, err := framework.Look(s)
		Check(err)
		ds, running := framework.Running(s)
		live.Update(frameworkTable(v, ds, running, desired))
		switch {
		case v.Running == desired && v.Live() == desired:
			live.Final()
			Say("%d of %d running, nothing else live: converged after %s.", v.Running, desired, time.Since(began).Round(100*time.Millisecond))
			return
		case !running:
			live.Final()
			Check(fmt.Errorf("the driver stopped (%s): run the Start cell again", ds.Message))
		}
		select {
		case <-ctx.Done():
			live.Final()
			Say("Not converged after %s: %d of %d running, %d live. The driver's last error: %s.",
				time.Since(began).Round(time.Second), v.Running, desired, v.Live(), orNone(ds.LastError))
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// frameworkTable is desired against running, the live tasks, and the
// driver's latest calls.
func frameworkTable(v framework.View, ds framework.DriverState, running bool, desired int) Table {
	driver := "no driver running"
	if running {
		driver = fmt.Sprintf("driver pid %d, %d handler call(s)", ds.PID, ds.Handled)
	}
	t := Table{Title: fmt.Sprintf("desired %d · running %d · starting %d · killing %d · unconfirmed %d · ended %d · %s",
		desired, v.Running, v.Starting, v.Killing, v.Unconfirmed, v.Ended, driver),
		Header: []string{"task", "state", "agent", "first heard"}, Empty: "no task running, starting or unconfirmed"}
	for _, task := range v.Tasks {
		state, heard := string(task.State), "-"
		switch {
		case task.State == "":
			state = "launched, no update yet"
		case task.Unconfirmed:
			state += " (unconfirmed: reconciling)"
		}
		if !task.First.IsZero() {
			heard = task.First.Local().Format("15:04:05.000")
		}
		t.Rows = append(t.Rows, []string{task.ID.Value, state, shortID(task.AgentID.Value), heard})
	}
	return t
}

// Story shows, in the order they happened, the events the framework
// received and the calls it made since the listener's latest
// subscription: how a re-subscription was answered, and what the driver
// did about it.
func Story(s *session.Session) {
	entries, calls, err := framework.SinceSubscribed(s)
	Check(err)
	type line struct {
		at                    time.Time
		dir, typ, what, extra string
	}
	var lines []line
	for _, e := range entries {
		lines = append(lines, line{e.Received, "←", string(e.Event.Type), summary(e.Event), ""})
	}
	for _, c := range calls {
		answer := fmt.Sprint(c.Status)
		if c.Error != "" {
			answer = c.Error
		}
		lines = append(lines, line{c.Time, "→", c.Type, callSummary(c), answer})
	}
	slices.SortStableFunc(lines, func(a, b line) int { return a.at.Compare(b.at) })
	t := Table{Title: "Since the latest subscription", Header: []string{"time", "", "type", "what", "answer"}, Empty: "no subscription yet"}
	for _, l := range lines {
		t.Rows = append(t.Rows, []string{l.at.Local().Format("15:04:05.000"), l.dir, l.typ, l.what, l.extra})
	}
	t.Show()
}

// callSummary says in a few words what a call asked.
func callSummary(c session.Call) string {
	var call mesos.Call
	if err := json.Unmarshal(c.Request, &call); err != nil {
		return ""
	}
	switch {
	case call.Accept != nil:
		var ids []string
		for _, op := range call.Accept.Operations {
			if op.Launch != nil {
				for _, t := range op.Launch.TaskInfos {
					ids = append(ids, t.TaskID.Value)
				}
			}
		}
		return "launch " + strings.Join(ids, ", ")
	case call.Decline != nil && call.Decline.Filters != nil && call.Decline.Filters.RefuseSeconds != nil:
		return fmt.Sprintf("offer %s, refused to us for %gs", shortID(call.Decline.OfferIDs[0].Value), *call.Decline.Filters.RefuseSeconds)
	case call.Kill != nil:
		return call.Kill.TaskID.Value
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
