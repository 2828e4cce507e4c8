package leader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Config tunes how a Detector or Membership talks to ZooKeeper. A nil
// *Config, like the zero value, means the defaults.
type Config struct {
	// ConnectTimeout bounds the wait for a ZooKeeper session in Connect,
	// Register and Detector.Leader, and is how long Watch waits for a
	// lost connection to come back before it reports ErrUnreachable.
	// Default 5s. (go-zookeeper itself retries forever.)
	ConnectTimeout time.Duration
	// SessionTimeout is the ZooKeeper session timeout: how long the server
	// keeps a silent client's session, and with it a Membership's node.
	// Default 10s, the default of a Mesos master's --zk_session_timeout.
	SessionTimeout time.Duration
	// Logger receives the ZooKeeper client's messages (connects,
	// reconnects, failures) at Info level. Nil discards them; go-zookeeper
	// would otherwise print them on stderr.
	Logger *slog.Logger
}

const (
	defaultConnectTimeout = 5 * time.Second
	defaultSessionTimeout = 10 * time.Second
	// masterLabel and legacyLabel name a master's node: "<label>_<seq>".
	masterLabel = "json.info"
	legacyLabel = "info"
)

// session is one ZooKeeper session (a go-zookeeper Conn) plus what the
// client does not offer: knowing its state without reading its event
// channel, waiting for a session with a deadline, and errors in this
// package's terms.
type session struct {
	master         Master
	conn           *zk.Conn
	connectTimeout time.Duration

	mu      sync.Mutex
	state   zk.State
	changed chan struct{} // closed and replaced at every state change

	expired   chan struct{} // closed when the server expires the session
	closed    chan struct{} // closed by close
	closeOnce sync.Once
	lastErr   atomic.Value // string: the last connection failure go-zookeeper logged
}

// dial opens a session to m's servers and waits up to the connect timeout
// for it, then authenticates when m carries credentials.
func dial(ctx context.Context, m Master, cfg *Config) (*session, error) {
	if !m.IsZooKeeper() {
		return nil, fmt.Errorf("%w: %s is not a zk:// address; an HTTP master needs no discovery", ErrInvalidMaster, m)
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = defaultConnectTimeout
	}
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = defaultSessionTimeout
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &session{
		master:         m,
		connectTimeout: c.ConnectTimeout,
		changed:        make(chan struct{}),
		expired:        make(chan struct{}),
		closed:         make(chan struct{}),
	}
	conn, _, err := zk.Connect(m.Hosts, c.SessionTimeout,
		zk.WithLogger(zkLogger{s: s, log: logger.With("zookeeper", m.String())}),
		zk.WithEventCallback(s.onEvent))
	if err != nil {
		// Only a server list that does not resolve fails here.
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreachable, m, err)
	}
	s.conn = conn
	if err := s.awaitSession(ctx, c.ConnectTimeout); err != nil {
		// go-zookeeper's Close waits a second for the server to confirm;
		// a server that never answered will not, and the caller should
		// not wait for that.
		go s.close()
		return nil, err
	}
	if m.User != "" {
		// The digest scheme accepts any user:password; what it grants is
		// decided by each node's ACL. go-zookeeper re-sends it after a
		// reconnect.
		_, err := call(ctx, s, func() (struct{}, error) {
			return struct{}{}, conn.AddAuth("digest", []byte(m.User+":"+m.Password))
		})
		if err != nil {
			err = s.wrap("authenticate to", "", err) // before close, which would make it ErrClosed
			s.close()
			return nil, err
		}
	}
	return s, nil
}

// onEvent is go-zookeeper's event callback. It must not block.
func (s *session) onEvent(ev zk.Event) {
	if ev.Type != zk.EventSession {
		return
	}
	s.mu.Lock()
	s.state = ev.State
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	if ev.State == zk.StateExpired {
		select {
		case <-s.expired:
		default:
			close(s.expired)
		}
	}
}

// status returns the session state and a channel closed at its next change.
func (s *session) status() (zk.State, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.changed
}

// awaitSession waits until the connection has a session; timeout <= 0
// waits without limit.
func (s *session) awaitSession(ctx context.Context, timeout time.Duration) error {
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	for {
		state, changed := s.status()
		if state == zk.StateHasSession {
			return nil
		}
		select {
		case <-changed:
		case <-expire:
			if last, _ := s.lastErr.Load().(string); last != "" {
				return fmt.Errorf("%w: no session with %s within %v (last: %s)", ErrUnreachable, s.master, timeout, last)
			}
			return fmt.Errorf("%w: no session with %s within %v", ErrUnreachable, s.master, timeout)
		case <-ctx.Done():
			return s.wrap("wait for a session with", "", ctx.Err())
		case <-s.closed:
			return s.wrap("wait for a session with", "", ErrClosed)
		}
	}
}

func (s *session) close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.conn.Close()
	})
}

func (s *session) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// call runs one go-zookeeper request, which takes no context, so that ctx
// can end the wait. The request itself ends on its own: go-zookeeper fails
// queued requests at every reconnect attempt and in-flight ones when the
// connection drops.
func call[T any](ctx context.Context, s *session, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	case <-s.closed:
		var zero T
		return zero, ErrClosed
	}
}

// wrap turns a go-zookeeper error into one of this package's, saying what
// was being done (op) on which node.
func (s *session) wrap(op, path string, err error) error {
	where := s.master.String()
	if path != "" {
		where = path + " on " + where
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrClosed), s.isClosed():
		return fmt.Errorf("%w: %s %s", ErrClosed, op, where)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("leader: %s %s: %w", op, where, err)
	case errors.Is(err, zk.ErrNoNode):
		return fmt.Errorf("%w: %s %s", ErrNoPath, op, where)
	case errors.Is(err, zk.ErrNoAuth):
		return fmt.Errorf("%w: %s %s", ErrAccessDenied, op, where)
	case errors.Is(err, zk.ErrNoServer), errors.Is(err, zk.ErrConnectionClosed),
		errors.Is(err, zk.ErrSessionExpired), errors.Is(err, zk.ErrClosing),
		errors.Is(err, zk.ErrSessionMoved):
		return fmt.Errorf("%w: %s %s: %v", ErrUnreachable, op, where, err)
	default:
		return fmt.Errorf("leader: %s %s: %w", op, where, err)
	}
}

// node is a master's znode as read from ZooKeeper.
type node struct {
	name string // such as json.info_0000000003
	data []byte
	info mesos.MasterInfo
}

// readLeader lists the group and reads the leader's node. With watch, it
// also returns a channel that fires at the next change that can alter the
// answer: a child added or removed, or the path created. The channel may
// be nil when the read failed before a watch could be set.
func (s *session) readLeader(ctx context.Context, watch bool) (node, <-chan zk.Event, error) {
	path := s.master.Path
	// The leader's node can vanish between listing and reading it; a few
	// retries see the group settle.
	for range 5 {
		type listing struct {
			children []string
			events   <-chan zk.Event
		}
		l, err := call(ctx, s, func() (listing, error) {
			if watch {
				children, _, events, err := s.conn.ChildrenW(path)
				return listing{children, events}, err
			}
			children, _, err := s.conn.Children(path)
			return listing{children: children}, err
		})
		if errors.Is(err, zk.ErrNoNode) {
			if !watch {
				return node{}, nil, s.wrap("list", path, err)
			}
			type existence struct {
				ok     bool
				events <-chan zk.Event
			}
			e, err := call(ctx, s, func() (existence, error) {
				ok, _, events, err := s.conn.ExistsW(path)
				return existence{ok, events}, err
			})
			if err != nil {
				return node{}, nil, s.wrap("watch", path, err)
			}
			if e.ok {
				continue // created in the meantime
			}
			return node{}, e.events, s.wrap("list", path, zk.ErrNoNode)
		}
		if err != nil {
			return node{}, nil, s.wrap("list", path, err)
		}
		name, legacy := lowest(l.children)
		if name == "" {
			err := fmt.Errorf("%w: no %s_ node in %s on %s", ErrNoMaster, masterLabel, path, s.master)
			if legacy > 0 {
				err = fmt.Errorf("%w (%d legacy binary %s_ nodes skipped: masters older than Mesos 0.24)", err, legacy, legacyLabel)
			}
			return node{}, l.events, err
		}
		full := path + "/" + name
		data, err := call(ctx, s, func() ([]byte, error) {
			data, _, err := s.conn.Get(full)
			return data, err
		})
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			return node{}, l.events, s.wrap("read", full, err)
		}
		info, err := decodeInfo(data)
		if err != nil {
			return node{}, l.events, fmt.Errorf("%w: %s on %s: %v", ErrBadNode, full, s.master, err)
		}
		return node{name: name, data: data, info: info}, l.events, nil
	}
	return node{}, nil, fmt.Errorf("%w: %s on %s: the leader's node kept vanishing while being read", ErrUnreachable, path, s.master)
}

// lowest returns the child with the lowest json.info_ sequence number, and
// how many legacy info_ children it skipped. Other children, such as the
// registry's log_replicas, are no masters.
func lowest(children []string) (name string, legacy int) {
	best := int64(-1)
	for _, c := range children {
		if _, ok := sequence(c, legacyLabel); ok {
			legacy++
			continue
		}
		seq, ok := sequence(c, masterLabel)
		if ok && (best < 0 || seq < best) {
			best, name = seq, c
		}
	}
	return name, legacy
}

// sequence reads the number in "<label>_<digits>".
func sequence(name, label string) (int64, bool) {
	digits, ok := strings.CutPrefix(name, label+"_")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil
}

// decodeInfo decodes a json.info_ node and checks that it says where the
// master is.
func decodeInfo(data []byte) (mesos.MasterInfo, error) {
	var info mesos.MasterInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return mesos.MasterInfo{}, fmt.Errorf("decode MasterInfo JSON: %w", err)
	}
	a := info.Address
	hasAddress := a != nil && a.Port != 0 && (a.IP != "" || a.Hostname != "")
	hasLegacy := info.Port != 0 && (info.IP != 0 || info.Hostname != "")
	if !hasAddress && !hasLegacy {
		return mesos.MasterInfo{}, errors.New("MasterInfo has no address (address.ip or address.hostname with address.port, or ip and port)")
	}
	return info, nil
}

// zkLogger hands go-zookeeper's messages to slog, and remembers the last
// connection failure for the unreachable error.
type zkLogger struct {
	s   *session
	log *slog.Logger
}

// Printf implements zk.Logger.
func (l zkLogger) Printf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if strings.HasPrefix(msg, "failed to connect") {
		l.s.lastErr.Store(msg)
	}
	l.log.Info(msg)
}
