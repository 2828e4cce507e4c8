package localmesos_test

// Leader election through a real ZooKeeper (zktest): two stand-ins on one
// path, as two Mesos masters would be. Without ZooKeeper installed these
// tests skip, or fail when CI is set.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/go-zookeeper/zk"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// startZK starts one stand-in registered at the ZooKeeper URL.
func startZK(t *testing.T, zkURL string) *localmesos.Server {
	t.Helper()
	return start(t, func(c *localmesos.Config) { c.ZK = zkURL })
}

// zkChildren lists the group's nodes with their data.
func zkChildren(t *testing.T, zs *zktest.Server, path string) map[string]string {
	t.Helper()
	conn, _, err := zk.Connect([]string{zs.Addr}, 5*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	children, _, err := conn.Children(path)
	if err != nil {
		t.Fatalf("list %s: %v", path, err)
	}
	out := map[string]string{}
	for _, c := range children {
		data, _, err := conn.Get(path + "/" + c)
		if err != nil {
			t.Fatalf("read %s/%s: %v", path, c, err)
		}
		out[c] = string(data)
	}
	return out
}

func hostPort(srv *localmesos.Server) string { return strings.TrimPrefix(srv.URL, "http://") }

// Exactly one of two stand-ins leads; the other sends everyone to it with
// Mesos' protocol-relative 307, and both name it at /redirect. The nodes
// hold MasterInfo as Mesos writes it there: sorted keys, the ip quirk.
func TestZooKeeper_OneLeads(t *testing.T) {
	t.Parallel()
	zs := zktest.Start(t)
	const path = "/mesos/one-leads"
	a := startZK(t, zs.URL(path))
	b := startZK(t, zs.URL(path))
	testenv.Eventually(t, 10*time.Second, "b follows a", func() bool {
		return do(t, http.MethodGet, b.URL+"/redirect", nil, "").header.Get("Location") == "//"+hostPort(a)
	})
	if !a.Leading() || b.Leading() {
		t.Fatalf("a leading %v, b leading %v: want a only", a.Leading(), b.Leading())
	}

	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/api/v1/scheduler", subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n"})},
		{http.MethodPost, "/master/api/v1/scheduler", subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n"})},
		{http.MethodPost, "/api/v1", `{"type":"GET_HEALTH"}`},
		{http.MethodGet, "/state", ""},
		{http.MethodGet, "/master/state?jsonp=cb", ""},
	} {
		got := do(t, c.method, b.URL+c.path, jsonHeaders(), c.body)
		if want := "//" + hostPort(a) + c.path; got.code != http.StatusTemporaryRedirect || got.header.Get("Location") != want {
			t.Fatalf("%s %s on the follower: %d Location %q, want 307 %q", c.method, c.path, got.code, got.header.Get("Location"), want)
		}
	}
	for _, srv := range []*localmesos.Server{a, b} {
		if got := do(t, http.MethodGet, srv.URL+"/master/redirect", nil, ""); got.code != http.StatusTemporaryRedirect || got.header.Get("Location") != "//"+hostPort(a) {
			t.Fatalf("%s/master/redirect: %d %q", srv.URL, got.code, got.header.Get("Location"))
		}
	}
	// The client follows the redirect to the leader.
	f := subscribe(t, b, mesos.FrameworkInfo{})
	if f.sub.Master != a.URL {
		t.Fatalf("subscribed at %s, want the leader %s", f.sub.Master, a.URL)
	}

	nodes := zkChildren(t, zs, path)
	if len(nodes) != 2 {
		t.Fatalf("nodes %v, want two json.info_ nodes", nodes)
	}
	port := strings.TrimPrefix(a.URL, "http://127.0.0.1:")
	want := `{"address":{"hostname":"127.0.0.1","ip":"127.0.0.1","port":` + port + `},"capabilities":[{"type":"AGENT_UPDATE"},{"type":"AGENT_DRAINING"},{"type":"QUOTA_V2"}],"hostname":"127.0.0.1","id":"` +
		a.ID() + `","ip":16777343,"pid":"master@127.0.0.1:` + port + `","port":` + port + `,"version":"1.11.0"}`
	if got := nodes["json.info_0000000000"]; got != want {
		t.Fatalf("leader's node:\n got %s\nwant %s", got, want)
	}
}

// The failover demo: the leader goes away, its node with it, the other
// stand-in leads, and a framework subscribed through zk:// re-subscribes
// there with its id.
func TestZooKeeper_Failover(t *testing.T) {
	t.Parallel()
	zs := zktest.Start(t)
	const path = "/mesos/failover"
	a := startZK(t, zs.URL(path))
	b := startZK(t, zs.URL(path))
	testenv.Eventually(t, 10*time.Second, "b follows a", func() bool {
		return do(t, http.MethodGet, b.URL+"/redirect", nil, "").code == http.StatusTemporaryRedirect
	})

	cfg := scheduler.Config{Master: zs.URL(path)}
	f, err := subscribeWith(t, cfg, mesos.FrameworkInfo{FailoverTimeout: 3600})
	if err != nil {
		t.Fatal(err)
	}
	if f.sub.Master != a.URL {
		t.Fatalf("subscribed at %s, want %s", f.sub.Master, a.URL)
	}
	f.offer()

	a.Close()
	if err := f.ended(); err == nil {
		t.Fatal("stream of the closed leader did not end")
	}
	if nodes := zkChildren(t, zs, path); len(nodes) != 1 || nodes["json.info_0000000001"] == "" {
		t.Fatalf("nodes after the leader closed: %v", nodes)
	}
	testenv.Eventually(t, 10*time.Second, "b leads", b.Leading)

	g, err := subscribeWith(t, cfg, f.resubscribeInfo(mesos.FrameworkInfo{FailoverTimeout: 3600}))
	if err != nil {
		t.Fatal(err)
	}
	if g.sub.Master != b.URL || g.id() != f.id() {
		t.Fatalf("re-subscribed at %s as %s, want %s as %s", g.sub.Master, g.id().Value, b.URL, f.id().Value)
	}
	if offer := g.offer(); !strings.HasPrefix(offer.AgentID.Value, b.ID()) {
		t.Fatalf("offer from agent %s, want one of %s", offer.AgentID.Value, b.ID())
	}
}

// While no leader is known (ZooKeeper is gone), the stand-ins answer 503
// "No leader elected"; when it is back, the leader leads again.
func TestZooKeeper_NoLeader(t *testing.T) {
	t.Parallel()
	zs := zktest.Start(t)
	const path = "/mesos/no-leader"
	a := startZK(t, zs.URL(path))
	b := startZK(t, zs.URL(path))
	testenv.Eventually(t, 10*time.Second, "b follows a", func() bool {
		return do(t, http.MethodGet, b.URL+"/redirect", nil, "").code == http.StatusTemporaryRedirect
	})

	zs.Stop()
	for _, srv := range []*localmesos.Server{a, b} {
		deadline := time.Now().Add(15 * time.Second)
		for {
			got := do(t, http.MethodPost, srv.URL+"/api/v1/scheduler", jsonHeaders(), subscribeCall(mesos.FrameworkInfo{User: "u", Name: "n"}))
			if got.code == http.StatusServiceUnavailable {
				got.want(t, http.StatusServiceUnavailable, "No leader elected")
				do(t, http.MethodGet, srv.URL+"/redirect", nil, "").want(t, http.StatusServiceUnavailable, "No leader elected")
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s still answers %d %q without ZooKeeper", srv.URL, got.code, got.body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := zs.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	// If ZooKeeper was down longer than the sessions last, both register
	// again and either may lead.
	testenv.Eventually(t, 40*time.Second, "one of them leads again", func() bool { return a.Leading() != b.Leading() })
	leading, following := a, b
	if b.Leading() {
		leading, following = b, a
	}
	testenv.Eventually(t, 20*time.Second, "the other follows", func() bool {
		return do(t, http.MethodGet, following.URL+"/redirect", nil, "").header.Get("Location") == "//"+hostPort(leading)
	})
	f, err := trySubscribe(t, following.URL, mesos.FrameworkInfo{})
	if err != nil {
		var se *scheduler.Error
		if errors.As(err, &se) {
			t.Fatalf("subscribe after ZooKeeper came back: %d %s", se.StatusCode, se.Body)
		}
		t.Fatal(err)
	}
	if f.sub.Master != leading.URL {
		t.Fatalf("subscribed at %s, want %s", f.sub.Master, leading.URL)
	}
}
