package session_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// TestListenerGivesBackUnusedOffers: one agent, two notebooks. The first
// session's offer, unused, goes back after its hold, recorded as a DECLINE
// in its calls, and the second session is offered the agent; a session
// that keeps its offers (HoldOffers < 0) starves the second, as a hoarding
// framework starves others on a real Mesos master.
func TestListenerGivesBackUnusedOffers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		hold       time.Duration
		secondGets bool
	}{{time.Second, true}, {-1, false}} {
		srv := startMaster(t, nil)
		first := options(t, srv.URL)
		first.HoldOffers = tc.hold
		a := start(t, first)
		wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		offer, err := a.WaitOffer(wctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		b := start(t, options(t, srv.URL))
		wctx, cancel = context.WithTimeout(context.Background(), 4*time.Second)
		_, err = b.WaitOffer(wctx)
		cancel()
		if got := err == nil; got != tc.secondGets {
			t.Fatalf("hold %s: the second session got an offer: %v (err %v), want %v", tc.hold, got, err, tc.secondGets)
		}
		if !tc.secondGets {
			continue
		}
		calls, err := a.Calls()
		if err != nil {
			t.Fatal(err)
		}
		var given *session.Call
		for i, c := range calls {
			if c.Type == string(mesos.CallDecline) && strings.Contains(string(c.Request), offer.ID.Value) {
				given = &calls[i]
			}
		}
		if given == nil || given.Status != 202 || !strings.Contains(given.Answer, "given back by the listener") {
			t.Fatalf("no DECLINE of %s recorded by the listener: %+v", offer.ID.Value, calls)
		}
		if offers, _ := a.Offers(); len(offers) > 0 && offers[0].ID == offer.ID {
			t.Fatalf("the given-back offer %s is still listed", offer.ID.Value)
		}
	}
}
