package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// ErrDisconnected ends the events of an executor whose framework does not
// checkpoint (MESOS_CHECKPOINT is not 1) when the agent's stream drops:
// such an agent never takes its executors back, so the executor should
// kill its tasks and exit.
var ErrDisconnected = errors.New("disconnected from the agent, which does not take executors of frameworks without checkpointing back")

// ErrRecoveryTimeout ends the events when the agent did not come back
// within Config.RecoveryTimeout (MESOS_RECOVERY_TIMEOUT): the executor
// should kill its tasks and exit.
var ErrRecoveryTimeout = errors.New("the agent did not come back within the recovery timeout")

// Subscription is the executor's open SUBSCRIBE stream. Its fields
// describe the latest SUBSCRIBED event; Events yields every event and
// re-subscribes when the agent restarts.
type Subscription struct {
	ExecutorInfo  mesos.ExecutorInfo
	FrameworkInfo mesos.FrameworkInfo
	AgentInfo     mesos.AgentInfo
	ContainerID   *mesos.ContainerID

	c     *Client
	ctx   context.Context
	first mesos.ExecutorEvent

	mu       sync.Mutex
	stream   *httpapi.Stream
	closed   bool
	used     bool
	shutdown bool // SHUTDOWN seen: a dropped stream is the end, not a restart
}

// Subscribe opens the executor's event stream with a SUBSCRIBE that
// carries the updates and tasks not yet acknowledged (none, the first
// time). It returns once the first event has arrived: SUBSCRIBED, or
// SHUTDOWN from an agent that is already shutting the executor down.
// ctx bounds the whole subscription, re-subscriptions included.
func (c *Client) Subscribe(ctx context.Context) (*Subscription, error) {
	s := &Subscription{c: c, ctx: ctx}
	first, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	s.first = first
	return s, nil
}

// open posts SUBSCRIBE and reads the first event.
func (s *Subscription) open(ctx context.Context) (mesos.ExecutorEvent, error) {
	c := s.c
	updates, tasks := c.Unacknowledged()
	sub := &mesos.ExecutorSubscribe{UnacknowledgedTasks: tasks}
	for _, u := range updates {
		sub.UnacknowledgedUpdates = append(sub.UnacknowledgedUpdates, mesos.ExecutorUpdate{Status: u})
	}
	call := mesos.ExecutorCall{ExecutorID: c.cfg.ExecutorID, FrameworkID: c.cfg.FrameworkID, Type: mesos.ExecutorCallSubscribe, Subscribe: sub}
	body, err := json.Marshal(call)
	if err != nil {
		return mesos.ExecutorEvent{}, fmt.Errorf("SUBSCRIBE: encode call: %w", err)
	}
	resp, err := c.http.Stream(ctx).
		SetHeader("Content-Type", "application/json").
		SetHeader("Accept", "application/json").
		SetBody(body).
		Post(Path)
	if err := httpapi.Check("SUBSCRIBE", resp, err, http.StatusOK); err != nil {
		return mesos.ExecutorEvent{}, err
	}
	raw := resp.RawResponse
	host := raw.Request.URL.Host
	stream, err := httpapi.NewStream("SUBSCRIBE", host, raw)
	if err != nil {
		return mesos.ExecutorEvent{}, err
	}
	// The first event comes at once; later ones may be half an hour
	// apart (the agent's heartbeat interval), so only the first wait is
	// bounded.
	stream.SetIdleTimeout(c.cfg.Timeout)
	ev, err := next(stream)
	stream.SetIdleTimeout(0)
	if err != nil {
		stream.Close()
		return mesos.ExecutorEvent{}, fmt.Errorf("SUBSCRIBE to %s: waiting for SUBSCRIBED: %w", host, err)
	}
	switch {
	case ev.Type == mesos.ExecutorEventSubscribed && ev.Subscribed != nil:
		s.ExecutorInfo, s.FrameworkInfo = ev.Subscribed.ExecutorInfo, ev.Subscribed.FrameworkInfo
		s.AgentInfo, s.ContainerID = ev.Subscribed.AgentInfo, ev.Subscribed.ContainerID
	case ev.Type == mesos.ExecutorEventShutdown:
	default:
		stream.Close()
		return mesos.ExecutorEvent{}, &httpapi.ProtocolError{Call: "SUBSCRIBE", URL: host, Msg: fmt.Sprintf("first event is %s, want SUBSCRIBED", ev.Type)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		stream.Close()
		return mesos.ExecutorEvent{}, httpapi.ErrClosed
	}
	s.stream = stream
	c.received(ev)
	return ev, nil
}

func next(stream *httpapi.Stream) (mesos.ExecutorEvent, error) {
	rec, err := stream.Next()
	if err != nil {
		return mesos.ExecutorEvent{}, err
	}
	var ev mesos.ExecutorEvent
	if err := json.Unmarshal(rec, &ev); err != nil {
		return mesos.ExecutorEvent{}, fmt.Errorf("decode event %.200q: %w", rec, err)
	}
	return ev, nil
}

// Events yields the stream's events in order, the first SUBSCRIBED
// included, and keeps the client's books: LAUNCH and LAUNCH_GROUP tasks
// are kept, ACKNOWLEDGED releases an update and its task. While it runs, a
// HEARTBEAT call goes to the agent every Config.HeartbeatInterval.
//
// When the stream drops before a SHUTDOWN:
//
//   - with checkpointing (Config.Checkpoint), it subscribes again, every
//     random wait up to SubscriptionBackoffMax, with the unacknowledged
//     updates and tasks, and yields the new SUBSCRIBED; if the agent does
//     not come back within RecoveryTimeout it yields an error wrapping
//     ErrRecoveryTimeout;
//   - without, it yields an error wrapping ErrDisconnected.
//
// A re-SUBSCRIBE the agent refuses ends it with that *Error. After a
// SHUTDOWN, the end of the stream ends Events without an error. ctx's
// error, or httpapi.ErrClosed after Close, end it too. Leaving the range
// loop closes the stream. Events can be ranged over once.
func (s *Subscription) Events() iter.Seq2[mesos.ExecutorEvent, error] {
	return func(yield func(mesos.ExecutorEvent, error) bool) {
		defer s.Close()
		s.mu.Lock()
		used := s.used
		s.used = true
		s.mu.Unlock()
		if used {
			yield(mesos.ExecutorEvent{}, errors.New("Subscription.Events ranged over twice"))
			return
		}
		hbCtx, stopHeartbeats := context.WithCancel(s.ctx)
		defer stopHeartbeats()
		go s.heartbeats(hbCtx)

		ev := s.first
		for {
			if ev.Type == mesos.ExecutorEventShutdown {
				s.mu.Lock()
				s.shutdown = true
				s.mu.Unlock()
			}
			if !yield(ev, nil) {
				return
			}
			var err error
			ev, err = s.next()
			if err == nil {
				continue
			}
			if ev, err = s.recover(err); err != nil {
				if !errors.Is(err, errShutdownEnd) {
					yield(mesos.ExecutorEvent{}, err)
				}
				return
			}
		}
	}
}

// errShutdownEnd marks the end of a stream after SHUTDOWN: not an error.
var errShutdownEnd = errors.New("stream ended after SHUTDOWN")

func (s *Subscription) next() (mesos.ExecutorEvent, error) {
	s.mu.Lock()
	stream := s.stream
	s.mu.Unlock()
	ev, err := next(stream)
	if err == nil {
		s.c.received(ev)
	}
	return ev, err
}

// recover decides what a dropped stream means and, with checkpointing,
// subscribes again; it returns the new first event.
func (s *Subscription) recover(cause error) (mesos.ExecutorEvent, error) {
	s.mu.Lock()
	closed, shutdown := s.closed, s.shutdown
	s.mu.Unlock()
	switch {
	case closed:
		return mesos.ExecutorEvent{}, fmt.Errorf("executor stream: %w", httpapi.ErrClosed)
	case s.ctx.Err() != nil:
		return mesos.ExecutorEvent{}, s.ctx.Err()
	case shutdown:
		return mesos.ExecutorEvent{}, errShutdownEnd
	}
	if errors.Is(cause, io.EOF) {
		cause = errors.New("the agent closed the event stream")
	}
	cfg := s.c.cfg
	if !cfg.Checkpoint {
		return mesos.ExecutorEvent{}, fmt.Errorf("%w: %v", ErrDisconnected, cause)
	}
	cfg.Logger.Warn("disconnected from the agent; subscribing again", "agent", cfg.AgentEndpoint, "cause", cause,
		"recovery_timeout", cfg.RecoveryTimeout, "backoff_max", cfg.SubscriptionBackoffMax)
	// The new stream must outlive this function, so the recovery timeout
	// is a deadline between attempts, not a context.
	deadline := time.Now().Add(cfg.RecoveryTimeout)
	for attempt := 1; ; attempt++ {
		ev, err := s.open(s.ctx)
		if err == nil {
			cfg.Logger.Info("subscribed again", "agent", cfg.AgentEndpoint, "attempt", attempt)
			return ev, nil
		}
		var refused *Error
		switch {
		// 404 is an agent still setting up its routes, which Mesos'
		// library waits for; any other 4xx will not change.
		case errors.As(err, &refused) && refused.StatusCode/100 == 4 && refused.StatusCode != http.StatusNotFound:
			return mesos.ExecutorEvent{}, fmt.Errorf("subscribing again after %v: %w", cause, err)
		case errors.Is(err, httpapi.ErrClosed):
			return mesos.ExecutorEvent{}, fmt.Errorf("executor stream: %w", httpapi.ErrClosed)
		case s.ctx.Err() != nil:
			return mesos.ExecutorEvent{}, s.ctx.Err()
		}
		left := time.Until(deadline)
		if left <= 0 {
			return mesos.ExecutorEvent{}, fmt.Errorf("%w (%v, %d attempts) after %v; last attempt: %v", ErrRecoveryTimeout, cfg.RecoveryTimeout, attempt, cause, err)
		}
		// Mesos' library waits a random time up to the maximum, so that
		// the executors of a restarted agent do not all come at once.
		wait := min(time.Duration(rand.Int64N(int64(cfg.SubscriptionBackoffMax)+1)), left)
		select {
		case <-s.ctx.Done():
			return mesos.ExecutorEvent{}, s.ctx.Err()
		case <-time.After(wait):
		}
	}
}

// heartbeats sends a HEARTBEAT call every interval until ctx ends. The
// agent answers 202 and ignores it; it keeps the call connection alive.
func (s *Subscription) heartbeats(ctx context.Context) {
	t := time.NewTicker(s.c.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.c.call(ctx, mesos.ExecutorCall{Type: mesos.ExecutorCallHeartbeat}); err != nil && ctx.Err() == nil {
				s.c.cfg.Logger.Warn("HEARTBEAT call failed", "err", err)
			}
		}
	}
}

// Close ends the stream; the agent sees the connection drop.
func (s *Subscription) Close() error {
	s.mu.Lock()
	s.closed = true
	stream := s.stream
	s.mu.Unlock()
	if stream == nil {
		return nil
	}
	return stream.Close()
}
