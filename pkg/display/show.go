package display

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// Check ends the cell when err is not nil: it shows err, which says what
// to do next, on the cell's error stream and exits with status 1. A
// notebook's must and check helpers are this.
func Check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		gonbui.Sync()
		os.Exit(1)
	}
}

// Say shows a sentence: a paragraph under GoNB, a line elsewhere.
func Say(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if gonbui.IsNotebook {
		showHTML("<p>" + html.EscapeString(msg) + "</p>")
		return
	}
	fmt.Println(msg)
}

// Configuration shows what a notebook's session will use: the master,
// who you are, and which session of which notebook.
func Configuration(o session.Options) {
	fmt.Println("MESOS_MASTER:", o.Client.Master)
	fmt.Println("you are:     ", session.Identity())
	fmt.Printf("session:      %s, of notebook %s\n", o.Name, o.Notebook)
}

// Offers shows offers: agent, host, cpus, mem, disk, ports, attributes.
func Offers(offers []mesos.Offer) {
	t := Table{Title: fmt.Sprintf("%d outstanding offer(s)", len(offers)), Empty: "no outstanding offers",
		Header: []string{"offer", "agent", "host", "cpus", "mem MB", "disk MB", "ports", "attributes"}}
	for _, o := range offers {
		var attrs []string
		for _, a := range o.Attributes {
			attrs = append(attrs, a.String())
		}
		t.Rows = append(t.Rows, []string{shortID(o.ID.Value), shortID(o.AgentID.Value), o.Hostname,
			fmt.Sprintf("%g", o.Resources.CPUs()), fmt.Sprintf("%g", o.Resources.Mem()), fmt.Sprintf("%g", o.Resources.Disk()),
			o.Resources.Ports().String(), strings.Join(attrs, "; ")})
	}
	t.Show()
}

// Tasks shows each task's latest status: id, state, why (the reason in
// words, and the message), agent, age, and the states it went through. A
// state the master has not confirmed since the listener re-subscribed is
// marked so.
func Tasks(tasks []session.Task) {
	t := Table{Title: "Tasks", Empty: "no task updates yet",
		Header: []string{"task", "state", "why", "agent", "age", "states"}}
	for _, task := range tasks {
		state := string(task.State)
		if task.Unconfirmed {
			state += " (unconfirmed: reconciling)"
		}
		t.Rows = append(t.Rows, []string{task.ID.Value, state, session.Explain(task.Status), shortID(task.AgentID.Value),
			time.Since(task.First).Round(time.Second).String(), task.Path()})
	}
	t.Show()
}

// Events shows journal entries as a timeline.
func Events(entries []session.Entry) {
	t := Table{Title: "Events", Empty: "no events", Header: []string{"#", "received", "type", "what"}}
	for _, e := range entries {
		t.Rows = append(t.Rows, []string{fmt.Sprint(e.Seq), e.Received.Local().Format("15:04:05.000"), string(e.Event.Type), summary(e.Event)})
	}
	t.Show()
}

// summary says in a few words what an event carries.
func summary(ev mesos.Event) string {
	switch ev.Type {
	case mesos.EventSubscribed:
		return fmt.Sprintf("framework %s, heartbeat every %gs", ev.Subscribed.FrameworkID.Value, ev.Subscribed.HeartbeatIntervalSeconds)
	case mesos.EventOffers:
		var ids []string
		for _, o := range ev.Offers.Offers {
			ids = append(ids, fmt.Sprintf("%s (%s: %g cpus, %g MB)", shortID(o.ID.Value), o.Hostname, o.Resources.CPUs(), o.Resources.Mem()))
		}
		return strings.Join(ids, ", ")
	case mesos.EventRescind:
		return "offer " + shortID(ev.Rescind.OfferID.Value) + " withdrawn"
	case mesos.EventUpdate:
		st := ev.Update.Status
		s := fmt.Sprintf("%s %s", st.TaskID.Value, st.State)
		if st.Reason != "" {
			s += " " + st.Reason
		}
		if st.Message != "" {
			s += ": " + st.Message
		}
		if len(st.UUID) == 0 {
			s += " (no uuid: not acknowledged)"
		}
		return s
	case mesos.EventError:
		return ev.Error.Message
	case mesos.EventFailure:
		if ev.Failure.AgentID != nil {
			return "agent " + shortID(ev.Failure.AgentID.Value)
		}
	}
	return ""
}

// Session shows what the session's listener reports, and whose session
// it is: notebook, kernel and master. Its note, when it has one, comes
// first: what Start did.
func Session(s *session.Session) {
	if s.Note != "" {
		Say("%s", sentence(s.Note))
	}
	st, err := s.State()
	Check(err)
	o := s.Owner()
	kernel := fmt.Sprintf("pid %d (no Jupyter kernel id: nbconvert, or not a notebook)", o.KernelPID)
	if o.Kernel != "" {
		kernel = fmt.Sprintf("%s… (pid %d)", o.Kernel[:min(8, len(o.Kernel))], o.KernelPID)
	}
	Table{Title: "Session " + filepath.Base(s.Dir), Header: []string{"", ""}, Rows: [][]string{
		{"status", strings.TrimSpace(st.Status + " " + st.Message)},
		{"framework", st.FrameworkID + " (" + st.FrameworkName + ")"},
		{"notebook", o.Notebook},
		{"kernel", kernel},
		{"master", o.Master},
		{"stream held by", st.Leader},
		{"stream id", st.StreamID},
		{"heartbeat", fmt.Sprintf("every %gs, last %s", st.HeartbeatInterval, ago(st.LastHeartbeat))},
		{"subscriptions", fmt.Sprint(st.Subscriptions)},
		{"listener pid", fmt.Sprint(st.ListenerPID)},
	}}.Show()
}

// Cluster shows the warm-up's findings, and what is missing.
func Cluster(c session.Cluster) {
	t := Table{Title: fmt.Sprintf("%s: Mesos %s, leader %s", c.Kind, c.Version, c.Leader), Empty: "no agents",
		Header: []string{"agent", "host", "version", "containerizers", "cpus", "mem MB", "ports", "attributes"}}
	for _, a := range c.Agents {
		var attrs []string
		for k, v := range a.Attributes {
			attrs = append(attrs, fmt.Sprintf("%s:%v", k, v))
		}
		t.Rows = append(t.Rows, []string{shortID(a.ID), fmt.Sprintf("%s:%d", a.Hostname, a.Port), a.Version, a.Containerizers,
			fmt.Sprint(a.Resources.CPUs), fmt.Sprint(a.Resources.Mem), a.Resources.Ports, strings.Join(slices.Sorted(slices.Values(attrs)), "; ")})
	}
	t.Show()
	for _, p := range c.Problems {
		Say("⚠ %s", p)
	}
}

// Call shows a request and its answer. Under GoNB it is a small block
// with the call's JSON; elsewhere two lines on stdout.
func Call(ex httpapi.Exchange) {
	body := ex.RequestBody
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") == nil {
		body = pretty.Bytes()
	}
	answer := ex.Status
	if ex.Err != nil {
		answer = "no answer: " + ex.Err.Error()
	}
	if len(ex.ResponseBody) > 0 {
		answer += " " + clip(strings.TrimSpace(string(ex.ResponseBody)))
	}
	if gonbui.IsNotebook {
		showHTML(fmt.Sprintf(`<details><summary><code>%s %s</code> → <b>%s</b> (%s)</summary><pre style="font-size:85%%">%s</pre></details>`,
			ex.Method, html.EscapeString(ex.URL), html.EscapeString(answer), ex.Duration.Round(time.Millisecond), html.EscapeString(string(body))))
		return
	}
	fmt.Printf("%s %s\n%s\n→ %s\n", ex.Method, ex.URL, body, answer)
}

// maxAnswer is how much of an answer Call shows: its start says what it
// is; the cell shows the part it is about.
const maxAnswer = 300

// clip is an answer's first maxAnswer bytes, and how long it was.
func clip(answer string) string {
	if len(answer) <= maxAnswer {
		return answer
	}
	return fmt.Sprintf("%s… (%d bytes)", strings.ToValidUTF8(answer[:maxAnswer], ""), len(answer))
}

// JSON shows a value the way it goes on the wire.
func JSON(v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	Check(err)
	fmt.Println(string(b))
}

// sentence makes a note a sentence: a capital first, a full stop last.
func sentence(note string) string {
	if note == "" {
		return ""
	}
	note = strings.ToUpper(note[:1]) + note[1:]
	if !strings.HasSuffix(note, ".") {
		note += "."
	}
	return note
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return time.Since(t).Round(100*time.Millisecond).String() + " ago"
}

// FirstEvents shows the first n journal entries.
func FirstEvents(entries []session.Entry, n int) { Events(entries[:min(n, len(entries))]) }
