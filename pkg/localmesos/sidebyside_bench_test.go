package localmesos_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
)

// Side-by-side sizes: what this 2-core machine holds for both a real
// master with real agents and localmesos, each task a real process (a
// real agent runs mesos-containerizer, mesos-executor and the command for
// each). Real Mesos' scheduler heartbeat is 15 s and cannot be changed,
// so the window holds several heartbeats per framework.
const (
	sideFrameworks = 10
	sideAgents     = 2
	sidePace       = 2 * time.Second
	sideWindow     = 60 * time.Second
	sideResources  = "cpus:8;mem:8192;disk:8192"
)

// BenchmarkSideBySide puts the same load (BenchmarkLoad's frameworks, at
// the sizes above) on a real Mesos 1.11.0 master with real agents and on
// localmesos with its process runner, and reports for each the master's
// peak RSS (localmesos: the whole process, agents included), heartbeat
// lateness p99 and ACCEPT->RUNNING p50/p99. make bench prints them side by
// side (cmd/bench).
//
//	go test -run XXX -bench BenchmarkSideBySide -benchtime 1x ./pkg/localmesos
func BenchmarkSideBySide(b *testing.B) {
	raiseFileLimit(b)
	b.Run("target=mesos", func(b *testing.B) {
		for range b.N {
			first, err := testenv.FreePortRange(100 * sideAgents)
			if err != nil {
				b.Fatal(err)
			}
			c := mesostest.Start(b, mesostest.Options{Agents: sideAgents, Docker: mesostest.DockerOff,
				Resources: fmt.Sprintf("%s;ports:[%d-%d]", sideResources, first, first+99)})
			pid := c.Masters[0].PID()
			measureLoad(b, c.URL(), pid)
		}
	})
	b.Run("target=localmesos", func(b *testing.B) {
		bin := filepath.Join(b.TempDir(), "localmesos")
		build := exec.Command("go", "build", "-o", bin, "github.com/mesosnb/mesosnb/cmd/localmesos")
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("build localmesos: %v\n%s", err, out)
		}
		for range b.N {
			url, pid := startLocalmesos(b, bin)
			measureLoad(b, url, pid)
		}
	})
}

// startLocalmesos runs localmesos as real Mesos runs: its own process,
// 15 s heartbeats, tasks as processes.
func startLocalmesos(b *testing.B, bin string) (string, int) {
	first, err := testenv.FreePortRange(100)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "--master-addr", "127.0.0.1:0", "--agent-addr", "127.0.0.1:0", "--agents", strconv.Itoa(sideAgents-1),
		"--runner", "process", "--work-dir", b.TempDir(), "--resources", fmt.Sprintf("%s;ports:[%d-%d]", sideResources, first, first+99))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	url := ""
	for url == "" && lines.Scan() {
		if m := masterLine.FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		b.Fatalf("localmesos printed no master address: %v", lines.Err())
	}
	go io.Copy(io.Discard, stdout)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := testenv.Poll(ctx, 20*time.Millisecond, func() (bool, error) {
		resp, err := http.Get(url + "/health")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	}); err != nil {
		b.Fatal("localmesos not healthy within 10s")
	}
	return url, cmd.Process.Pid
}

// measureLoad runs the frameworks against the master at url for the
// window and reports what they measured, and the master process' memory.
func measureLoad(b *testing.B, url string, pid int) {
	b.StopTimer()
	stats := &loadStats{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range sideFrameworks {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			fw, err := newLoadFramework(ctx, url, i, stats)
			ready.Done()
			if err != nil {
				stats.fail(err)
				return
			}
			defer fw.close()
			<-start
			fw.work(ctx, sidePace)
		}()
	}
	ready.Wait()
	if len(stats.errs) > 0 {
		b.Fatalf("subscribing: %v", stats.errs)
	}
	b.StartTimer()
	began := time.Now()
	close(start)
	time.Sleep(sideWindow)
	elapsed := time.Since(began)
	_, peak := proc.Memory(pid)
	if !proc.Alive(pid) {
		b.Fatal("the master exited during the load")
	}
	cancel()
	done.Wait()
	b.StopTimer()
	if len(stats.errs) > 0 {
		b.Fatalf("%v", stats.errs)
	}
	if len(stats.running) == 0 || len(stats.lateness) == 0 {
		b.Fatalf("%d tasks reached TASK_RUNNING, %d heartbeats timed: nothing to report", len(stats.running), len(stats.lateness))
	}
	b.ReportMetric(megabytes(peak), "rss-MB")
	b.ReportMetric(ms(percentile(stats.lateness, 0.99)), "hb-late-p99-ms")
	b.ReportMetric(ms(percentile(stats.running, 0.50)), "accept-running-p50-ms")
	b.ReportMetric(ms(percentile(stats.running, 0.99)), "accept-running-p99-ms")
	b.ReportMetric(float64(stats.cycles)/elapsed.Seconds(), "tasks/s")
	b.ReportMetric(proc.LoadAverage(), "loadavg")
}
