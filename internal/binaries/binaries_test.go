package binaries

import (
	"os"
	"path/filepath"
	"slices"
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
