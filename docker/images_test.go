package docker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// run runs a command and returns its combined output, failing the test on error.
func run(t *testing.T, dir string, extraEnv []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extraEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// scratchImage builds the FROM scratch image of docker/<dir> the way its
// build.sh does, in a copy of the build context so the checkout is left as
// it was, under a tag of its own that the test removes again.
func scratchImage(t *testing.T, dir, pkg string) string {
	t.Helper()
	root := repoRoot(t)
	ctx := t.TempDir()
	run(t, root, []string{"CGO_ENABLED=0", "GOOS=linux"},
		"go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(ctx, dir), pkg)
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		b, err := os.ReadFile(filepath.Join(root, "docker", dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ctx, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tag := fmt.Sprintf("mesosnb/%s:test-%d", dir, os.Getpid())
	run(t, ctx, nil, "docker", "build", "--quiet", "--tag", tag, ctx)
	t.Cleanup(func() { exec.Command("docker", "rmi", "--force", tag).Run() })
	return tag
}

// startContainer runs an image detached and removes the container when the
// test ends.
func startContainer(t *testing.T, args ...string) string {
	t.Helper()
	id := run(t, "", nil, "docker", append([]string{"run", "--detach"}, args...)...)
	t.Cleanup(func() { exec.Command("docker", "rm", "--force", id).Run() })
	return id
}

// get fetches a loopback URL, retrying while the server starts.
func get(t *testing.T, url string, within time.Duration) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, string(body)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET %s: no answer within %v: %v", url, within, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func TestDemoSiteImage(t *testing.T) {
	needDocker(t)
	tag := scratchImage(t, "demo-site", "./docker/demo-site")

	var inspect []struct {
		Size   int64
		Config struct {
			User       string
			Entrypoint []string
		}
	}
	if err := json.Unmarshal([]byte(run(t, "", nil, "docker", "image", "inspect", tag)), &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("docker image inspect %s: %v", tag, err)
	}
	img := inspect[0]
	if img.Config.User != "65534:65534" {
		t.Errorf("image user %q, want 65534:65534 (not root)", img.Config.User)
	}
	if !slices.Equal(img.Config.Entrypoint, []string{"/demo-site"}) {
		t.Errorf("image entrypoint %v, want [/demo-site]", img.Config.Entrypoint)
	}
	if img.Size > 20<<20 {
		t.Errorf("image is %d bytes; one static binary should stay under 20 MiB", img.Size)
	}

	port := freePort(t)
	id := startContainer(t, "--publish", "127.0.0.1:"+port+":80", tag)
	base := "http://127.0.0.1:" + port
	status, body := get(t, base+"/", 20*time.Second)
	if status != http.StatusOK || !strings.Contains(body, "<h1>Hello from a Mesos task</h1>") {
		t.Errorf("GET / = %d, body:\n%s", status, body)
	}
	if status, body := get(t, base+"/health", 5*time.Second); status != http.StatusOK || body != "ok\n" {
		t.Errorf("GET /health = %d %q, want 200 \"ok\\n\"", status, body)
	}

	// SIGTERM must stop it at once: as PID 1 it gets no default handler, and
	// without one docker stop (and a Mesos KILL) would wait for SIGKILL.
	start := time.Now()
	run(t, "", nil, "docker", "stop", "--time", "10", id)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("docker stop took %v: SIGTERM is not handled", d)
	}
	logs := run(t, "", nil, "docker", "logs", id)
	for _, want := range []string{
		"demo-site: listening on [::]:80",
		"demo-site: serving / (index.html, ",
		"demo-site: GET / 200 from ",
		"demo-site: stopping",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("container output lacks %q:\n%s", want, logs)
		}
	}
}

func TestLocalmesosImage(t *testing.T) {
	needDocker(t)
	tag := scratchImage(t, "localmesos", "./cmd/localmesos")
	master, agent := freePort(t), freePort(t)
	startContainer(t, "--network", "host", "--volume", "/var/run/docker.sock:/var/run/docker.sock",
		"--tmpfs", "/tmp", tag,
		"--master-addr=127.0.0.1:"+master, "--agent-addr=127.0.0.1:"+agent, "--runner=simulated")
	if status, body := get(t, "http://127.0.0.1:"+master+"/health", 20*time.Second); status != http.StatusOK {
		t.Errorf("localmesos in its image: GET /health = %d %q", status, body)
	}
}

// TestDockerfiles checks what can be checked of every image without building
// it: base images pinned, every COPY source present in the build context,
// and the prebuilt binaries of the FROM scratch images kept out of git.
func TestDockerfiles(t *testing.T) {
	root := repoRoot(t)
	gitignore := readFile(t, "docker/.gitignore")
	for _, tc := range []struct {
		dockerfile, context string
		scratchBinary       string // "" for images with a real base
	}{
		{"docker/demo-site/Dockerfile", "docker/demo-site", "demo-site"},
		{"docker/localmesos/Dockerfile", "docker/localmesos", "localmesos"},
		{"docker/jupyter/Dockerfile", ".", ""},
	} {
		t.Run(tc.dockerfile, func(t *testing.T) {
			df := parseDockerfile(t, tc.dockerfile)
			for _, from := range df.from {
				if from == "scratch" {
					continue
				}
				if why := pinnedImage(from); why != "" {
					t.Errorf("FROM %s is not pinned: %s", from, why)
				}
			}
			if tc.scratchBinary != "" {
				if !slices.Equal(df.from, []string{"scratch"}) {
					t.Errorf("FROM %v, want scratch: no registry to pull a base from", df.from)
				}
				copiesBinary := slices.ContainsFunc(df.copy, func(srcs []string) bool {
					return slices.Equal(srcs, []string{tc.scratchBinary})
				})
				if !copiesBinary {
					t.Errorf("no COPY %s: the image is built around the prebuilt binary", tc.scratchBinary)
				}
				if !strings.Contains(gitignore, "/"+filepath.Base(tc.context)+"/"+tc.scratchBinary+"\n") {
					t.Errorf("docker/.gitignore does not ignore the built binary %s/%s", tc.context, tc.scratchBinary)
				}
				return
			}
			for _, srcs := range df.copy {
				for _, src := range srcs {
					if _, err := os.Stat(filepath.Join(root, tc.context, src)); err != nil {
						t.Errorf("COPY %s: not in the build context: %v", src, err)
					}
				}
			}
		})
	}
}

var goDirective = regexp.MustCompile(`(?m)^go (\S+)$`)

// TestJupyterImagePins checks that the jupyter image gets Go at go.mod's
// version and GoNB at the version go.mod pins as a tool.
func TestJupyterImagePins(t *testing.T) {
	df := parseDockerfile(t, "docker/jupyter/Dockerfile")
	gomod := readFile(t, "go.mod")
	m := goDirective.FindStringSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	if want := "golang:" + m[1] + "-"; !strings.HasPrefix(df.args["GO_IMAGE"], want) {
		t.Errorf("GO_IMAGE default %q, want %s<debian release> to match go.mod's go %s", df.args["GO_IMAGE"], want, m[1])
	}
	if !strings.Contains(gomod, "github.com/janpfeifer/gonb v0.11.5") {
		t.Error("go.mod does not pin github.com/janpfeifer/gonb v0.11.5, which the image installs as a tool")
	}
	if !regexp.MustCompile(`(?s)\ntool \(.*github\.com/janpfeifer/gonb\n.*\)`).MatchString(gomod) {
		t.Error("go.mod's tool block lacks github.com/janpfeifer/gonb, which `go install tool` installs")
	}
	var installsTools, installsKernel bool
	for _, ins := range df.lines {
		installsTools = installsTools || strings.Contains(ins, "go install tool")
		installsKernel = installsKernel || strings.Contains(ins, "gonb --install")
		if strings.Contains(ins, "@latest") {
			t.Errorf("unpinned install: %s", ins)
		}
	}
	if !installsTools || !installsKernel {
		t.Error("the Dockerfile must install go.mod's tools (go install tool) and the GoNB kernel (gonb --install)")
	}
	if v := df.args["GOPLS_VERSION"]; !regexp.MustCompile(`^v\d+\.\d+\.\d+$`).MatchString(v) {
		t.Errorf("GOPLS_VERSION %q is not a pinned version", v)
	}
}
