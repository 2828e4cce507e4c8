//go:build unix

package notebooks_test

// The notebooks against a real Apache Mesos 1.11.0 master and agent
// (pkg/mesostest), as a learner with the AVENTER packages or the Vagrant
// VMs runs them: only MESOS_MASTER and DEMO_IMAGE set. The Demo-API task
// is a real container started by Mesos' Docker containerizer from the
// demo-site image built on this machine (no registry here).

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

func TestNotebooksOnRealMesos(t *testing.T) {
	needKernel(t)
	needDocker(t) // builds demoImage
	cluster := mesostest.Start(t, mesostest.Options{Docker: mesostest.DockerRequired})

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
	// The last DEMO_IMAGE wins over notebookEnv's empty one.
	env := append(notebookEnv(cluster.URL(), sessions), "JUPYTER_RUNTIME_DIR="+runtime, "DEMO_IMAGE="+demoImage)

	run := func(name string) *execution {
		e := &execution{name: name, path: filepath.Join(t.ArtifactDir(), name+".real-mesos.ipynb")}
		began := time.Now()
		e.nb, e.err = nbexec.Run(ctx, nbexec.Options{
			Notebook: filepath.Join(repoRoot(t), "notebooks", name+".ipynb"),
			Output:   e.path,
			Env:      env,
			Timeout:  cellTimeout,
		})
		e.took = time.Since(began)
		t.Logf("executed %s against real Mesos in %v (err: %v); saved in %s", name, e.took.Round(100*time.Millisecond), e.err, e.path)
		stopKernels(t, runtime)
		return e
	}

	op, err := operator.New(operator.Config{Master: cluster.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()

	t.Run("Demo-API", func(t *testing.T) {
		nb := checkRun(t, run("Demo-API"))
		text := textOf(nb)
		wantText(t, text, "TASK_RUNNING", "200 OK", "title \""+demoSiteTitle(t)+"\"", "TASK_KILLED", demoImage)
		if strings.Contains(text, "stand-in") && regexp.MustCompile(`Found the [^\n]*stand-in`).MatchString(text) {
			t.Error("the notebook took real Mesos for the stand-in")
		}
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
		nb := checkRun(t, run("Operator-API"))
		wantText(t, textOf(nb), "1.11.0", "FRAMEWORK_ADDED", "TASK_ADDED", "TASK_RUNNING", "TASK_KILLED")
	})
}
