package session_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
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

// TestWaitOfferRevivesOwnFilter: after the DECLINE cell's refuse_seconds
// 30 on the only agent, Wait for offers sends REVIVE (once) instead of
// waiting the filter out, and says why; ACCEPT's 1 s filter is waited out.
func TestWaitOfferRevivesOwnFilter(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	ctx := context.Background()
	opts := options(t, srv.URL)
	notes := &noteRecorder{}
	opts.Observer = notes
	s := start(t, opts)
	wait := func() mesos.Offer {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		o, err := s.WaitOffer(wctx)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	revives := func() int {
		calls, err := s.Calls()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range calls {
			if c.Type == string(mesos.CallRevive) {
				n++
			}
		}
		return n
	}
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	o := wait()
	task := mesos.TaskInfo{Name: "t", TaskID: mesos.TaskID{Value: "t"}, AgentID: o.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 100"}}
	if err := c.Accept(ctx, []mesos.OfferID{o.ID}, []mesos.Operation{mesos.LaunchOp(task)}, mesos.RefuseFor(1)); err != nil {
		t.Fatal(err)
	}
	o = wait()
	if n := revives(); n != 0 {
		t.Fatalf("after ACCEPT with refuse_seconds 1, WaitOffer sent %d REVIVE(s); want none (the filter ends within a second)", n)
	}
	if err := c.Decline(ctx, []mesos.OfferID{o.ID}, mesos.RefuseFor(30)); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	wait()
	if n := revives(); n != 1 {
		t.Fatalf("after DECLINE with refuse_seconds 30, WaitOffer sent %d REVIVE(s), want 1", n)
	}
	if took := time.Since(began); took > 10*time.Second {
		t.Fatalf("the offer came after %s: the filter was waited out", took)
	}
	if !notes.saw("sending REVIVE") {
		t.Fatalf("WaitOffer did not say why it sent REVIVE; notes: %q", notes.all())
	}
}

// noteRecorder is an Observer that keeps the notes.
type noteRecorder struct {
	mu    sync.Mutex
	notes []string
}

func (r *noteRecorder) Call(httpapi.Exchange)  {}
func (r *noteRecorder) Waiting(string, string) {}
func (r *noteRecorder) Note(n string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, n)
}

func (r *noteRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.notes)
}

func (r *noteRecorder) saw(part string) bool {
	return slices.ContainsFunc(r.all(), func(n string) bool { return strings.Contains(n, part) })
}
