package session

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// Client returns a scheduler client bound to the listener's framework and
// stream, sending to the master that holds the stream. Every call it makes
// is recorded (so that Offers knows which offers are spent) and shown to
// the Observer. A listener that is re-subscribing is waited for, briefly.
func (s *Session) Client() (*scheduler.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var st State
	err := s.waitFor(ctx, "the listener to subscribe", func() (bool, string, error) {
		var err error
		st, err = readState(s.Dir)
		if st.Status == StatusRemoved || tornDown(s.Dir, st.FrameworkID) {
			return false, "", fmt.Errorf("framework %s was torn down: %w to register a new one", st.FrameworkID, ErrNoSession)
		}
		return st.Status == StatusSubscribed && st.StreamID != "", strings.TrimSpace(st.Status + " " + st.Message), err
	}, func(d time.Duration) error {
		return fmt.Errorf("the listener is not subscribed after %s (%s: %s): %s", d, st.Status, st.Message, nextStep(st))
	})
	if err != nil {
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
	s.observer().Call(ex)
}
