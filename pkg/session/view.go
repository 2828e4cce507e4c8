package session

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// reader reads the journal incrementally: a cell that waits re-reads only
// what the listener appended since.
type reader struct {
	dir      string
	file     os.FileInfo // the journal read so far
	br       *bufio.Reader
	offset   int64
	entries  []Entry
	problems []JournalProblem
}

func newReader(dir string) *reader {
	return &reader{dir: dir, br: bufio.NewReaderSize(nil, 64<<10)}
}

func (r *reader) refresh() error {
	f, err := os.Open(filepath.Join(r.dir, journalFile))
	if os.IsNotExist(err) {
		r.reset(nil) // put aside for a new framework, whose listener has not written yet
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the journal: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("read the journal: %w", err)
	}
	if r.file == nil || !os.SameFile(r.file, fi) {
		// A new framework's journal replaced the one read so far.
		r.reset(fi)
	}
	s, off, err := scanLines(f, r.br, r.offset)
	if err != nil {
		return fmt.Errorf("read the journal: %w", err)
	}
	r.offset = off
	r.entries = append(r.entries, s.Entries...)
	r.problems = append(r.problems, s.Problems...)
	return nil
}

func (r *reader) reset(file os.FileInfo) {
	r.file, r.offset, r.entries, r.problems = file, 0, nil, nil
}

// State returns what the listener reports now.
func (s *Session) State() (State, error) { return readState(s.Dir) }

// Problems lists journal lines that could not be read and were skipped.
func (s *Session) Problems() []JournalProblem {
	s.reader.refresh()
	return slices.Clone(s.reader.problems)
}

// Events returns the journal entries after seq (0: all of them).
func (s *Session) Events(since int64) ([]Entry, error) {
	if err := s.reader.refresh(); err != nil {
		return nil, err
	}
	i, _ := slices.BinarySearchFunc(s.reader.entries, since+1, func(e Entry, seq int64) int { return int(e.Seq - seq) })
	return slices.Clone(s.reader.entries[i:]), nil
}

// Calls returns the calls the session's clients made (calls.jsonl), each
// with its answer, oldest first.
func (s *Session) Calls() ([]Call, error) { return readCalls(filepath.Join(s.Dir, callsFile)) }

// Seq is the sequence number of the journal's latest entry (0: none).
func (s *Session) Seq() int64 {
	s.reader.refresh()
	if n := len(s.reader.entries); n > 0 {
		return s.reader.entries[n-1].Seq
	}
	return 0
}

// Next waits for the first entry after seq.
func (s *Session) Next(ctx context.Context, since int64) (Entry, error) {
	for {
		evs, err := s.Events(since)
		if err != nil {
			return Entry{}, err
		}
		if len(evs) > 0 {
			return evs[0], nil
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return Entry{}, err
		}
	}
}

// pollInterval is how often waits look at the journal: short enough that
// an event is seen within milliseconds, long enough to cost nothing.
const pollInterval = 2 * time.Millisecond

// current is the framework's own entries and where its latest
// subscription starts in them.
func (s *Session) current() (st State, entries []Entry, lastSub int, err error) {
	st, err = readState(s.Dir)
	if err != nil {
		return st, nil, 0, err
	}
	if err := s.reader.refresh(); err != nil {
		return st, nil, 0, err
	}
	lastSub = -1
	for _, e := range s.reader.entries {
		if e.FrameworkID != st.FrameworkID {
			continue
		}
		if e.Event.Type == mesos.EventSubscribed {
			lastSub = len(entries)
		}
		entries = append(entries, e)
	}
	return st, entries, lastSub, nil
}

// Offers returns the outstanding offers: those received since the latest
// subscription (a re-subscription voids older ones) that were neither
// rescinded nor used by an ACCEPT or DECLINE a cell made. With no
// listener subscribed there are none: the master rescinds a disconnected
// framework's offers, and a removed framework has none.
func (s *Session) Offers() ([]mesos.Offer, error) {
	st, entries, lastSub, err := s.current()
	if err != nil || lastSub < 0 || st.Status != StatusSubscribed || tornDown(s.Dir, st.FrameworkID) || !listenerRunning(s.Dir) {
		return nil, err
	}
	used, err := usedOffers(s.Dir)
	if err != nil {
		return nil, err
	}
	var offers []mesos.Offer
	for _, e := range entries[lastSub:] {
		switch e.Event.Type {
		case mesos.EventOffers:
			for _, o := range e.Event.Offers.Offers {
				if !used[o.ID.Value] {
					offers = append(offers, o)
				}
			}
		case mesos.EventRescind:
			id := e.Event.Rescind.OfferID.Value
			offers = slices.DeleteFunc(offers, func(o mesos.Offer) bool { return o.ID.Value == id })
		}
	}
	return offers, nil
}

// usedOffers are the offer ids of every ACCEPT and DECLINE the master
// accepted (202), whatever became of them: an offer is good for one call.
func usedOffers(dir string) (map[string]bool, error) {
	calls, err := readCalls(filepath.Join(dir, callsFile))
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, c := range calls {
		if c.Status/100 != 2 || (c.Type != string(mesos.CallAccept) && c.Type != string(mesos.CallDecline)) {
			continue
		}
		var call mesos.Call
		if json.Unmarshal(c.Request, &call) != nil {
			continue
		}
		var ids []mesos.OfferID
		if call.Accept != nil {
			ids = call.Accept.OfferIDs
		}
		if call.Decline != nil {
			ids = call.Decline.OfferIDs
		}
		for _, id := range ids {
			used[id.Value] = true
		}
	}
	return used, nil
}

// Task is the latest status of one of the framework's tasks.
type Task struct {
	ID      mesos.TaskID
	State   mesos.TaskState
	Reason  string
	Message string
	AgentID mesos.AgentID
	// Status is the latest update itself.
	Status mesos.TaskStatus
	// First and Last are when the first and the latest update arrived.
	First, Last time.Time
	// States are the states the task went through, in order, repeats
	// (re-sent updates, reconciliation answers) left out.
	States []mesos.TaskState
	// Unconfirmed: the task was live at its latest update, and either
	// the listener holds no stream right now (it is re-subscribing), or
	// that update came before its latest (re-)subscription and the master
	// has not confirmed it since. The reconciliation the listener asks for
	// after every subscription will: until then, State is what was true,
	// not what is.
	Unconfirmed bool
	// Launched is the TaskInfo a cell of this session launched it with,
	// nil for a task the session did not launch.
	Launched *mesos.TaskInfo

	seq int64
}

// Tasks returns every task the framework heard about, in the order their
// first update arrived, each with its latest status.
func (s *Session) Tasks() ([]Task, error) {
	st, entries, lastSub, err := s.current()
	if err != nil {
		return nil, err
	}
	var order []string
	byID := map[string]*Task{}
	for _, e := range entries {
		if e.Event.Type != mesos.EventUpdate || e.Event.Update == nil {
			continue
		}
		st := e.Event.Update.Status
		t := byID[st.TaskID.Value]
		if t == nil {
			t = &Task{ID: st.TaskID, First: e.Received}
			byID[st.TaskID.Value] = t
			order = append(order, st.TaskID.Value)
		}
		t.State, t.Reason, t.Message, t.Status, t.Last, t.seq = st.State, st.Reason, st.Message, st, e.Received, e.Seq
		if st.AgentID != nil {
			t.AgentID = *st.AgentID
		}
		if len(t.States) == 0 || t.States[len(t.States)-1] != st.State {
			t.States = append(t.States, st.State)
		}
	}
	infos, err := s.Launches()
	if err != nil {
		return nil, err
	}
	for i := range infos {
		if t := byID[infos[i].TaskID.Value]; t != nil {
			t.Launched = &infos[i]
		}
	}
	out := make([]Task, 0, len(order))
	for _, id := range order {
		t := *byID[id]
		t.Unconfirmed = !t.State.Terminal() && (st.Status != StatusSubscribed || (lastSub >= 0 && t.seq < entries[lastSub].Seq))
		out = append(out, t)
	}
	return out, nil
}

// Task returns one task's latest status, ok false if no update named it.
func (s *Session) Task(id mesos.TaskID) (Task, bool, error) {
	ts, err := s.Tasks()
	if err != nil {
		return Task{}, false, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, true, nil
		}
	}
	return Task{}, false, nil
}
