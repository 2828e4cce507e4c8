package httpapi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Error is a non-2xx answer from Mesos. Body is Mesos' own message, such as
// "Failed to validate scheduler::Call: Expecting 'framework_id' to be
// present", cut to a few KiB. Find it with errors.As and branch on
// StatusCode.
type Error struct {
	Call       string // what was being done: "SUBSCRIBE", "ACCEPT", "GET /state"
	URL        string // the endpoint, without credentials
	StatusCode int
	Status     string // "400 Bad Request"
	Body       string
}

// Error says what was done, where, and what Mesos answered.
func (e *Error) Error() string {
	host := e.URL
	if u, err := url.Parse(e.URL); err == nil && u.Host != "" {
		host = u.Host
	}
	msg := fmt.Sprintf("%s to %s: %s", e.Call, host, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// maxErrorBody bounds how much of an error body is kept.
const maxErrorBody = 4 << 10

func trimBody(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > maxErrorBody {
		s = s[:maxErrorBody] + "..."
	}
	return s
}

// ErrHeartbeatTimeout ends a stream on which no event, heartbeats included,
// arrived for Config.MissedHeartbeats heartbeat intervals. The connection
// is probably dead: subscribe again.
var ErrHeartbeatTimeout = errors.New("no event or heartbeat within the watchdog timeout")

// ErrTooManyRedirects means masters kept redirecting to each other.
var ErrTooManyRedirects = errors.New("too many redirects between masters")

// ProtocolError is an answer that is not what the Mesos protocol promises:
// a stream with the wrong Content-Type, a redirect without a Location.
type ProtocolError struct {
	Call string
	URL  string
	Msg  string
}

// Error says which call got what unexpected answer.
func (e *ProtocolError) Error() string {
	return fmt.Sprintf("%s to %s: %s", e.Call, e.URL, e.Msg)
}
