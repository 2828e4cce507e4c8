// Package framework runs a Mesos framework's event handlers, written in a
// notebook's cells, in a process that outlives the cells: the driver.
//
// # Why a driver process
//
// A framework reacts to events by itself: it launches on offers, replaces
// a task that ends, declines what it does not need. But a GoNB cell is a
// program that ends with the cell, and a Go program cannot load code
// compiled later. What can outlive a cell is a process, and the one
// program that holds the handlers the cells declared is the cell's own:
// GoNB compiles every declaration of the earlier cells into each later
// cell's program. So Start copies the running program (GoNB overwrites
// it for the next cell) into the session folder and starts the copy
// detached, with EnvDriver naming the session; in the copy, Start finds
// EnvDriver set and runs the handlers instead of starting anything.
//
// The session's listener keeps holding the stream, journaling events and
// acknowledging updates; the driver reads the journal, as cells do, and
// calls the handlers. Nothing the driver knows lives only in its memory:
// what it knows of its tasks (View) is rebuilt from the journal and the
// calls for every handler call. A driver restarted, or replaced by a
// newer one, takes over where the last left.
//
// # Handlers
//
// Cells register handlers from a GoNB init function (func init_xxx), which
// GoNB runs at the start of every later cell's program, the driver's
// included:
//
//	func onOffer(ctx context.Context, fw *framework.Framework) error {
//		if fw.Live() >= 3 {
//			return fw.Client.Decline(ctx, []mesos.OfferID{fw.Offer.ID}, mesos.RefuseFor(30))
//		}
//		// ... ACCEPT fw.Offer with the tasks that are missing
//	}
//	func init_offer() { framework.OnOffer(onOffer) }
//
// OnOffer is called once for each offer still outstanding, OnUpdate for
// each status update, OnSubscribed when the driver starts and after every
// (re-)subscription. fw.Client is bound to the listener's current stream;
// fw.Live counts the tasks that run or may (View).
//
// # Lifecycle
//
//	d, err := framework.Start(ctx, nb)  // the Start cell: a new driver, replacing any
//	v, err := framework.Look(s)         // what the framework knows of its tasks now
//	ds, ok := framework.Running(s)      // the driver's own report (driver.json)
//	msg, err := framework.Stop(ctx, nb) // the Stop cell
//
// The driver restarts the session's listener if it dies (as the waits of
// cells do), stops when the framework is torn down, and stops when the
// kernel that owns the session has been gone for two heartbeat intervals,
// as the listener does. It writes a line per handler call and per call to
// the master in driver.log in the session folder, and its state in
// driver.json.
package framework
