package session_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// TestOffers: Offers is what was offered minus what was accepted,
// declined, rescinded or expired, and agrees with the master's own list of
// the framework's outstanding offers.
func TestOffers(t *testing.T) {
	t.Parallel()
	const offerTimeout = 2 * time.Second
	srv := startMaster(t, func(c *localmesos.Config) {
		c.AgentAddrs = []string{"127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"}
		c.OfferTimeout = offerTimeout
	})
	ctx := context.Background()
	s := start(t, options(t, srv.URL))
	var offers []mesos.Offer
	testenv.Eventually(t, 10*time.Second, "an offer from each of the three agents", func() bool {
		offers, _ = s.Offers()
		return len(offers) == 3
	})
	received := time.Now()
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	accepted, declined, expiring := offers[0], offers[1], offers[2]

	task := mesos.TaskInfo{Name: "t1", TaskID: mesos.TaskID{Value: "t1"}, AgentID: accepted.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 100"}}
	if err := c.Accept(ctx, []mesos.OfferID{accepted.ID}, []mesos.Operation{mesos.LaunchOp(task)}, mesos.RefuseFor(3600)); err != nil {
		t.Fatal(err)
	}
	if ids := offerIDs(t, s); slices.Contains(ids, accepted.ID.Value) || len(ids) != 2 {
		t.Fatalf("after ACCEPT of %s the outstanding offers are %v", accepted.ID.Value, ids)
	}
	if err := c.Decline(ctx, []mesos.OfferID{declined.ID}, mesos.RefuseFor(3600)); err != nil {
		t.Fatal(err)
	}
	if ids := offerIDs(t, s); !slices.Equal(ids, []string{expiring.ID.Value}) {
		t.Fatalf("after DECLINE of %s the outstanding offers are %v, want %s", declined.ID.Value, ids, expiring.ID.Value)
	}
	if time.Since(received) >= offerTimeout {
		t.Fatalf("the calls took longer than the offer timeout (%s): the test proves nothing", offerTimeout)
	}

	testenv.Eventually(t, 3*offerTimeout, "the untouched offer to expire", func() bool {
		return !slices.Contains(offerIDs(t, s), expiring.ID.Value)
	})
	rescinded := false
	evs, err := s.Events(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		rescinded = rescinded || e.Event.Type == mesos.EventRescind && e.Event.Rescind.OfferID == expiring.ID
	}
	if !rescinded {
		t.Fatalf("offer %s left the list without a RESCIND", expiring.ID.Value)
	}

	// The master's own view: once the session has heard everything, the
	// two lists agree (the expired agent's resources may be offered anew).
	op := operatorClient(t, srv.URL)
	testenv.Eventually(t, 10*time.Second, "Offers to agree with the master", func() bool {
		fws, err := op.Frameworks(ctx)
		if err != nil || len(fws.Frameworks) != 1 {
			return false
		}
		var master []string
		for _, o := range fws.Frameworks[0].Offers {
			master = append(master, o.ID.Value)
		}
		slices.Sort(master)
		return slices.Equal(master, offerIDs(t, s))
	})
	for _, gone := range []mesos.Offer{accepted, declined, expiring} {
		if slices.Contains(offerIDs(t, s), gone.ID.Value) {
			t.Fatalf("offer %s is back in the list", gone.ID.Value)
		}
	}
}

// offerIDs are the session's outstanding offers, sorted.
func offerIDs(t *testing.T, s *session.Session) []string {
	t.Helper()
	offers, err := s.Offers()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, o := range offers {
		ids = append(ids, o.ID.Value)
	}
	slices.Sort(ids)
	return ids
}
