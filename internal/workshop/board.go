package workshop

import (
	"context"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/display"
	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// Board is what the Operator-API board on the projector received: the
// master's operator event stream, consumed as display.OperatorEvents does
// (every event appended, the whole table rebuilt).
type Board struct {
	Events     int
	Frameworks map[string]bool      // framework names it listed (SUBSCRIBED's state, FRAMEWORK_ADDED)
	Running    map[string]time.Time // task id -> its TASK_UPDATED to TASK_RUNNING received
	Render     time.Duration        // spent rebuilding the table, all events together
	Rows       int                  // rows of the last table
	Err        error                // why the stream ended early, if it did
}

// boardWatch follows the stream until stop.
type boardWatch struct {
	stream *operator.Stream
	mu     sync.Mutex
	b      Board
	done   chan struct{}
	closed bool // stop closed the stream: its error is not the master's
}

func watch(ctx context.Context, cfg httpapi.Config) (*boardWatch, error) {
	c, err := operator.New(cfg)
	if err != nil {
		return nil, err
	}
	st, err := c.Subscribe(ctx)
	if err != nil {
		return nil, err
	}
	w := &boardWatch{stream: st, done: make(chan struct{}),
		b: Board{Frameworks: map[string]bool{}, Running: map[string]time.Time{}}}
	go w.follow()
	return w, nil
}

func (w *boardWatch) follow() {
	defer close(w.done)
	var events []mesos.OperatorEvent
	var received []time.Time
	for ev, err := range w.stream.Events() {
		now := time.Now()
		w.mu.Lock()
		if err != nil {
			if !w.closed {
				w.b.Err = err
			}
			w.mu.Unlock()
			return
		}
		events, received = append(events, ev), append(received, now)
		t := display.OperatorEventsTable(events, received)
		w.b.Render += time.Since(now)
		w.b.Events, w.b.Rows = len(events), len(t.Rows)
		w.note(ev, now)
		w.mu.Unlock()
	}
}

// note keeps what the board says about frameworks and running tasks.
func (w *boardWatch) note(ev mesos.OperatorEvent, at time.Time) {
	switch {
	case ev.Subscribed != nil:
		for _, f := range ev.Subscribed.GetState.GetFrameworks.Frameworks {
			w.b.Frameworks[f.FrameworkInfo.Name] = true
		}
	case ev.FrameworkAdded != nil:
		w.b.Frameworks[ev.FrameworkAdded.Framework.FrameworkInfo.Name] = true
	case ev.TaskUpdated != nil && ev.TaskUpdated.State == mesos.TaskRunning:
		id := ev.TaskUpdated.Status.TaskID.Value
		if _, ok := w.b.Running[id]; !ok {
			w.b.Running[id] = at
		}
	}
}

// stop closes the stream and returns what the board received.
func (w *boardWatch) stop() Board {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.stream.Close()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b
}
