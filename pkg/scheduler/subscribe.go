package scheduler

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

// Subscription is an open SUBSCRIBE stream: the framework's one connection
// on which the master sends every event. Read it with Events; it lives until
// the master ends it, ctx is cancelled, or Close.
type Subscription struct {
	// StreamID is the Mesos-Stream-Id header of the SUBSCRIBE answer; every
	// other call of this subscription must carry it.
	StreamID string
	// FrameworkID is the id the master gave (or kept, on re-subscribe).
	FrameworkID mesos.FrameworkID
	// HeartbeatInterval is how often the master promises a HEARTBEAT.
	HeartbeatInterval time.Duration
	// MasterInfo describes the master holding the stream.
	MasterInfo *mesos.MasterInfo
	// Master is the base URL of that master (after redirects).
	Master string

	stream     *httpapi.Stream
	subscribed mesos.Event
	used       bool
}

// ErrorEvent is an ERROR event from the master. It ends the stream: the
// subscription was refused ("Framework has been removed"), or another
// subscription of the same framework replaced it ("Framework failed over").
type ErrorEvent struct {
	Message string
}

// Error quotes the master's message.
func (e *ErrorEvent) Error() string { return "master sent ERROR: " + e.Message }

// The two ERROR events a framework must tell apart, found with errors.Is:
var (
	// ErrFrameworkRemoved: the framework was torn down, or its failover
	// timeout passed; its id can never subscribe again.
	ErrFrameworkRemoved = errors.New("Framework has been removed")
	// ErrFailedOver: another subscription of the same framework took its
	// place; this one should stop, not fight back.
	ErrFailedOver = errors.New("Framework failed over")
)

// Is makes errors.Is(err, ErrFrameworkRemoved) and ErrFailedOver match the
// master's message, which is all the protocol gives to tell them apart.
func (e *ErrorEvent) Is(target error) bool {
	return (target == ErrFrameworkRemoved || target == ErrFailedOver) && e.Message == target.Error()
}

// Subscribe registers the framework and opens its event stream. To
// re-subscribe (after a dropped connection, or from a new process) set
// info.ID to the framework id: it is also sent as the call's top-level
// framework_id, as Mesos requires. Set info.FailoverTimeout too: with the
// default of 0 the master kills every task the moment the stream drops.
//
// Subscribe returns once SUBSCRIBED has arrived, so the ids and the
// heartbeat interval are known; a refused subscription (an ERROR event
// first) is returned as *ErrorEvent. On success the client is bound to the
// new stream: later calls carry its stream id.
func (c *Client) Subscribe(ctx context.Context, info mesos.FrameworkInfo, suppressedRoles ...string) (*Subscription, error) {
	call := mesos.Call{Type: mesos.CallSubscribe, FrameworkID: info.ID, Subscribe: &mesos.Subscribe{FrameworkInfo: info, SuppressedRoles: suppressedRoles}}
	body, err := json.Marshal(call)
	if err != nil {
		return nil, fmt.Errorf("SUBSCRIBE: encode call: %w", err)
	}
	// Every call after this one carries the stream id it answers with.
	resp, err := c.http.Stream(ctx).
		SetHeader("Content-Type", "application/json").
		SetHeader("Accept", "application/json").
		SetBody(body).
		Post(Path)
	if err := httpapi.Check("SUBSCRIBE", resp, err, http.StatusOK); err != nil {
		return nil, err
	}
	raw := resp.RawResponse
	master := raw.Request.URL.Scheme + "://" + raw.Request.URL.Host
	stream, err := httpapi.NewStream("SUBSCRIBE", raw.Request.URL.Host, raw)
	if err != nil {
		return nil, err
	}
	sub := &Subscription{StreamID: raw.Header.Get("Mesos-Stream-Id"), Master: master, stream: stream}

	// The first event decides: SUBSCRIBED, or ERROR and the end.
	cfg := c.http.Config()
	stream.SetIdleTimeout(cfg.Timeout)
	ev, err := sub.next()
	if err != nil {
		stream.Close()
		return nil, fmt.Errorf("SUBSCRIBE to %s: waiting for SUBSCRIBED: %w", raw.Request.URL.Host, err)
	}
	switch {
	case ev.Type == mesos.EventError && ev.Error != nil:
		stream.Close()
		return nil, fmt.Errorf("SUBSCRIBE to %s: %w", raw.Request.URL.Host, &ErrorEvent{Message: ev.Error.Message})
	case ev.Type != mesos.EventSubscribed || ev.Subscribed == nil:
		stream.Close()
		return nil, &httpapi.ProtocolError{Call: "SUBSCRIBE", URL: master, Msg: fmt.Sprintf("first event is %s, want SUBSCRIBED", ev.Type)}
	}
	if sub.StreamID == "" {
		stream.Close()
		return nil, &httpapi.ProtocolError{Call: "SUBSCRIBE", URL: master, Msg: "answer has no Mesos-Stream-Id header"}
	}
	sub.subscribed = ev
	sub.FrameworkID = ev.Subscribed.FrameworkID
	sub.MasterInfo = ev.Subscribed.MasterInfo
	sub.HeartbeatInterval = time.Duration(ev.Subscribed.HeartbeatIntervalSeconds * float64(time.Second))
	if sub.HeartbeatInterval <= 0 {
		sub.HeartbeatInterval = 15 * time.Second
	}
	stream.SetIdleTimeout(time.Duration(cfg.MissedHeartbeats) * sub.HeartbeatInterval)
	c.Bind(sub.FrameworkID, sub.StreamID)
	return sub, nil
}

func (s *Subscription) next() (mesos.Event, error) {
	rec, err := s.stream.Next()
	if err != nil {
		return mesos.Event{}, err
	}
	var ev mesos.Event
	if err := json.Unmarshal(rec, &ev); err != nil {
		return mesos.Event{}, fmt.Errorf("decode event %.200q: %w", rec, err)
	}
	return ev, nil
}

// Events yields the stream's events in order, SUBSCRIBED first, heartbeats
// included (they show the stream is alive). It ends after the first error,
// which it yields once:
//
//   - io.EOF wrapped: the master closed the stream;
//   - *ErrorEvent: the master sent ERROR (the event itself is yielded
//     first, then the error);
//   - httpapi.ErrHeartbeatTimeout wrapped: nothing arrived for
//     MissedHeartbeats intervals, the connection is likely dead;
//   - ctx's error, or httpapi.ErrClosed after Close.
//
// In every case subscribe again (with the framework id) to go on. Leaving
// the range loop early closes the stream. Events can be ranged over once.
func (s *Subscription) Events() iter.Seq2[mesos.Event, error] {
	return func(yield func(mesos.Event, error) bool) {
		defer s.stream.Close()
		if s.used {
			yield(mesos.Event{}, errors.New("Subscription.Events ranged over twice"))
			return
		}
		s.used = true
		if !yield(s.subscribed, nil) {
			return
		}
		for {
			ev, err := s.next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = fmt.Errorf("SUBSCRIBE stream from %s ended by the master: %w", s.Master, io.EOF)
				}
				yield(mesos.Event{}, err)
				return
			}
			if !yield(ev, nil) {
				return
			}
			if ev.Type == mesos.EventError && ev.Error != nil {
				yield(mesos.Event{}, &ErrorEvent{Message: ev.Error.Message})
				return
			}
		}
	}
}

// Close ends the stream. The master sees the connection drop: with a
// failover_timeout the framework waits to be re-subscribed, without one it
// is removed.
func (s *Subscription) Close() error { return s.stream.Close() }
