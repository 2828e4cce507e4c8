// Package recordio reads and writes RecordIO, the framing Mesos puts around
// every event of a streaming HTTP response (the scheduler SUBSCRIBE stream,
// the operator event stream).
//
// A record is its length in bytes, written in decimal, a newline, and then
// exactly that many bytes:
//
//	139\n{"type":"SUBSCRIBED",...}20\n{"type":"HEARTBEAT"}
//
// There is no newline after a record: the next length starts right after the
// last byte of the previous record. Record boundaries have nothing to do with
// HTTP chunk boundaries, so a Decoder reads bytes, not lines, and a record
// may arrive split across any number of reads.
//
// Reading:
//
//	dec := recordio.NewDecoder(resp.Body)
//	for {
//		rec, err := dec.Next()
//		if err != nil {
//			break // io.EOF at a clean end; a *FormatError or io.ErrUnexpectedEOF otherwise
//		}
//		handle(rec) // rec is only valid until the next call to Next
//	}
//
// A Decoder never allocates more than its maximum record size (4 MiB unless
// set with SetMaxRecordSize), whatever length a broken or hostile stream
// announces.
//
// Writing:
//
//	enc := recordio.NewEncoder(w)
//	err := enc.Encode([]byte(`{"type":"HEARTBEAT"}`))
package recordio
