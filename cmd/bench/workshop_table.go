package main

import (
	"fmt"
	"os"
	"slices"
	"text/tabwriter"
	"time"
)

// workshopFigures are one run's figures, in seconds unless named.
type workshopFigures struct {
	firstP50, firstP95, firstMax float64 // SUBSCRIBED -> first offer
	askP95, askMax               float64 // a Wait-for-offers cell, asking -> having
	runP50, runP95               float64 // ACCEPT -> TASK_RUNNING
	noOffer, done                int     // no offer within 2 min; reached RUNNING and KILLED
	boardLagP95                  float64 // TASK_RUNNING at the attendee -> at the board
}

func (r workshopRun) figures() workshopFigures {
	var f workshopFigures
	var first, ask, run, lag []time.Duration
	for _, a := range r.Res.Attendees {
		if d, ok := a.FirstOfferWait(); ok && d <= 2*time.Minute {
			first = append(first, d)
		} else {
			f.noOffer++
		}
		ask = append(ask, a.OfferWaits...)
		if d, ok := a.AcceptToRunning(); ok {
			run = append(run, d)
		}
		if !a.Running.IsZero() && a.Killed {
			f.done++
		}
		if at, ok := r.Res.Board.Running[a.TaskID]; ok && !a.Running.IsZero() {
			lag = append(lag, at.Sub(a.Running))
		}
	}
	f.firstP50, f.firstP95, f.firstMax = quantile(first, 0.5), quantile(first, 0.95), quantile(first, 1)
	f.askP95, f.askMax = quantile(ask, 0.95), quantile(ask, 1)
	f.runP50, f.runP95 = quantile(run, 0.5), quantile(run, 0.95)
	f.boardLagP95 = quantile(lag, 0.95)
	return f
}

// quantile of durations in seconds; -1 when there are none.
func quantile(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return -1
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[int(q*float64(len(ds)-1))].Seconds()
}

func secs(v float64) string {
	if v < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", v)
}

// printWorkshop prints the workshop table.
func printWorkshop(runs []workshopRun) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "config\ttarget\tN\tsub→offer p50 s\tp95\tmax\task→offer p95 s\tmax\tACCEPT→RUNNING p50 s\tp95\tno offer in 2 min\trunning+killed\tmaster RSS MB\tmaster CPU s\tboard events\tboard lag p95 s\tboard render ms\tday s\t")
	for _, r := range runs {
		if r.Err != nil {
			fmt.Fprintf(w, "%s\t%s\t%d\tfailed: %v\t\n", r.Setup, r.Target, r.N, r.Err)
			continue
		}
		f := r.figures()
		b := r.Res.Board
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d/%d\t%.0f\t%.1f\t%d\t%s\t%.0f\t%.0f\t\n",
			r.Setup, r.Target, r.N, secs(f.firstP50), secs(f.firstP95), secs(f.firstMax), secs(f.askP95), secs(f.askMax),
			secs(f.runP50), secs(f.runP95), f.noOffer, f.done, r.N, r.RSSMB, r.CPUSec,
			b.Events, secs(f.boardLagP95), float64(b.Render.Microseconds())/1000, r.Res.Took.Seconds())
	}
	w.Flush()
	fmt.Println()
}

// rows are the run's figures as rows of results.json.
func (r workshopRun) rows() []Row {
	name := fmt.Sprintf("workshop %s, %s, N=%d", r.Setup, r.Target, r.N)
	if r.Err != nil {
		return []Row{{Name: name, Note: "failed: " + r.Err.Error()}}
	}
	f := r.figures()
	return []Row{
		{Name: name + ": Subscribe→first offer p95", Value: f.firstP95, Unit: "s"},
		{Name: name + ": Subscribe→first offer max", Value: f.firstMax, Unit: "s"},
		{Name: name + ": ask→offer max", Value: f.askMax, Unit: "s", Target: "< 10 s in the recommended configuration"},
		{Name: name + ": ACCEPT→RUNNING p95", Value: f.runP95, Unit: "s"},
		{Name: name + ": no offer within 2 min", Value: float64(f.noOffer), Unit: "attendees", Target: "0"},
		{Name: name + ": reached RUNNING and KILLED", Value: float64(f.done), Unit: "attendees"},
		{Name: name + ": master peak RSS", Value: r.RSSMB, Unit: "MB"},
		{Name: name + ": master CPU", Value: r.CPUSec, Unit: "s"},
		{Name: name + ": board events", Value: float64(r.Res.Board.Events), Unit: "events"},
	}
}
