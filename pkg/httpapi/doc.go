// Package httpapi is the HTTP plumbing the scheduler and operator clients
// share: one Conn per cluster that sends each request to the leading
// master, follows Mesos' 307 redirects and remembers where they led,
// retries 503 with bounded backoff, adds basic auth and trusts a custom CA,
// and turns any other non-2xx answer into an *Error carrying Mesos'
// message.
//
// Most programs never use it directly: scheduler.New and operator.New build
// a Conn from a Config, and their errors are this package's *Error.
//
// Streams (SUBSCRIBE answers) are read with a Stream, which frames records
// with RecordIO and has a watchdog: if no record arrives within its idle
// timeout, typically five heartbeat intervals, the connection is closed and
// the stream ends with ErrHeartbeatTimeout.
package httpapi
