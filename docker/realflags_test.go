package docker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// TestClusterFlagsRunForReal starts the real mesos-master and mesos-agent
// with the flags the compose file and the Vagrant provisioning give them,
// as they give them (MESOS_* environment variables), changing only
// addresses and folders: a typo or a flag Mesos 1.11 does not know fails
// here, not in a VM or a container CI cannot start. Mesos ignores a
// MESOS_* variable that names no flag, so each daemon's GET /flags must
// report every flag with the value given.
func TestClusterFlagsRunForReal(t *testing.T) {
	in, err := mesostest.Find()
	if err != nil {
		testenv.Unavailable(t, "%v", err)
	}
	testenv.RequireDocker(t) // both agents run --containerizers=docker,mesos
	vagrant := vagrantFlags(t)
	compose := composeFlags(t)
	for _, c := range []struct {
		name          string
		master, agent map[string]string
	}{
		{"compose.yaml", compose["master"], compose["agent"]},
		{"vagrant", vagrant["master"], vagrant["agent"]},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if len(c.master) == 0 || len(c.agent) == 0 {
				t.Fatalf("found no MESOS_* flags: master %v, agent %v", c.master, c.agent)
			}
			runCluster(t, in, c.master, c.agent)
		})
	}
}

// runCluster starts a master and an agent with the given flags, with
// their addresses and folders moved to this machine, and checks that the
// agent registers and that both run with every flag given.
func runCluster(t *testing.T, in *mesostest.Install, master, agent map[string]string) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	zk := zktest.Start(t)

	m := maps.Clone(master)
	zkURL := relocateZK(t, m["MESOS_ZK"], zk.Addr)
	m["MESOS_IP"], m["MESOS_HOSTNAME"], m["MESOS_PORT"] = "127.0.0.1", "127.0.0.1", strconv.Itoa(testenv.Port(t))
	m["MESOS_ZK"] = zkURL
	m["MESOS_WORK_DIR"] = filepath.Join(dir, "master-work")
	m["MESOS_WEBUI_DIR"] = in.WebUIDir // the install is not where it was built
	mp, err := mesostest.StartDaemon(ctx, filepath.Join(dir, "m"), "master", m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mp.Stop)

	a := maps.Clone(agent)
	a["MESOS_MASTER"] = relocateZK(t, a["MESOS_MASTER"], zk.Addr)
	a["MESOS_IP"], a["MESOS_HOSTNAME"], a["MESOS_PORT"] = "127.0.0.1", "127.0.0.1", strconv.Itoa(testenv.Port(t))
	a["MESOS_WORK_DIR"] = filepath.Join(dir, "agent-work")
	a["MESOS_LAUNCHER_DIR"] = in.LauncherDir
	// Not a deployment's choice but this machine's: by default an agent
	// with the Docker containerizer stops, when it starts, every container
	// named mesos-* on the machine (other tests' agents', localmesos').
	a["MESOS_DOCKER_KILL_ORPHANS"] = "false"
	ap, err := mesostest.StartDaemon(ctx, filepath.Join(dir, "a"), "agent", a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ap.Stop)
	defer func() {
		if t.Failed() {
			t.Logf("--- %s ---\n%s\n--- %s ---\n%s", mp.LogFile, mp.Tail(0, 30), ap.LogFile, ap.Tail(0, 30))
		}
	}()

	if err := testenv.Poll(ctx, 100*time.Millisecond, func() (bool, error) {
		var st struct {
			Activated float64 `json:"activated_slaves"`
		}
		return getJSON(ctx, mp.URL+"/state", &st) == nil && st.Activated == 1, nil
	}); err != nil {
		t.Fatalf("the agent did not register with the master: %v", err)
	}
	checkFlags(t, ctx, "master", mp.URL, m)
	checkFlags(t, ctx, "agent", ap.URL, a)
}

// relocateZK moves a zk:// URL to another server, keeping its path.
func relocateZK(t *testing.T, raw, addr string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "zk" || u.Path == "" {
		t.Fatalf("%q is not a zk://host:port/path URL", raw)
	}
	u.Host = addr
	return u.String()
}

// checkFlags compares a daemon's GET /flags with the MESOS_* flags it was
// given: each must be a flag it knows, with the value given.
func checkFlags(t *testing.T, ctx context.Context, who, base string, given map[string]string) {
	t.Helper()
	problems, err := flagProblems(ctx, who, base, given)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func flagProblems(ctx context.Context, who, base string, given map[string]string) ([]string, error) {
	var got struct{ Flags map[string]string }
	if err := getJSON(ctx, base+"/flags", &got); err != nil {
		return nil, fmt.Errorf("%s: GET /flags: %w", who, err)
	}
	var problems []string
	for _, k := range slices.Sorted(maps.Keys(given)) {
		name := strings.ToLower(strings.TrimPrefix(k, "MESOS_"))
		v, ok := got.Flags[name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: %s names no flag mesos-%s knows (it ignores it)", who, k, who))
		case !sameFlagValue(v, given[k]):
			problems = append(problems, fmt.Sprintf("%s: %s=%q, but it runs with --%s=%q", who, k, given[k], name, v))
		}
	}
	return problems, nil
}

// sameFlagValue compares a flag's value as given with what /flags says;
// a boolean may be given as 0 or 1.
func sameFlagValue(reported, given string) bool {
	if reported == given {
		return true
	}
	b, err := strconv.ParseBool(given)
	return err == nil && reported == strconv.FormatBool(b)
}

// TestFlagCheckCatchesMistakes: the two mistakes the test above is there
// to catch are caught. A misspelt flag name starts fine (Mesos ignores
// it) and is found in /flags; a value Mesos does not accept stops the
// daemon, and the error quotes its log.
func TestFlagCheckCatchesMistakes(t *testing.T) {
	in, err := mesostest.Find()
	if err != nil {
		testenv.Unavailable(t, "%v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	m := map[string]string{"MESOS_IP": "127.0.0.1", "MESOS_PORT": strconv.Itoa(testenv.Port(t)), "MESOS_REGISTRY": "in_memory",
		"MESOS_WORK_DIR": filepath.Join(dir, "master-work"), "MESOS_WEBUI_DIR": in.WebUIDir, "MESOS_QUORAM": "1"}
	mp, err := mesostest.StartDaemon(ctx, filepath.Join(dir, "m"), "master", m)
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Stop()
	problems, err := flagProblems(ctx, "master", mp.URL, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "MESOS_QUORAM names no flag") {
		t.Errorf("problems with a misspelt flag: %q, want one naming MESOS_QUORAM", problems)
	}

	a := map[string]string{"MESOS_MASTER": mp.Addr, "MESOS_IP": "127.0.0.1", "MESOS_PORT": strconv.Itoa(testenv.Port(t)),
		"MESOS_WORK_DIR": filepath.Join(dir, "agent-work"), "MESOS_LAUNCHER_DIR": in.LauncherDir, "MESOS_CONTAINERIZERS": "mesos",
		"MESOS_LAUNCHER": "posix", "MESOS_ISOLATION": "posix/cpux", "MESOS_SYSTEMD_ENABLE_SUPPORT": "false"}
	ap, err := mesostest.StartDaemon(ctx, filepath.Join(dir, "a"), "agent", a)
	if err == nil {
		ap.Stop()
		t.Fatal("an agent with --isolation=posix/cpux started")
	}
	if !strings.Contains(err.Error(), "posix/cpux") {
		t.Errorf("the error does not quote the agent's complaint: %v", err)
	}
}

func getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return json.Unmarshal(body, v)
}

// composeFlags are the MESOS_* variables of compose.yaml's master and
// agent services, with the file's defaults for its own variables.
func composeFlags(t *testing.T) map[string]map[string]string {
	p := loadCompose(t, "compose.yaml")
	out := map[string]map[string]string{}
	for _, svc := range []string{"master", "agent"} {
		s, ok := p.Services[svc]
		if !ok {
			t.Fatalf("compose.yaml has no %s service", svc)
		}
		out[svc] = map[string]string{}
		for k, v := range s.Environment {
			if strings.HasPrefix(k, "MESOS_") && v != nil {
				out[svc][k] = *v
			}
		}
	}
	return out
}

// vagrantFlags are the MESOS_* lines master.sh and agent.sh write into
// their env files, with the variables the Vagrantfile gives the scripts
// and the scripts' own constants filled in.
func vagrantFlags(t *testing.T) map[string]map[string]string {
	vf := readVagrantfile(t)
	readonly := regexp.MustCompile(`(?m)^readonly (\w+)="([^"$]*)"$`)
	variable := regexp.MustCompile(`\$\{(\w+)\}`)
	out := map[string]map[string]string{}
	for _, role := range []string{"master", "agent"} {
		script := "provision/" + role + ".sh"
		text := readFile(t, filepath.Join("vagrant", script))
		vars := map[string]string{}
		for _, hash := range vf.scriptEnv[script] {
			maps.Copy(vars, vf.envs[hash])
		}
		for _, m := range readonly.FindAllStringSubmatch(text, -1) {
			vars[m[1]] = m[2]
		}
		block := between(t, text, "/etc/mesosnb/mesos-"+role+".env 0644 <<EOF\n", "\nEOF")
		out[role] = map[string]string{}
		for _, m := range envFileEntry.FindAllStringSubmatch(block, -1) {
			v := variable.ReplaceAllStringFunc(strings.Trim(m[2], `"`), func(ref string) string {
				name := variable.FindStringSubmatch(ref)[1]
				val, ok := vars[name]
				if !ok {
					t.Errorf("%s: %s uses ${%s}, which neither the Vagrantfile nor the script sets", script, m[1], name)
				}
				return val
			})
			out[role][m[1]] = v
		}
	}
	return out
}

// between is the text between two markers, failing the test without them.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		t.Fatalf("no %q", from)
	}
	block, _, ok := strings.Cut(rest, to)
	if !ok {
		t.Fatalf("no %q after %q", to, from)
	}
	return block
}
