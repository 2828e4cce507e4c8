package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// demoBinary is the executor built once for the tests: the agents under
// test start it as a process of their own, as they would in production.
var demoBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "demo-executor-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	demoBinary = filepath.Join(dir, "demo-executor")
	if out, err := exec.Command("go", "build", "-o", demoBinary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build demo-executor: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
