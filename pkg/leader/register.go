package leader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/go-zookeeper/zk"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Membership is a master's place in a ZooKeeper group, as a Mesos master
// holds it: an ephemeral sequential json.info_ node carrying its
// MasterInfo as JSON, owned by a ZooKeeper session of its own. The member
// with the lowest sequence number leads. The node disappears when the
// Membership is closed, and also when its session expires (a Mesos master
// aborts then; Done tells when).
type Membership struct {
	sess *session
	node string // full path, such as /mesos/json.info_0000000003
	done chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Register joins the group at m (a zk:// address) as a master described by
// info: it opens a new ZooKeeper session, creates the group path if needed,
// and creates an ephemeral sequential node "json.info_" under it.
//
// Like Mesos, with credentials in m the nodes it creates are readable by
// everyone and writable only by those credentials; without, open to all.
func Register(ctx context.Context, m Master, info mesos.MasterInfo, cfg *Config) (*Membership, error) {
	data, err := sortedJSON(info)
	if err != nil {
		return nil, fmt.Errorf("leader: encode MasterInfo: %w", err)
	}
	s, err := dial(ctx, m, cfg)
	if err != nil {
		return nil, err
	}
	acl := zk.WorldACL(zk.PermAll)
	if m.User != "" {
		acl = append(zk.WorldACL(zk.PermRead), zk.AuthACL(zk.PermAll)...)
	}
	if err := createParents(ctx, s, m.Path, acl); err != nil {
		s.close()
		return nil, err
	}
	prefix := m.Path + "/" + masterLabel + "_"
	node, err := call(ctx, s, func() (string, error) {
		return s.conn.Create(prefix, data, zk.FlagEphemeralSequential, acl)
	})
	if err != nil {
		err = s.wrap("create", prefix, err) // before close, which would make it ErrClosed
		s.close()
		return nil, err
	}
	r := &Membership{sess: s, node: node, done: make(chan struct{})}
	go r.watchExpiry()
	return r, nil
}

// createParents creates each missing node of path, as persistent nodes.
func createParents(ctx context.Context, s *session, path string, acl []zk.ACL) error {
	for i := 1; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		p := path[:i]
		_, err := call(ctx, s, func() (string, error) {
			return s.conn.Create(p, nil, zk.FlagPersistent, acl)
		})
		if err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return s.wrap("create", p, err)
		}
	}
	return nil
}

// watchExpiry ends the Membership when its session expires: the node is
// gone with it, and go-zookeeper would otherwise quietly open a new,
// memberless session.
func (r *Membership) watchExpiry() {
	select {
	case <-r.sess.expired:
		r.sess.close()
	case <-r.sess.closed:
	}
	close(r.done)
}

// Node returns the full path of the member's node, such as
// "/mesos/json.info_0000000003".
func (r *Membership) Node() string { return r.node }

// Done returns a channel that is closed when the membership has ended:
// by Close, or because the ZooKeeper session expired.
func (r *Membership) Done() <-chan struct{} { return r.done }

// Leading reports whether this member leads now, that is whether its node
// has the lowest json.info_ sequence number in the group. It asks
// ZooKeeper (one round trip). The error wraps ErrRegistrationLost when the
// node is gone, ErrClosed after Close, or ErrUnreachable.
func (r *Membership) Leading(ctx context.Context) (bool, error) {
	s := r.sess
	select {
	case <-s.expired:
		return false, fmt.Errorf("%w: the ZooKeeper session of %s expired", ErrRegistrationLost, r.node)
	default:
	}
	if err := s.awaitSession(ctx, s.connectTimeout); err != nil {
		return false, err
	}
	path := s.master.Path
	children, err := call(ctx, s, func() ([]string, error) {
		children, _, err := s.conn.Children(path)
		return children, err
	})
	if err != nil {
		return false, s.wrap("list", path, err)
	}
	own := strings.TrimPrefix(r.node, path+"/")
	if !slices.Contains(children, own) {
		return false, fmt.Errorf("%w: %s is no longer in %s", ErrRegistrationLost, r.node, s.master)
	}
	leader, _ := lowest(children)
	return leader == own, nil
}

// Close withdraws from the group: it deletes the node, so that the next
// member takes over at once, and ends the session. Closing again does
// nothing. The error reports a node that could not be deleted; it goes
// anyway when the session ends.
func (r *Membership) Close() error {
	r.closeOnce.Do(func() {
		s := r.sess
		if !s.isClosed() {
			ctx, cancel := context.WithTimeout(context.Background(), s.connectTimeout)
			_, err := call(ctx, s, func() (struct{}, error) {
				return struct{}{}, s.conn.Delete(r.node, -1)
			})
			cancel()
			if err != nil && !errors.Is(err, zk.ErrNoNode) {
				r.closeErr = s.wrap("delete", r.node, err)
			}
		}
		s.close()
	})
	return r.closeErr
}

// sortedJSON encodes v with object keys sorted at every level, as Mesos
// writes the node (through a JSON::Object, a std::map).
func sortedJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(generic) // maps marshal with sorted keys
}
