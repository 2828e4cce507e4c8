package recordio_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/mesosnb/mesosnb/pkg/recordio"
)

// subscribed and heartbeat are the example stream from the reference: the
// second length follows the first record's closing brace directly.
const stream = `139
{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"5a2b3c4d-1111-2222-3333-444455556666-0000"},"heartbeat_interval_seconds":15.0}}20
{"type":"HEARTBEAT"}`

func readAll(t *testing.T, d *recordio.Decoder) ([]string, error) {
	t.Helper()
	var out []string
	for {
		rec, err := d.Next()
		if err != nil {
			return out, err
		}
		out = append(out, string(rec))
	}
}

func TestDecodeReferenceStream(t *testing.T) {
	t.Parallel()
	got, err := readAll(t, recordio.NewDecoder(strings.NewReader(stream)))
	if err != io.EOF {
		t.Fatalf("end of stream: got %v, want io.EOF", err)
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], `{"type":"SUBSCRIBED"`) || got[1] != `{"type":"HEARTBEAT"}` {
		t.Fatalf("records: %q", got)
	}
	if len(got[0]) != 139 {
		t.Fatalf("first record is %d bytes, want 139", len(got[0]))
	}
}

// TestDecodeAnySplit cuts the stream at every byte boundary and in one-byte
// reads: record boundaries must not depend on how the bytes arrive.
func TestDecodeAnySplit(t *testing.T) {
	t.Parallel()
	want, _ := readAll(t, recordio.NewDecoder(strings.NewReader(stream)))
	for cut := 0; cut <= len(stream); cut++ {
		r := io.MultiReader(strings.NewReader(stream[:cut]), strings.NewReader(stream[cut:]))
		got, err := readAll(t, recordio.NewDecoder(iotest.HalfReader(r)))
		if err != io.EOF || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("cut at %d: got %q, %v", cut, got, err)
		}
	}
	got, err := readAll(t, recordio.NewDecoder(iotest.OneByteReader(strings.NewReader(stream))))
	if err != io.EOF || len(got) != 2 {
		t.Fatalf("one byte reads: got %q, %v", got, err)
	}
}

func TestDecodeMultibyteAndEmpty(t *testing.T) {
	t.Parallel()
	// Lengths count bytes: "é" is two bytes. Mesos' decoder accepts a zero
	// length and yields an empty record, so we do too.
	in := "4\n{\"é0\n3\nabc"
	got, err := readAll(t, recordio.NewDecoder(strings.NewReader(in)))
	if err != io.EOF || len(got) != 3 || got[0] != "{\"é" || got[1] != "" || got[2] != "abc" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		tooLarge bool
		unexpEOF bool
		format   bool
	}{
		{name: "letter in length", in: "1x\nab", format: true},
		{name: "space before newline", in: "2 \nab", format: true},
		{name: "negative", in: "-2\nab", format: true},
		{name: "empty length", in: "\nab", format: true},
		{name: "too many digits", in: "123456789012345678901\n", format: true},
		{name: "over the limit", in: "1025\n", tooLarge: true, format: true},
		{name: "uint64 overflow", in: "99999999999999999999\n", tooLarge: true, format: true},
		{name: "truncated payload", in: "10\nabc", unexpEOF: true},
		{name: "ends mid-length", in: "3\nabc12", unexpEOF: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := recordio.NewDecoder(strings.NewReader(c.in))
			d.SetMaxRecordSize(1024)
			_, err := readAll(t, d)
			if err == nil || err == io.EOF {
				t.Fatalf("got %v, want an error", err)
			}
			var fe *recordio.FormatError
			if got := errors.As(err, &fe); got != c.format {
				t.Errorf("FormatError: %v (%v), want %v", got, err, c.format)
			}
			if got := errors.Is(err, recordio.ErrRecordTooLarge); got != c.tooLarge {
				t.Errorf("ErrRecordTooLarge: %v (%v), want %v", got, err, c.tooLarge)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != c.unexpEOF {
				t.Errorf("ErrUnexpectedEOF: %v (%v), want %v", got, err, c.unexpEOF)
			}
			if _, again := d.Next(); again != err {
				t.Errorf("error is not sticky: %v then %v", err, again)
			}
		})
	}
}

// TestDecodeHugeLengthAllocatesNothing: a stream that announces 3 GiB must
// not make the decoder allocate it.
func TestDecodeHugeLengthAllocatesNothing(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d := recordio.NewDecoder(strings.NewReader("3221225472\n{"))
	if _, err := d.Next(); !errors.Is(err, recordio.ErrRecordTooLarge) {
		t.Fatalf("got %v", err)
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("allocated %d bytes for a refused record", grew)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	enc := recordio.NewEncoder(&buf)
	recs := []string{`{"type":"HEARTBEAT"}`, "", "ü\n\n"}
	for _, r := range recs {
		if err := enc.Encode([]byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	if want := "20\n{\"type\":\"HEARTBEAT\"}0\n4\nü\n\n"; buf.String() != want {
		t.Fatalf("encoded %q, want %q", buf.String(), want)
	}
	got, err := readAll(t, recordio.NewDecoder(&buf))
	if err != io.EOF || strings.Join(got, "|") != strings.Join(recs, "|") {
		t.Fatalf("round trip: %q, %v", got, err)
	}
}

// naiveDecode is an independent, obviously-correct reading of the grammar
// (1*DIGIT LF then that many bytes) for differential fuzzing. ok is false when
// the input is not a whole valid stream within the limit.
func naiveDecode(in []byte, limit int) (recs [][]byte, ok bool) {
	for len(in) > 0 {
		nl := bytes.IndexByte(in, '\n')
		if nl < 1 || nl > 20 {
			return recs, false
		}
		n, err := strconv.ParseUint(string(in[:nl]), 10, 64)
		if err != nil || n > uint64(limit) || uint64(len(in)-nl-1) < n {
			return recs, false
		}
		recs = append(recs, in[nl+1:nl+1+int(n)])
		in = in[nl+1+int(n):]
	}
	return recs, true
}

// FuzzDecoder feeds arbitrary bytes, split into arbitrary reads: the decoder
// must never panic, never return a record over its limit, and agree with
// naiveDecode on every record and on whether the stream was valid.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte(stream))
	f.Add([]byte("0\n"))
	f.Add([]byte("00\n"))
	f.Add([]byte("5\nabc"))
	f.Add([]byte("99999999999999999999999\n"))
	f.Add([]byte("3\nabc4\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		want, valid := naiveDecode(in, 64)
		d := recordio.NewDecoder(iotest.HalfReader(bytes.NewReader(in)))
		d.SetMaxRecordSize(64)
		for i := 0; ; i++ {
			rec, err := d.Next()
			if err != nil {
				if (err == io.EOF) != valid {
					t.Fatalf("decoder ended with %v, naive decoder valid=%v, input %q", err, valid, in)
				}
				if valid && i != len(want) {
					t.Fatalf("decoder gave %d records, naive %d", i, len(want))
				}
				return
			}
			if len(rec) > 64 {
				t.Fatalf("record of %d bytes over the 64 byte limit", len(rec))
			}
			if i >= len(want) || !bytes.Equal(rec, want[i]) {
				t.Fatalf("record %d is %q, naive decoder disagrees (%q), input %q", i, rec, want, in)
			}
		}
	})
}
