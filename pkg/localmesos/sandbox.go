package localmesos

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Sandboxes: each task's folder on its agent, laid out as a Mesos agent
// lays them out under its --work_dir and served the same ways:
//
//	<work_dir>/slaves/<agent>/frameworks/<fw>/executors/<executor>/runs/<run>   the sandbox
//	<work_dir>/slaves/<agent>/frameworks/<fw>/executors/<executor>/runs/latest  a symbolic link to it
//	/frameworks/<fw>/executors/<executor>/runs/latest                           its virtual path
//
// The executor's "directory" in the agent's /state is the first. A task's
// stdout and stderr are in it, whatever ran the task. Sandboxes of ended
// tasks stay readable until their framework has more than
// maxCompletedExecutors ended executors on the agent; then the oldest is
// removed, as the agent's garbage collector would.

// maxCompletedExecutors is Mesos' --max_completed_executors_per_framework
// default.
const maxCompletedExecutors = 150

// sandboxVirtualPath is the sandbox's path that hides the agent's work
// folder (paths::getExecutorVirtualPath).
func sandboxVirtualPath(fwID, executorID string) string {
	return "/frameworks/" + fwID + "/executors/" + executorID + "/runs/latest"
}

// createSandbox makes the task's folder (its command executor's, in
// Mesos) with its stdout and stderr.
func (a *agent) createSandbox(t *agentTask) error {
	return a.makeSandbox(t.fwID, t.info.TaskID.Value, t.sandbox)
}

// makeSandbox makes an executor's folder with its stdout and stderr,
// points runs/latest at it and attaches it at its three paths.
func (a *agent) makeSandbox(fwID, executorID, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range []string{"stdout", "stderr"} {
		f, err := openSandboxLog(dir, name)
		if err != nil {
			return err
		}
		f.Close()
	}
	latest := filepath.Join(filepath.Dir(dir), "latest")
	if err := os.Symlink(dir, latest); errors.Is(err, fs.ErrExist) {
		// A task id used again: the newest run is the latest.
		os.Remove(latest)
		err = os.Symlink(dir, latest)
		if err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	// The work folder's real path was resolved once (newAgent), and
	// nothing below it is a link: the sandbox is its own real path.
	a.files.attachReal(dir, latest, sandboxVirtualPath(fwID, executorID), dir)
	return nil
}

// doneExecutor is what the agent keeps of an ended task's executor: what
// /state shows of it, and where its sandbox is.
type doneExecutor struct {
	fwID, taskID, name string
	sandbox            string
	state              mesos.TaskState
	resources          mesos.StateResources
}

// retire keeps an ended task's executor for /state's completed executors
// and its sandbox for reading, and lets the oldest one of its framework
// go. Called with a.mu held.
func (a *agent) retire(t *agentTask) {
	done := append(a.completed[t.fwID], &doneExecutor{fwID: t.fwID, taskID: t.info.TaskID.Value, name: t.info.Name,
		sandbox: t.sandbox, state: t.state, resources: poolOf(t.info.Resources).stateResources()})
	if len(done) > maxCompletedExecutors {
		old := done[0]
		done = done[1:]
		a.removeSandbox(old)
	}
	a.completed[t.fwID] = done
}

// removeSandbox detaches a sandbox and deletes it. The runs/latest paths
// go only if they still lead to it: a relaunched task id has a newer run.
func (a *agent) removeSandbox(t *doneExecutor) {
	latest := filepath.Join(filepath.Dir(t.sandbox), "latest")
	if target, err := os.Readlink(latest); err == nil && target == t.sandbox {
		os.Remove(latest)
		a.files.detach(latest)
		a.files.detach(sandboxVirtualPath(t.fwID, t.taskID))
	}
	a.files.detach(t.sandbox)
	os.RemoveAll(t.sandbox)
}
