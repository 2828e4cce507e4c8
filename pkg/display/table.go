package display

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"text/tabwriter"

	"github.com/janpfeifer/gonb/gonbui"
)

// Table is rows of cells under a header, shown as an HTML table in a
// notebook and as aligned text elsewhere.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	Empty  string // shown instead of an empty table
}

// Show displays the table.
func (t Table) Show() {
	if gonbui.IsNotebook {
		showHTML(t.html())
		return
	}
	fmt.Print(t.text())
}

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

// showHTML shows HTML and waits until GoNB has it: a cell's program may
// end right after, and what is still in the pipe when it exits is lost.
func showHTML(h string) {
	gonbui.DisplayHTML(h)
	gonbui.Sync()
}

// shortID keeps the distinctive end of a Mesos id (<uuid>-O12 → …-O12).
func shortID(id string) string {
	if i := strings.LastIndexByte(id, '-'); i > 0 && len(id) > 24 {
		return "…" + id[i:]
	}
	return id
}
