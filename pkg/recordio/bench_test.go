package recordio_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/recordio"
)

// benchStream is a stream shaped like a busy subscription: mostly small
// heartbeats and updates with an occasional OFFERS event of a few KiB.
func benchStream(records int) []byte {
	update := `{"type":"UPDATE","update":{"status":{"task_id":{"value":"web-0001"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR","agent_id":{"value":"5a2b3c4d-1111-2222-3333-444455556666-S0"},"timestamp":1.7e9,"uuid":"D2pMLpsdTzqMLR4vOktcbQ=="}}}`
	offers := `{"type":"OFFERS","offers":{"offers":[` + strings.Repeat(`{"id":{"value":"x-O1"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":2.0}}]},`, 40) + `{}]}}`
	var buf []byte
	for i := range records {
		switch {
		case i%50 == 0:
			buf = recordio.Append(buf, []byte(offers))
		case i%3 == 0:
			buf = recordio.Append(buf, []byte(`{"type":"HEARTBEAT"}`))
		default:
			buf = recordio.Append(buf, []byte(update))
		}
	}
	return buf
}

// naiveNext is the decoder most people write first: read a line, parse it
// with strconv, allocate the record. It is the comparison figure for make
// bench.
func naiveNext(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return nil, err
	}
	rec := make([]byte, n)
	_, err = io.ReadFull(r, rec)
	return rec, err
}

// reportPerRecord adds allocs/record, the figure that shows whether a
// decoder allocates per event or reuses its buffer.
func reportPerRecord(b *testing.B, records int, run func()) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		run()
		n++
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n*records), "allocs/record")
}

func BenchmarkDecode(b *testing.B) {
	const records = 1000
	in := benchStream(records)
	b.Run("recordio", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		reportPerRecord(b, records, func() {
			d := recordio.NewDecoder(bytes.NewReader(in))
			n := 0
			for {
				if _, err := d.Next(); err != nil {
					break
				}
				n++
			}
			if n != records {
				b.Fatalf("%d records", n)
			}
		})
	})
	b.Run("naive-bufio-strconv", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		reportPerRecord(b, records, func() {
			r := bufio.NewReader(bytes.NewReader(in))
			n := 0
			for {
				if _, err := naiveNext(r); err != nil {
					break
				}
				n++
			}
			if n != records {
				b.Fatalf("%d records", n)
			}
		})
	})
}

func ExampleDecoder() {
	in := "20\n{\"type\":\"HEARTBEAT\"}27\n{\"type\":\"SUBSCRIBED\",\"x\":1}"
	dec := recordio.NewDecoder(strings.NewReader(in))
	for {
		rec, err := dec.Next()
		if err != nil {
			fmt.Println("end:", err)
			return
		}
		fmt.Printf("%d bytes: %s\n", len(rec), rec)
	}
	// Output:
	// 20 bytes: {"type":"HEARTBEAT"}
	// 27 bytes: {"type":"SUBSCRIBED","x":1}
	// end: EOF
}

func ExampleEncoder() {
	var buf bytes.Buffer
	enc := recordio.NewEncoder(&buf)
	_ = enc.Encode([]byte(`{"type":"HEARTBEAT"}`))
	fmt.Printf("%q\n", buf.String())
	// Output: "20\n{\"type\":\"HEARTBEAT\"}"
}
