// Package workshop plays a workshop day against one master: N attendees,
// each a real notebook session (pkg/session: its own listener process,
// journal and framework, named after the attendee), stepping through the
// Demo-API notebook's cells in its order and making the same calls, with a
// learner's pauses between cells drawn from a seeded distribution. An
// Operator-API board follows the master's event stream meanwhile.
//
// Run returns, per attendee, when its framework subscribed, got its first
// offer, accepted and saw its task running and killed, and what the board
// received; cmd/bench turns that into the workshop table, and the package
// test runs ten attendees against the stand-in in the recommended
// configuration.
//
// The cells it plays, by their headings in Demo-API.ipynb: Warm-up,
// Subscribe, the first events, Wait for offers, Read an offer, Build the
// task, ACCEPT (refuse_seconds 1), Watch it reach TASK_RUNNING,
// ACKNOWLEDGE (the two refused acknowledgements), DECLINE with a filter
// (refuse_seconds 30), RECONCILE, KILL, Heartbeats, TEARDOWN. It leaves
// out "Fetch the page": on the simulated runner nothing serves it. A
// Wait-for-offers cell that gives up (session.DefaultWait, two minutes) is
// run again, as an attendee would.
package workshop
