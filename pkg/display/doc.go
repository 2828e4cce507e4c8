// Package display draws what the notebooks show: tables of offers, tasks,
// events and the session, the operator's tables, each call a cell made
// with its answer, a line that updates in place while a cell waits, and
// sentences. It is the project's one user of GoNB's gonbui: under GoNB
// everything is HTML in the cell's output; anywhere else (a terminal, a
// test) the same calls print plain text, so the notebooks' code runs
// unchanged outside a notebook.
//
// A notebook's Configuration cell passes Observer to its session, which
// then shows its work through it; cells show what they read:
//
//	nb := session.Options{Name: "demo-api", Observer: display.Observer()}
//	s, err := session.Resume(ctx, nb)
//	display.Offers(must(s.Offers()))
//	display.Tasks(must(s.Tasks()))
//
// Check ends a cell with an error that says what to do next, on the
// cell's error stream, instead of a stack trace.
package display
