package workshop

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
)

// Config is one workshop run.
type Config struct {
	// Master is what every attendee's MESOS_MASTER names.
	Master string
	// Attendees is how many take part.
	Attendees int
	// Seed makes the pauses, and who joins when, repeatable.
	Seed uint64
	// Pause is the median of a learner's pause before each cell (reading
	// the prose, typing); pauses are log-normal around it, capped at four
	// times it. Default 2 s.
	Pause time.Duration
	// Join spreads the attendees' Subscribe cells over this long (they do
	// not all press Shift-Enter in the same second). Default 10 s.
	Join time.Duration
	// Root holds the attendees' session folders.
	Root string
	// Image is the task's Docker image (demosite.Task); "" launches the
	// same resources as a command task, for a real agent without Docker.
	Image string
	// Deadline bounds the whole day; attendees not done by then are
	// reported as such. Default 5 minutes.
	Deadline time.Duration
}

func (c Config) withDefaults() Config {
	if c.Pause <= 0 {
		c.Pause = 2 * time.Second
	}
	if c.Join <= 0 {
		c.Join = 10 * time.Second
	}
	if c.Deadline <= 0 {
		c.Deadline = 5 * time.Minute
	}
	return c
}

// Attendee is what one attendee's notebook went through.
type Attendee struct {
	Name        string // what their framework and tasks are found by
	FrameworkID string
	TaskID      string          // the task their ACCEPT launched
	Subscribed  time.Time       // SUBSCRIBED received by their listener
	FirstOffer  time.Time       // their first OFFERS received; zero: none
	Accepted    time.Time       // their ACCEPT answered
	Running     time.Time       // TASK_RUNNING received
	Killed      bool            // TASK_KILLED received
	Reruns      int             // Wait-for-offers cells that gave up and were run again
	Revives     int             // REVIVEs their waits sent
	OfferWaits  []time.Duration // each Wait-for-offers cell: from asking to having one
	Cell        string          // the cell they were in when they stopped
	Err         error           // why they stopped, nil when they finished
}

// FirstOfferWait is how long they waited from SUBSCRIBED to their first
// offer, and false if they never got one.
func (a Attendee) FirstOfferWait() (time.Duration, bool) {
	if a.FirstOffer.IsZero() || a.Subscribed.IsZero() {
		return 0, false
	}
	return a.FirstOffer.Sub(a.Subscribed), true
}

// AcceptToRunning is from their ACCEPT's answer to TASK_RUNNING.
func (a Attendee) AcceptToRunning() (time.Duration, bool) {
	if a.Running.IsZero() || a.Accepted.IsZero() {
		return 0, false
	}
	return a.Running.Sub(a.Accepted), true
}

// Result is a whole day.
type Result struct {
	Attendees []Attendee
	Board     Board
	Took      time.Duration
}

// Run plays the day: the board subscribes, then every attendee runs the
// notebook, each in a goroutine of its own; it returns when all are done
// or the deadline passed. Its error is only for a day that could not
// start; what went wrong for an attendee is in their Attendee.Err.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	if cfg.Attendees <= 0 {
		return Result{}, fmt.Errorf("workshop: %d attendees: want at least one", cfg.Attendees)
	}
	if err := os.MkdirAll(cfg.Root, 0o700); err != nil {
		return Result{}, fmt.Errorf("workshop: make the sessions folder: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Deadline)
	defer cancel()
	began := time.Now()
	board, err := watch(ctx, httpapi.Config{Master: cfg.Master})
	if err != nil {
		return Result{}, fmt.Errorf("workshop: the operator board: %w", err)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	out := make([]Attendee, cfg.Attendees)
	var wg sync.WaitGroup
	for i := range out {
		p := newPlayer(cfg, i, rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
		wg.Go(func() { out[i] = p.play(ctx) })
	}
	wg.Wait()
	took := time.Since(began)
	// The last events (TEARDOWN's FRAMEWORK_REMOVED) reach the board a
	// moment after the attendee saw its own stream end.
	time.Sleep(500 * time.Millisecond)
	return Result{Attendees: out, Board: board.stop(), Took: took}, nil
}

// pause is a learner's pause: log-normal around median, capped.
func pause(rng *rand.Rand, median time.Duration) time.Duration {
	f := math.Exp(0.6 * rng.NormFloat64())
	return time.Duration(min(f, 4) * float64(median))
}
