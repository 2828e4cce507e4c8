// Package notebooks_test proves that the notebooks in notebooks/ work.
//
// The notebooks are what people use, so they are tested the way people use
// them, with nothing stubbed:
//
//   - TestNotebooks executes every notebook top to bottom with jupyter
//     nbconvert --execute on the GoNB kernel, against an in-process
//     localmesos whose Demo-API task is a real Docker container of
//     mesosnb/demo-site:dev, and a real ZooKeeper for the ZooKeeper
//     notebook; then it runs Demo-API again against the same master and
//     session folder, because every cell must be safe to run again.
//   - TestCommittedOutputs checks the outputs committed for readers: no
//     machine paths, no secrets, no errors, and the same shape as a fresh
//     run, so that they cannot rot.
//   - TestNotebookInBrowser opens Demo-API.ipynb in Jupyter's classic
//     notebook server with headless Chromium, runs all cells through the
//     UI and looks for the rendered offer and task tables.
//
// Jupyter, the GoNB kernel, Docker, ZooKeeper and Chromium are real. When
// one is missing a test is skipped with the command that installs it, or
// fails when the CI environment variable is set, so that CI cannot pass
// without having run the notebooks.
package notebooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos/standin"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// demoImage is the image the Demo-API notebook launches on the stand-in,
// built here from docker/demo-site because this machine has no registry.
const demoImage = "mesosnb/demo-site:dev"

// scratch is the package's one scratch folder, made by TestMain: the
// programs the notebooks start (built once), the shared executions (see
// executions), every kernel's Jupyter runtime folder and TMPDIR (GoNB's
// build folders), every test's sessions. TestMain checks, once every test
// is done, that nothing started from it still runs and that GoNB left no
// build folder, then removes it.
var scratch struct {
	dir                  string
	listener, localmesos string // built from this repository
}

// TestMain makes the scratch folder and builds the programs, runs the
// tests, then checks that they left nothing behind: no listener, stand-in
// or kernel still running, no GoNB build folder, no scratch folder.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mesosnb-notebooks-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	scratch.dir = dir
	scratch.listener, scratch.localmesos = filepath.Join(dir, "bin", "mesos-listener"), filepath.Join(dir, "bin", "localmesos")
	for _, d := range []string{"tmp", "jupyter-runtime", "bin"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	for bin, pkg := range map[string]string{scratch.listener: "./cmd/mesos-listener", scratch.localmesos: "./cmd/localmesos"} {
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	if left := leftBehind(dir); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the tests left behind:\n  %s\n", strings.Join(left, "\n  "))
		code = 1
	}
	os.RemoveAll(dir)
	if _, err := os.Stat(dir); err == nil {
		fmt.Fprintf(os.Stderr, "FAIL: the scratch folder %s could not be removed\n", dir)
		code = 1
	}
	os.Exit(code)
}

// scratchDir returns the package's scratch folder.
func scratchDir(testing.TB) string { return scratch.dir }

// repoRoot is the repository: two levels above this package's folder,
// where go test runs it.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// goBin is $(go env GOPATH)/bin, where `go install tool` puts gonb and
// goimports.
var goBin = sync.OnceValue(func() string {
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	return filepath.Join(strings.TrimSpace(string(out)), "bin")
})

// notebookEnv is what a notebook runs with: the master, the parent of its
// session folders, a PATH on which GoNB finds go and goimports (Jupyter
// passes its environment to the kernel, whose kernel.json adds nothing),
// the programs the session starts, built once by TestMain (so that no
// test builds into, or prunes, the user's cache), and a TMPDIR in the
// scratch folder, where GoNB makes its build folders.
// DEMO_IMAGE is emptied, which the notebook reads as unset: a developer's
// own setting must not replace the image these tests built.
func notebookEnv(master, sessions string) []string {
	return []string{
		"MESOS_MASTER=" + master,
		"MESOSNB_SESSION_DIR=" + sessions,
		"PATH=" + os.Getenv("PATH") + string(os.PathListSeparator) + goBin(),
		"DEMO_IMAGE=",
		session.EnvListener + "=" + scratch.listener,
		standin.EnvLocalMesos + "=" + scratch.localmesos,
		"TMPDIR=" + filepath.Join(scratch.dir, "tmp"),
	}
}

// kernelCheck is the outcome of the one look for Jupyter and the GoNB
// kernel per test binary: a missing tool is not going to appear mid-run.
var kernelCheck = sync.OnceValue(checkKernel)

// needKernel makes sure Jupyter and the GoNB kernel are there, installing
// the kernel spec when only that is missing (what `make kernel` does).
func needKernel(t testing.TB) {
	t.Helper()
	if err := kernelCheck(); err != nil {
		testenv.Unavailable(t, "%v", err)
	}
}

// gonbInstall is the command that installs the pinned GoNB and goimports
// (tool dependencies in go.mod) and registers the kernel with Jupyter.
const gonbInstall = "go install tool && \"$(go env GOPATH)/bin/gonb\" --install --force_deps   (or: make deps)"

// jupyterInstall installs what runs the notebooks headless and in a browser
// on Debian, as .ci/run and make deps do.
const jupyterInstall = "sudo apt-get install -y --no-install-recommends jupyter-notebook jupyter-nbconvert python3-nbclient   (or: make deps)"

func checkKernel() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	jupyter := nbexec.Jupyter()
	if out, err := exec.CommandContext(ctx, jupyter, "nbconvert", "--version").CombinedOutput(); err != nil {
		why := fmt.Sprintf("%s nbconvert --version: %v", jupyter, err)
		if said := strings.TrimSpace(lastLines(string(out), 3)); said != "" {
			why += ": " + said
		}
		return fmt.Errorf("no working Jupyter nbconvert (%s); install it with: %s", why, jupyterInstall)
	}
	for _, tool := range []string{"gonb", "goimports"} {
		if _, err := os.Stat(filepath.Join(goBin(), tool)); err != nil {
			return fmt.Errorf("no %s in %s; from the repository, run: %s", tool, goBin(), gonbInstall)
		}
	}
	err := gonbKernelSpec(ctx, jupyter)
	if err == nil {
		return nil
	}
	// Only the registration is missing or stale (say, a gonb binary that
	// has moved): writing it again is what `make kernel` would do.
	gonb := filepath.Join(goBin(), "gonb")
	if out, ierr := exec.CommandContext(ctx, gonb, "--install", "--force_deps").CombinedOutput(); ierr != nil {
		return fmt.Errorf("GoNB kernel %v, and %s --install --force_deps failed: %v: %s; run: %s", err, gonb, ierr, lastLines(string(out), 5), gonbInstall)
	}
	if err := gonbKernelSpec(ctx, jupyter); err != nil {
		return fmt.Errorf("GoNB kernel still unusable after %s --install --force_deps: %v; run: %s", gonb, err, gonbInstall)
	}
	return nil
}

// gonbKernelSpec finds the gonb kernel spec in Jupyter's data folders, the
// way Jupyter looks for it, and checks that the program it starts exists.
func gonbKernelSpec(ctx context.Context, jupyter string) error {
	out, err := exec.CommandContext(ctx, jupyter, "--paths", "--json").Output()
	if err != nil {
		return fmt.Errorf("cannot be looked for: jupyter --paths: %w", err)
	}
	var paths struct{ Data []string }
	if err := json.Unmarshal(out, &paths); err != nil {
		return fmt.Errorf("cannot be looked for: jupyter --paths: %w", err)
	}
	for _, dir := range paths.Data {
		file := filepath.Join(dir, "kernels", "gonb", "kernel.json")
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		var spec struct{ Argv []string }
		if err := json.Unmarshal(b, &spec); err != nil || len(spec.Argv) == 0 {
			return fmt.Errorf("spec %s is unreadable", file)
		}
		if _, err := os.Stat(spec.Argv[0]); err != nil {
			return fmt.Errorf("spec %s starts %s, which is gone", file, spec.Argv[0])
		}
		return nil
	}
	return errors.New("is not installed")
}

// gonbVersion is the version of the gonb module the kernel binary was
// built from, as `go version -m` reads it: the notebooks are meant to run
// on the GoNB that go.mod pins.
func gonbVersion() string {
	out, err := exec.Command("go", "version", "-m", filepath.Join(goBin(), "gonb")).Output()
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/janpfeifer/gonb" {
			return f[2]
		}
	}
	return "unknown"
}

// dockerCheck is the outcome of the one look for a Docker engine and the
// one build of the demo-site image per test binary.
var dockerCheck struct {
	once     sync.Once
	missing  error // no engine answers
	buildErr error // the engine answered but the image did not build
}

// needDocker makes sure a Docker engine answers and that the demo-site
// image is built (once per test binary: docker/demo-site/build.sh), so that
// the Demo-API task is a real container.
func needDocker(t testing.TB) {
	t.Helper()
	dockerCheck.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if err := localmesos.PingDocker(ctx, ""); err != nil {
			dockerCheck.missing = err
			return
		}
		began := time.Now()
		cmd := exec.CommandContext(ctx, filepath.Join(repoRoot(t), "docker", "demo-site", "build.sh"), demoImage)
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			dockerCheck.buildErr = fmt.Errorf("docker/demo-site/build.sh: %v\n%s", err, lastLines(string(out), 20))
			return
		}
		t.Logf("built %s in %v", demoImage, time.Since(began).Round(100*time.Millisecond))
	})
	if dockerCheck.missing != nil {
		testenv.Unavailable(t, "no Docker engine answers (%v): the Demo-API notebook launches a real container; start the Docker engine (sudo systemctl start docker)", dockerCheck.missing)
	}
	if dockerCheck.buildErr != nil {
		t.Fatal(dockerCheck.buildErr)
	}
}

// standIn starts localmesos in this process on free loopback ports. The
// auto runner runs the Demo-API container in Docker (callers made sure an
// engine answers) and the Operator-API notebook's command task as a
// process; the docker runner alone would turn that command task down.
func standIn(log io.Writer) (*localmesos.Server, error) {
	first, err := testenv.FreePortRange(20)
	if err != nil {
		return nil, err
	}
	cfg := localmesos.Config{
		MasterAddr: "127.0.0.1:0",
		AgentAddrs: []string{"127.0.0.1:0"},
		Runner:     localmesos.RunnerAuto,
		Resources:  fmt.Sprintf("cpus:4;mem:4096;disk:10240;ports:[%d-%d]", first, first+19),
		Logger:     slog.New(slog.NewTextHandler(log, nil)),
	}
	return localmesos.New(cfg)
}

// lastLines is the end of a command's output, for error messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// textOf is everything a notebook's cells showed, HTML reduced to text.
func textOf(nb *nbexec.Notebook) string {
	var b bytes.Buffer
	for _, c := range nb.Cells {
		b.WriteString(c.Text())
		b.WriteString("\n")
	}
	return b.String()
}
