package session

import (
	"context"
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// hold gives offers back when no cell has used them within the hold: a
// notebook framework wants offers only while a cell waits for one, and an
// offer it keeps is an agent nobody else is offered (Mesos offers each
// agent's free resources to one framework at a time). The DECLINE refuses
// them for as long as the hold, and goes into calls.jsonl like a cell's
// call, so that Offers no longer lists them; Wait for offers REVIVEs when
// this filter is what holds offers back.
func (l *listener) hold(ctx context.Context, sub *scheduler.Subscription, offers []mesos.Offer) {
	hold := time.Duration(l.cfg.HoldOffers * float64(time.Second))
	if hold <= 0 || len(offers) == 0 {
		return
	}
	time.AfterFunc(hold, func() {
		l.mu.Lock()
		live := l.sub == sub
		var unused []mesos.OfferID
		for _, o := range offers {
			if !l.rescinded[o.ID.Value] {
				unused = append(unused, o.ID)
			}
			delete(l.rescinded, o.ID.Value)
		}
		l.mu.Unlock()
		if !live || ctx.Err() != nil {
			return // a new subscription: the master dropped these offers already
		}
		used, err := usedOffers(l.dir)
		if err != nil {
			l.log.Printf("give back offers: %v", err)
			return
		}
		var back []mesos.OfferID
		for _, id := range unused {
			if !used[id.Value] {
				back = append(back, id)
			}
		}
		if len(back) > 0 {
			l.giveBack(ctx, back, hold)
		}
	})
}

// giveBack declines the offers and records the call as a cell's would be.
func (l *listener) giveBack(ctx context.Context, ids []mesos.OfferID, hold time.Duration) {
	filters := mesos.RefuseFor(hold.Seconds())
	began := time.Now()
	err := l.client.Decline(ctx, ids, filters)
	body, _ := json.Marshal(mesos.Call{Type: mesos.CallDecline, Decline: &mesos.Decline{OfferIDs: ids, Filters: filters}})
	c := Call{Time: began.UTC(), Type: string(mesos.CallDecline), Request: body, Status: 202,
		Answer: "given back by the listener: no cell used it within " + hold.String(), Duration: time.Since(began).Seconds()}
	if err != nil {
		c.Status, c.Error = 0, err.Error()
		l.log.Printf("give back %d offer(s): %v", len(ids), err)
	}
	if err := appendCall(filepath.Join(l.dir, callsFile), c); err != nil {
		l.log.Printf("record the offers given back: %v", err)
	}
}
