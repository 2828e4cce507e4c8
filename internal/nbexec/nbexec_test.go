package nbexec_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/nbexec"
)

func TestRead(t *testing.T) {
	t.Parallel()
	nb, err := nbexec.Read("testdata/executed.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells) != 3 || len(nb.Code()) != 2 {
		t.Fatalf("%d cells, %d code", len(nb.Cells), len(nb.Code()))
	}
	c := nb.Cells[1]
	if c.Duration() != 2500*time.Millisecond {
		t.Errorf("duration %s", c.Duration())
	}
	if txt := c.Text(); !strings.Contains(txt, "second line") || !strings.Contains(txt, "1 outstanding offer(s)") || !strings.Contains(txt, "<cpus>") {
		t.Errorf("text %q", txt)
	}
	if c.Failed() || !nb.Cells[2].Failed() || nb.FirstError().Index != 2 {
		t.Errorf("failure detection wrong")
	}
	want := []string{"markdown:", "code:stream/stdout,display_data", "code:stream/stderr"}
	if got := nb.Shape(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("shape %q, want %q", got, want)
	}
}

// TestClean: what is committed carries no machine paths and no
// transient display ids, and still reads as the same notebook.
func TestClean(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "clean.ipynb")
	b, _ := os.ReadFile("testdata/executed.ipynb")
	root, _ := filepath.Abs(".")
	src := filepath.Join(t.TempDir(), "src.ipynb")
	os.WriteFile(src, []byte(strings.ReplaceAll(string(b), "/srv/repo", root)), 0o600)
	if err := nbexec.Clean(src, out); err != nil {
		t.Fatal(err)
	}
	cleaned, _ := os.ReadFile(out)
	if strings.Contains(string(cleaned), root) || strings.Contains(string(cleaned), "display_id") {
		t.Fatalf("not clean:\n%s", cleaned)
	}
	nb, err := nbexec.Read(out)
	if err != nil || len(nb.Cells) != 3 {
		t.Fatalf("cleaned notebook unreadable: %v", err)
	}
}
