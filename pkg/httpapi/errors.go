package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-resty/resty/v2"
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
	msg := fmt.Sprintf("%s to %s: %s", e.Call, hostOf(e.URL), e.Status)
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

// Check turns resty's answer to a call into this package's errors: a
// failure to send, wrapped with what was being done; a 307 Go could not
// follow (no usable Location) as *ProtocolError; any status but want (any
// 2xx when want is empty) as *Error with Mesos' message. The body of a
// refused stream is read (bounded) and closed.
func Check(call string, resp *resty.Response, err error, want ...int) error {
	if err != nil {
		target := ""
		if resp != nil && resp.Request != nil {
			target = " to " + hostOf(resp.Request.URL)
		}
		return fmt.Errorf("%s%s: %w", call, target, err)
	}
	code := resp.StatusCode()
	if len(want) == 0 && code/100 == 2 || slices.Contains(want, code) {
		return nil
	}
	body := resp.Body()
	if body == nil && resp.RawResponse != nil {
		body, _ = io.ReadAll(io.LimitReader(resp.RawBody(), maxErrorBody+1))
		resp.RawBody().Close()
	}
	target := resp.Request.URL
	if resp.RawResponse != nil && resp.RawResponse.Request != nil {
		target = resp.RawResponse.Request.URL.String() // after redirects
	}
	if code == http.StatusTemporaryRedirect {
		return &ProtocolError{Call: call, URL: target, Msg: fmt.Sprintf("307 with an unusable Location %q", resp.Header().Get("Location"))}
	}
	return &Error{Call: call, URL: target, StatusCode: code, Status: resp.Status(), Body: trimBody(body)}
}

func hostOf(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return u.Host
	}
	return rawURL
}
