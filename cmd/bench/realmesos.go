package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// sideBySideRows puts localmesos beside a real Mesos 1.11.0 master under
// the same load (pkg/localmesos BenchmarkSideBySide: 10 frameworks, 2
// agents, each framework launching a command task at most every 2 s,
// acknowledging its updates and killing it once running, for 60 s; tasks
// are real processes on both). Without a runnable Mesos the benchmark
// skips and the row says so, with the command that gets one.
func sideBySideRows() ([]Row, error) {
	res, err := goBench("./pkg/localmesos", "BenchmarkSideBySide", "1x")
	if err != nil {
		return nil, err
	}
	local, real := res["BenchmarkSideBySide/target=localmesos"], res["BenchmarkSideBySide/target=mesos"]
	if real == nil {
		return nil, fmt.Errorf("no real Mesos figures (is Mesos installed? make mesos)")
	}
	const size = "10 frameworks, 2 agents, 1 launch/2 s each"
	notes := map[string]string{
		"rss-MB":                "peak; localmesos: the whole process, agents included; Mesos: mesos-master alone",
		"hb-late-p99-ms":        "15 s heartbeats (Mesos cannot change them)",
		"accept-running-p50-ms": "ACCEPT answered to TASK_RUNNING received",
		"accept-running-p99-ms": "",
		"tasks/s":               "launch-run-kill cycles; the pace allows 5/s",
		"loadavg":               "one-minute load at the end (2 cores)",
	}
	var rows []Row
	for _, u := range slices.Sorted(maps.Keys(notes)) {
		rows = append(rows, Row{Name: "localmesos vs mesos-master (" + size + ")", Value: local[u], Unit: u,
			Comparison: "mesos-master 1.11.0: " + strconv.FormatFloat(real[u], 'g', 4, 64), Note: notes[u]})
	}
	return rows, nil
}
