package leader_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// register joins the group and withdraws after the test.
func register(t *testing.T, m leader.Master, info mesos.MasterInfo, cfg *leader.Config) *leader.Membership {
	t.Helper()
	r, err := leader.Register(t.Context(), m, info, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func leading(t *testing.T, r *leader.Membership) bool {
	t.Helper()
	ok, err := r.Leading(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestRegister(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t) + "/deeper" // parents are created as needed
	m := mustParse(t, s.URL(path))
	a := register(t, m, vagrantInfo("a"), nil)
	b := register(t, m, vagrantInfo("b"), nil)

	if !strings.HasPrefix(a.Node(), path+"/json.info_") || len(a.Node()) != len(path+"/json.info_0000000000") {
		t.Errorf("Node() = %s, want %s/json.info_ and 10 digits", a.Node(), path)
	}
	if !leading(t, a) || leading(t, b) {
		t.Errorf("a leads: %v, b leads: %v; want a only", leading(t, a), leading(t, b))
	}
	d := connect(t, m, nil)
	w := watch(t, d)
	got := nextLeader(t, w, 10*time.Second)
	if got.ID != "a" || got.HostPort() != "192.168.33.10:5050" || got.IPString() != "192.168.33.10" {
		t.Errorf("leader = %+v, want a's MasterInfo", got)
	}

	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Done():
	case <-time.After(5 * time.Second):
		t.Error("Done not closed after Close")
	}
	if got := nextLeader(t, w, 10*time.Second); got.ID != "b" {
		t.Errorf("after a withdrew: %s, want b", got.ID)
	}
	if !leading(t, b) {
		t.Error("b does not lead after a withdrew")
	}
	if _, err := a.Leading(t.Context()); !errors.Is(err, leader.ErrClosed) {
		t.Errorf("Leading after Close: %v, want ErrClosed", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestRegisterWithCredentials checks Mesos' ACL: everyone may read the
// nodes, only the same credentials may change them.
func TestRegisterWithCredentials(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	m := mustParse(t, "zk://mesos:s3cret@"+s.Addr+path)
	r := register(t, m, vagrantInfo("secure"), nil)

	for _, addr := range []string{s.URL(path), m.String()} {
		if strings.Contains(addr, "s3cret") {
			t.Fatalf("the address shows the password: %s", addr)
		}
	}
	anon, err := leader.Lookup(t.Context(), mustParse(t, s.URL(path)), nil)
	if err != nil || anon.ID != "secure" {
		t.Errorf("anonymous Lookup = %q, %v; want secure", anon.ID, err)
	}
	conn := dialZK(t, s.Addr, 10*time.Second)
	if err := conn.Delete(r.Node(), -1); !errors.Is(err, zk.ErrNoAuth) {
		t.Errorf("anonymous delete: %v, want zk.ErrNoAuth", err)
	}
	if !leading(t, r) {
		t.Error("the only member does not lead")
	}
}

// TestMembershipEndsWithSession starves a member's session until ZooKeeper
// expires it: the node goes, Done closes, Leading says so.
func TestMembershipEndsWithSession(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	p := newProxy(t, s.Addr)
	r := register(t, mustParse(t, "zk://"+p.addr()+path), vagrantInfo("doomed"), &leader.Config{SessionTimeout: time.Second})
	d := connect(t, mustParse(t, s.URL(path)), nil)
	w := watch(t, d)
	if got := nextLeader(t, w, 10*time.Second); got.ID != "doomed" {
		t.Fatalf("leader = %s, want doomed", got.ID)
	}

	p.cut()
	if r := next(t, w, 10*time.Second); !errors.Is(r.err, leader.ErrNoMaster) {
		t.Fatalf("after the session expired: %v, want ErrNoMaster", r.err)
	}
	p.restore() // the member learns of the expiry when it reconnects
	select {
	case <-r.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed after the session expired")
	}
	if _, err := r.Leading(t.Context()); !errors.Is(err, leader.ErrRegistrationLost) {
		t.Errorf("Leading: %v, want ErrRegistrationLost", err)
	}
}

func TestRegisterAccessDenied(t *testing.T) {
	t.Parallel()
	s := sharedZK(t)
	path := groupPath(t)
	conn := dialZK(t, s.Addr, 10*time.Second)
	ensurePath(t, conn, strings.TrimSuffix(path, "/mesos"))
	if _, err := conn.Create(path, nil, 0, append(zk.WorldACL(zk.PermRead), zk.DigestACL(zk.PermAll, "mesos", "s3cret")...)); err != nil {
		t.Fatal(err)
	}
	_, err := leader.Register(t.Context(), mustParse(t, s.URL(path)), vagrantInfo("intruder"), nil)
	if !errors.Is(err, leader.ErrAccessDenied) {
		t.Fatalf("Register without credentials: %v, want ErrAccessDenied", err)
	}
	register(t, mustParse(t, "zk://mesos:s3cret@"+s.Addr+path), vagrantInfo("member"), nil)
}
