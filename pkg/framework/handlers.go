package framework

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"sync"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// Handler reacts to one event on the framework's behalf. What it needs is
// in fw: the event, the offer (for OnOffer), a client bound to the stream
// and what the framework knows of its tasks. An error is written to the
// driver's log and shown by Look; the driver goes on with the next event.
type Handler func(ctx context.Context, fw *Framework) error

// Framework is what a handler is given.
type Framework struct {
	// Client calls the master for the framework (ACCEPT, DECLINE,
	// SUPPRESS, REVIVE, KILL...), bound to the listener's current stream.
	// Every call is in the session's calls, and in the driver's log.
	Client *scheduler.Client
	// Session is the session the driver keeps: the journal, the calls.
	Session *session.Session
	// Event is the event being handled. When the driver starts it hands
	// OnSubscribed the current subscription's SUBSCRIBED.
	Event mesos.Event
	// Offer is OnOffer's offer: the driver hands each offer of an OFFERS
	// event that is still outstanding on its own.
	Offer mesos.Offer

	view View
}

// View is what the framework knows of its tasks, looked at just before
// the handler was called (Look).
func (fw *Framework) View() View { return fw.view }

// Live is View().Live(): the tasks that run, or may.
func (fw *Framework) Live() int { return fw.view.Live() }

// The handlers, one per kind of event, as the cells declared them.
var handlers = struct {
	sync.Mutex
	byType map[mesos.EventType]Handler
}{byType: map[mesos.EventType]Handler{}}

// OnOffer makes h the handler of offers: the driver calls it once for each
// offer of an OFFERS event that is still outstanding (not rescinded, not
// used yet), with the offer in fw.Offer, and for the offers outstanding
// when it starts.
//
// Cells call the On functions from a func init_xxx(): GoNB runs those at
// the start of every later cell's program, so the program of any later
// cell, and a driver copied from it, has the handler. A later call
// replaces the handler.
func OnOffer(h Handler) { on(mesos.EventOffers, h) }

// OnUpdate makes h the handler of status updates (fw.Event.Update.Status).
// The listener has journaled and acknowledged the update already.
func OnUpdate(h Handler) { on(mesos.EventUpdate, h) }

// OnSubscribed makes h the handler of subscriptions: the driver calls it
// when it starts, with the current subscription, and after every SUBSCRIBED
// (the listener re-subscribed: a master restarted or changed, the listener
// was restarted). The listener asks the master to reconcile right after; its
// answers come as updates.
func OnSubscribed(h Handler) { on(mesos.EventSubscribed, h) }

func on(t mesos.EventType, h Handler) {
	handlers.Lock()
	defer handlers.Unlock()
	if h == nil {
		delete(handlers.byType, t)
		return
	}
	handlers.byType[t] = h
}

func handler(t mesos.EventType) Handler {
	handlers.Lock()
	defer handlers.Unlock()
	return handlers.byType[t]
}

// Handlers says which handler handles which event, as "OFFERS →
// main.onOffer", in the order OFFERS, UPDATE, SUBSCRIBED.
func Handlers() []string {
	handlers.Lock()
	defer handlers.Unlock()
	var out []string
	for _, t := range []mesos.EventType{mesos.EventOffers, mesos.EventUpdate, mesos.EventSubscribed} {
		if h := handlers.byType[t]; h != nil {
			out = append(out, fmt.Sprintf("%s → %s", t, funcName(h)))
		}
	}
	return out
}

// funcName is a handler's name as Go knows it: main.onOffer.
func funcName(h Handler) string { return runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name() }
