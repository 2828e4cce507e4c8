package display

import (
	"fmt"
	"html"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// Observer returns what shows a session's work in the notebook: every
// call with its answer (Call), a line that updates in place while a wait
// goes on (it disappears when the wait ends, so that a waiting cell never
// looks hung), and the session's notes (Say). Pass it in
// session.Options.Observer; a session without one shows nothing.
func Observer() session.Observer { return &observer{waits: map[string]*progress{}} }

type observer struct {
	waits map[string]*progress
}

func (o *observer) Call(ex httpapi.Exchange) { Call(ex) }

func (o *observer) Note(msg string) { Say("%s", sentence(msg)) }

func (o *observer) Waiting(what, now string) {
	p := o.waits[what]
	if now == "" {
		if p != nil {
			p.done()
			delete(o.waits, what)
		}
		return
	}
	if p == nil {
		p = newProgress("Waiting for " + what)
		o.waits[what] = p
	}
	p.update(now)
}

// progress is a line that updates in place while a cell waits.
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
