package localmesos_test

// Bad input: what a careless or broken client can send, and what the
// stand-in must survive without a panic, a stall or a leak.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// Bodies are bounded: a huge one is refused without being read whole.
func TestBadInput_OversizedBody(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	body := `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"` + strings.Repeat("x", 9<<20) + `"}}}`
	post(t, srv, jsonHeaders(), body).want(t, http.StatusRequestEntityTooLarge, "localmesos refuses request bodies over 8388608 bytes")
	// The operator endpoint too.
	do(t, http.MethodPost, srv.URL+"/api/v1", jsonHeaders(), `{"type":"GET_HEALTH","x":"`+strings.Repeat("x", 9<<20)+`"}`).
		want(t, http.StatusRequestEntityTooLarge, "localmesos refuses request bodies over 8388608 bytes")
	do(t, http.MethodPost, srv.URL+"/api/v1", jsonHeaders(), `{"type":"GET_HEALTH"}`).want(t, http.StatusOK, `{"type":"GET_HEALTH","get_health":{"healthy":true}}`)
}

// Deeply nested bodies are refused at Mesos' depth limit, quickly and
// without exhausting the stack.
func TestBadInput_DeepNesting(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	for _, body := range []string{
		strings.Repeat("[", 1<<20),
		strings.Repeat(`{"a":`, 1<<18),
		`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","labels":` + strings.Repeat("[", 250) + strings.Repeat("]", 250) + `}}}`,
	} {
		a := post(t, srv, jsonHeaders(), body)
		if a.code != http.StatusBadRequest || !strings.HasPrefix(a.body, "Failed to parse body into JSON: syntax error at line 1 near: ") {
			t.Fatalf("%.40s...: %d %.100q", body, a.code, a.body)
		}
	}
}

// Nothing a client sends makes the stand-in fail: every body gets an
// answer Mesos could give, and the stand-in goes on serving. The seeds
// run as part of go test; go test -fuzz FuzzSchedulerCall looks further.
func FuzzSchedulerCall(f *testing.F) {
	for _, seed := range []string{
		`{}`, `[]`, `null`, `"x"`, `{"type":"SUBSCRIBE"}`,
		`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a"],"capabilities":[{"type":"MULTI_ROLE"}]},"suppressed_roles":["a"]}}`,
		`{"type":"ACCEPT","framework_id":{"value":"$FW"},"accept":{"offer_ids":[{"value":"o"}],"operations":[{"type":"LAUNCH_GROUP"},{"type":"LAUNCH","launch":{}}]}}`,
		`{"type":"ACCEPT","framework_id":{"value":"$FW"},"accept":{"offer_ids":[],"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":""},"agent_id":{"value":"a"}}]}}]}}`,
		`{"type":"DECLINE","framework_id":{"value":"$FW"},"decline":{"offer_ids":[{"value":"o"}],"filters":{"refuse_seconds":"Infinity"}}}`,
		`{"type":"REVIVE","framework_id":{"value":"$FW"},"revive":{"roles":[["*"]]}}`,
		`{"type":"SUPPRESS","framework_id":{"value":"$FW"}}`,
		`{"type":"KILL","framework_id":{"value":"$FW"},"kill":{"task_id":{"value":"t"},"kill_policy":{"grace_period":{"nanoseconds":-1}}}}`,
		`{"type":"ACKNOWLEDGE","framework_id":{"value":"$FW"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"q83vEjRWQJCrze8SNFZ4kA=="}}`,
		`{"type":"RECONCILE","framework_id":{"value":"$FW"},"reconcile":{"tasks":{"task_id":{"value":"t"}}}}`,
		`{"type":"UPDATE_FRAMEWORK","framework_id":{"value":"$FW"},"update_framework":{"framework_info":{"user":"root","name":"n","id":{"value":"$FW"},"offer_filters":{"r":{}}}}}`,
		`{"type":"UPDATE_FRAMEWORK","framework_id":{"value":"$FW"},"update_framework":{"framework_info":{"user":"root","name":"n","id":{"value":"$FW"},"failover_timeout":"-Infinity"}}}`,
		`{"type":"UNKNOWN","framework_id":{"value":"$FW"}}`,
		`{"type":"MESSAGE","framework_id":{"value":"$FW"},"message":{"agent_id":{"value":"a"},"executor_id":{"value":"e"},"data":"=="}}`,
		"{\"a\":\"\\ud800\\udc00\"}", `{"a":1e308,"b":-0,"c":01.5e-3}`,
		`{"type":"TEARDOWN","framework_id":{"value":"$FW"}}`,
	} {
		f.Add(seed)
	}
	srv := start(f, nil)
	c, err := scheduler.New(scheduler.Config{Master: srv.URL})
	if err != nil {
		f.Fatal(err)
	}
	sub, err := c.Subscribe(context.Background(), mesos.FrameworkInfo{User: "root", Name: "fuzz", FailoverTimeout: 3600})
	if err != nil {
		f.Fatal(err)
	}
	go func() {
		for range sub.Events() {
		}
	}()
	f.Cleanup(func() { sub.Close() })
	allowed := map[int]bool{200: true, 202: true, 400: true, 403: true, 406: true, 415: true, 501: true}
	f.Fuzz(func(t *testing.T, body string) {
		body = strings.ReplaceAll(body, "$FW", sub.FrameworkID.Value)
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/scheduler", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Mesos-Stream-Id", sub.StreamID)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		defer resp.Body.Close()
		if !allowed[resp.StatusCode] {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%q: %d %q", body, resp.StatusCode, b)
		}
	})
}

// A framework that stops reading its stream holds up nobody: the others
// keep their heartbeats and offers, calls are answered at once, and the
// stuck stream is cut when its queue is full.
func TestBadInput_StuckReader(t *testing.T) {
	t.Parallel()
	const heartbeat = 150 * time.Millisecond
	srv := start(t, func(c *localmesos.Config) {
		c.Heartbeat = heartbeat
		c.AgentAddrs = []string{"127.0.0.1:0", "127.0.0.1:0"}
	})

	// The healthy framework, timing its heartbeats.
	// The client's own watchdog is relaxed: the test, not the client,
	// judges the heartbeats' timing.
	c, err := scheduler.New(scheduler.Config{Master: srv.URL, MissedHeartbeats: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := c.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: "healthy", FailoverTimeout: 60})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var beats []time.Time
	offers := make(chan mesos.Offer, 100)
	updates := make(chan mesos.TaskStatus, 100)
	go func() {
		for ev, err := range sub.Events() {
			if err != nil {
				return
			}
			switch ev.Type {
			case mesos.EventHeartbeat:
				mu.Lock()
				beats = append(beats, time.Now())
				mu.Unlock()
			case mesos.EventOffers:
				for _, o := range ev.Offers.Offers {
					offers <- o
				}
			case mesos.EventUpdate:
				updates <- ev.Update.Status
			}
		}
	}()

	// The stuck one: a raw connection that reads the answer's headers and
	// nothing more.
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4096)
	body := subscribeCall(mesos.FrameworkInfo{User: "root", Name: "stuck"})
	fmt.Fprintf(conn, "POST /api/v1/scheduler HTTP/1.1\r\nHost: localmesos\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	br := bufio.NewReaderSize(conn, 16)
	stuckStream := ""
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ": "); ok && strings.EqualFold(k, "Mesos-Stream-Id") {
			stuckStream = v
		}
		if line == "\r\n" {
			break
		}
	}
	var stuckID string
	testenv.Eventually(t, 10*time.Second, "the stuck framework registered", func() bool {
		fws, err := operatorClient(t, srv).Frameworks(context.Background())
		for _, fw := range fws.Frameworks {
			if err == nil && fw.FrameworkInfo.Name == "stuck" {
				stuckID = fw.FrameworkInfo.ID.Value
			}
		}
		return stuckID != ""
	})

	// Flood the stuck stream: reconciling unknown tasks makes an update
	// per task, far more than the connection buffers and the stream's
	// queue hold.
	var tasks []string
	for i := range 2000 {
		tasks = append(tasks, fmt.Sprintf(`{"task_id":{"value":"unknown-task-%d"}}`, i))
	}
	flood := `{"type":"RECONCILE","framework_id":{"value":"` + stuckID + `"},"reconcile":{"tasks":[` + strings.Join(tasks, ",") + `]}}`
	began := time.Now()
	mu.Lock()
	beats = beats[:0]
	mu.Unlock()
	for range 10 {
		callStart := time.Now()
		a := post(t, srv, jsonHeaders("Mesos-Stream-Id", stuckStream), flood)
		if a.code != http.StatusAccepted && a.code != http.StatusForbidden {
			t.Fatalf("RECONCILE for the stuck framework: %d %q", a.code, a.body)
		}
		// Blocked behind the stuck stream, a call would wait for its
		// write timeout (10 s); answered, it takes what parsing 2000
		// tasks takes (more under the race detector).
		if d := time.Since(callStart); d > 3*time.Second {
			t.Fatalf("a call took %v while a stream was stuck", d)
		}
	}

	// Meanwhile the healthy framework launches a task.
	select {
	case o := <-offers:
		if err := c.Accept(ctx, []mesos.OfferID{o.ID}, []mesos.Operation{mesos.LaunchOp(simpleTask("t1", o))}, nil); err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no offer for the healthy framework while another was stuck")
	}
	for want := mesos.TaskStarting; ; {
		select {
		case st := <-updates:
			if st.State != want {
				t.Fatalf("update %s, want %s", st.State, want)
			}
			if err := c.Acknowledge(ctx, st); err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s for the healthy framework", want)
		}
		if want == mesos.TaskRunning {
			break
		}
		want = mesos.TaskRunning
	}
	if time.Since(began) < time.Second {
		time.Sleep(time.Second - time.Since(began))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(beats) < 5 {
		t.Fatalf("%d heartbeats in %v", len(beats), time.Since(began))
	}
	for i := 1; i < len(beats); i++ {
		if gap := beats[i].Sub(beats[i-1]); gap > 10*heartbeat {
			t.Fatalf("heartbeat gap %v while another stream was stuck", gap)
		}
	}
}

// Subscribing and hanging up a thousand times leaves nothing behind: no
// goroutines, no memory. It counts the whole process' goroutines, so it
// does not run in parallel with other tests.
func TestBadInput_SubscribeCloseCycles(t *testing.T) {
	srv := start(t, nil)
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	var keep mesos.FrameworkID // a framework that fails over again and again
	cycle := func(i int) {
		info := mesos.FrameworkInfo{User: "root", Name: "cycle"}
		if i%2 == 1 && keep.Value != "" {
			info.ID, info.FailoverTimeout = &keep, 3600
		}
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/scheduler", strings.NewReader(subscribeCall(info)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rec := make([]byte, 64)
		if _, err := io.ReadAtLeast(resp.Body, rec, 32); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if !strings.Contains(string(rec), `"SUBSCRIBED"`) {
			t.Fatalf("cycle %d: %q", i, rec)
		}
		resp.Body.Close()
	}
	// The framework that keeps failing over.
	f := subscribe(t, srv, mesos.FrameworkInfo{Name: "keeper", FailoverTimeout: 3600})
	keep = f.id()
	f.sub.Close()

	for i := range 20 {
		cycle(i)
	}
	base, baseHeap := settle(t, 0, 0)
	for i := range 1000 {
		cycle(i)
	}
	after, afterHeap := settle(t, base, 10)
	t.Logf("goroutines %d -> %d, heap %.1f -> %.1f MB", base, after, float64(baseHeap)/(1<<20), float64(afterHeap)/(1<<20))
	if afterHeap > baseHeap+8<<20 {
		t.Fatalf("heap grew from %d to %d bytes over 1000 cycles", baseHeap, afterHeap)
	}
	if healthy, err := operatorClient(t, srv).Health(context.Background()); err != nil || !healthy {
		t.Fatalf("after the cycles: %v %v", healthy, err)
	}
}

// settle waits until the goroutine count is at most want+slack (any count
// when want is 0, after a short pause) and returns it with the heap in use.
func settle(t *testing.T, want, slack int) (int, uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	n := runtime.NumGoroutine()
	for want > 0 && n > want+slack && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	if want == 0 {
		time.Sleep(500 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	if want > 0 && n > want+slack {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines, was %d:\n%s", n, want, buf[:runtime.Stack(buf, true)])
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return n, ms.HeapInuse
}
