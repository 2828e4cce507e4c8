package mesostest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An agent that loses the Docker race (its recovery fails because another
// agent's container vanished mid-listing) is started again; one that keeps
// losing gives up after startAttempts, saying why; any other exit is not
// retried. The "agent" is a script that fails its first starts with the
// real agent's words, then serves.
func TestStartFreshAgainAfterDockerRace(t *testing.T) {
	const raceLine = "EXIT with status 1: Failed to perform recovery: Collect failed: Docker ps batch failed Collect failed: " +
		"Failed to run 'docker inspect --type=container mesos-1': exited with status 1; stderr='Error response from daemon: No such container: mesos-1"
	for _, tc := range []struct {
		name       string
		losses     int
		line       string
		wantStarts int
		wantOK     bool
		wantRace   bool // the error is errDockerRace
	}{
		{"lost once", 1, raceLine, 2, true, false},
		{"lost every time", startAttempts, raceLine, startAttempts, false, true},
		{"another failure", 1, "EXIT with status 1: Failed to perform recovery: something else", 1, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			script := filepath.Join(dir, "fake-agent")
			body := fmt.Sprintf("#!/bin/sh\necho start >> %[1]s/starts\nif [ $(wc -l < %[1]s/starts) -le %[2]d ]; then echo %[3]q; exit 1; fi\ntouch %[1]s/served\nexec sleep 60\n",
				dir, tc.losses, tc.line)
			if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
				t.Fatal(err)
			}
			p, err := newProcess(dir, "agent-1", script, syscall.SIGTERM, time.Second, func(int) []string { return nil })
			if err != nil {
				t.Fatal(err)
			}
			defer p.Stop()
			err = p.startFresh(t.Context(), func(context.Context) error {
				_, err := os.Stat(filepath.Join(dir, "served"))
				return err
			})
			starts, _ := os.ReadFile(filepath.Join(dir, "starts"))
			if n := strings.Count(string(starts), "start"); n != tc.wantStarts {
				t.Errorf("started %d times, want %d", n, tc.wantStarts)
			}
			if (err == nil) != tc.wantOK || errors.Is(err, errDockerRace) != tc.wantRace {
				t.Errorf("start: %v; want success %v, the Docker race %v", err, tc.wantOK, tc.wantRace)
			}
		})
	}
}
