package localmesos_test

import (
	"context"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// TestEqualSharesTakeTurns: frameworks holding nothing have equal (zero)
// shares; as in Mesos' DRF sorter, the one offered least often goes
// first, then the smaller framework id. With one agent and every offer
// declined without a filter, the agent goes round all three instead of
// back to the first.
func TestEqualSharesTakeTurns(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	fws := []*framework{subscribe(t, srv, mesos.FrameworkInfo{})}
	first := fws[0].offer()
	fws = append(fws, subscribe(t, srv, mesos.FrameworkInfo{}), subscribe(t, srv, mesos.FrameworkInfo{}))
	holder, offer := 0, first
	var got []int
	for range 3 {
		if err := fws[holder].c.Decline(context.Background(), []mesos.OfferID{offer.ID}, mesos.RefuseFor(0)); err != nil {
			t.Fatal(err)
		}
		holder, offer = nextOffer(t, fws)
		got = append(got, holder)
	}
	if want := []int{1, 2, 0}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("after each DECLINE the agent went to frameworks %v (0 = subscribed first), want %v", got, want)
	}
}

// nextOffer waits for the next OFFERS event of any of the frameworks and
// returns whose it was and its first offer.
func nextOffer(t *testing.T, fws []*framework) (int, mesos.Offer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for i, f := range fws {
			select {
			case ev := <-f.events:
				if ev.Type == mesos.EventOffers {
					return i, ev.Offers.Offers[0]
				}
			default:
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no framework got an offer within 10s")
	return 0, mesos.Offer{}
}
