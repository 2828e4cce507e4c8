package docker_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/internal/testenv"
)

// stubs stand in for the commands of a VM that this machine lacks or must not
// touch. systemctl remembers masked units, so a second run sees the first
// run's state, and every call is logged.
var stubs = map[string]string{
	"systemctl": `#!/bin/bash
echo "systemctl $*" >>"${STUB_LOG}"
case "$1" in
  is-enabled) [[ -e "${STUB_STATE}/$2.masked" ]] && { echo masked; exit 0; }; exit 1 ;;
  mask) touch "${STUB_STATE}/$2.masked" ;;
  is-active) exit 1 ;;
esac
exit 0
`,
	"docker":       "#!/bin/bash\necho \"docker $*\" >>\"${STUB_LOG}\"\n",
	"mesos-master": "#!/bin/bash\necho mesos 1.11.0\n",
	"mesos-agent":  "#!/bin/bash\necho mesos 1.11.0\n",
}

// fakeZooKeeper answers ZooKeeper's ruok with imok on a loopback port.
func fakeZooKeeper(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4)
			if _, err := io.ReadFull(c, buf); err == nil && string(buf) == "ruok" {
				io.WriteString(c, "imok")
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// fakeMesos answers what master.sh and agent.sh ask a running master or
// agent: a leader's 307 on /redirect, /version, and an agent's /state.
func fakeMesos(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "//127.0.0.1:5050", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/version", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"build_date":"2020-11-16","version":"1.11.0"}`)
	})
	mux.HandleFunc("/state", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"version":"1.11.0","master_hostname":"127.0.0.1"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	return port
}

// TestProvisioningIsIdempotent runs master.sh and agent.sh twice each, as
// root would in a VM, but with /etc and /var/lib moved into a temporary
// folder, systemctl and docker stubbed, and ZooKeeper, master and agent faked
// on loopback. The first run must write the units and start the services;
// the second must write nothing and restart nothing. The units it writes must
// pass systemd-analyze verify.
func TestProvisioningIsIdempotent(t *testing.T) {
	testenv.RequireTool(t, "bash", "it runs the provisioning scripts")
	testenv.RequireTool(t, "curl", "the provisioning scripts ask the master and agent with it")
	zkPort, mesosPort := fakeZooKeeper(t), fakeMesos(t)

	for _, script := range []string{"master.sh", "agent.sh"} {
		t.Run(script, func(t *testing.T) {
			dir := t.TempDir()
			root, bin, state := filepath.Join(dir, "root"), filepath.Join(dir, "bin"), filepath.Join(dir, "state")
			for _, d := range []string{root, bin, state} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, body := range stubs {
				if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			text := readFile(t, filepath.Join("vagrant", "provision", script))
			text = strings.NewReplacer("/etc/", root+"/etc/", "/var/lib/", root+"/var/lib/").Replace(text)
			moved := filepath.Join(dir, script)
			if err := os.WriteFile(moved, []byte(text), 0o755); err != nil {
				t.Fatal(err)
			}
			log := filepath.Join(dir, "calls.log")
			env := append(os.Environ(),
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"STUB_LOG="+log, "STUB_STATE="+state,
				"MESOSNB_PROVISION_LIB="+filepath.Join(repoRoot(t), "vagrant", "provision", "lib.sh"),
				"MESOSNB_MASTER_IP=127.0.0.1", "MESOSNB_AGENT_IP=127.0.0.1",
				"MESOSNB_MASTER_PORT="+mesosPort, "MESOSNB_AGENT_PORT="+mesosPort,
				"MESOSNB_ZK_PORT="+zkPort, "MESOSNB_ZK_URL="+vmZK,
				"MESOSNB_AGENT_ATTRIBUTES="+cluster.Attributes, "MESOSNB_AGENT_RESOURCES="+cluster.Resources,
			)
			provision := func() (output, calls string) {
				os.Remove(log)
				cmd := exec.Command("bash", moved)
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("bash %s: %v\n%s", script, err, out)
				}
				b, _ := os.ReadFile(log)
				return string(out), string(b)
			}

			out, calls := provision()
			for _, want := range []string{"wrote ", "daemon-reload", "enable --now"} {
				if !strings.Contains(out+calls, want) {
					t.Errorf("first run: no %q in its output and calls:\n%s\n%s", want, out, calls)
				}
			}
			out, calls = provision()
			if strings.Contains(out, "wrote ") {
				t.Errorf("second run rewrote files:\n%s", out)
			}
			for _, unwanted := range []string{"restart", "daemon-reload", "systemctl mask", "systemctl stop", "docker pull"} {
				if strings.Contains(calls, unwanted) {
					t.Errorf("second run did %q:\n%s", unwanted, calls)
				}
			}

			units, _ := filepath.Glob(filepath.Join(root, "etc", "systemd", "system", "*.service"))
			if len(units) == 0 {
				t.Fatal("no systemd units written")
			}
			if _, err := exec.LookPath("systemd-analyze"); err != nil {
				t.Log("systemd-analyze is not installed: units not verified")
				return
			}
			cmd := exec.Command("systemd-analyze", append([]string{"verify"}, units...)...)
			if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("systemd-analyze verify %v: %v\n%s", units, err, out)
			}
		})
	}
}
