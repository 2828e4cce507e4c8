// Package docker_test checks the real-cluster files of this repository: the
// compose files and images under docker/, the Vagrant VMs under vagrant/, and
// that every file describing a cluster names the same addresses, ports,
// ZooKeeper path and agent attributes. The directory holds no Go package of
// its own, only these tests.
package docker_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/internal/testenv"
)

// cluster holds the facts that the Vagrant VMs, the compose files, the READMEs
// and the notebooks must agree on. They are the 2016 zk-mesos values.
var cluster = struct {
	MasterIP, AgentIP         string
	MasterPort, AgentPort     string
	ZKPort, ZKPath            string
	Attributes, Resources     string
	TaskPortLow, TaskPortHigh int
	// Loopback is where the compose clusters and localmesos answer.
	Loopback string
}{
	MasterIP: "192.168.33.10", AgentIP: "192.168.33.11",
	MasterPort: "5050", AgentPort: "5051",
	ZKPort: "2181", ZKPath: "/mesos/vagrant",
	Attributes: "rack:r2d2;pod:demo,dev", Resources: "ports:[9000-10000]",
	TaskPortLow: 9000, TaskPortHigh: 10000,
	Loopback: "127.0.0.1",
}

// vmZK and composeZK are the MESOS_MASTER values for the two real clusters.
var (
	vmZK      = "zk://" + cluster.MasterIP + ":" + cluster.ZKPort + cluster.ZKPath
	composeZK = "zk://" + cluster.Loopback + ":" + cluster.ZKPort + cluster.ZKPath
)

// repoRoot is the repository's top folder: go test runs in docker/.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("finding the repository root from docker/: %v", err)
	}
	return root
}

// readFile returns a repository file's text, failing the test if it is missing.
func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatalf("reading %s: %v", rel, err)
	}
	return string(b)
}

// needDocker makes sure the docker CLI is there and an engine answers.
func needDocker(t *testing.T) {
	t.Helper()
	testenv.RequireTool(t, "docker", "this test builds and runs an image")
	testenv.RequireDocker(t)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) string { return strconv.Itoa(testenv.Port(t)) }

// dockerfile is the part of a Dockerfile these tests read.
type dockerfile struct {
	args  map[string]string // ARG defaults
	from  []string          // FROM references, ARGs substituted
	copy  [][]string        // COPY sources (flags dropped)
	lines []string          // instructions, continuation lines joined
}

var argRef = regexp.MustCompile(`\$\{?(\w+)\}?`)

// parseDockerfile reads the instructions this project's Dockerfiles use.
func parseDockerfile(t *testing.T, rel string) dockerfile {
	t.Helper()
	df := dockerfile{args: map[string]string{}}
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(readFile(t, rel)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		df.lines = append(df.lines, cur.String())
		cur.Reset()
	}
	for _, ins := range df.lines {
		fields := strings.Fields(ins)
		switch strings.ToUpper(fields[0]) {
		case "ARG":
			if name, def, ok := strings.Cut(fields[1], "="); ok {
				df.args[name] = def
			}
		case "FROM":
			ref := argRef.ReplaceAllStringFunc(fields[1], func(m string) string {
				return df.args[argRef.FindStringSubmatch(m)[1]]
			})
			df.from = append(df.from, ref)
		case "COPY":
			var srcs []string
			for _, f := range fields[1 : len(fields)-1] {
				if !strings.HasPrefix(f, "--") {
					srcs = append(srcs, f)
				}
			}
			df.copy = append(df.copy, srcs)
		}
	}
	return df
}

// pinnedImage says why an image reference is not pinned, or "" if it is: a
// tag other than latest, or a digest.
func pinnedImage(ref string) string {
	if strings.Contains(ref, "@sha256:") {
		return ""
	}
	name := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, ok := strings.Cut(name, ":")
	switch {
	case ref == "":
		return "no image named"
	case !ok || tag == "":
		return "no tag, so it means :latest"
	case tag == "latest":
		return "tagged :latest"
	}
	return ""
}

func TestPinnedImage(t *testing.T) {
	for ref, pinned := range map[string]bool{
		"zookeeper:3.9.6":                          true,
		"avhost/mesos-mini:v1.11.0-0.8.0":          true,
		"localhost:5000/x:1.0":                     true,
		"golang@sha256:" + strings.Repeat("a", 64): true,
		"zookeeper":                                false,
		"zookeeper:latest":                         false,
		"localhost:5000/x":                         false,
		"mesosnb/demo-site:":                       false,
		"":                                         false,
	} {
		if got := pinnedImage(ref) == ""; got != pinned {
			t.Errorf("pinnedImage(%q) = %q, want pinned=%v", ref, pinnedImage(ref), pinned)
		}
	}
}
