package recordio

import (
	"io"
	"strconv"
)

// An Encoder writes records to a RecordIO stream.
type Encoder struct {
	w   io.Writer
	buf []byte
}

// NewEncoder returns an Encoder that writes to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// Encode writes one record: its length, a newline and the bytes, in a single
// Write so that a flushed HTTP response carries whole records.
func (e *Encoder) Encode(record []byte) error {
	e.buf = Append(e.buf[:0], record)
	_, err := e.w.Write(e.buf)
	return err
}

// Append appends the framed record to dst and returns the extended slice.
func Append(dst, record []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(record)), 10)
	dst = append(dst, '\n')
	return append(dst, record...)
}
