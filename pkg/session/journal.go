package session

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Entry is one line of the journal: an event as the listener received it.
type Entry struct {
	Seq         int64       `json:"seq"`                    // 1, 2, 3... in the order received, across listeners
	Received    time.Time   `json:"received"`               // when the listener read it, UTC
	FrameworkID string      `json:"framework_id,omitempty"` // the framework whose stream carried it
	Event       mesos.Event `json:"event"`
}

// Call is one line of calls.jsonl: a call a cell made, and its answer.
type Call struct {
	Time     time.Time       `json:"time"`
	Type     string          `json:"type"`              // ACCEPT, KILL...
	Request  json.RawMessage `json:"request,omitempty"` // the call's JSON body
	Status   int             `json:"status"`            // the HTTP status; 0 when no answer came
	Answer   string          `json:"answer,omitempty"`  // the answer's body: Mesos' message for a refusal
	Error    string          `json:"error,omitempty"`
	Duration float64         `json:"duration_seconds"`
}

// journalWriter appends entries, one write per line, so that a reader sees
// whole lines or nothing of a new one.
type journalWriter struct {
	f   *os.File
	seq int64
}

// openJournal opens the journal for appending. A line left unfinished by a
// listener that died mid-write is ended with a newline, so that it stays
// one bad line instead of swallowing the next entry.
func openJournal(path string) (*journalWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	w := &journalWriter{f: f}
	r, _, err := scanJournal(path, 0)
	if err != nil {
		f.Close()
		return nil, err
	}
	for _, e := range r.Entries {
		w.seq = max(w.seq, e.Seq)
	}
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
			f.Write([]byte{'\n'})
		}
	}
	return w, nil
}

// append writes one event; sync makes it durable before the caller goes on
// (before acknowledging an update, so that an update is never lost).
func (w *journalWriter) append(frameworkID string, ev mesos.Event, received time.Time, sync bool) (Entry, error) {
	w.seq++
	e := Entry{Seq: w.seq, Received: received.UTC(), FrameworkID: frameworkID, Event: ev}
	b, err := json.Marshal(e)
	if err != nil {
		return e, err
	}
	if _, err := w.f.Write(append(b, '\n')); err != nil {
		return e, err
	}
	if sync {
		return e, w.f.Sync()
	}
	return e, nil
}

func (w *journalWriter) close() error { return w.f.Close() }

// JournalProblem is a journal line that could not be read. It is reported
// and skipped: one bad line never makes the rest unreadable.
type JournalProblem struct {
	Offset int64  // where the line starts in journal.jsonl, in bytes
	Text   string // the start of the line
	Err    string // what is wrong with it
}

// scan is what one read of the journal found.
type scan struct {
	Entries  []Entry
	Problems []JournalProblem
}

// maxLine bounds one journal line; longer ones are reported and skipped.
const maxLine = 16 << 20

// scanJournal reads whole lines of the journal from offset on; see
// scanLines.
func scanJournal(path string, offset int64) (scan, int64, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return scan{}, offset, nil
	}
	if err != nil {
		return scan{}, offset, err
	}
	defer f.Close()
	return scanLines(f, bufio.NewReaderSize(nil, 64<<10), offset)
}

// scanLines reads whole lines of f from offset on, through br (reused, so
// that a cell polling the journal does not allocate a buffer each time).
// A last line without its newline is being written: it is left for the
// next read. It returns the offset after the last whole line.
func scanLines(f *os.File, br *bufio.Reader, offset int64) (scan, int64, error) {
	var s scan
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return s, offset, err
	}
	br.Reset(f)
	for {
		line, n, long, err := readLine(br, maxLine)
		if err != nil { // io.EOF: an unfinished last line stays for later
			return s, offset, nil
		}
		t := bytes.TrimSpace(line)
		switch {
		case long:
			s.Problems = append(s.Problems, JournalProblem{Offset: offset, Text: string(t[:min(len(t), 80)]), Err: "line longer than 16 MiB"})
		case len(t) > 0:
			var e Entry
			if jerr := json.Unmarshal(t, &e); jerr != nil {
				s.Problems = append(s.Problems, JournalProblem{Offset: offset, Text: string(t[:min(len(t), 80)]), Err: jerr.Error()})
			} else {
				s.Entries = append(s.Entries, e)
			}
		}
		offset += int64(n)
	}
}

// readLine reads through the next newline. It keeps at most max bytes of
// the line (long reports a longer one) but always consumes all of it; n is
// how many bytes it consumed.
func readLine(r *bufio.Reader, max int) (line []byte, n int, long bool, err error) {
	for {
		frag, err := r.ReadSlice('\n')
		n += len(frag)
		if room := max - len(line); room > 0 {
			line = append(line, frag[:min(len(frag), room)]...)
		}
		long = long || n > max
		if err != bufio.ErrBufferFull {
			return line, n, long, err
		}
	}
}

// readCalls reads calls.jsonl; bad lines are skipped.
func readCalls(path string) ([]Call, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var calls []Call
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		var c Call
		if len(bytes.TrimSpace(line)) == 0 || json.Unmarshal(line, &c) != nil {
			continue
		}
		calls = append(calls, c)
	}
	return calls, nil
}

// appendCall records a call in calls.jsonl.
func appendCall(path string, c Call) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	return err
}

// String says which line was skipped and why, for the notebook.
func (p JournalProblem) String() string {
	return fmt.Sprintf("journal line at byte %d skipped (%s): %.80s", p.Offset, p.Err, p.Text)
}
