package operator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Stream is the operator event stream: SUBSCRIBED with the whole state,
// then TASK_ADDED, TASK_UPDATED, AGENT_ADDED, FRAMEWORK_ADDED... as they
// happen. It watches the cluster without being a framework.
type Stream struct {
	// Master is the base URL of the master holding the stream.
	Master string
	stream *httpapi.Stream
	used   bool
}

// operatorHeartbeat is the operator stream's heartbeat interval in Mesos
// 1.11 (the first heartbeat comes after one interval).
const operatorHeartbeat = 15 * time.Second

// Subscribe opens the operator event stream. SUBSCRIBE.
func (c *Client) Subscribe(ctx context.Context) (*Stream, error) {
	body, _ := json.Marshal(mesos.OperatorCall{Type: mesos.OperatorSubscribe})
	resp, err := c.http.Stream(ctx).
		SetHeader("Content-Type", "application/json").
		SetHeader("Accept", "application/json").
		SetBody(body).
		Post(Path)
	if err := httpapi.Check("operator SUBSCRIBE", resp, err, http.StatusOK); err != nil {
		return nil, err
	}
	raw := resp.RawResponse
	master := raw.Request.URL.Scheme + "://" + raw.Request.URL.Host
	st, err := httpapi.NewStream("operator SUBSCRIBE", raw.Request.URL.Host, raw)
	if err != nil {
		return nil, err
	}
	st.SetIdleTimeout(time.Duration(c.http.Config().MissedHeartbeats) * operatorHeartbeat)
	return &Stream{Master: master, stream: st}, nil
}

// Events yields the operator events in order, heartbeats included, and
// ends after the first error, which it yields once (io.EOF wrapped when the
// master closed the stream). Leaving the loop early closes the stream.
func (s *Stream) Events() iter.Seq2[mesos.OperatorEvent, error] {
	return func(yield func(mesos.OperatorEvent, error) bool) {
		defer s.stream.Close()
		if s.used {
			yield(mesos.OperatorEvent{}, errors.New("operator Stream.Events ranged over twice"))
			return
		}
		s.used = true
		for {
			rec, err := s.stream.Next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = fmt.Errorf("operator stream from %s ended by the master: %w", s.Master, io.EOF)
				}
				yield(mesos.OperatorEvent{}, err)
				return
			}
			var ev mesos.OperatorEvent
			if err := json.Unmarshal(rec, &ev); err != nil {
				yield(mesos.OperatorEvent{}, fmt.Errorf("decode operator event %.200q: %w", rec, err))
				return
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// Close ends the stream.
func (s *Stream) Close() error { return s.stream.Close() }
