package binaries

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPruneBuilds: the cache keeps the current build of a program and the
// newest other one (a listener started from it may still run), and leaves
// other programs alone.
func TestPruneBuilds(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"mesos-listener-a", "mesos-listener-b", "mesos-listener-c", "mesos-listener-d", "localmesos-a"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, nil, 0o755)
		mod := time.Now().Add(time.Duration(i-10) * time.Minute)
		os.Chtimes(p, mod, mod)
	}
	pruneBuilds(dir, "mesos-listener", filepath.Join(dir, "mesos-listener-b"))
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{"localmesos-a", "mesos-listener-b", "mesos-listener-d"}; !slices.Equal(left, want) {
		t.Fatalf("left %v, want %v", left, want)
	}
}

// Sessions started together in one process (a workshop's attendees) ask
// for the same program at once on an empty cache: each gets it.
func TestPathConcurrentFirstBuild(t *testing.T) {
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(gocache))) // keep Go's build cache
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("MESOSNB_TEST_NO_SUCH_ENV", "")
	const n = 4
	paths, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = Path(context.Background(), "mesos-listener", "MESOSNB_TEST_NO_SUCH_ENV")
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Fatalf("call %d: %q, %v (first: %q)", i, paths[i], errs[i], paths[0])
		}
	}
	if _, err := os.Stat(paths[0]); err != nil {
		t.Fatal(err)
	}
}
