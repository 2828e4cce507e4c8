// Command chaos runs the project's fault scenarios end to end, against
// localmesos processes and a real ZooKeeper, and prints for each one
// whether the system held, with the evidence: the command behind
// `make chaos`. Every scenario is bounded in time and stops everything it
// started.
//
//	go run ./cmd/chaos              # all scenarios
//	go run ./cmd/chaos -run kernel  # those whose name contains "kernel"
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// scenario is one fault and how to check it was survived. run returns the
// evidence when the system held, an error saying what broke otherwise.
type scenario struct {
	name    string
	timeout time.Duration
	run     func(ctx context.Context, h *harness) (string, error)
}

var scenarios = []scenario{
	{"listener SIGKILLed during a task's updates", 90 * time.Second, listenerKilled},
	{"localmesos restarted under a subscribed framework", 60 * time.Second, masterRestarted},
	{"leader failover between two localmesos masters in one ZooKeeper", 60 * time.Second, leaderFailover},
	{"ZooKeeper restarted", 90 * time.Second, zookeeperRestarted},
	{"a master that stalls mid-stream", 60 * time.Second, masterStalls},
	{"the Jupyter kernel killed", 180 * time.Second, kernelKilled},
	{"1,000 malformed requests", 60 * time.Second, malformedRequests},
	{"1,000 malformed RecordIO streams", 60 * time.Second, malformedStreams},
	{"1,000 malformed operator calls to a master and an agent", 60 * time.Second, malformedOperatorCalls},
}

func main() {
	filter := flag.String("run", "", "run only scenarios whose name contains this")
	flag.Parse()
	h, err := newHarness()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	defer h.close()
	failed := 0
	for _, sc := range scenarios {
		if *filter != "" && !strings.Contains(sc.name, *filter) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), sc.timeout)
		start := time.Now()
		evidence, err := sc.run(ctx, h)
		cancel()
		h.cleanup()
		took := time.Since(start).Round(100 * time.Millisecond)
		if err != nil {
			failed++
			fmt.Printf("FAILED  %s (%s)\n        %v\n", sc.name, took, err)
			continue
		}
		fmt.Printf("held    %s (%s)\n        %s\n", sc.name, took, evidence)
	}
	if failed > 0 {
		fmt.Printf("chaos: %d scenario(s) failed\n", failed)
		os.Exit(1)
	}
}

// harness owns what the scenarios share: built binaries, a scratch
// folder, and everything to stop after each scenario.
type harness struct {
	dir        string
	localmesos string
	listener   string
	cleanups   []func()
}

func newHarness() (*harness, error) {
	dir, err := os.MkdirTemp("", "chaos-")
	if err != nil {
		return nil, err
	}
	h := &harness{dir: dir, localmesos: filepath.Join(dir, "localmesos"), listener: filepath.Join(dir, "mesos-listener")}
	for bin, pkg := range map[string]string{h.localmesos: "./cmd/localmesos", h.listener: "./cmd/mesos-listener"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build %s: %v\n%s", pkg, err, out)
		}
	}
	os.Setenv("MESOSNB_LISTENER", h.listener)
	return h, nil
}

// onCleanup registers a cleanup for the current scenario.
func (h *harness) onCleanup(f func()) { h.cleanups = append(h.cleanups, f) }

func (h *harness) cleanup() {
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
	h.cleanups = nil
}

func (h *harness) close() {
	h.cleanup()
	os.RemoveAll(h.dir)
}

// scratch is a fresh folder for one scenario.
func (h *harness) scratch(name string) string {
	d, _ := os.MkdirTemp(h.dir, strings.ReplaceAll(name, " ", "-")+"-")
	return d
}
