// Package leader finds the leading Mesos master, from an address in any of
// the forms Mesos accepts, and follows it through ZooKeeper.
//
// # Addresses
//
// Parse reads what a user would pass as --master or MESOS_MASTER:
//
//	m, err := leader.Parse("zk://zk1:2181,zk2:2181/mesos")
//	// or "http://10.0.0.5:5050", "10.0.0.5:5050",
//	// or "zk://user:password@zk1:2181/mesos"
//
// An http or https address names one master; m.URL() is its base URL and
// there is nothing to discover (a non-leader answers with a 307 redirect to
// the leader). A zk:// address names the ZooKeeper group where masters
// register; the leader is found there. A Master prints with its password
// replaced by "xxxxx", and no error of this package contains it.
//
// # Finding the leader
//
// Each master creates an ephemeral sequential node in the group, such as
// /mesos/json.info_0000000003, holding its MasterInfo as JSON; the lowest
// sequence number leads. Legacy binary info_ nodes (masters older than
// Mesos 0.24) and other children such as log_replicas are skipped.
//
//	d, err := leader.Connect(ctx, m, nil) // nil: default timeouts, no logging
//	if err != nil {
//		return err // errors.Is(err, leader.ErrUnreachable) when ZooKeeper is down
//	}
//	defer d.Close()
//	info, err := d.Leader(ctx)
//	url := "http://" + info.HostPort()
//
// info.HostPort prefers address.ip and decodes the legacy ip field (see
// mesos.MasterInfo.IPString for its byte order). A Detector keeps its
// ZooKeeper session open, so asking again is cheap: two round trips.
// Lookup does Connect, Leader and Close in one call.
//
// # Following leader changes
//
// Watch yields the current leader, then each new one:
//
//	for info, err := range d.Watch(ctx) {
//		if err != nil {
//			log.Print(err) // no leader right now (ErrNoMaster, ErrUnreachable...); keep watching
//			continue
//		}
//		log.Printf("leader: %s", info.HostPort())
//	}
//
// Errors are states, not the end: the loop goes on until ctx is done or the
// Detector is closed. Watch re-arms ZooKeeper's one-shot watches and reads
// the group again after every reconnect, so it survives a dropped
// connection, an expired session and a ZooKeeper restart.
//
// # Errors
//
// Errors say what was being done where, and wrap a sentinel for each
// situation a caller may want to handle with errors.Is: ErrInvalidMaster,
// ErrUnreachable (no session within Config.ConnectTimeout; go-zookeeper on
// its own would retry forever), ErrNoPath, ErrNoMaster, ErrBadNode (the
// leader's node is not a usable MasterInfo), ErrAccessDenied,
// ErrRegistrationLost and ErrClosed. A cancelled ctx gives ctx.Err().
//
// # Registering a master
//
// Register joins a group the way a Mesos master does, for stand-in masters
// and tests:
//
//	r, err := leader.Register(ctx, m, info, nil)
//	leading, err := r.Leading(ctx)
//	<-r.Done()   // the session expired: the node is gone
//	r.Close()    // withdraw: delete the node, end the session
//
// To learn when it becomes leader, a member watches the group with a
// Detector and compares the leader's ID with its own.
//
// # Logging
//
// go-zookeeper logs connects, reconnects and failures on stderr by
// default. This package sends them to Config.Logger instead, and discards
// them when that is nil.
package leader
