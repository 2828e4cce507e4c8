package session

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
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
func (s *Session) current() (fw string, entries []Entry, lastSub int, err error) {
	st, err := readState(s.Dir)
	if err != nil {
		return "", nil, 0, err
	}
	if err := s.reader.refresh(); err != nil {
		return "", nil, 0, err
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
	return st.FrameworkID, entries, lastSub, nil
}

// Offers returns the outstanding offers: those received since the latest
// subscription (a re-subscription voids older ones) that were neither
// rescinded nor used by an ACCEPT or DECLINE a cell made.
func (s *Session) Offers() ([]mesos.Offer, error) {
	_, entries, lastSub, err := s.current()
	if err != nil || lastSub < 0 {
		return nil, err
	}
	used, err := s.usedOffers()
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
func (s *Session) usedOffers() (map[string]bool, error) {
	calls, err := readCalls(filepath.Join(s.Dir, callsFile))
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
	ID      string
	State   mesos.TaskState
	Reason  string
	Message string
	AgentID string
	// Status is the latest update itself.
	Status mesos.TaskStatus
	// First and Last are when the first and the latest update arrived.
	First, Last time.Time
	// States are the states the task went through, in order, repeats
	// (re-sent updates, reconciliation answers) left out.
	States []mesos.TaskState
}

// Tasks returns every task the framework heard about, in the order their
// first update arrived, each with its latest status.
func (s *Session) Tasks() ([]Task, error) {
	_, entries, _, err := s.current()
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
			t = &Task{ID: st.TaskID.Value, First: e.Received}
			byID[t.ID] = t
			order = append(order, t.ID)
		}
		t.State, t.Reason, t.Message, t.Status, t.Last = st.State, st.Reason, st.Message, st, e.Received
		if st.AgentID != nil {
			t.AgentID = st.AgentID.Value
		}
		if len(t.States) == 0 || t.States[len(t.States)-1] != st.State {
			t.States = append(t.States, st.State)
		}
	}
	out := make([]Task, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, nil
}

// Task returns one task's latest status, ok false if no update named it.
func (s *Session) Task(id string) (Task, bool, error) {
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

// WaitOffer waits for an outstanding offer, showing a live progress line
// in the notebook while it waits.
func (s *Session) WaitOffer(ctx context.Context, timeout time.Duration) (mesos.Offer, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := newProgress("Waiting for an offer")
	defer p.done()
	start := time.Now()
	for {
		offers, err := s.Offers()
		if err != nil {
			return mesos.Offer{}, err
		}
		if len(offers) > 0 {
			return offers[0], nil
		}
		if err := s.listening(); err != nil {
			return mesos.Offer{}, err
		}
		st, _ := s.State()
		p.update(fmt.Sprintf("%s: listener %s, last event %s", time.Since(start).Round(100*time.Millisecond), st.Status, ago(st.LastEvent)))
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return mesos.Offer{}, fmt.Errorf("no offer within %s (listener: %s %s): are the agents' resources all taken, or the framework suppressed? Try Revive", timeout, st.Status, st.Message)
		}
	}
}

// WaitTask waits until the task reaches one of the states, showing its
// progress. It fails early if the task ends in another terminal state.
func (s *Session) WaitTask(ctx context.Context, id string, timeout time.Duration, states ...mesos.TaskState) (Task, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := newProgress("Waiting for task " + id + " to reach " + joinStates(states))
	defer p.done()
	for {
		t, ok, err := s.Task(id)
		if err != nil {
			return t, err
		}
		if ok {
			if slices.Contains(states, t.State) {
				return t, nil
			}
			if t.State.Terminal() {
				return t, fmt.Errorf("task %s ended %s (%s) instead of reaching %s: %s", id, t.State, t.Reason, joinStates(states), t.Message)
			}
			p.update(fmt.Sprintf("task %s is %s after %s", id, t.State, joinStates(t.States)))
		} else {
			p.update("no update for task " + id + " yet")
		}
		if err := s.listening(); err != nil {
			return t, err
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			if ok {
				return t, fmt.Errorf("task %s still %s after %s", id, t.State, timeout)
			}
			return t, fmt.Errorf("no update for task %s within %s: was it launched (check the ACCEPT answer and the offer it used)?", id, timeout)
		}
	}
}

// listening says what to do when no listener holds the session: nothing
// more will arrive, so waiting is pointless.
func (s *Session) listening() error {
	if listenerRunning(s.Dir) {
		return nil
	}
	st, _ := readState(s.Dir)
	return fmt.Errorf("no listener holds the session (last status: %s %s): run the subscribe cell (session.Start) again", st.Status, st.Message)
}

func joinStates(states []mesos.TaskState) string {
	parts := make([]string, len(states))
	for i, s := range states {
		parts[i] = string(s)
	}
	return strings.Join(parts, " → ")
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return time.Since(t).Round(100*time.Millisecond).String() + " ago"
}

// Client returns a scheduler client bound to the listener's framework and
// stream, sending to the master that holds the stream. Every call it makes
// is recorded (so Offers knows which offers are spent) and shown.
func (s *Session) Client() (*scheduler.Client, error) {
	st, err := readState(s.Dir)
	if err != nil {
		return nil, err
	}
	if st.StreamID == "" || st.FrameworkID == "" {
		return nil, fmt.Errorf("the listener is not subscribed (%s: %s): run the subscribe cell (session.Start) again", st.Status, st.Message)
	}
	// The stream id in state.json dies with its listener: calls bound to
	// it would be refused.
	if err := s.listening(); err != nil {
		return nil, err
	}
	cfg := s.opts.Client
	cfg.Observe = s.record
	if st.Leader != "" {
		cfg.Master = st.Leader // where the stream is: calls bound to it go there
	}
	c, err := scheduler.New(cfg)
	if err != nil {
		return nil, err
	}
	c.Bind(mesos.FrameworkID{Value: st.FrameworkID}, st.StreamID)
	return c, nil
}

// record writes a call to calls.jsonl and shows it.
func (s *Session) record(ex httpapi.Exchange) {
	var head struct {
		Type string `json:"type"`
	}
	json.Unmarshal(ex.RequestBody, &head)
	c := Call{Time: time.Now().UTC(), Type: head.Type, Request: ex.RequestBody, Status: ex.StatusCode,
		Answer: strings.TrimSpace(string(ex.ResponseBody)), Duration: ex.Duration.Seconds()}
	if ex.Err != nil {
		c.Error = ex.Err.Error()
	}
	appendCall(filepath.Join(s.Dir, callsFile), c)
	if inNotebook() {
		// In a notebook every call is part of the story; a program that
		// wants them printed calls ShowCall itself.
		ShowCall(ex)
	}
}
