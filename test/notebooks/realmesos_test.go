//go:build unix

package notebooks_test

// The notebooks against a real Apache Mesos 1.11.0 master and agent, as a
// learner with the AVENTER packages, the Vagrant VMs or the compose
// cluster runs them: only MESOS_MASTER and DEMO_IMAGE set. The Demo-API
// task is a real container started by Mesos' Docker containerizer from
// the demo-site image built on this machine (no registry here).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// runAgainst runs a notebook headless with MESOS_MASTER=master and
// DEMO_IMAGE=demoImage, in a session folder and a Jupyter runtime folder
// of its own, and saves the executed notebook in the test's artifacts.
func runAgainst(t *testing.T, name, master string) *execution {
	t.Helper()
	dir := t.TempDir()
	sessions := filepath.Join(dir, "sessions")
	runtime := filepath.Join(dir, "jupyter-runtime")
	for _, d := range []string{sessions, runtime} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	defer stopKernels(t, runtime)
	defer stopSessions(t, sessions)
	ctx, cancel := boundedContext(t, executionsTimeout)
	defer cancel()
	e := &execution{name: name, path: filepath.Join(t.ArtifactDir(), name+".ipynb")}
	began := time.Now()
	e.nb, e.err = nbexec.Run(ctx, nbexec.Options{
		Notebook: filepath.Join(repoRoot(t), "notebooks", name+".ipynb"),
		Output:   e.path,
		// The last DEMO_IMAGE wins over notebookEnv's empty one.
		Env:     append(notebookEnv(master, sessions), "JUPYTER_RUNTIME_DIR="+runtime, "DEMO_IMAGE="+demoImage),
		Timeout: cellTimeout,
	})
	e.took = time.Since(began)
	t.Logf("executed %s against %s in %v (err: %v); saved in %s", name, master, e.took.Round(100*time.Millisecond), e.err, e.path)
	return e
}

// checkDemoAPIOnMesos checks what Demo-API shows against real Mesos: the
// container running, its page fetched, then killed.
func checkDemoAPIOnMesos(t *testing.T, e *execution) {
	t.Helper()
	text := textOf(checkRun(t, e))
	wantText(t, text, "TASK_RUNNING", "200 OK", "title \""+demoSiteTitle(t)+"\"", "TASK_KILLED", demoImage, containerSaid)
	checkSandboxReads(t, text)
	if regexp.MustCompile(`Found the [^\n]*stand-in`).MatchString(text) {
		t.Error("the notebook took real Mesos for the stand-in")
	}
}

func TestNotebooksOnRealMesos(t *testing.T) {
	needKernel(t)
	needDocker(t) // builds demoImage
	cluster := mesostest.Start(t, mesostest.Options{Docker: mesostest.DockerRequired})
	op, err := operator.New(operator.Config{Master: cluster.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()

	t.Run("Demo-API", func(t *testing.T) {
		checkDemoAPIOnMesos(t, runAgainst(t, "Demo-API", cluster.URL()))
		// What the real master remembers: the notebook's framework torn
		// down, its container task killed.
		fws, err := op.Frameworks(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, f := range fws.CompletedFrameworks {
			if strings.HasPrefix(f.FrameworkInfo.Name, "Demo-API") {
				done++
			}
		}
		if len(fws.Frameworks) != 0 || done != 1 {
			t.Fatalf("frameworks: %d active, %d completed Demo-API ones; want the notebook's torn down", len(fws.Frameworks), done)
		}
		tasks, err := op.Tasks(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks.CompletedTasks) != 1 || tasks.CompletedTasks[0].State != mesos.TaskKilled || tasks.CompletedTasks[0].Container == nil ||
			tasks.CompletedTasks[0].Container.Docker == nil || tasks.CompletedTasks[0].Container.Docker.Image != demoImage {
			t.Fatalf("completed tasks %+v, want one killed container of %s", tasks.CompletedTasks, demoImage)
		}
	})

	t.Run("Operator-API", func(t *testing.T) {
		nb := checkRun(t, runAgainst(t, "Operator-API", cluster.URL()))
		text := textOf(nb)
		wantText(t, text, "GET_VERSION: Mesos 1.11.0 (built", "FRAMEWORK_ADDED", "TASK_ADDED", "TASK_RUNNING", "TASK_KILLED")
		checkOperatorSections(t, text)
		checkLeftAsFound(t, op)
	})
}

// checkLeftAsFound checks that Operator-API left the real cluster as it
// found it: every agent active and not draining, no framework of its own
// still registered, and the quota it set back to the default (Mesos keeps
// the role listed with an empty quota).
func checkLeftAsFound(t *testing.T, op *operator.Client) {
	t.Helper()
	agents, err := op.Agents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range agents.Agents {
		if !a.Active || a.Deactivated || a.DrainInfo != nil {
			t.Errorf("agent %s left active %v, deactivated %v, drain %+v", a.AgentInfo.Hostname, a.Active, a.Deactivated, a.DrainInfo)
		}
	}
	fws, err := op.Frameworks(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fws.Frameworks {
		t.Errorf("framework %q left registered", f.FrameworkInfo.Name)
	}
	quota, err := op.Quota(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range quota.Configs {
		if len(c.Guarantees) > 0 || len(c.Limits) > 0 {
			t.Errorf("role %s left with a quota: guarantees %v, limits %v", c.Role, c.Guarantees, c.Limits)
		}
	}
}

// mesosImage is docker/compose.yaml's ZooKeeper, master and agent image
// built without a registry (docker/mesos/build.sh).
const mesosImage = "mesosnb/mesos:local"

// mesosImageBuild is the one build of mesosImage per test binary.
var mesosImageBuild struct {
	once sync.Once
	err  error
}

// needMesosImage builds mesosImage unless it exists: a Debian base made
// with debootstrap, the Mesos build of ../shared/mesos (its README lists
// the packages it needs) and Debian's ZooKeeper.
func needMesosImage(t *testing.T) {
	t.Helper()
	in, err := mesostest.Find()
	if err != nil {
		testenv.Unavailable(t, "%v", err)
	}
	if exec.Command("docker", "image", "inspect", mesosImage).Run() == nil {
		return
	}
	testenv.RequireTool(t, "debootstrap", "it makes the Debian base of "+mesosImage+" (sudo apt-get install -y debootstrap, or make mesos)")
	shared := os.Getenv("MESOS_SHARED")
	if shared == "" {
		shared = filepath.Join(repoRoot(t), "..", "shared", "mesos")
	}
	if _, err := os.Stat(filepath.Join(shared, "README.md")); err != nil {
		testenv.Unavailable(t, "%s needs the package list in %s/README.md: set MESOS_SHARED to the folder with the Mesos build", mesosImage, shared)
	}
	mesosImageBuild.once.Do(func() {
		began := time.Now()
		cmd := exec.Command(filepath.Join(repoRoot(t), "docker", "mesos", "build.sh"), in.Home, mesosImage)
		cmd.Env = append(os.Environ(), "MESOS_SHARED="+shared)
		if out, err := cmd.CombinedOutput(); err != nil {
			mesosImageBuild.err = fmt.Errorf("docker/mesos/build.sh: %v\n%s", err, lastLines(string(out), 20))
			return
		}
		t.Logf("built %s in %v", mesosImage, time.Since(began).Round(100*time.Millisecond))
	})
	if mesosImageBuild.err != nil {
		t.Fatal(mesosImageBuild.err)
	}
}

// unprivileged is the override line that runs the agent unprivileged when
// this machine's Docker engine cannot start privileged containers (in a
// VM that withholds capabilities: "unable to apply caps"). The agent then
// writes no cgroups for the task containers, which Demo-API's Docker task
// does not need: Mesos updates no limits of a command task's container.
func unprivileged(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("docker", "run", "--rm", "--privileged", "--entrypoint", "true", mesosImage).CombinedOutput()
	if err == nil {
		return ""
	}
	t.Logf("this Docker engine starts no privileged container (%s): the agent runs unprivileged", strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0]))
	return "    privileged: false\n"
}

// TestDemoAPIOnComposeCluster brings up docker/compose.yaml's zookeeper,
// master and agent services with mesosImage substituted and only their
// addresses moved (free ports instead of 2181, 5050, 5051 and
// 9000-10000), and runs Demo-API against them through ZooKeeper, as a
// learner with the compose cluster does.
func TestDemoAPIOnComposeCluster(t *testing.T) {
	needKernel(t)
	needDocker(t)
	compose := testenv.RequireTool(t, "docker-compose", "it brings up docker/compose.yaml's services")
	needMesosImage(t)

	zk, master, agent := testenv.Port(t), testenv.Port(t), testenv.Port(t)
	tasks, err := testenv.FreePortRange(100)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	workDir := filepath.Join(dir, "agent-work")
	zkURL := fmt.Sprintf("zk://127.0.0.1:%d/mesos/vagrant", zk)
	override := filepath.Join(dir, "addresses.yaml")
	if err := os.WriteFile(override, fmt.Appendf(nil, `services:
  zookeeper:
    environment:
      ZOO_SERVERS: "server.1=localhost:2888:3888;127.0.0.1:%[1]d"
    healthcheck:
      test: ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/%[1]d && printf ruok >&3 && grep -q imok <&3"]
  master:
    environment:
      MESOS_PORT: "%[2]d"
      MESOS_ZK: "%[4]s"
    healthcheck:
      test: ["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:%[2]d/health"]
  agent:
    environment:
      MESOS_MASTER: "%[4]s"
      MESOS_PORT: "%[3]d"
      MESOS_RESOURCES: "ports:[%[5]d-%[6]d]"
      # This machine's choice, as in docker/realflags_test.go: the agent
      # must not stop other tests' mesos-* containers when it starts.
      MESOS_DOCKER_KILL_ORPHANS: "false"
%[7]s`, zk, master, agent, zkURL, tasks, tasks+99, unprivileged(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	project := fmt.Sprintf("mesosnb-test-%d", os.Getpid())
	composeCmd := func(args ...string) (string, error) {
		cmd := exec.Command(compose, append([]string{"-p", project, "-f", filepath.Join(repoRoot(t), "docker", "compose.yaml"), "-f", override}, args...)...)
		cmd.Env = append(os.Environ(), "MESOSNB_ZOOKEEPER_IMAGE="+mesosImage, "MESOSNB_MESOS_IMAGE="+mesosImage, "MESOSNB_AGENT_WORK_DIR="+workDir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := composeCmd("logs", "--no-color", "--tail", "30")
			t.Logf("the services' logs:\n%s", logs)
		}
		if out, err := composeCmd("down", "-v", "--remove-orphans", "--timeout", "20"); err != nil {
			t.Errorf("docker-compose down: %v\n%s", err, lastLines(out, 10))
		}
		mesostest.RemoveLeftovers(workDir)
	})
	began := time.Now()
	if out, err := composeCmd("up", "-d", "zookeeper", "master", "agent"); err != nil {
		t.Fatalf("docker-compose up: %v\n%s", err, lastLines(out, 20))
	}
	op, err := operator.New(operator.Config{Master: zkURL})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if err := testenv.Poll(ctx, 500*time.Millisecond, func() (bool, error) {
		agents, err := op.Agents(ctx)
		return err == nil && len(agents.Agents) == 1 && agents.Agents[0].Active, nil
	}); err != nil {
		t.Fatalf("the compose agent did not register with the master in 2 minutes: %v", err)
	}
	t.Logf("compose cluster up in %v", time.Since(began).Round(100*time.Millisecond))

	checkDemoAPIOnMesos(t, runAgainst(t, "Demo-API", zkURL))
}
