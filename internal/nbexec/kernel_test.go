package nbexec_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/internal/testenv"
)

// TestKernel drives a real GoNB kernel: a cell's output, a failing cell,
// a restart that keeps the kernel id and gives a new process (and the
// environment it is asked for), and a shutdown that leaves no GoNB build
// folder behind.
func TestKernel(t *testing.T) {
	if err := exec.Command(nbexec.Python(), "-c", "import jupyter_client").Run(); err != nil {
		testenv.Unavailable(t, "%s has no jupyter_client (%v): sudo apt-get install -y python3-jupyter-client (or: make deps)", nbexec.Python(), err)
	}
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	gonb := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "gonb")
	if _, err := os.Stat(gonb); err != nil {
		testenv.Unavailable(t, "no GoNB kernel at %s: make deps", gonb)
	}
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	k, err := nbexec.StartKernel(ctx, nbexec.KernelOptions{Dir: t.TempDir(), Env: []string{"TMPDIR=" + tmp, "GREETING=hello",
		"PATH=" + os.Getenv("PATH") + string(os.PathListSeparator) + filepath.Dir(gonb)}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	run := func(code string) nbexec.Cell {
		t.Helper()
		c, err := k.Execute(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := run(`%%
fmt.Println(os.Getenv("GREETING"), os.Getenv("GONB_JUPYTER_KERNEL_ID"))`); c.Failed() || c.Text() != "hello "+k.ID+"\n" {
		t.Fatalf("a cell showed %q (failed %v), want the greeting and the kernel id %s", c.Text(), c.Failed(), k.ID)
	}
	if c := run("%%\nos.Exit(3)"); !c.Failed() {
		t.Errorf("a cell that exits 3 did not fail: %+v", c.Outputs)
	}
	id, pid := k.ID, k.PID
	if err := k.Restart(ctx, "GREETING=again"); err != nil {
		t.Fatal(err)
	}
	if k.ID != id || k.PID == pid {
		t.Errorf("after a restart: kernel %s pid %d, was %s pid %d", k.ID, k.PID, id, pid)
	}
	if c := run(`%%
fmt.Println(os.Getenv("GREETING"))`); c.Text() != "again\n" {
		t.Errorf("after a restart with GREETING=again the cell shows %q", c.Text())
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "gonb_*")); len(left) > 0 {
		t.Errorf("GoNB build folders left after shutdown: %v", left)
	}
}
