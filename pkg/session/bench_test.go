package session_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/recordio"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// streamingMaster answers SUBSCRIBE with SUBSCRIBED and then, once go is
// closed, streams n MESSAGE events at a steady rate, each carrying the
// time it was written (Unix nanoseconds, in data).
func streamingMaster(b *testing.B, n int, interval time.Duration, start <-chan struct{}) string {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path != "/api/v1/scheduler" {
			return // GET /health, Start's check that a master answers: 200
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Mesos-Stream-Id", "bench-stream")
		w.WriteHeader(http.StatusOK)
		flusher := w.(http.Flusher)
		send := func(ev mesos.Event) error {
			rec, _ := json.Marshal(ev)
			if _, err := w.Write(recordio.Append(nil, rec)); err != nil {
				return err
			}
			flusher.Flush()
			return nil
		}
		send(mesos.Event{Type: mesos.EventSubscribed, Subscribed: &mesos.Subscribed{
			FrameworkID: mesos.FrameworkID{Value: "bench-fw"}, HeartbeatIntervalSeconds: 15}})
		select {
		case <-start:
		case <-r.Context().Done():
			return
		}
		t0 := time.Now()
		for i := range n {
			if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
				time.Sleep(d)
			}
			msg := &mesos.ExecutorMessage{Data: strconv.AppendInt(nil, time.Now().UnixNano(), 10)}
			if send(mesos.Event{Type: mesos.EventMessage, Message: msg}) != nil {
				return
			}
		}
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	b.Cleanup(func() { close(done); srv.Close() })
	return srv.URL
}

// BenchmarkEventLatency measures how long an event takes from the master
// writing it to a cell reading it with Session.Next: through the real
// mesos-listener process, its journal and the package's reader. It streams
// 10,000 events (or b.N, if more) at 2,000 a second and reports the 50th
// and 99th percentiles in milliseconds (p50-ms, p99-ms), and the same for
// the part up to the listener's receiving it (journal-p50-ms,
// journal-p99-ms): the rest is the cell's polling of the journal.
//
//	go test -run XXX -bench BenchmarkEventLatency -benchtime 1x ./pkg/session
func BenchmarkEventLatency(b *testing.B) {
	n := max(10000, b.N)
	const interval = 500 * time.Microsecond
	begin := make(chan struct{})
	opts := session.Options{Dir: b.TempDir(), ParentPID: os.Getpid(), StartTimeout: 20 * time.Second,
		Framework: mesos.FrameworkInfo{User: "root", Name: "bench"}}
	opts.Client.Master = streamingMaster(b, n, interval, begin)
	ctx := context.Background()
	s, err := session.Start(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop(ctx)
	evs, err := s.Events(0)
	if err != nil {
		b.Fatal(err)
	}
	since := evs[len(evs)-1].Seq

	latencies := make([]time.Duration, 0, n)
	toListener := make([]time.Duration, 0, n)
	b.ResetTimer()
	close(begin)
	for len(latencies) < n {
		e, err := s.Next(ctx, since)
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		since = e.Seq
		if e.Event.Type != mesos.EventMessage {
			continue
		}
		sent, err := strconv.ParseInt(string(e.Event.Message.Data), 10, 64)
		if err != nil {
			b.Fatalf("event %d: %v", e.Seq, err)
		}
		latencies = append(latencies, now.Sub(time.Unix(0, sent)))
		toListener = append(toListener, e.Received.Sub(time.Unix(0, sent)))
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		slices.Sort(ds)
		return float64(ds[int(p*float64(len(ds)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(latencies, 0.50), "p50-ms")
	b.ReportMetric(pct(latencies, 0.99), "p99-ms")
	b.ReportMetric(pct(latencies, 1), "max-ms")
	b.ReportMetric(pct(toListener, 0.50), "journal-p50-ms")
	b.ReportMetric(pct(toListener, 0.99), "journal-p99-ms")
	b.ReportMetric(0, "ns/op") // one op is the whole run: meaningless
}
