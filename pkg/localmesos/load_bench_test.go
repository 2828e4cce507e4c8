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
	"regexp"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// BenchmarkLoad measures localmesos under a classroom's load: N frameworks
// subscribed at once to one localmesos (a separate process, simulated
// runner, 1 s heartbeats) with A agents, each framework launching a small
// task, waiting for TASK_RUNNING and killing it, over and over: at most
// one such cycle a second (suppressing offers in between), as attendees'
// notebooks would, and in the flat-out size as fast as it can, which shows
// where the machine saturates. It reports
//
//   - rss-MB: the localmesos process' peak resident memory (VmHWM);
//   - hb-late-p99-ms: how much later than 1 s after the previous one a
//     heartbeat arrived, 99th percentile over all frameworks;
//   - accept-running-p50-ms, -p99-ms: from an ACCEPT call returning to its
//     task's TASK_RUNNING arriving (TASK_STARTING acknowledged on the way);
//   - tasks/s: launch-run-kill cycles completed per second, all frameworks;
//   - cpu-ms/task: the localmesos process' CPU time per cycle, which does
//     not depend on what else the machine is doing, unlike the latencies;
//   - loadavg: the machine's one-minute load average at the end, to judge
//     the latencies by (on a 2-core machine, anything above 2 means that
//     runnable threads queue for a CPU).
//
// Run it with
//
//	go test -run XXX -bench BenchmarkLoad -benchtime 1x ./pkg/localmesos
//
// Each size runs for loadWindow after all its frameworks have subscribed.
func BenchmarkLoad(b *testing.B) {
	raiseFileLimit(b)
	bin := filepath.Join(b.TempDir(), "localmesos")
	build := exec.Command("go", "build", "-o", bin, "github.com/mesosnb/mesosnb/cmd/localmesos")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build localmesos: %v\n%s", err, out)
	}
	for _, size := range []struct {
		frameworks, agents int
		pace               time.Duration
	}{{50, 10, time.Second}, {200, 10, time.Second}, {1000, 10, time.Second}, {200, 100, time.Second}, {200, 10, 0}} {
		name := fmt.Sprintf("frameworks=%d,agents=%d", size.frameworks, size.agents)
		if size.pace == 0 {
			name += ",flat-out"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				runLoad(b, bin, size.frameworks, size.agents, size.pace)
			}
		})
	}
}

// loadWindow is how long the frameworks work, once all have subscribed.
const loadWindow = 15 * time.Second

// raiseFileLimit lifts the soft limit on open files to the hard one: a
// thousand frameworks hold two thousand connections on each side.
func raiseFileLimit(b *testing.B) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			b.Fatal(err)
		}
	}
	if lim.Cur < 8192 {
		b.Logf("open files limited to %d; the largest sizes may fail", lim.Cur)
	}
}

var masterLine = regexp.MustCompile(`localmesos: master (http://\S+), agents`)

// startProcess runs localmesos and returns its URL and process.
func startProcess(b *testing.B, bin string, agents int) (string, *exec.Cmd) {
	cmd := exec.Command(bin, "--master-addr", "127.0.0.1:0", "--agent-addr", "127.0.0.1:0", "--agents", strconv.Itoa(agents-1),
		"--runner", "simulated", "--heartbeat", "1s", "--resources", "cpus:16;mem:16384;disk:16384;ports:[31000-31999]")
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
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(url + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url, cmd
			}
		}
		if time.Now().After(deadline) {
			b.Fatal("localmesos not healthy within 10s")
		}
	}
}

// loadStats gathers what the frameworks measure.
type loadStats struct {
	mu       sync.Mutex
	lateness []time.Duration // heartbeat arrival minus one interval after the previous one
	running  []time.Duration // ACCEPT returned to TASK_RUNNING arrived
	cycles   int
	errs     []error
}

func (s *loadStats) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) < 10 {
		s.errs = append(s.errs, err)
	}
}

func runLoad(b *testing.B, bin string, frameworks, agents int, pace time.Duration) {
	b.StopTimer()
	url, cmd := startProcess(b, bin, agents)
	stats := &loadStats{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Subscribe everyone first, a few at a time, so that the load starts
	// with all frameworks in place.
	var ready sync.WaitGroup
	startLoad := make(chan struct{})
	sem := make(chan struct{}, 32)
	var done sync.WaitGroup
	for i := range frameworks {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			sem <- struct{}{}
			fw, err := newLoadFramework(ctx, url, i, stats)
			<-sem
			ready.Done()
			if err != nil {
				stats.fail(err)
				return
			}
			defer fw.close()
			<-startLoad
			fw.work(ctx, pace)
		}()
	}
	ready.Wait()
	if len(stats.errs) > 0 {
		b.Fatalf("subscribing: %v", stats.errs)
	}
	b.StartTimer()
	pid := cmd.Process.Pid
	began, cpuBefore := time.Now(), proc.CPUTime(pid)
	close(startLoad)
	time.Sleep(loadWindow)
	elapsed, cpu := time.Since(began), proc.CPUTime(pid)-cpuBefore
	rss, peak := proc.Memory(pid)
	if !proc.Alive(pid) {
		b.Fatal("localmesos exited during the load")
	}
	cancel()
	done.Wait()
	b.StopTimer()

	if len(stats.errs) > 0 {
		b.Fatalf("%d frameworks: %v", frameworks, stats.errs)
	}
	if len(stats.running) == 0 {
		b.Fatal("no task reached TASK_RUNNING")
	}
	b.ReportMetric(megabytes(peak), "rss-MB")
	b.ReportMetric(megabytes(rss), "rss-end-MB")
	b.ReportMetric(ms(percentile(stats.lateness, 0.99)), "hb-late-p99-ms")
	b.ReportMetric(ms(percentile(stats.running, 0.50)), "accept-running-p50-ms")
	b.ReportMetric(ms(percentile(stats.running, 0.99)), "accept-running-p99-ms")
	b.ReportMetric(float64(stats.cycles)/elapsed.Seconds(), "tasks/s")
	b.ReportMetric(ms(cpu)/float64(max(stats.cycles, 1)), "cpu-ms/task")
	b.ReportMetric(proc.LoadAverage(), "loadavg")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func megabytes(n int64) float64 { return float64(n) / (1 << 20) }

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// loadFramework is one framework of the load: its stream is read by one
// goroutine, which times heartbeats and hands offers and updates to work.
type loadFramework struct {
	n       int
	c       *scheduler.Client
	sub     *scheduler.Subscription
	stats   *loadStats
	offers  chan mesos.Offer
	updates chan mesos.TaskStatus
}

func newLoadFramework(ctx context.Context, url string, n int, stats *loadStats) (*loadFramework, error) {
	c, err := scheduler.New(scheduler.Config{Master: url})
	if err != nil {
		return nil, err
	}
	sub, err := c.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: fmt.Sprintf("load-%d", n), FailoverTimeout: 60})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("framework %d: %w", n, err)
	}
	f := &loadFramework{n: n, c: c, sub: sub, stats: stats, offers: make(chan mesos.Offer, 1000), updates: make(chan mesos.TaskStatus, 1000)}
	go f.read(ctx, sub.HeartbeatInterval)
	return f, nil
}

func (f *loadFramework) close() {
	f.sub.Close()
	f.c.Close()
}

func (f *loadFramework) read(ctx context.Context, interval time.Duration) {
	var last time.Time
	for ev, err := range f.sub.Events() {
		if err != nil {
			if ctx.Err() == nil {
				f.stats.fail(fmt.Errorf("framework %d: stream: %w", f.n, err))
			}
			return
		}
		switch ev.Type {
		case mesos.EventHeartbeat:
			now := time.Now()
			if !last.IsZero() {
				f.stats.mu.Lock()
				f.stats.lateness = append(f.stats.lateness, max(0, now.Sub(last)-interval))
				f.stats.mu.Unlock()
			}
			last = now
		case mesos.EventOffers:
			for _, o := range ev.Offers.Offers {
				f.offers <- o
			}
		case mesos.EventUpdate:
			f.updates <- ev.Update.Status
		}
	}
}

// work launches, runs and kills one small task after another, starting
// one at most every pace.
func (f *loadFramework) work(ctx context.Context, pace time.Duration) {
	// Start at different times within the first interval, as people do.
	next := time.Now().Add(time.Duration(f.n%1000) * pace / 1000)
	for i := 0; ctx.Err() == nil; i++ {
		offer, ok := f.nextOffer(ctx, next)
		if !ok {
			return
		}
		if next = next.Add(pace); next.Before(time.Now()) {
			next = time.Now() // late: no catching up in a burst
		}
		id := mesos.TaskID{Value: fmt.Sprintf("task-%d", i)}
		task := mesos.TaskInfo{Name: id.Value, TaskID: id, AgentID: offer.AgentID,
			Resources: mesos.TaskResources(0.01, 1), Command: &mesos.CommandInfo{Value: "sleep 1000"}}
		if err := f.c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
			f.failed(ctx, err)
			return
		}
		accepted := time.Now()
		if !f.await(ctx, id, mesos.TaskStarting) || !f.await(ctx, id, mesos.TaskRunning) {
			return
		}
		f.stats.mu.Lock()
		f.stats.running = append(f.stats.running, time.Since(accepted))
		f.stats.mu.Unlock()
		if err := f.c.Kill(ctx, id, nil); err != nil {
			f.failed(ctx, err)
			return
		}
		if !f.await(ctx, id, mesos.TaskKilled) {
			return
		}
		f.stats.mu.Lock()
		f.stats.cycles++
		f.stats.mu.Unlock()
	}
}

// nextOffer waits for an offer to use at or after next. A framework that
// needs no offers until then says so, as Mesos asks frameworks to: it
// suppresses offers, declines those already on their way, and revives at
// next. Extra offers are declined, so that it holds one offer at most and
// only while it uses it: the others need the agents meanwhile.
func (f *loadFramework) nextOffer(ctx context.Context, next time.Time) (mesos.Offer, bool) {
	if wait := time.Until(next); wait > 0 {
		if err := f.c.Suppress(ctx); err != nil {
			f.failed(ctx, err)
			return mesos.Offer{}, false
		}
		timer := time.NewTimer(wait)
		defer timer.Stop()
	thinking:
		for {
			select {
			case o := <-f.offers:
				if err := f.c.Decline(ctx, []mesos.OfferID{o.ID}, nil); err != nil {
					f.failed(ctx, err)
					return mesos.Offer{}, false
				}
			case <-timer.C:
				break thinking
			case <-ctx.Done():
				return mesos.Offer{}, false
			}
		}
		if err := f.c.Revive(ctx); err != nil {
			f.failed(ctx, err)
			return mesos.Offer{}, false
		}
	}
	var offer mesos.Offer
	select {
	case offer = <-f.offers:
	case <-ctx.Done():
		return offer, false
	}
	var extra []mesos.OfferID
	for len(f.offers) > 0 {
		extra = append(extra, (<-f.offers).ID)
	}
	if len(extra) > 0 {
		if err := f.c.Decline(ctx, extra, nil); err != nil {
			f.failed(ctx, err)
			return offer, false
		}
	}
	return offer, true
}

// failed records an error, unless the load is over.
func (f *loadFramework) failed(ctx context.Context, err error) {
	if ctx.Err() == nil {
		f.stats.fail(fmt.Errorf("framework %d: %w", f.n, err))
	}
}

// await waits for the task's update of the given state, acknowledging
// every update on the way; re-sent duplicates are acknowledged again.
func (f *loadFramework) await(ctx context.Context, id mesos.TaskID, state mesos.TaskState) bool {
	for {
		select {
		case st := <-f.updates:
			if len(st.UUID) > 0 {
				if err := f.c.Acknowledge(ctx, st); err != nil {
					f.failed(ctx, err)
					return false
				}
			}
			if st.TaskID == id && st.State == state {
				return true
			}
			if st.TaskID == id && st.State.Terminal() {
				f.stats.fail(fmt.Errorf("framework %d: task %s ended %s (%s) waiting for %s", f.n, id.Value, st.State, st.Message, state))
				return false
			}
		case <-ctx.Done():
			return false
		}
	}
}
