package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
)

// agentDownTime is how long a signalled agent stays away, about what a
// real mesos-agent takes to come back after `systemctl restart`.
const agentDownTime = 2 * time.Second

// restartAgentsOnSignal restarts the agents, as if each mesos-agent
// process had crashed and been started again, whenever the stand-in gets
// SIGUSR2 (kill -USR2 <pid>): a notebook's way to show executors of
// checkpointing frameworks subscribing again. The signal is caught from
// the moment it returns until ctx ends.
func restartAgentsOnSignal(ctx context.Context, srv *localmesos.Server) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR2)
	go restartAgents(ctx, srv, sig)
}

func restartAgents(ctx context.Context, srv *localmesos.Server, sig chan os.Signal) {
	defer signal.Stop(sig)
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
		}
		for i := range srv.AgentURLs {
			if err := srv.StopAgent(i); err != nil {
				fmt.Fprintln(os.Stderr, "localmesos: SIGUSR2:", err)
				continue
			}
			fmt.Printf("localmesos: SIGUSR2: agent %s stopped; starting it again in %v\n", srv.AgentURLs[i], agentDownTime)
			select {
			case <-ctx.Done():
				return
			case <-time.After(agentDownTime):
			}
			if err := srv.StartAgent(i); err != nil {
				fmt.Fprintln(os.Stderr, "localmesos: SIGUSR2:", err)
				continue
			}
			fmt.Printf("localmesos: SIGUSR2: agent %s started again, recovering its executors\n", srv.AgentURLs[i])
		}
	}
}
