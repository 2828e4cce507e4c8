package main

import (
	"context"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
)

// SIGUSR2 takes the agent away and brings it back.
func TestSIGUSR2RestartsAgents(t *testing.T) {
	srv, err := localmesos.New(localmesos.Config{Runner: "simulated"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	restartAgentsOnSignal(ctx, srv)
	healthy := func() bool {
		resp, err := http.Get(srv.AgentURLs[0] + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	testenv.Eventually(t, 5*time.Second, "the agent answers", healthy)
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, "the agent goes away", func() bool { return !healthy() })
	testenv.Eventually(t, 10*time.Second, "the agent comes back", healthy)
}
