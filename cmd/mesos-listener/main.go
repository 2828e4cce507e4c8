// Command mesos-listener holds one framework's SUBSCRIBE stream for a
// notebook session: GoNB runs every cell as a new process, so the
// long-lived stream lives here instead, started detached by session.Start.
// It journals every event into the session folder, acknowledges updates
// once they are on disk, and re-subscribes after a dropped stream.
//
//	mesos-listener --dir ~/.cache/mesosnb/sessions/default
//
// It is not meant to be run by hand; see package session.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/mesosnb/mesosnb/pkg/session"
)

func main() {
	dir := flag.String("dir", "", "the session folder")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "mesos-listener: --dir is required; session.Start starts this program for you")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt, syscall.SIGHUP)
	defer stop()
	err := session.RunListener(ctx, *dir)
	if errors.Is(err, session.ErrLocked) {
		fmt.Fprintln(os.Stderr, "mesos-listener: another listener already holds", *dir)
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mesos-listener:", err)
		os.Exit(1)
	}
}
