package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/recordio"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// malformedRequests sends 1,000 bad requests of many kinds to localmesos'
// scheduler and operator endpoints: every answer must be a clear 4xx (or
// 501 for UNKNOWN), the master must stay healthy and its memory bounded.
func malformedRequests(ctx context.Context, h *harness) (string, error) {
	m, err := h.startLM(ctx, "", "--runner", "simulated")
	if err != nil {
		return "", err
	}
	rssBefore := rssOf(m.cmd.Process.Pid)
	bodies := []func(r *rand.Rand) (string, []byte){
		func(r *rand.Rand) (string, []byte) { return "application/json", randomBytes(r, 200) },
		func(r *rand.Rand) (string, []byte) { return "application/json", []byte(`{"type":`) },
		func(r *rand.Rand) (string, []byte) { return "application/json", []byte(`[]`) },
		func(r *rand.Rand) (string, []byte) { return "application/json", []byte(`{"type":"NOPE"}`) },
		func(r *rand.Rand) (string, []byte) { return "application/json", []byte(`{"type":1}`) },
		func(r *rand.Rand) (string, []byte) {
			return "application/json", []byte(`{"type":"SUBSCRIBE","subscribe":{"framework_info":{}}}`)
		},
		func(r *rand.Rand) (string, []byte) {
			return "application/json", []byte(`{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"bad-uuid"}}`)
		},
		func(r *rand.Rand) (string, []byte) {
			return "application/json", []byte(`{"type":"TEARDOWN","framework_id":{"value":"nope"}}`)
		},
		func(r *rand.Rand) (string, []byte) { return "text/plain", []byte(`{"type":"TEARDOWN"}`) },
		func(r *rand.Rand) (string, []byte) { return "", []byte(`{}`) },
		func(r *rand.Rand) (string, []byte) {
			return "application/json", bytes.Repeat([]byte("["), 100000)
		},
		func(r *rand.Rand) (string, []byte) { return "application/json", bytes.Repeat([]byte(" "), 9<<20) },
	}
	codes := map[int]int{}
	var mu sync.Mutex
	var bad []string
	var wg sync.WaitGroup
	var next atomic.Int32
	client := &http.Client{Timeout: 20 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for {
				i := int(next.Add(1))
				if i > 1000 || ctx.Err() != nil {
					return
				}
				ct, body := bodies[r.IntN(len(bodies))](r)
				path := []string{"/api/v1/scheduler", "/api/v1"}[r.IntN(2)]
				if path == "/api/v1" && bytes.Contains(body, []byte(`"SUBSCRIBE"`)) {
					path = "/api/v1/scheduler" // a valid operator SUBSCRIBE: its 200 stream is right
				}
				req, _ := http.NewRequestWithContext(ctx, []string{"POST", "POST", "POST", "GET", "PUT"}[r.IntN(5)], m.url+path, bytes.NewReader(body))
				if ct != "" {
					req.Header.Set("Content-Type", ct)
				}
				resp, err := client.Do(req)
				mu.Lock()
				if err != nil {
					bad = append(bad, err.Error())
				} else {
					msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
					resp.Body.Close()
					codes[resp.StatusCode]++
					if resp.StatusCode < 400 || resp.StatusCode >= 500 && resp.StatusCode != 501 || len(bytes.TrimSpace(msg)) == 0 {
						bad = append(bad, fmt.Sprintf("%d %q for a %s body", resp.StatusCode, msg, ct))
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 {
		return "", fmt.Errorf("%d unclear answers, first: %s", len(bad), bad[0])
	}
	if resp, err := http.Get(m.url + "/health"); err != nil || resp.StatusCode != 200 {
		return "", fmt.Errorf("localmesos unhealthy after the storm: %v", err)
	}
	rssAfter := rssOf(m.cmd.Process.Pid)
	if rssAfter > rssBefore+100<<20 {
		return "", fmt.Errorf("localmesos grew from %d MB to %d MB", rssBefore>>20, rssAfter>>20)
	}
	return fmt.Sprintf("1,000 requests answered %s, each with a message; still healthy; RSS %d MB -> %d MB", codeSummary(codes), rssBefore>>20, rssAfter>>20), nil
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, r.IntN(n)+1)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

func codeSummary(codes map[int]int) string {
	var keys []int
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", codes[k], k))
	}
	return strings.Join(parts, ", ")
}

// malformedStreams feeds 1,000 broken RecordIO streams to the decoder and,
// through a fake master, to the scheduler client: each must end with a
// clear error, never a panic or a large allocation.
func malformedStreams(ctx context.Context, h *harness) (string, error) {
	r := rand.New(rand.NewPCG(1, 2))
	kinds := map[string]int{}
	var peak uint64
	var ms runtime.MemStats
	gen := func() []byte {
		switch r.IntN(5) {
		case 0:
			return randomBytes(r, 300)
		case 1:
			return []byte(fmt.Sprintf("%d\n{\"type\":\"HEARTBEAT\"}", 1+r.IntN(1<<30)))
		case 2:
			return []byte("20\n{\"type\":\"HEARTBEAT\"}" + strconv.Itoa(r.IntN(1000)))
		case 3:
			return []byte("99999999999999999999999\n")
		default:
			return recordio.Append([]byte("13\n{\"type\":\"SUB"), []byte("garbage"))
		}
	}
	var served atomic.Value
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Mesos-Stream-Id", "s")
		w.Write(served.Load().([]byte))
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go srv.Serve(ln)
	h.onCleanup(func() { srv.Close() })
	c, err := scheduler.New(scheduler.Config{Master: "http://" + ln.Addr().String(), Retries: 1})
	if err != nil {
		return "", err
	}
	for i := 0; i < 1000; i++ {
		in := gen()
		d := recordio.NewDecoder(bytes.NewReader(in))
		d.SetMaxRecordSize(1 << 20)
		var derr error
		for derr == nil {
			_, derr = d.Next()
		}
		var fe *recordio.FormatError
		switch {
		case errors.As(derr, &fe):
			kinds["format error"]++
		case errors.Is(derr, io.ErrUnexpectedEOF):
			kinds["truncated"]++
		case errors.Is(derr, io.EOF):
			kinds["clean end"]++
		default:
			return "", fmt.Errorf("stream %q: unexpected error %v", in, derr)
		}
		if i%10 == 0 {
			served.Store(in)
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := c.Subscribe(cctx, mesos.FrameworkInfo{User: "u", Name: "n"})
			cancel()
			if err == nil {
				return "", fmt.Errorf("Subscribe accepted the broken stream %q", in)
			}
			kinds["client refused"]++
		}
		if i%50 == 0 {
			// What stays allocated, not what the collector has yet to
			// sweep: a decoder that believed a length would hold it.
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if peak > 32<<20 {
		return "", fmt.Errorf("live heap reached %d MB", peak>>20)
	}
	var parts []string
	for k, v := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return fmt.Sprintf("1,000 streams: %s; live heap at most %d MB", strings.Join(parts, ", "), peak>>20), nil
}

// rssOf is a process's resident memory in bytes.
func rssOf(pid int) int {
	rss, _ := proc.Memory(pid)
	return int(rss)
}
