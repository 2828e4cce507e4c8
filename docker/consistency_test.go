package docker_test

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// scannedNames are the kinds of files whose mentions of the clusters must
// agree, wherever they are in the repository: a file added later is covered
// as soon as it exists.
var scannedNames = []string{"Vagrantfile", "*.sh", "*.yaml", "*.yml", "*.md", "*.ipynb", "Dockerfile", "Makefile", "run"}

// skippedDirs hold no cluster descriptions of ours.
var skippedDirs = map[string]bool{".git": true, ".vagrant": true, ".build": true, ".venv": true, "node_modules": true, "testdata": true}

// mentionRule checks every match of re in the scanned files. check returns
// what is wrong with one match, or "".
type mentionRule struct {
	name  string
	re    *regexp.Regexp
	check func(rel string, m []string) string
}

var mentionRules = []mentionRule{
	{
		name: "VM address",
		re:   regexp.MustCompile(`\b192\.168\.33\.(\d{1,3})(?:(/\d+)|:(\d+))?`),
		check: func(_ string, m []string) string {
			host, cidr, port := m[1], m[2], m[3]
			switch {
			case host == "0" && cidr == "/24", host == "1": // the host-only network and the host's side of it
				return ""
			case host == "10" && (port == "" || port == cluster.MasterPort || port == cluster.ZKPort):
				return ""
			case host == "11" && (port == "" || port == cluster.AgentPort || taskPort(port)):
				return ""
			}
			return "the VMs are " + cluster.MasterIP + " (master :" + cluster.MasterPort + ", ZooKeeper :" +
				cluster.ZKPort + ") and " + cluster.AgentIP + " (agent :" + cluster.AgentPort + ", tasks)"
		},
	},
	{
		name: "ZooKeeper URL",
		re:   regexp.MustCompile(`zk://([\w.-]+):(\d+)(/[\w/.-]*)?`),
		check: func(rel string, m []string) string {
			host, port, path := m[1], m[2], strings.TrimRight(m[3], ".")
			ours := host == cluster.MasterIP ||
				// Loopback ZooKeeper URLs elsewhere may be a test's own server.
				(host == cluster.Loopback || host == "localhost") && inClusterDirs(rel)
			if !ours || port == cluster.ZKPort && path == cluster.ZKPath {
				return ""
			}
			return "the clusters' ZooKeeper is at port " + cluster.ZKPort + ", path " + cluster.ZKPath
		},
	},
	{
		name: "agent attributes",
		re:   regexp.MustCompile(`rack:[\w:;,.-]+`),
		check: func(_ string, m []string) string {
			// A mention may show all the attributes or some of them (a
			// notebook prints one per line), never a different value.
			want := map[string]bool{}
			for _, a := range strings.Split(cluster.Attributes, ";") {
				want[a] = true
			}
			for _, a := range strings.Split(strings.TrimRight(m[0], ".,;:"), ";") {
				if a = strings.TrimSpace(a); a != "" && !want[a] {
					return "the agents' attributes are " + cluster.Attributes
				}
			}
			return ""
		},
	},
	{
		name: "agent ports resource",
		re:   regexp.MustCompile(`(?:^|[^\w])ports:\[([^\]]*)\]`),
		check: func(_ string, m []string) string {
			if "ports:["+m[1]+"]" == cluster.Resources {
				return ""
			}
			return "the agents offer " + cluster.Resources
		},
	},
	{
		name: "MESOS_MASTER target",
		re:   regexp.MustCompile(`MESOS_MASTER\s*[=:]\s*["']?([^\s"'\x60\\]+)`),
		check: func(_ string, m []string) string {
			v := strings.TrimRight(m[1], ".,;)")
			if strings.ContainsAny(v, "$<{") || !strings.Contains(v, ":") {
				return "" // a variable, a placeholder or prose, not an address
			}
			if strings.HasPrefix(v, "zk://") {
				if v == vmZK || v == composeZK {
					return ""
				}
				return "MESOS_MASTER names ZooKeeper as " + vmZK + " (VMs) or " + composeZK + " (compose)"
			}
			hostPort := strings.TrimSuffix(strings.TrimPrefix(v, "http://"), "/")
			for _, host := range []string{cluster.Loopback, "localhost", cluster.MasterIP} {
				if hostPort == host+":"+cluster.MasterPort {
					return ""
				}
			}
			return "a master URL is " + cluster.MasterIP + ":" + cluster.MasterPort + " or " + cluster.Loopback + ":" + cluster.MasterPort
		},
	},
}

func taskPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= cluster.TaskPortLow && n <= cluster.TaskPortHigh
}

func inClusterDirs(rel string) bool {
	return strings.HasPrefix(rel, "docker/") || strings.HasPrefix(rel, "vagrant/")
}

// scannedFiles lists the repository files the mention rules read.
func scannedFiles(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skippedDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		for _, pattern := range scannedNames {
			if ok, _ := filepath.Match(pattern, d.Name()); ok {
				rel, _ := filepath.Rel(root, path)
				files = append(files, filepath.ToSlash(rel))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("listing the repository: %v", err)
	}
	return files
}

// TestMentionsAgree reads every cluster-describing file in the repository and
// checks each address, ZooKeeper URL, attribute list, ports resource and
// MESOS_MASTER value it mentions against the clusters' facts.
func TestMentionsAgree(t *testing.T) {
	files := scannedFiles(t)
	seen := map[string]int{}
	for _, rel := range files {
		text := readFile(t, rel)
		for _, rule := range mentionRules {
			for _, m := range rule.re.FindAllStringSubmatch(text, -1) {
				seen[rule.name]++
				if why := rule.check(rel, m); why != "" {
					t.Errorf("%s: %s %q: %s", rel, rule.name, strings.TrimSpace(m[0]), why)
				}
			}
		}
	}
	// The rules must have something to check, or a broken regexp would pass.
	for _, rule := range mentionRules {
		if seen[rule.name] == 0 {
			t.Errorf("no %s found in %d files: is the rule's pattern right?", rule.name, len(files))
		}
	}
}

// mustMention lists facts that a file has to state. Optional files are
// checked once they exist.
var mustMention = []struct {
	file     string
	optional bool
	facts    []string
}{
	{"vagrant/README.md", false, []string{
		cluster.MasterIP + ":" + cluster.MasterPort, cluster.AgentIP + ":" + cluster.AgentPort,
		vmZK, "* 192.168.33.0/24", cluster.Attributes, cluster.Resources,
	}},
	{"docker/README.md", false, []string{
		composeZK, cluster.Loopback + ":" + cluster.MasterPort, cluster.Loopback + ":" + cluster.AgentPort,
		cluster.Attributes, cluster.Resources,
	}},
	{"README.md", true, []string{vmZK, composeZK}},
	{"notebooks/Demo-API.ipynb", true, []string{vmZK, composeZK}},
}

func TestFilesStateTheFacts(t *testing.T) {
	root := repoRoot(t)
	for _, mm := range mustMention {
		if _, err := os.Stat(filepath.Join(root, mm.file)); err != nil && mm.optional {
			continue
		}
		text := readFile(t, mm.file)
		for _, fact := range mm.facts {
			if !strings.Contains(text, fact) {
				t.Errorf("%s does not mention %q", mm.file, fact)
			}
		}
	}
}

// vagrantfile is what the tests read out of vagrant/Vagrantfile: its
// constants with their defaults, the env hashes it hands the provisioning
// scripts, and which script gets which hash.
type vagrantfile struct {
	text      string
	consts    map[string]string
	envs      map[string]map[string]string // hash name -> MESOSNB_* -> value
	scriptEnv map[string][]string          // provisioning script -> the hashes it is run with
	uploads   map[string]bool              // files a file provisioner copies in (lib.sh)
}

var (
	vfFetch     = regexp.MustCompile(`^([A-Z_]+) = ENV\.fetch\("\w+", "([^"]*)"\)`)
	vfMemory    = regexp.MustCompile(`^([A-Z_]+) = memory_mb\("\w+", (\d+)\)`)
	vfString    = regexp.MustCompile(`^([A-Z_]+) = "([^"]*)"$`)
	vfNumber    = regexp.MustCompile(`^([A-Z_]+) = (\d+)$`)
	vfInterp    = regexp.MustCompile(`#\{(\w+)\}`)
	vfHash      = regexp.MustCompile(`^([A-Z_]+_ENV) = (?:([A-Z_]+_ENV)\.merge\()?`)
	vfHashEntry = regexp.MustCompile(`^\s*"(MESOSNB_\w+)" => (.*?),?$`)
	vfProvision = regexp.MustCompile(`\.vm\.provision "\w+", type: "shell", path: "([^"]+)", env: ([A-Z_]+)`)
	vfUpload    = regexp.MustCompile(`\.vm\.provision "\w+", type: "file", source: "([^"]+)"`)
	// A script needs the variables it requires (${X:?...}); those it
	// defaults (${X:-...}) are optional.
	scriptNeeds  = regexp.MustCompile(`\$\{(MESOSNB_\w+):\?`)
	envFileEntry = regexp.MustCompile(`(?m)^(MESOS_\w+)=(.*)$`)
)

// readVagrantfile evaluates the simple Ruby the Vagrantfile is written in:
// constant assignments with string interpolation, and hash literals.
func readVagrantfile(t *testing.T) vagrantfile {
	t.Helper()
	vf := vagrantfile{
		text:      readFile(t, "vagrant/Vagrantfile"),
		consts:    map[string]string{},
		envs:      map[string]map[string]string{},
		scriptEnv: map[string][]string{},
		uploads:   map[string]bool{},
	}
	interp := func(s string) string {
		return vfInterp.ReplaceAllStringFunc(s, func(m string) string {
			return vf.consts[vfInterp.FindStringSubmatch(m)[1]]
		})
	}
	var hash map[string]string
	for _, line := range strings.Split(vf.text, "\n") {
		for _, re := range []*regexp.Regexp{vfFetch, vfMemory, vfString, vfNumber} {
			if m := re.FindStringSubmatch(line); m != nil {
				vf.consts[m[1]] = interp(m[2])
				break
			}
		}
		if m := vfHash.FindStringSubmatch(line); m != nil {
			hash = maps.Clone(vf.envs[m[2]])
			if hash == nil {
				hash = map[string]string{}
			}
			vf.envs[m[1]] = hash
			continue
		}
		if hash != nil {
			if m := vfHashEntry.FindStringSubmatch(line); m != nil {
				v := m[2]
				if s, err := strconv.Unquote(v); err == nil {
					v = interp(s)
				} else if c, ok := vf.consts[strings.TrimSuffix(v, ".to_s")]; ok {
					v = c
				}
				hash[m[1]] = v
			} else if strings.Contains(line, ".freeze") {
				hash = nil
			}
		}
		if m := vfProvision.FindStringSubmatch(line); m != nil {
			vf.scriptEnv[m[1]] = append(vf.scriptEnv[m[1]], m[2])
		}
		if m := vfUpload.FindStringSubmatch(line); m != nil {
			vf.uploads[m[1]] = true
		}
	}
	return vf
}

func TestVagrantfileFacts(t *testing.T) {
	vf := readVagrantfile(t)
	for name, want := range map[string]string{
		"SUBNET":        "192.168.33",
		"MASTER_IP":     cluster.MasterIP,
		"AGENT_IP":      cluster.AgentIP,
		"MASTER_PORT":   cluster.MasterPort,
		"AGENT_PORT":    cluster.AgentPort,
		"ZK_PORT":       cluster.ZKPort,
		"ZK_PATH":       cluster.ZKPath,
		"ZK_URL":        vmZK,
		"BOX":           "bento/ubuntu-24.04",
		"MASTER_MEMORY": "2048",
		"AGENT_MEMORY":  "2048",
	} {
		if got := vf.consts[name]; got != want {
			t.Errorf("Vagrantfile %s = %q, want %q", name, got, want)
		}
	}
	if !regexp.MustCompile(`^\d{6}\.\d+\.\d+$`).MatchString(vf.consts["BOX_VERSION"]) {
		t.Errorf("Vagrantfile BOX_VERSION %q is not one pinned box version", vf.consts["BOX_VERSION"])
	}
	for _, setting := range []string{"MESOSNB_SUBNET", "MESOSNB_MASTER_MEMORY", "MESOSNB_AGENT_MEMORY"} {
		if !strings.Contains(vf.text, `ENV.fetch("`+setting+`"`) && !strings.Contains(vf.text, `memory_mb("`+setting+`"`) {
			t.Errorf("the Vagrantfile does not read %s from the environment", setting)
		}
	}
	for _, hostname := range []string{`master.vm.hostname = "mesos-master"`, `agent.vm.hostname = "mesos-agent"`} {
		if !strings.Contains(vf.text, hostname) {
			t.Errorf("the Vagrantfile lacks %s", hostname)
		}
	}
	agent := vf.envs["AGENT_ENV"]
	if agent["MESOSNB_AGENT_ATTRIBUTES"] != cluster.Attributes || agent["MESOSNB_AGENT_RESOURCES"] != cluster.Resources {
		t.Errorf("the agent gets attributes %q and resources %q, want %q and %q",
			agent["MESOSNB_AGENT_ATTRIBUTES"], agent["MESOSNB_AGENT_RESOURCES"], cluster.Attributes, cluster.Resources)
	}
}

// TestProvisioningContract checks that each provisioning script gets from the
// Vagrantfile every MESOSNB_* variable it reads (a gap would only show inside
// a VM, which CI cannot start), and that no script lies unused.
func TestProvisioningContract(t *testing.T) {
	vf := readVagrantfile(t)
	if len(vf.scriptEnv) == 0 {
		t.Fatal("found no shell provisioners in the Vagrantfile")
	}
	for script, hashNames := range vf.scriptEnv {
		needs := scriptNeeds.FindAllStringSubmatch(readFile(t, filepath.Join("vagrant", script)), -1)
		for _, hashName := range hashNames {
			env, ok := vf.envs[hashName]
			if !ok {
				t.Errorf("%s gets env %s, which the Vagrantfile does not define", script, hashName)
				continue
			}
			for _, m := range needs {
				if _, ok := env[m[1]]; !ok {
					t.Errorf("vagrant/%s reads %s, which %s does not set", script, m[1], hashName)
				}
			}
		}
	}
	scripts, _ := filepath.Glob(filepath.Join(repoRoot(t), "vagrant", "provision", "*.sh"))
	for _, path := range scripts {
		rel := "provision/" + filepath.Base(path)
		if _, ok := vf.scriptEnv[rel]; !ok && !vf.uploads[rel] {
			t.Errorf("vagrant/%s is neither run nor uploaded by any provisioner", rel)
		}
	}
}

// TestSameMesosFlags checks that the VMs and the compose cluster run master
// and agent with the same flags, apart from addresses and paths.
func TestSameMesosFlags(t *testing.T) {
	p := loadCompose(t, "compose.yaml")
	for _, tc := range []struct{ script, service string }{
		{"vagrant/provision/master.sh", "master"},
		{"vagrant/provision/agent.sh", "agent"},
	} {
		svc := p.Services[tc.service]
		flags := envFileEntry.FindAllStringSubmatch(readFile(t, tc.script), -1)
		if len(flags) == 0 {
			t.Errorf("%s writes no MESOS_* flags", tc.script)
		}
		for _, m := range flags {
			name, value := m[1], strings.Trim(m[2], `"`)
			if strings.Contains(value, "$") || slices.Contains([]string{"MESOS_WORK_DIR"}, name) {
				continue // addresses, ports and paths differ on purpose
			}
			if got := env(svc, name); got != value {
				t.Errorf("%s sets %s=%s but compose.yaml's %s has %q", tc.script, name, value, tc.service, got)
			}
		}
	}
}
