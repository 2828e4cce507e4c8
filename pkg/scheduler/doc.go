// Package scheduler is a client for the Mesos v1 scheduler HTTP API: the
// API a framework uses to register with a master, receive offers, launch
// tasks and follow their status.
//
// The API has two directions. Subscribe opens one long-lived POST whose
// answer never ends: every event for the framework (SUBSCRIBED, OFFERS,
// UPDATE, HEARTBEAT...) arrives on it as RecordIO-framed JSON. Everything
// the framework asks for (ACCEPT, DECLINE, KILL, ACKNOWLEDGE...) is a
// separate, short POST on another connection, carrying the stream's id in
// the Mesos-Stream-Id header; the master answers 202 Accepted and the
// outcome comes back later as events.
//
//	c, err := scheduler.New(scheduler.DefaultConfig()) // MESOS_MASTER, or 127.0.0.1:5050
//	sub, err := c.Subscribe(ctx, mesos.FrameworkInfo{
//		User: "root", Name: "demo",
//		FailoverTimeout: 3600, // keep tasks if the stream drops for up to an hour
//	})
//	for ev, err := range sub.Events() {
//		if err != nil {
//			break // re-subscribe with FrameworkInfo.ID = sub.FrameworkID
//		}
//		switch ev.Type {
//		case mesos.EventOffers:
//			offer := ev.Offers.Offers[0]
//			err = c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil)
//		case mesos.EventUpdate:
//			if len(ev.Update.Status.UUID) > 0 {
//				err = c.Acknowledge(ctx, ev.Update.Status)
//			}
//		}
//	}
//
// The client finds the leading master itself: a master may be given as
// http(s)://host:port, host:port or a zk:// URL, a 307 from a non-leading
// master is followed (Mesos answers with a protocol-relative
// Location: //host:port/...) and the leader remembered, and a 503 (no
// leader elected yet) is retried with backoff.
//
// To see what a call puts on the wire, read calls.go: Call builds the
// request (POST /api/v1/scheduler, the Mesos-Stream-Id header, the call as
// JSON, 202 expected) and each method (Accept, Kill...) fills in one call;
// the leader following and retries are httpapi's resty configuration.
//
// Errors: a refused call is a *Error carrying the HTTP status and Mesos'
// own message; an ERROR event is an *ErrorEvent, and errors.Is tells the
// two a framework must act on (ErrFrameworkRemoved, ErrFailedOver); a stream on which nothing,
// not even a heartbeat, arrived for Config.MissedHeartbeats intervals ends
// with httpapi.ErrHeartbeatTimeout. Re-subscribing is the caller's job (the
// notebook session does it with backoff), because only the caller knows
// whether the framework should live on.
package scheduler
