package session

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestPruneJournals: what removed frameworks left is removed once older
// than the limit, and nothing else: not the current journal, not a young
// one, not a session whose framework may live on.
func TestPruneJournals(t *testing.T) {
	root := t.TempDir()
	old := time.Now().Add(-8 * 24 * time.Hour)
	write := func(path string, mod time.Time) {
		os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(path, mod, mod)
	}
	state := func(dir, status string, updated time.Time) {
		os.MkdirAll(dir, 0o700)
		if err := writeJSON(filepath.Join(dir, stateFile), State{Status: status, UpdatedAt: updated, FailoverTimeout: 3600}); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(root, "demo")
	write(filepath.Join(dir, journalFile), old)
	write(filepath.Join(dir, "journal.F1.jsonl"), old)
	write(filepath.Join(dir, "calls.F1.jsonl"), old)
	write(filepath.Join(dir, "journal.F2.jsonl"), time.Now())
	state(filepath.Join(root, "removed-long-ago"), StatusRemoved, old)
	state(filepath.Join(root, "removed-today"), StatusRemoved, time.Now())
	state(filepath.Join(root, "killed-long-ago"), StatusSubscribed, old)
	os.MkdirAll(filepath.Join(root, "standins", "zk-demo-a"), 0o700)

	pruneJournals(root, dir, 7*24*time.Hour)

	var left []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if rel, _ := filepath.Rel(root, p); rel != "." {
			left = append(left, rel)
		}
		return nil
	})
	want := []string{"demo", "demo/journal.F2.jsonl", "demo/journal.jsonl", "removed-today", "removed-today/state.json", "standins", "standins/zk-demo-a"}
	if !slices.Equal(left, want) {
		t.Fatalf("left %v, want %v", left, want)
	}
}
