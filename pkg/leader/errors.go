package leader

import "errors"

// Errors a caller can branch on with errors.Is. The errors of this package
// wrap the one that fits, adding what was being done and where.
var (
	// ErrInvalidMaster means an address could not be parsed; the message
	// says which forms are accepted.
	ErrInvalidMaster = errors.New("leader: invalid master address")
	// ErrUnreachable means no ZooKeeper session could be had within the
	// connect timeout: wrong address, server down, or network trouble.
	ErrUnreachable = errors.New("leader: ZooKeeper unreachable")
	// ErrNoPath means the group path (such as /mesos) does not exist in
	// ZooKeeper: a wrong path, or no master has ever started there.
	ErrNoPath = errors.New("leader: ZooKeeper path missing")
	// ErrNoMaster means the group path exists but holds no json.info_
	// node: no master is running, or the last one just went away.
	ErrNoMaster = errors.New("leader: no master registered")
	// ErrBadNode means the leader's node holds something that is not a
	// usable MasterInfo JSON.
	ErrBadNode = errors.New("leader: unparsable master node")
	// ErrAccessDenied means ZooKeeper refused the operation: the node's
	// ACL requires credentials that were not given, or other ones.
	ErrAccessDenied = errors.New("leader: ZooKeeper access denied")
	// ErrRegistrationLost means a Membership's node is gone: its ZooKeeper
	// session expired (a Mesos master aborts in that case) or someone
	// deleted the node.
	ErrRegistrationLost = errors.New("leader: registration lost")
	// ErrClosed means the Detector or Membership was closed.
	ErrClosed = errors.New("leader: closed")
)
