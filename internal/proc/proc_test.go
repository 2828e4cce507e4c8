package proc_test

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"
)

func TestSelf(t *testing.T) {
	if !proc.Alive(os.Getpid()) {
		t.Error("this process is not alive")
	}
	rss, peak := proc.Memory(os.Getpid())
	if rss <= 0 || peak < rss {
		t.Errorf("Memory = %d, %d; want 0 < rss <= peak", rss, peak)
	}
	for start := time.Now(); proc.CPUTime(os.Getpid()) == 0 && time.Since(start) < 2*time.Second; {
	}
	if proc.CPUTime(os.Getpid()) == 0 {
		t.Error("no CPU time after 2s of spinning")
	}
}

// A child that exited but was not reaped yet is a zombie: not alive.
func TestZombieIsNotAlive(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	deadline := time.Now().Add(5 * time.Second)
	for proc.Alive(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if proc.Alive(pid) {
		t.Fatal("an exited child still counts as alive")
	}
	cmd.Wait()
	if proc.Alive(pid) {
		t.Error("a reaped child counts as alive")
	}
}
