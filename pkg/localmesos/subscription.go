package localmesos

import (
	"net/http"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/recordio"
)

// subscription is one open SUBSCRIBE stream. The master queues events on
// it without blocking; the HTTP handler that owns the connection encodes
// and writes them out, so that no JSON is written under the master's lock.
// A reader that stops reading fills the queue, and the stream is then cut,
// so one stuck framework never holds up the others.
type subscription struct {
	streamID string
	fw       *framework

	mu     sync.Mutex
	queue  []mesos.Event // never changed once queued: the writer reads them unlocked
	wake   chan struct{}
	done   chan struct{} // closed when the master ends the stream
	ended  bool
	reason string
}

// maxQueued bounds the events waiting for a slow reader.
const maxQueued = 10000

// writeTimeout is how long one write may block before the reader counts as
// stuck.
const writeTimeout = 10 * time.Second

func newSubscription(fw *framework, streamID string) *subscription {
	return &subscription{streamID: streamID, fw: fw, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// send queues an event; on a full queue it ends the stream. Whatever the
// event points to must not change afterwards.
func (s *subscription) send(ev mesos.Event) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	if len(s.queue) >= maxQueued {
		s.mu.Unlock()
		s.end("event queue overflow: the framework is not reading its stream")
		return
	}
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// end closes the stream after what is queued has been written.
func (s *subscription) end(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.ended, s.reason = true, reason
	close(s.done)
}

// take encodes and returns the queued events.
func (s *subscription) take() [][]byte {
	s.mu.Lock()
	q := s.queue
	s.queue = nil
	s.mu.Unlock()
	out := make([][]byte, len(q))
	for i, ev := range q {
		out[i] = eventJSON(ev)
	}
	return out
}

// serve writes the stream until it ends, the client goes away or a write
// fails. It returns why it stopped.
func (s *subscription) serve(w http.ResponseWriter, r *http.Request, heartbeat time.Duration) string {
	return s.serveWith(w, r, heartbeat, s.take)
}

// serveWith is serve with the queue to drain given, so the operator stream
// can share the writing loop.
func (s *subscription) serveWith(w http.ResponseWriter, r *http.Request, heartbeat time.Duration, take func() [][]byte) string {
	rc := http.NewResponseController(w)
	var buf []byte
	write := func(recs [][]byte) bool {
		if len(recs) == 0 {
			return true
		}
		buf = buf[:0]
		for _, rec := range recs {
			buf = recordio.Append(buf, rec)
		}
		rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := w.Write(buf); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	hb := eventJSON(mesos.Event{Type: mesos.EventHeartbeat})
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-s.wake:
			if !write(take()) {
				return "write failed"
			}
		case <-tick.C:
			if !write([][]byte{hb}) {
				return "write failed"
			}
		case <-s.done:
			write(take())
			return s.reason
		case <-r.Context().Done():
			return "connection closed by the framework"
		}
	}
}
