package recordio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxRecordSize bounds the records a Decoder accepts unless told
// otherwise. Mesos events are small (an OFFERS event with a hundred offers is
// well under 1 MiB), so 4 MiB leaves room without letting a bad length
// announce gigabytes.
const DefaultMaxRecordSize = 4 << 20

// maxHeaderLen is the longest length line accepted: a uint64 has at most 20
// decimal digits.
const maxHeaderLen = 20

// ErrRecordTooLarge is wrapped by the *FormatError a Decoder returns when a
// record announces a length above its maximum record size.
var ErrRecordTooLarge = errors.New("record larger than the maximum record size")

// FormatError reports a stream that is not valid RecordIO. Offset is the byte
// offset in the stream where the bad length line starts.
type FormatError struct {
	Offset int64
	Header string // the offending length line, cut to a printable prefix
	Err    error  // ErrRecordTooLarge, or a description of the bad length
}

// Error names the bad length line and where it starts.
func (e *FormatError) Error() string {
	return fmt.Sprintf("recordio: bad record length %q at byte %d: %v", e.Header, e.Offset, e.Err)
}

// Unwrap gives the reason, such as ErrRecordTooLarge, to errors.Is.
func (e *FormatError) Unwrap() error { return e.Err }

// A Decoder reads records from a RecordIO stream.
type Decoder struct {
	r      *bufio.Reader
	max    int
	buf    []byte
	offset int64
	err    error
}

// NewDecoder returns a Decoder that reads from r, with DefaultMaxRecordSize.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: bufio.NewReaderSize(r, 32<<10), max: DefaultMaxRecordSize}
}

// SetMaxRecordSize sets the largest record the Decoder accepts. Call it
// before the first Next. Sizes below 1 are treated as 1.
func (d *Decoder) SetMaxRecordSize(n int) {
	d.max = max(n, 1)
}

// Next returns the next record. The returned slice is reused: it is only
// valid until the next call to Next.
//
// At the clean end of the stream, between two records, Next returns io.EOF.
// A stream that ends inside a length line or inside a record gives
// io.ErrUnexpectedEOF; a length that is not a decimal number, or is over the
// maximum record size, gives a *FormatError. Errors are sticky: once Next has
// failed it keeps returning the same error.
func (d *Decoder) Next() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	rec, err := d.next()
	if err != nil {
		d.err = err
		return nil, err
	}
	return rec, nil
}

func (d *Decoder) next() ([]byte, error) {
	start := d.offset
	var n uint64
	var hdr [maxHeaderLen + 1]byte
	digits := 0
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			if err == io.EOF && digits == 0 {
				return nil, io.EOF
			}
			if err == io.EOF {
				return nil, fmt.Errorf("recordio: stream ended inside a record length at byte %d: %w", d.offset, io.ErrUnexpectedEOF)
			}
			return nil, err
		}
		d.offset++
		if c == '\n' {
			break
		}
		hdr[digits] = c
		if c < '0' || c > '9' {
			return nil, &FormatError{Offset: start, Header: string(hdr[:digits+1]), Err: fmt.Errorf("unexpected byte %q, want a decimal digit or a newline", c)}
		}
		if digits == maxHeaderLen {
			return nil, &FormatError{Offset: start, Header: string(hdr[:digits+1]), Err: errors.New("more than 20 digits")}
		}
		if n < 1<<59 { // saturate instead of wrapping: 20 digits can overflow a uint64
			n = n*10 + uint64(c-'0')
		}
		digits++
	}
	if digits == 0 {
		return nil, &FormatError{Offset: start, Header: "", Err: errors.New("empty length")}
	}
	if n > uint64(d.max) {
		return nil, &FormatError{Offset: start, Header: fmt.Sprint(n), Err: fmt.Errorf("%w (%d bytes)", ErrRecordTooLarge, d.max)}
	}
	if cap(d.buf) < int(n) {
		d.buf = make([]byte, n)
	}
	rec := d.buf[:n]
	got, err := io.ReadFull(d.r, rec)
	d.offset += int64(got)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("recordio: stream ended after %d of %d bytes of a record: %w", got, n, io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	return rec, nil
}
