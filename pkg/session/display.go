package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// This file is the only one that knows GoNB. Under GoNB the Show
// functions draw HTML tables with gonbui; anywhere else they print plain
// text tables, so the same calls work in a terminal or a test.

// inNotebook reports whether a GoNB kernel runs this program.
func inNotebook() bool { return gonbui.IsNotebook }

// Table is rows of cells under a header, shown as an HTML table in a
// notebook and as aligned text elsewhere.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	Empty  string // shown instead of an empty table
}

// table is the short name the Show functions use.
type table = Table

// Show displays the table.
func (t Table) Show() {
	if gonbui.IsNotebook {
		display(t.html())
		return
	}
	fmt.Print(t.text())
}

func (t Table) show() { t.Show() }

// Live is a display that redraws in place: a table that changes while a
// cell runs. In a notebook only its last state is saved; elsewhere only
// the last state is printed, by Final.
type Live struct {
	id   string
	last Table
}

// NewLive returns a Live display with nothing shown yet.
func NewLive() *Live {
	l := &Live{}
	if gonbui.IsNotebook {
		l.id = gonbui.UniqueID()
	}
	return l
}

// Update redraws the display with t.
func (l *Live) Update(t Table) {
	l.last = t
	if l.id != "" {
		gonbui.UpdateHTML(l.id, t.html())
	}
}

// Final leaves the last table in the output for good (the in-place display
// is transient in GoNB).
func (l *Live) Final() {
	if l.id != "" {
		gonbui.UpdateHTML(l.id, "")
	}
	l.last.Show()
}

const tableStyle = `style="border-collapse:collapse;font-family:monospace;font-size:90%"`
const cellStyle = `style="border:1px solid #ccc;padding:2px 8px;text-align:left"`

func (t Table) html() string {
	var b strings.Builder
	if t.Title != "" {
		fmt.Fprintf(&b, "<b>%s</b><br>", html.EscapeString(t.Title))
	}
	if len(t.Rows) == 0 {
		fmt.Fprintf(&b, "<i>%s</i>", html.EscapeString(t.Empty))
		return b.String()
	}
	fmt.Fprintf(&b, "<table %s><tr>", tableStyle)
	for _, h := range t.Header {
		fmt.Fprintf(&b, "<th %s>%s</th>", cellStyle, html.EscapeString(h))
	}
	b.WriteString("</tr>")
	for _, r := range t.Rows {
		b.WriteString("<tr>")
		for _, c := range r {
			fmt.Fprintf(&b, "<td %s>%s</td>", cellStyle, html.EscapeString(c))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

func (t Table) text() string {
	var b bytes.Buffer
	if t.Title != "" {
		fmt.Fprintln(&b, t.Title)
	}
	if len(t.Rows) == 0 {
		fmt.Fprintf(&b, "(%s)\n", t.Empty)
		return b.String()
	}
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(t.Header, "\t"))
	for _, r := range t.Rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	w.Flush()
	return b.String()
}

// ShowOffers shows offers: agent, host, cpus, mem, disk, ports, attributes.
func ShowOffers(offers []mesos.Offer) {
	t := table{Title: fmt.Sprintf("%d outstanding offer(s)", len(offers)), Empty: "no outstanding offers",
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
	t.show()
}

// ShowTasks shows each task's latest status: id, state, reason, message,
// agent, age, and the states it went through.
func ShowTasks(tasks []Task) {
	t := table{Title: "Tasks", Empty: "no task updates yet",
		Header: []string{"task", "state", "reason", "message", "agent", "age", "states"}}
	for _, task := range tasks {
		t.Rows = append(t.Rows, []string{task.ID, string(task.State), task.Reason, task.Message, shortID(task.AgentID),
			time.Since(task.First).Round(time.Second).String(), joinStates(task.States)})
	}
	t.show()
}

// ShowEvents shows journal entries as a timeline.
func ShowEvents(entries []Entry) {
	t := table{Title: "Events", Empty: "no events", Header: []string{"#", "received", "type", "what"}}
	for _, e := range entries {
		t.Rows = append(t.Rows, []string{fmt.Sprint(e.Seq), e.Received.Local().Format("15:04:05.000"), string(e.Event.Type), summary(e.Event)})
	}
	t.show()
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

// ShowState shows what the listener reports.
func ShowState(st State) {
	t := table{Title: "Session", Header: []string{"", ""}, Rows: [][]string{
		{"status", st.Status + " " + st.Message},
		{"framework", st.FrameworkID + " (" + st.FrameworkName + ")"},
		{"master", st.Master},
		{"stream held by", st.Leader},
		{"stream id", st.StreamID},
		{"heartbeat", fmt.Sprintf("every %gs, last %s", st.HeartbeatInterval, ago(st.LastHeartbeat))},
		{"subscriptions", fmt.Sprint(st.Subscriptions)},
		{"listener pid", fmt.Sprint(st.ListenerPID)},
	}}
	t.show()
}

// ShowCall shows a request and its answer. Under GoNB it is a small block
// with the call's JSON; elsewhere two lines on stdout.
func ShowCall(ex httpapi.Exchange) {
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
		answer += " " + strings.TrimSpace(string(ex.ResponseBody))
	}
	if gonbui.IsNotebook {
		display(fmt.Sprintf(`<details><summary><code>%s %s</code> → <b>%s</b> (%s)</summary><pre style="font-size:85%%">%s</pre></details>`,
			ex.Method, html.EscapeString(ex.URL), html.EscapeString(answer), ex.Duration.Round(time.Millisecond), html.EscapeString(string(body))))
		return
	}
	fmt.Printf("%s %s\n%s\n→ %s\n", ex.Method, ex.URL, body, answer)
}

// shortID keeps the distinctive end of a Mesos id (<uuid>-O12 → …-O12).
func shortID(id string) string {
	if i := strings.LastIndexByte(id, '-'); i > 0 && len(id) > 24 {
		return "…" + id[i:]
	}
	return id
}

// progress is a line that updates in place while a cell waits, so that a
// waiting cell never looks hung; it disappears when the wait ends.
type progress struct {
	id    string
	title string
	last  time.Time
}

func newProgress(title string) *progress {
	p := &progress{title: title}
	if gonbui.IsNotebook {
		p.id = gonbui.UniqueID()
	}
	return p
}

func (p *progress) update(msg string) {
	if p.id == "" || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	gonbui.UpdateHTML(p.id, fmt.Sprintf("<i>⏳ %s: %s</i>", html.EscapeString(p.title), html.EscapeString(msg)))
}

func (p *progress) done() {
	if p.id != "" && !p.last.IsZero() {
		gonbui.UpdateHTML(p.id, "")
		gonbui.Sync()
	}
}

// Say shows a sentence: bold HTML under GoNB, a line elsewhere.
func Say(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if gonbui.IsNotebook {
		display("<p>" + html.EscapeString(msg) + "</p>")
		return
	}
	fmt.Fprintln(os.Stdout, msg)
}

// display shows HTML and waits until GoNB has it: a cell's program may end
// right after, and what is still in the pipe when it exits is lost.
func display(h string) {
	gonbui.DisplayHTML(h)
	gonbui.Sync()
}
