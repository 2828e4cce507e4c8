package workshop_test

import (
	"context"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/workshop"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
)

// Ten attendees step through Demo-API on the stand-in started as
// `localmesos --workshop 10` starts it: every one gets a task to
// TASK_RUNNING and TASK_KILLED, and the board lists every framework.
func TestTenAttendeesOnWorkshopStandIn(t *testing.T) {
	const n = 10
	cfg := localmesos.Workshop(n)
	cfg.MasterAddr, cfg.Runner = "127.0.0.1:0", "simulated"
	srv, err := localmesos.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	res, err := workshop.Run(context.Background(), workshop.Config{
		Master: srv.URL, Attendees: n, Seed: 1, Root: t.TempDir(),
		Pause: 300 * time.Millisecond, Join: 2 * time.Second, Deadline: 90 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Attendees {
		if a.Err != nil {
			t.Errorf("%s stopped in cell %q: %v", a.Name, a.Cell, a.Err)
		}
		if a.Running.IsZero() || !a.Killed {
			t.Errorf("%s: task %q running at %v, killed %v: want TASK_RUNNING then TASK_KILLED", a.Name, a.TaskID, a.Running, a.Killed)
		}
		if name := "Demo-API (" + a.Name + "@workshop)"; !res.Board.Frameworks[name] {
			t.Errorf("the board never listed %q; it listed %v", name, res.Board.Frameworks)
		}
	}
	if res.Board.Err != nil {
		t.Errorf("the board's stream ended early: %v", res.Board.Err)
	}
}
