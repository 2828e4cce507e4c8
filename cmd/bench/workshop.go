package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"
	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/internal/workshop"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// A workshopSetup is a cluster a teacher can choose: the stand-in's flags,
// or for real Mesos the agents and master flags that match them.
type workshopSetup struct {
	name  string
	flags func(n int) []string // localmesos flags
	// agents and masterFlags are the real-Mesos equivalent; agents 0: not
	// run against real Mesos.
	agents      func(n int) int
	masterFlags []string
}

var workshopSetups = []workshopSetup{
	{name: "1 agent (default)", flags: func(int) []string { return nil }, agents: func(int) int { return 1 }},
	{name: "3 agents", flags: func(int) []string { return []string{"--agents", "2"} }},
	{name: "1 agent, 4x resources", flags: func(int) []string {
		return []string{"--resources", "cpus:16;mem:16384;disk:40960;ports:[9000-10000]"}
	}},
	{name: "1 agent, --offer-timeout 10s", flags: func(int) []string { return []string{"--offer-timeout", "10s"} }},
	{name: "1 agent, --allocation-interval 250ms", flags: func(int) []string { return []string{"--allocation-interval", "250ms"} }},
	{name: "N agents, no --offer-timeout", flags: func(n int) []string { return []string{"--workshop", strconv.Itoa(n), "--offer-timeout", "0"} }},
	{name: "--workshop N", flags: func(n int) []string { return []string{"--workshop", strconv.Itoa(n)} },
		agents: func(n int) int { return n }, masterFlags: []string{"--offer_timeout=10secs"}},
}

// workshopRun is one row of the workshop table.
type workshopRun struct {
	Setup, Target string
	N             int
	Res           workshop.Result
	RSSMB, CPUSec float64
	Err           error
}

// workshopRows plays the workshop day (internal/workshop) for each setup
// and size against the stand-in, then against real Mesos 1.11 where it is
// installed, and prints its own table; the rows go into results.json too.
func workshopRows(sizes []int, setups []string, realSizes []int) ([]Row, error) {
	dir, err := os.MkdirTemp("", "bench-workshop-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bins, err := buildWorkshopBinaries(dir)
	if err != nil {
		return nil, err
	}
	os.Setenv(session.EnvListener, bins["mesos-listener"])
	var runs []workshopRun
	for _, s := range workshopSetups {
		if len(setups) > 0 && !slices.ContainsFunc(setups, func(p string) bool { return strings.Contains(s.name, p) }) {
			continue
		}
		for _, n := range sizes {
			fmt.Fprintf(os.Stderr, "bench: workshop: %s, %d attendees (stand-in); load %.1f\n", s.name, n, proc.LoadAverage())
			runs = append(runs, standInDay(dir, bins["localmesos"], s, n))
		}
		if s.agents == nil {
			continue
		}
		for _, n := range realSizes {
			fmt.Fprintf(os.Stderr, "bench: workshop: %s, %d attendees (Mesos 1.11); load %.1f\n", s.name, n, proc.LoadAverage())
			runs = append(runs, realMesosDay(dir, s, n))
		}
	}
	printWorkshop(runs)
	var rows []Row
	for _, r := range runs {
		rows = append(rows, r.rows()...)
	}
	return rows, nil
}

func buildWorkshopBinaries(dir string) (map[string]string, error) {
	bins := map[string]string{}
	for _, name := range []string{"localmesos", "mesos-listener"} {
		bin := filepath.Join(dir, name)
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/"+name).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build %s: %v\n%s", name, err, out)
		}
		bins[name] = bin
	}
	return bins, nil
}

// day plays the workshop against master, sampling the master's memory.
func day(dir, master string, n, pid int) (workshop.Result, float64, float64, error) {
	cpu0 := proc.CPUTime(pid)
	res, err := workshop.Run(context.Background(), workshop.Config{
		Master: master, Attendees: n, Seed: uint64(n), Root: filepath.Join(dir, fmt.Sprintf("sessions-%d-%d", n, time.Now().UnixNano())),
		Deadline: 150 * time.Second,
	})
	_, peak := proc.Memory(pid)
	for _, a := range res.Attendees {
		if a.Err != nil {
			fmt.Fprintf(os.Stderr, "bench: workshop: %s stopped in %q: %v\n", a.Name, a.Cell, a.Err)
		}
	}
	return res, float64(peak) / (1 << 20), (proc.CPUTime(pid) - cpu0).Seconds(), err
}

// standInDay starts the stand-in as its own process (its RSS and CPU are
// the master's and agents' alone) and plays the day against it.
func standInDay(dir, bin string, s workshopSetup, n int) workshopRun {
	run := workshopRun{Setup: s.name, Target: "localmesos", N: n}
	port, err := testenv.FreePort()
	if err != nil {
		run.Err = err
		return run
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := append([]string{"--master-addr", addr, "--agent-addr", "127.0.0.1:0", "--runner", "simulated"}, s.flags(n)...)
	cmd := exec.Command(bin, args...)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		run.Err = err
		return run
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	sc := bufio.NewScanner(out)
	for sc.Scan() && !strings.Contains(sc.Text(), "master http") {
	}
	go func() {
		for sc.Scan() {
		}
	}()
	run.Res, run.RSSMB, run.CPUSec, run.Err = day(dir, "http://"+addr, n, cmd.Process.Pid)
	return run
}

// realMesosDay starts mesos-master and the setup's agents (command tasks:
// no Docker needed) and plays the day against them.
func realMesosDay(dir string, s workshopSetup, n int) workshopRun {
	run := workshopRun{Setup: s.name, Target: "mesos 1.11", N: n}
	c, err := mesostest.StartProcess(context.Background(), filepath.Join(dir, fmt.Sprintf("mesos-%d-%d", n, time.Now().UnixNano())),
		mesostest.Options{Agents: s.agents(n), MasterFlags: s.masterFlags, Resources: realResources(s)})
	if err != nil {
		run.Err = err
		return run
	}
	defer c.Stop()
	if err := c.WaitAgents(context.Background(), s.agents(n)); err != nil {
		run.Err = err
		return run
	}
	run.Res, run.RSSMB, run.CPUSec, run.Err = day(dir, c.URL(), n, c.Masters[0].PID())
	return run
}

// realResources matches the stand-in's agent of the setup ("" is
// mesostest's default, the stand-in's default agent).
func realResources(s workshopSetup) string {
	if len(s.masterFlags) > 0 {
		return "cpus:1;mem:1024;disk:4096"
	}
	return ""
}
