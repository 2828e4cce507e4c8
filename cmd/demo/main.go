// Command demo runs the Demo-API notebook headless against the local
// stand-in and prints what happened: the one command behind `make demo`.
//
//	go run ./cmd/demo                   # Demo-API against localmesos, then a summary
//	go run ./cmd/demo --refresh         # run every notebook and save its outputs into notebooks/
//	go run ./cmd/demo --offline-compose # Demo-API against docker/compose.offline.yaml
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/session"
	"github.com/mesosnb/mesosnb/pkg/zkdemo"
	"github.com/mesosnb/mesosnb/pkg/zktest"
)

func main() {
	refresh := flag.Bool("refresh", false, "run every notebook against localmesos and save the outputs into notebooks/")
	offline := flag.Bool("offline-compose", false, "run Demo-API against docker/compose.offline.yaml (brought up and down here)")
	image := flag.String("in-image", "", "run Demo-API inside this jupyter image (docker/jupyter) against localmesos")
	flag.Parse()
	var err error
	switch {
	case *refresh:
		err = refreshAll()
	case *offline:
		err = offlineCompose()
	case *image != "":
		err = inImage(*image)
	default:
		err = demo()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

const build = ".build"

// env is what the notebooks run with: the master, a session folder of
// their own, and the Go tools on PATH (Jupyter starts GoNB, which runs go
// and goimports).
func env(master string) []string {
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	sessions, _ := filepath.Abs(filepath.Join(build, "sessions"))
	return []string{
		"MESOS_MASTER=" + master,
		"MESOSNB_SESSION_DIR=" + sessions,
		"PATH=" + os.Getenv("PATH") + string(os.PathListSeparator) + filepath.Join(strings.TrimSpace(string(gopath)), "bin"),
	}
}

// startStandIn runs localmesos in this process, on the usual ports when
// they are free (the notebooks' default master), else on free ones.
func startStandIn() (*localmesos.Server, error) {
	cfg := localmesos.Config{MasterAddr: "127.0.0.1:5050", AgentAddrs: []string{"127.0.0.1:5051"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if !free(cfg.MasterAddr) || !free(cfg.AgentAddrs[0]) {
		cfg.MasterAddr, cfg.AgentAddrs = "127.0.0.1:0", []string{"127.0.0.1:0"}
	}
	return localmesos.New(cfg)
}

func free(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func demo() error {
	if err := os.MkdirAll(build, 0o755); err != nil {
		return err
	}
	srv, err := startStandIn()
	if err != nil {
		return fmt.Errorf("start localmesos: %w", err)
	}
	defer srv.Close()
	fmt.Printf("demo: localmesos (the local stand-in) at %s\n", srv.URL)
	out := filepath.Join(build, "Demo-API.ipynb")
	fmt.Println("demo: running notebooks/Demo-API.ipynb headless (the first run compiles the Go packages: a minute or two)...")
	start := time.Now()
	nb, err := nbexec.Run(context.Background(), nbexec.Options{Notebook: "notebooks/Demo-API.ipynb", Output: out, Env: env(srv.URL)})
	if err != nil {
		return err
	}
	summary(nb, out, time.Since(start))
	return nil
}

// summary prints one screen: where the notebook is, the framework, the
// task and its states, the slowest cells.
func summary(nb *nbexec.Notebook, out string, took time.Duration) {
	fmt.Printf("\ndemo: executed notebook: %s (%d cells, %s)\n", out, len(nb.Code()), took.Round(time.Second))
	s, err := session.Open(session.Options{Name: "demo-api", Dir: filepath.Join(build, "sessions", "demo-api")})
	if err == nil {
		if st, err := s.State(); err == nil {
			fmt.Printf("demo: framework %s (%s), listener %s\n", st.FrameworkID, st.FrameworkName, st.Status)
		}
		if tasks, err := s.Tasks(); err == nil {
			for _, t := range tasks {
				var states []string
				for _, x := range t.States {
					states = append(states, string(x))
				}
				fmt.Printf("demo: task %s: %s\n", t.ID.Value, strings.Join(states, " → "))
			}
		}
	}
	cells := nb.Code()
	slices.SortFunc(cells, func(a, b nbexec.Cell) int { return int(b.Duration() - a.Duration()) })
	for _, c := range cells[:min(3, len(cells))] {
		first, _, _ := strings.Cut(strings.TrimSpace(c.Source), "\n")
		fmt.Printf("demo: slow cell %d (%s): %s\n", c.Index, c.Duration().Round(100*time.Millisecond), first)
	}
}

// refreshAll runs the three notebooks against a fresh stand-in (and a
// ZooKeeper for the ZooKeeper notebook) and saves their outputs, cleaned
// of this machine's paths, into notebooks/.
func refreshAll() error {
	if err := os.MkdirAll(build, 0o755); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "demo-zk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	zk, err := zktest.StartProcess(context.Background(), dir)
	if err != nil {
		return fmt.Errorf("start ZooKeeper for the ZooKeeper notebook: %w", err)
	}
	defer zk.Stop()
	srv, err := startStandIn()
	if err != nil {
		return err
	}
	defer srv.Close()
	// The ZooKeeper notebook's stand-ins on the learner's default ports, as
	// its text says, unless something else uses them.
	zkPort := 5060
	for p := zkPort; p < zkPort+4; p++ {
		if !free(fmt.Sprintf("127.0.0.1:%d", p)) {
			if zkPort, err = testenv.FreePortRange(4); err != nil {
				return err
			}
			break
		}
	}
	for _, name := range []string{"Demo-API", "Operator-API", "ZooKeeper"} {
		// A neutral name in what gets committed, not this machine's.
		e := append(env(srv.URL), "MESOS_ZK="+zk.URL("/mesos/vagrant"), "MESOSNB_IDENTITY=you@laptop", fmt.Sprintf("%s=%d", zkdemo.EnvPort, zkPort))
		out := filepath.Join(build, name+".ipynb")
		fmt.Printf("refresh: running %s...\n", name)
		if _, err := nbexec.Run(context.Background(), nbexec.Options{Notebook: "notebooks/" + name + ".ipynb", Output: out, Env: e}); err != nil {
			return err
		}
		if err := nbexec.Clean(out, "notebooks/"+name+".ipynb"); err != nil {
			return err
		}
		fmt.Printf("refresh: saved notebooks/%s.ipynb\n", name)
	}
	return nil
}

// offlineCompose brings up docker/compose.offline.yaml, runs Demo-API
// against it (a real container through localmesos' docker runner) and
// brings it down.
func offlineCompose() error {
	compose := func(args ...string) error {
		cmd := exec.Command("docker-compose", append([]string{"-p", "mesosnb-offline", "-f", "docker/compose.offline.yaml"}, args...)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		return cmd.Run()
	}
	if !free("127.0.0.1:5050") || !free("127.0.0.1:5051") {
		return errors.New("ports 5050 and 5051 are taken: stop whatever uses them (another localmesos?) and run again")
	}
	if err := compose("up", "-d", "--no-build", "localmesos"); err != nil {
		return fmt.Errorf("docker-compose up (build the images first: make images): %w", err)
	}
	defer compose("down", "--timeout", "10")
	if err := waitHealthy("http://127.0.0.1:5050/health", 60*time.Second); err != nil {
		compose("logs", "localmesos")
		return err
	}
	fmt.Println("offline-compose: localmesos container up; running Demo-API against it")
	out := filepath.Join(build, "Demo-API.offline.ipynb")
	os.MkdirAll(build, 0o755)
	nb, err := nbexec.Run(context.Background(), nbexec.Options{Notebook: "notebooks/Demo-API.ipynb", Output: out, Env: env("http://127.0.0.1:5050")})
	if err != nil {
		compose("logs", "localmesos")
		return err
	}
	text := ""
	for _, c := range nb.Cells {
		text += c.Text()
	}
	for _, want := range []string{"TASK_RUNNING", "200 OK", "TASK_KILLED"} {
		if !strings.Contains(text, want) {
			return fmt.Errorf("offline-compose: the executed notebook (%s) never shows %s", out, want)
		}
	}
	fmt.Println("offline-compose: Demo-API ran a real container through the containerised localmesos")
	return nil
}

func waitHealthy(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %s", url, timeout)
}

// inImage runs Demo-API with the Jupyter and GoNB of a jupyter image
// (docker/jupyter), on the host network, against a stand-in started here.
func inImage(image string) error {
	srv, err := startStandIn()
	if err != nil {
		return err
	}
	defer srv.Close()
	out, err := filepath.Abs(filepath.Join(build, "in-image"))
	if err != nil {
		return err
	}
	os.MkdirAll(out, 0o777)
	os.Chmod(out, 0o777) // the image runs as its own user
	script := "cd notebooks && jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=gonb " +
		"--ExecutePreprocessor.timeout=600 --output /out/Demo-API.ipynb Demo-API.ipynb"
	cmd := exec.Command("docker", "run", "--rm", "--network", "host", "-v", out+":/out", "-e", "MESOS_MASTER="+srv.URL,
		"--entrypoint", "bash", image, "-c", script)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	fmt.Printf("in-image: running Demo-API inside %s against %s\n", image, srv.URL)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("docker run %s: %w", image, err)
	}
	nb, err := nbexec.Read(filepath.Join(out, "Demo-API.ipynb"))
	if err != nil {
		return err
	}
	if c := nb.FirstError(); c != nil {
		return fmt.Errorf("in-image: cell %d failed: %s", c.Index, c.ErrorText())
	}
	text := ""
	for _, c := range nb.Cells {
		text += c.Text()
	}
	for _, want := range []string{"SUBSCRIBED", "TASK_RUNNING", "200 OK", "TASK_KILLED"} {
		if !strings.Contains(text, want) {
			return fmt.Errorf("in-image: the executed notebook never shows %s", want)
		}
	}
	fmt.Println("in-image: Demo-API ran inside the image:", filepath.Join(out, "Demo-API.ipynb"))
	return nil
}
