// Package httpapi is the HTTP plumbing the scheduler and operator clients
// share: one Client per cluster, two resty clients configured once with
// the whole policy of talking to Mesos (client.go is short; read it):
//
//   - a request for a path goes to the master believed to lead: the one
//     configured, or the one ZooKeeper names for a zk:// master;
//   - a 307 from a master that does not lead is followed with the body and
//     the credentials, and the leader it names is remembered;
//   - 503 (no leader elected yet, or it is still recovering) is retried
//     with bounded backoff, and so is a ZooKeeper-found leader that stopped
//     answering, after looking it up again; a fixed master that refuses
//     connections is reported at once;
//   - basic auth (MESOS_PRINCIPAL, MESOS_SECRET) and a CA file
//     (MESOS_CA_FILE) apply to every request.
//
// A caller builds each request in plain sight and checks its answer:
//
//	resp, err := c.R(ctx).
//		SetHeader("Content-Type", "application/json").
//		SetHeader("Mesos-Stream-Id", streamID).
//		SetBody(body).
//		Post("/api/v1/scheduler")
//	err = httpapi.Check("KILL", resp, err, http.StatusAccepted)
//
// Check turns any other answer into an *Error carrying Mesos' message.
//
// Streams (SUBSCRIBE answers) start with Client.Stream and are read with a
// Stream, which frames records with RecordIO and has a watchdog: if no
// record arrives within its idle timeout, typically five heartbeat
// intervals, the connection is closed and the stream ends with
// ErrHeartbeatTimeout.
package httpapi
