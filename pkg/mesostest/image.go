package mesostest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
)

// DemoImage is the image Docker tasks use in tests: the project's demo
// web site, built FROM scratch on this machine (there is no registry).
// It serves its page on port 80.
const DemoImage = "mesosnb/demo-site:dev"

var demoImage struct {
	once sync.Once
	err  error
}

// NeedDemoImage makes sure DemoImage exists, building it once per test
// binary with docker/demo-site/build.sh when it does not. Without a
// Docker engine the test is skipped (failed under CI).
func NeedDemoImage(t testing.TB) string {
	t.Helper()
	testenv.RequireDocker(t)
	demoImage.once.Do(func() { demoImage.err = buildDemoImage() })
	if demoImage.err != nil {
		t.Fatal(demoImage.err)
	}
	return DemoImage
}

func buildDemoImage() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if exec.CommandContext(ctx, "docker", "image", "inspect", DemoImage).Run() == nil {
		return nil
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, filepath.Join(root, "docker", "demo-site", "build.sh"), DemoImage).CombinedOutput()
	if err != nil {
		return fmt.Errorf("mesostest: docker/demo-site/build.sh: %v\n%s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// repoRoot is the folder with go.mod above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for !fileExists(filepath.Join(dir, "go.mod")) {
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("mesostest: no go.mod above the working directory")
		}
		dir = filepath.Dir(dir)
	}
	return dir, nil
}
