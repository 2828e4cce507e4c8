package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mesosnb/mesosnb/pkg/recordio"
)

// Stream reads the records of a streaming answer (the scheduler or operator
// SUBSCRIBE) with a watchdog: when no record arrives within the idle
// timeout, the body is closed and Next returns ErrHeartbeatTimeout.
type Stream struct {
	call string
	host string
	body io.ReadCloser
	dec  *recordio.Decoder

	mu       sync.Mutex
	idle     time.Duration
	timer    *time.Timer
	timedOut atomic.Bool
	closed   atomic.Bool
}

// NewStream checks that resp is a RecordIO stream of JSON records and wraps
// its body. call and host only label errors.
func NewStream(call, host string, resp *http.Response) (*Stream, error) {
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		resp.Body.Close()
		return nil, &ProtocolError{Call: call, URL: host, Msg: fmt.Sprintf("stream has Content-Type %q, want application/json", ct)}
	}
	return &Stream{call: call, host: host, body: resp.Body, dec: recordio.NewDecoder(resp.Body)}, nil
}

// SetIdleTimeout arms the watchdog: d is the longest wait for a record
// (zero disarms it). Every record re-arms it.
func (s *Stream) SetIdleTimeout(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idle = d
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if d > 0 {
		s.timer = time.AfterFunc(d, func() {
			s.timedOut.Store(true)
			s.body.Close()
		})
	}
}

// Next returns the next record, valid until the next call. It returns
// io.EOF when the master ended the stream, an error wrapping
// ErrHeartbeatTimeout when the watchdog fired, and ErrClosed after
// Close.
func (s *Stream) Next() ([]byte, error) {
	rec, err := s.dec.Next()
	if err != nil {
		switch {
		case s.timedOut.Load():
			s.mu.Lock()
			idle := s.idle
			s.mu.Unlock()
			return nil, fmt.Errorf("%s stream from %s: %w (%s)", s.call, s.host, ErrHeartbeatTimeout, idle)
		case s.closed.Load():
			return nil, fmt.Errorf("%s stream from %s: %w", s.call, s.host, ErrClosed)
		case errors.Is(err, io.EOF):
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%s stream from %s: %w", s.call, s.host, err)
	}
	s.mu.Lock()
	if s.timer != nil {
		s.timer.Reset(s.idle)
	}
	s.mu.Unlock()
	return rec, nil
}

// Close ends the stream; the master sees the connection close.
func (s *Stream) Close() error {
	s.closed.Store(true)
	s.mu.Lock()
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	return s.body.Close()
}

// ErrClosed is returned by Stream.Next after Close.
var ErrClosed = errors.New("stream closed")

// Decode reads the stream's next record as JSON into a T: an event of the
// scheduler, operator or executor API. Its errors are Next's, or the
// record that did not decode (quoted, cut short).
func Decode[T any](s *Stream) (T, error) {
	var v T
	rec, err := s.Next()
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(rec, &v); err != nil {
		return v, fmt.Errorf("decode event %.200q: %w", rec, err)
	}
	return v, nil
}
