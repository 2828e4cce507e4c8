// Package nbexec runs Jupyter notebooks headless, the way CI and make demo
// do (jupyter nbconvert --execute with the GoNB kernel), and reads what the
// cells produced: streams, HTML displays, errors and timings.
//
//	nb, err := nbexec.Run(ctx, nbexec.Options{Notebook: "notebooks/Demo-API.ipynb", Output: "out.ipynb"})
//	for _, c := range nb.Cells {
//		fmt.Println(c.Duration(), c.Text())
//	}
//
// For what nbconvert cannot do (restart a kernel between cells, run cells
// out of order, two kernels on one notebook, time each cell to the
// millisecond) a Kernel drives one kernel over the Jupyter protocol, with
// jupyter_client, the way a notebook front-end does (kernel.py, run by
// Debian's python3):
//
//	k, err := nbexec.StartKernel(ctx, nbexec.KernelOptions{Dir: "notebooks"})
//	defer k.Close()
//	cell, err := k.Execute(ctx, "%%\nfmt.Println(42)")
//	err = k.Restart(ctx)       // the same kernel id, a new process
package nbexec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Options say which notebook to run and how.
type Options struct {
	Notebook string        // the .ipynb to run
	Output   string        // where the executed notebook goes
	Env      []string      // added to this process's environment
	Timeout  time.Duration // per cell (default 5 minutes)
	Jupyter  string        // the jupyter command (default $JUPYTER, else /usr/bin/jupyter if present, else jupyter)
	// AllowErrors keeps going after a failing cell instead of stopping.
	AllowErrors bool
}

// Jupyter is the jupyter command to use: $JUPYTER, Debian's /usr/bin/jupyter
// (a pyenv python on PATH has no Jupyter), or whatever is on PATH.
func Jupyter() string {
	if j := os.Getenv("JUPYTER"); j != "" {
		return j
	}
	if _, err := os.Stat("/usr/bin/jupyter"); err == nil {
		return "/usr/bin/jupyter"
	}
	return "jupyter"
}

// Run executes the notebook and reads the result. A failing cell makes it
// return the notebook read so far with an error naming the cell, unless
// AllowErrors.
func Run(ctx context.Context, o Options) (*Notebook, error) {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Minute
	}
	if o.Jupyter == "" {
		o.Jupyter = Jupyter()
	}
	out, err := filepath.Abs(o.Output)
	if err != nil {
		return nil, err
	}
	args := []string{"nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.kernel_name=gonb",
		fmt.Sprintf("--ExecutePreprocessor.timeout=%d", int(o.Timeout.Seconds())),
		"--output", out, o.Notebook}
	if o.AllowErrors {
		args = append(args, "--allow-errors")
	}
	cmd := exec.CommandContext(ctx, o.Jupyter, args...)
	cmd.Dir = filepath.Dir(o.Notebook)
	cmd.Args[len(cmd.Args)-1] = filepath.Base(o.Notebook)
	cmd.Env = append(os.Environ(), o.Env...)
	// On a timeout, ask nbconvert to stop so it shuts its kernel down; a
	// SIGKILL would leave the kernel running.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	nb, readErr := Read(out)
	if runErr != nil {
		msg := lastLines(stderr.String(), 25)
		if nb != nil {
			if c := nb.FirstError(); c != nil {
				return nb, fmt.Errorf("notebook %s: cell %d failed: %s", o.Notebook, c.Index, c.ErrorText())
			}
		}
		return nb, fmt.Errorf("jupyter nbconvert %s: %v\n%s", o.Notebook, runErr, msg)
	}
	return nb, readErr
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Notebook is an executed notebook.
type Notebook struct {
	Cells []Cell
	raw   map[string]any
}

// Cell is one cell and what it produced.
type Cell struct {
	Index   int
	Type    string // "code" or "markdown"
	Source  string
	Outputs []Output
	Started time.Time // zero for cells not run
	Ended   time.Time
}

// Output is one output of a cell.
type Output struct {
	Type   string // stream, display_data, execute_result, error
	Name   string // stdout or stderr, for streams
	Text   string // stream text, or text/plain
	HTML   string // text/html of a display
	EName  string
	EValue string
}

// Duration is how long the cell ran, as the kernel reported it.
func (c Cell) Duration() time.Duration {
	if c.Started.IsZero() || c.Ended.IsZero() {
		return 0
	}
	return c.Ended.Sub(c.Started)
}

var tags = regexp.MustCompile(`<[^>]*>`)

// Text is everything the cell showed, HTML reduced to its text.
func (c Cell) Text() string {
	var b strings.Builder
	for _, o := range c.Outputs {
		b.WriteString(o.Text)
		if o.HTML != "" {
			b.WriteString(unescape(tags.ReplaceAllString(o.HTML, " ")))
			b.WriteString("\n")
		}
		if o.EValue != "" {
			b.WriteString(o.EValue)
		}
	}
	return b.String()
}

func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&amp;", "&").Replace(s)
}

// Failed reports whether the cell ended in error: an error output, or the
// signs GoNB leaves on stderr for a panic or a non-zero exit.
func (c Cell) Failed() bool {
	for _, o := range c.Outputs {
		if o.Type == "error" || (o.Name == "stderr" && (strings.Contains(o.Text, "panic:") || strings.Contains(o.Text, "exit status"))) {
			return true
		}
	}
	return false
}

// ErrorText is what a failed cell said about its failure.
func (c Cell) ErrorText() string {
	var parts []string
	for _, o := range c.Outputs {
		if o.Type == "error" {
			parts = append(parts, o.EName+": "+o.EValue)
		}
		if o.Name == "stderr" {
			parts = append(parts, strings.TrimSpace(o.Text))
		}
	}
	return strings.Join(parts, "; ")
}

// FirstError returns the first failed cell, or nil.
func (nb *Notebook) FirstError() *Cell {
	for i := range nb.Cells {
		if nb.Cells[i].Failed() {
			return &nb.Cells[i]
		}
	}
	return nil
}

// Read reads a notebook file.
func Read(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var doc struct {
		Cells []struct {
			CellType string          `json:"cell_type"`
			Source   json.RawMessage `json:"source"`
			Metadata struct {
				Execution map[string]string `json:"execution"`
			} `json:"metadata"`
			Outputs []struct {
				OutputType string                     `json:"output_type"`
				Name       string                     `json:"name"`
				Text       json.RawMessage            `json:"text"`
				Data       map[string]json.RawMessage `json:"data"`
				EName      string                     `json:"ename"`
				EValue     string                     `json:"evalue"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	nb := &Notebook{raw: raw}
	for i, c := range doc.Cells {
		cell := Cell{Index: i, Type: c.CellType, Source: multiline(c.Source)}
		cell.Started, _ = time.Parse(time.RFC3339Nano, c.Metadata.Execution["iopub.execute_input"])
		cell.Ended, _ = time.Parse(time.RFC3339Nano, c.Metadata.Execution["shell.execute_reply"])
		for _, o := range c.Outputs {
			out := Output{Type: o.OutputType, Name: o.Name, Text: multiline(o.Text), EName: o.EName, EValue: o.EValue}
			if h, ok := o.Data["text/html"]; ok {
				out.HTML = multiline(h)
			}
			if t, ok := o.Data["text/plain"]; ok && out.Text == "" {
				out.Text = multiline(t)
			}
			cell.Outputs = append(cell.Outputs, out)
		}
		nb.Cells = append(nb.Cells, cell)
	}
	return nb, nil
}

// multiline reads Jupyter's text fields: a string or a list of strings.
func multiline(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []string
	json.Unmarshal(raw, &parts)
	return strings.Join(parts, "")
}

// Code returns the code cells.
func (nb *Notebook) Code() []Cell {
	var out []Cell
	for _, c := range nb.Cells {
		if c.Type == "code" {
			out = append(out, c)
		}
	}
	return out
}

// Shape describes each cell by its type and the kinds of output it made,
// such as "code:stream/stdout,display_data"; two runs of a notebook have
// the same shape when they told the same story.
func (nb *Notebook) Shape() []string {
	var shape []string
	for _, c := range nb.Cells {
		kinds := []string{}
		for _, o := range c.Outputs {
			k := o.Type
			if o.Name != "" {
				k += "/" + o.Name
			}
			if len(kinds) == 0 || kinds[len(kinds)-1] != k {
				kinds = append(kinds, k)
			}
		}
		shape = append(shape, c.Type+":"+strings.Join(kinds, ","))
	}
	return shape
}

// Clean copies an executed notebook to dst without what belongs to the
// machine that ran it: the repository's and the home folder's paths, GoNB's
// scratch folders, and the transient display ids. The result is what gets
// committed for readers.
func Clean(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	root, _ := filepath.Abs(".")
	home, _ := os.UserHomeDir()
	s := string(b)
	for _, p := range []string{root, home} {
		if p != "" && p != "/" {
			s = strings.ReplaceAll(s, p, "…")
		}
	}
	s = regexp.MustCompile(`/tmp/gonb_[A-Za-z0-9]+`).ReplaceAllString(s, "…")
	var doc map[string]any
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return err
	}
	if cells, ok := doc["cells"].([]any); ok {
		for _, c := range cells {
			cell, _ := c.(map[string]any)
			outs, _ := cell["outputs"].([]any)
			for _, o := range outs {
				if out, ok := o.(map[string]any); ok {
					delete(out, "transient")
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}
