package zkdemo

import (
	"context"
	"fmt"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Failover follows what a leader.Detector's Watch reports, for the cell
// that watches leadership move: it prints each step, stops the first
// leader it sees if that is one of the notebook's stand-ins, and says when
// a new leader has taken over.
type Failover struct {
	ctx   context.Context
	first string
}

// NewFailover returns a Failover that stops stand-ins with ctx.
func NewFailover(ctx context.Context) *Failover { return &Failover{ctx: ctx} }

// See takes one value of Watch; it reports whether a new leader took over,
// when the watch can end.
func (f *Failover) See(info mesos.MasterInfo, err error) bool {
	switch {
	case err != nil:
		fmt.Println("no leader right now:", err)
	case f.first == "":
		f.first = info.HostPort()
		fmt.Println("leader:", f.first)
		if s := Ours(f.first); s != nil {
			fmt.Println("stopping stand-in", s.Name, "...")
			if err := s.Stop(f.ctx); err != nil {
				fmt.Println("could not stop it:", err)
			}
		} else {
			fmt.Println("not one of this notebook's stand-ins: stop it yourself, and watch")
		}
	case info.HostPort() != f.first:
		fmt.Println("new leader:", info.HostPort())
		return true
	}
	return false
}
