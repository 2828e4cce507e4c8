package leader

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Detector finds the leading master of a ZooKeeper group and follows it.
// It holds one ZooKeeper session, which go-zookeeper keeps alive and
// reconnects; Leader and Watch may be called any number of times, also
// concurrently. Close it when done.
type Detector struct {
	sess *session
}

// Connect opens a ZooKeeper session to the servers of m, a zk:// address,
// waiting at most cfg.ConnectTimeout (default 5s) for it: an unreachable
// ZooKeeper gives ErrUnreachable, not a hang. It does not look at the
// group yet, so a missing path or an empty group is reported by Leader and
// Watch, which may outlive both.
func Connect(ctx context.Context, m Master, cfg *Config) (*Detector, error) {
	s, err := dial(ctx, m, cfg)
	if err != nil {
		return nil, err
	}
	return &Detector{sess: s}, nil
}

// Lookup returns the current leader of the group at m in one call:
// Connect, Leader, Close. Use a Detector to ask more than once.
func Lookup(ctx context.Context, m Master, cfg *Config) (mesos.MasterInfo, error) {
	d, err := Connect(ctx, m, cfg)
	if err != nil {
		return mesos.MasterInfo{}, err
	}
	defer d.Close()
	return d.Leader(ctx)
}

// Master returns the address the Detector watches.
func (d *Detector) Master() Master { return d.sess.master }

// Leader reads the current leader from ZooKeeper: it lists the group and
// reads the node with the lowest json.info_ sequence number. On an open
// session that is two round trips. If the connection is down it waits for
// it up to the connect timeout.
//
// The error wraps ErrNoPath, ErrNoMaster, ErrBadNode, ErrAccessDenied,
// ErrUnreachable or ErrClosed.
func (d *Detector) Leader(ctx context.Context) (mesos.MasterInfo, error) {
	deadline := time.Now().Add(d.sess.connectTimeout)
	for {
		if err := d.sess.awaitSession(ctx, time.Until(deadline)); err != nil {
			return mesos.MasterInfo{}, err
		}
		n, _, err := d.sess.readLeader(ctx, false)
		if !errors.Is(err, ErrUnreachable) || time.Now().After(deadline) {
			return n.info, err
		}
		// The connection dropped under the read: go round, which waits
		// for the reconnect. The pause keeps this from spinning while the
		// client has not noticed yet.
		if err := pause(ctx, d.sess, 50*time.Millisecond); err != nil {
			return mesos.MasterInfo{}, err
		}
	}
}

// Watch follows the leadership of the group. The first value is the
// current state; after that a value comes each time the state changes, as
// ZooKeeper's watches report it:
//
//   - (leader, nil): a master leads; a new value means a new leader.
//   - (zero, err): nobody can be named leader right now. err wraps
//     ErrNoMaster (the group is empty), ErrNoPath, ErrBadNode,
//     ErrAccessDenied, or ErrUnreachable (the connection has been down for
//     longer than the connect timeout).
//
// Errors describe a state, not the end of the sequence: Watch carries on
// and reports the next leader when there is one. It re-arms ZooKeeper's
// one-shot watches after every event, and re-reads the group after every
// reconnect, so it survives a dropped connection, an expired session and
// a restarted ZooKeeper. The sequence ends only when ctx is done, the
// Detector is closed, or the loop body breaks; break at the first error to
// treat errors as fatal.
//
// Leadership can change again before the caller sees a value, so a master
// named here may already have lost it: a request to it then gets Mesos'
// 307 redirect or 503, which the caller should be ready for anyway.
func (d *Detector) Watch(ctx context.Context) iter.Seq2[mesos.MasterInfo, error] {
	return func(yield func(mesos.MasterInfo, error) bool) {
		s := d.sess
		last := "" // the state the caller was last told, to skip repeats
		report := func(n node, err error) bool {
			state := "leader " + n.name + " " + string(n.data)
			if err != nil {
				state = "error " + err.Error()
			}
			if state == last {
				return true
			}
			last = state
			return yield(n.info, err)
		}
		for {
			err := s.awaitSession(ctx, s.connectTimeout)
			if errors.Is(err, ErrUnreachable) {
				if !report(node{}, err) {
					return
				}
				err = s.awaitSession(ctx, 0)
			}
			if err != nil {
				return // ctx is done or the Detector closed
			}
			// Taken before the read, so a reconnect during it is not missed.
			_, sessionChanged := s.status()
			n, changed, err := s.readLeader(ctx, true)
			if ctx.Err() != nil || s.isClosed() {
				return
			}
			if errors.Is(err, ErrUnreachable) {
				// The connection dropped under the read: wait for the
				// reconnect rather than report a blip.
				if pause(ctx, s, 50*time.Millisecond) != nil {
					return
				}
				continue
			}
			if !report(n, err) {
				return
			}
			if !waitChange(ctx, s, changed, sessionChanged) {
				return
			}
		}
	}
}

// waitChange waits for a ZooKeeper watch event or a change of the session
// state, and reports false when ctx is done or the session closed.
func waitChange(ctx context.Context, s *session, changed <-chan zk.Event, sessionChanged <-chan struct{}) bool {
	select {
	case <-changed:
		// A child event, or EventNotWatching after an expired session:
		// either way the group must be read again.
		return true
	case <-sessionChanged:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	}
}

// pause sleeps for d unless ctx is done or the session closed first.
func pause(ctx context.Context, s *session, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return s.wrap("retry on", "", ctx.Err())
	case <-s.closed:
		return s.wrap("retry on", "", ErrClosed)
	}
}

// Close ends the Detector's ZooKeeper session. Running Watch loops end,
// and later calls return ErrClosed. It always returns nil; the error is
// there for io.Closer.
func (d *Detector) Close() error {
	d.sess.close()
	return nil
}
