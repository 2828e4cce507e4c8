package leader_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mesosnb/mesosnb/pkg/leader"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in     string
		want   leader.Master
		url    string // want URL()
		string string // want String()
	}{
		{
			in:     "http://10.0.0.5:5050",
			want:   leader.Master{Scheme: "http", Hosts: []string{"10.0.0.5:5050"}},
			url:    "http://10.0.0.5:5050",
			string: "http://10.0.0.5:5050",
		},
		{
			in:     "HTTPS://mesos.example:5050/",
			want:   leader.Master{Scheme: "https", Hosts: []string{"mesos.example:5050"}},
			url:    "https://mesos.example:5050",
			string: "https://mesos.example:5050",
		},
		{
			in:     "https://mesos.example",
			want:   leader.Master{Scheme: "https", Hosts: []string{"mesos.example:443"}},
			url:    "https://mesos.example:443",
			string: "https://mesos.example:443",
		},
		{
			in:     "127.0.0.1:5050",
			want:   leader.Master{Scheme: "http", Hosts: []string{"127.0.0.1:5050"}},
			url:    "http://127.0.0.1:5050",
			string: "http://127.0.0.1:5050",
		},
		{
			in:     " localhost ",
			want:   leader.Master{Scheme: "http", Hosts: []string{"localhost:5050"}},
			url:    "http://localhost:5050",
			string: "http://localhost:5050",
		},
		{
			in:     "[::1]:5050",
			want:   leader.Master{Scheme: "http", Hosts: []string{"[::1]:5050"}},
			url:    "http://[::1]:5050",
			string: "http://[::1]:5050",
		},
		{
			in:     "zk://host1:2181,host2:2181/mesos/vagrant",
			want:   leader.Master{Scheme: "zk", Hosts: []string{"host1:2181", "host2:2181"}, Path: "/mesos/vagrant"},
			string: "zk://host1:2181,host2:2181/mesos/vagrant",
		},
		{
			in:     "zk://host1,[::1]/mesos/",
			want:   leader.Master{Scheme: "zk", Hosts: []string{"host1:2181", "[::1]:2181"}, Path: "/mesos"},
			string: "zk://host1:2181,[::1]:2181/mesos",
		},
		{
			in:     "zk://mesos:hunter2@host1:2181,host2:2181/mesos",
			want:   leader.Master{Scheme: "zk", Hosts: []string{"host1:2181", "host2:2181"}, Path: "/mesos", User: "mesos", Password: "hunter2"},
			string: "zk://mesos:xxxxx@host1:2181,host2:2181/mesos",
		},
		{
			in:     "zk://us%40er:p%40ss:w%2Frd@zk:2181/mesos",
			want:   leader.Master{Scheme: "zk", Hosts: []string{"zk:2181"}, Path: "/mesos", User: "us@er", Password: "p@ss:w/rd"},
			string: "zk://us%40er:xxxxx@zk:2181/mesos",
		},
		{
			in:     "zk://user:p@ss@zk:2181/mesos", // an unescaped '@' in the password
			want:   leader.Master{Scheme: "zk", Hosts: []string{"zk:2181"}, Path: "/mesos", User: "user", Password: "p@ss"},
			string: "zk://user:xxxxx@zk:2181/mesos",
		},
	} {
		m, err := leader.Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, m); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
		if got := m.URL(); got != tc.url {
			t.Errorf("Parse(%q).URL() = %q, want %q", tc.in, got, tc.url)
		}
		if got := m.String(); got != tc.string {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.string)
		}
		if m.IsZooKeeper() != strings.HasPrefix(tc.in, "zk://") {
			t.Errorf("Parse(%q).IsZooKeeper() = %v", tc.in, m.IsZooKeeper())
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, why string
	}{
		{"", "no host"},
		{"ftp://host:21", `unknown scheme "ftp"`},
		{"://host", "empty scheme"},
		{"host:port", `invalid port "port"`},
		{"host:0", `invalid port "0"`},
		{"host:70000", `invalid port "70000"`},
		{"::1", "cannot read host and port"},
		{"http://host:5050/master", "path"},
		{"http://host:5050?x=1", "query"},
		{"http://user:hunter2@host:5050", "principal and secret"},
		{"https://user:hunt/er2@host:5050", "principal and secret"},
		{"host:5050/api", "host:port"},
		{"zk://host:2181", "no ZooKeeper path"},
		{"zk://host:2181/", "no ZooKeeper path"},
		{"zk:///mesos", "no ZooKeeper server"},
		{"zk://host1,,host2/mesos", "empty host"},
		{"zk://host:x/mesos", `invalid port "x"`},
		{"zk://host:2181/mesos//x", "empty element"},
		{"zk://mesos@host:2181/mesos", "user:password"},
		{"zk://:hunter2@host:2181/mesos", "empty user name"},
		{"zk://mesos:hunt/er2@host:2181/mesos", "%2F"},
		{"zk://mesos:%zz@host:2181/mesos", "bad escape in the password"},
	} {
		_, err := leader.Parse(tc.in)
		if !errors.Is(err, leader.ErrInvalidMaster) {
			t.Errorf("Parse(%q) = %v, want ErrInvalidMaster", tc.in, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.why) {
			t.Errorf("Parse(%q) error %q does not say %q", tc.in, msg, tc.why)
		}
		if !strings.Contains(msg, "want http://host:port") {
			t.Errorf("Parse(%q) error %q does not list the accepted forms", tc.in, msg)
		}
		for _, secret := range []string{"hunter2", "hunt/er2", "%zz"} {
			if strings.Contains(msg, secret) {
				t.Errorf("Parse(%q) error shows the password: %s", tc.in, msg)
			}
		}
	}
}

// TestMasterRedacts checks every way a Master is commonly printed.
func TestMasterRedacts(t *testing.T) {
	t.Parallel()
	m, err := leader.Parse("zk://mesos:hunter2@zk:2181/mesos")
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, m)
		if strings.Contains(out, "hunter2") {
			t.Errorf("%s shows the password: %s", verb, out)
		}
		if !strings.Contains(out, "xxxxx") {
			t.Errorf("%s does not show the redaction: %s", verb, out)
		}
	}
	if m.Password != "hunter2" {
		t.Errorf("Password = %q, want it kept for authentication", m.Password)
	}
}

func TestConnectNeedsZooKeeper(t *testing.T) {
	t.Parallel()
	_, err := leader.Connect(t.Context(), leader.Master{Scheme: "http", Hosts: []string{"127.0.0.1:5050"}}, nil)
	if !errors.Is(err, leader.ErrInvalidMaster) {
		t.Errorf("Connect(http master) = %v, want ErrInvalidMaster", err)
	}
}
