package nbexec

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// kernelScript drives one kernel with jupyter_client; see kernel.py.
//
//go:embed kernel.py
var kernelScript string

// KernelOptions say which kernel to start and where.
type KernelOptions struct {
	Dir    string   // the kernel's working folder: a notebook's folder
	Env    []string // added to this process's environment
	Kernel string   // the kernel spec (default "gonb")
	Python string   // a python3 with jupyter_client (default: Python())
	// Stderr receives the driver's and the kernel's logs (default: discarded).
	Stderr io.Writer
}

// Kernel is one Jupyter kernel driven cell by cell over the Jupyter
// protocol, the way a notebook front-end drives it: for tests that restart
// kernels, run cells out of order or time each cell, which nbconvert
// cannot do. Its methods are safe for one goroutine at a time.
type Kernel struct {
	PID int    // the kernel's process, changed by Restart
	ID  string // the kernel id, as Jupyter names it; kept by Restart

	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	dead error
}

// Python is the python3 that has jupyter_client: the one beside Jupyter()
// when it is a virtualenv's, else Debian's /usr/bin/python3, else python3.
func Python() string {
	if p := filepath.Join(filepath.Dir(Jupyter()), "python3"); filepath.IsAbs(p) {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return "python3"
}

// StartKernel starts a kernel and waits until it answers.
func StartKernel(ctx context.Context, o KernelOptions) (*Kernel, error) {
	if o.Python == "" {
		o.Python = Python()
	}
	if o.Kernel == "" {
		o.Kernel = "gonb"
	}
	if o.Dir != "" {
		dir, err := filepath.Abs(o.Dir)
		if err != nil {
			return nil, err
		}
		o.Dir = dir
	}
	cmd := exec.Command(o.Python, "-c", kernelScript)
	cmd.Dir = o.Dir
	cmd.Env = os.Environ()
	cmd.Stderr = o.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the kernel driver (%s with jupyter_client): %w", o.Python, err)
	}
	k := &Kernel{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
	var r struct {
		PID      int    `json:"pid"`
		KernelID string `json:"kernel_id"`
	}
	if err := k.request(ctx, map[string]any{"op": "start", "kernel": o.Kernel, "cwd": o.Dir, "env": envMap(o.Env)}, &r); err != nil {
		k.Close()
		return nil, fmt.Errorf("start a %s kernel: %w", o.Kernel, err)
	}
	k.PID, k.ID = r.PID, r.KernelID
	return k, nil
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// Execute runs code as one cell and returns what it showed. A cell that
// fails (a compile error, a panic, a non-zero exit) is not an error here:
// look at Cell.Failed. The error is for a kernel that did not answer
// within ctx's deadline (the cell is then interrupted) or is gone.
func (k *Kernel) Execute(ctx context.Context, code string) (Cell, error) {
	timeout := 10 * time.Minute
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	var r struct {
		Outputs []rawOutput `json:"outputs"`
		Seconds float64     `json:"seconds"`
	}
	began := time.Now()
	err := k.request(context.WithoutCancel(ctx), map[string]any{"op": "execute", "code": code, "timeout": timeout.Seconds()}, &r)
	c := Cell{Type: "code", Source: code, Started: began, Ended: began.Add(time.Duration(r.Seconds * float64(time.Second)))}
	for _, o := range r.Outputs {
		c.Outputs = append(c.Outputs, o.output())
	}
	return c, err
}

// Restart restarts the kernel the way Jupyter's Kernel > Restart does: a
// new process with the same kernel id and connection file. env, when
// given, is added to the environment it had.
func (k *Kernel) Restart(ctx context.Context, env ...string) error {
	var r struct {
		PID int `json:"pid"`
	}
	req := map[string]any{"op": "restart"}
	if len(env) > 0 {
		req["env"] = envMap(env)
	}
	if err := k.request(ctx, req, &r); err != nil {
		return fmt.Errorf("restart the kernel: %w", err)
	}
	k.PID = r.PID
	return nil
}

// Close shuts the kernel down the way Jupyter does (GoNB then removes its
// scratch folder) and ends the driver.
func (k *Kernel) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := k.request(ctx, map[string]any{"op": "shutdown"}, &struct{}{})
	k.in.Close()
	done := make(chan error, 1)
	go func() { done <- k.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		k.cmd.Process.Kill()
		<-done
	}
	if errors.Is(err, errDriverGone) {
		return nil
	}
	return err
}

var errDriverGone = errors.New("the kernel driver has exited")

// request sends one request and reads its reply into v.
func (k *Kernel) request(ctx context.Context, req map[string]any, v any) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead != nil {
		return k.dead
	}
	b, _ := json.Marshal(req)
	if _, err := k.in.Write(append(b, '\n')); err != nil {
		k.dead = errDriverGone
		return k.dead
	}
	type answer struct {
		line []byte
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := k.out.ReadBytes('\n')
		got <- answer{line, err}
	}()
	var a answer
	select {
	case a = <-got:
	case <-ctx.Done():
		// The driver may still answer; it is no longer usable in step.
		// End of input makes it shut its kernel down once it is free (a
		// killed driver would leave the kernel running); kill it if it
		// is not free within half a minute.
		k.dead = fmt.Errorf("the kernel driver did not answer %s: %w", req["op"], ctx.Err())
		k.in.Close()
		time.AfterFunc(30*time.Second, func() { k.cmd.Process.Kill() })
		return k.dead
	}
	if a.err != nil {
		k.dead = errDriverGone
		return k.dead
	}
	var head struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(a.line, &head); err != nil {
		return fmt.Errorf("kernel driver: %w: %q", err, a.line)
	}
	if err := json.Unmarshal(a.line, v); err != nil {
		return fmt.Errorf("kernel driver: %w", err)
	}
	if head.Error != "" {
		return errors.New(head.Error)
	}
	return nil
}

// rawOutput is an output as the driver reports it: Jupyter's own fields.
type rawOutput struct {
	OutputType string                     `json:"output_type"`
	Name       string                     `json:"name"`
	Text       string                     `json:"text"`
	Data       map[string]json.RawMessage `json:"data"`
	EName      string                     `json:"ename"`
	EValue     string                     `json:"evalue"`
}

func (o rawOutput) output() Output {
	out := Output{Type: o.OutputType, Name: o.Name, Text: o.Text, HTML: multiline(o.Data["text/html"]), EName: o.EName, EValue: o.EValue}
	if out.Text == "" {
		out.Text = multiline(o.Data["text/plain"])
	}
	return out
}
