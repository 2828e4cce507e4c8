package session

import "github.com/mesosnb/mesosnb/pkg/httpapi"

// Observer is shown what a session does, so that a notebook can show it
// to the learner; package display draws one (display.Observer). The
// session itself draws nothing: without an Observer it is silent.
type Observer interface {
	// Call is a call a client of the session made, with its answer.
	Call(httpapi.Exchange)
	// Waiting says what a wait waits for and where it stands; it is called
	// again as that changes, and with now == "" once the wait is over.
	Waiting(what, now string)
	// Note is one sentence the learner should read: the session healed
	// itself (a listener restarted), or took another turn than asked.
	Note(string)
}

// quiet is the Observer of a session that was given none.
type quiet struct{}

func (quiet) Call(httpapi.Exchange)  {}
func (quiet) Waiting(string, string) {}
func (quiet) Note(string)            {}

func (s *Session) observer() Observer {
	if s.opts.Observer == nil {
		return quiet{}
	}
	return s.opts.Observer
}
