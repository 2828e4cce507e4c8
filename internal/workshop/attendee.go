package workshop

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/mesosnb/mesosnb/pkg/demosite"
	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// player is one attendee at their notebook.
type player struct {
	cfg  Config
	rng  *rand.Rand
	opts session.Options
	me   Attendee
	task mesos.TaskID
}

func newPlayer(cfg Config, i int, rng *rand.Rand) *player {
	name := fmt.Sprintf("attendee-%02d", i+1)
	return &player{cfg: cfg, rng: rng, me: Attendee{Name: name}, opts: session.Options{
		Name: name, Notebook: "Demo-API.ipynb", Root: cfg.Root, ParentPID: os.Getpid(),
		Client:    httpapi.Config{Master: cfg.Master},
		Framework: mesos.FrameworkInfo{Name: "Demo-API (" + name + "@workshop)", FailoverTimeout: 3600},
	}}
}

// A cell is one of Demo-API's code cells, as the attendee runs it.
type cell struct {
	name string
	run  func(context.Context) error
}

// play runs the cells in order, pausing before each as a learner does.
func (p *player) play(ctx context.Context) Attendee {
	cells := []cell{
		{"Warm-up", p.warmUp}, {"Subscribe", p.subscribe}, {"first events", p.firstEvents},
		{"Wait for offers", p.waitOffers}, {"Read an offer", p.readOffer}, {"Build the task", p.buildTask},
		{"ACCEPT", p.accept}, {"Watch it reach TASK_RUNNING", p.watchRunning}, {"ACKNOWLEDGE", p.acknowledge},
		{"DECLINE with a filter", p.decline}, {"RECONCILE", p.reconcile}, {"KILL", p.kill},
		{"Heartbeats", p.heartbeats}, {"TEARDOWN", p.teardown},
	}
	// Attendees open the notebook over the first seconds of the day.
	if sleep(ctx, time.Duration(p.rng.Float64()*float64(p.cfg.Join))) == nil {
		for _, c := range cells {
			p.me.Cell = c.name
			if err := sleep(ctx, pause(p.rng, p.cfg.Pause)); err != nil {
				p.me.Err = err
				break
			}
			if err := c.run(ctx); err != nil {
				p.me.Err = fmt.Errorf("cell %q: %w", c.name, err)
				break
			}
		}
	}
	if p.me.Err == nil {
		p.me.Cell = ""
	}
	p.readJournal()
	p.leave()
	return p.me
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (p *player) resume(ctx context.Context) (*session.Session, error) {
	return session.Resume(ctx, p.opts)
}

// call runs f with a client bound to the session's stream, as a cell's
// must(s.Client()) does, and closes it as the cell's process would.
func call(s *session.Session, f func(*scheduler.Client) error) error {
	c, err := s.Client()
	if err != nil {
		return err
	}
	defer c.Close()
	return f(c)
}

func (p *player) warmUp(ctx context.Context) error {
	if _, err := session.CheckCluster(ctx, p.opts.Client); err != nil {
		return err
	}
	demosite.Image(ctx, p.opts.Client)
	return nil
}

func (p *player) subscribe(ctx context.Context) error {
	s, err := session.Start(ctx, p.opts)
	if err != nil {
		return err
	}
	st, err := s.State()
	p.me.FrameworkID = st.FrameworkID
	return err
}

func (p *player) firstEvents(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	_, err = s.Events(0)
	return err
}

// offer is a cell's WaitOffer. A wait that gives up (two minutes, as in
// the notebook) is run again, as the attendee would, until the day ends.
func (p *player) offer(ctx context.Context, s *session.Session) (mesos.Offer, error) {
	for {
		wctx, cancel := context.WithTimeout(ctx, session.DefaultWait)
		asked := time.Now()
		o, err := s.WaitOffer(wctx)
		cancel()
		if err == nil {
			p.me.OfferWaits = append(p.me.OfferWaits, time.Since(asked))
		}
		if err == nil || ctx.Err() != nil {
			return o, err
		}
		p.me.Reruns++
	}
}

func (p *player) waitOffers(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	if _, err := p.offer(ctx, s); err != nil {
		return err
	}
	_, err = s.Offers()
	return err
}

func (p *player) readOffer(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	_, err = p.offer(ctx, s)
	return err
}

func (p *player) buildTask(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	o, err := p.offer(ctx, s)
	if err == nil {
		p.taskFor(o)
	}
	return err
}

// taskFor is the cell's demosite.Task, named after the attendee (the
// cell's task id carries session.Identity, one per laptop); without an
// image, the same resources as a command task.
func (p *player) taskFor(o mesos.Offer) mesos.TaskInfo {
	t := demosite.Task(o, p.cfg.Image)
	t.TaskID = mesos.TaskID{Value: fmt.Sprintf("web-%s@workshop-%d", p.me.Name, time.Now().UnixMilli())}
	if p.cfg.Image == "" {
		t.Container = nil
		t.Command = &mesos.CommandInfo{Value: "sleep 3600"}
	}
	return t
}

func (p *player) accept(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	o, err := p.offer(ctx, s)
	if err != nil {
		return err
	}
	t := p.taskFor(o)
	err = call(s, func(c *scheduler.Client) error {
		return c.Accept(ctx, []mesos.OfferID{o.ID}, []mesos.Operation{mesos.LaunchOp(t)}, mesos.RefuseFor(1))
	})
	if err == nil {
		p.me.Accepted, p.task = time.Now(), t.TaskID
	}
	return err
}

func (p *player) watchRunning(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	last, err := s.LastTask()
	if err != nil {
		return err
	}
	_, err = s.WaitTask(ctx, last.ID, mesos.TaskRunning)
	return err
}

func (p *player) acknowledge(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	t, err := s.LastTask()
	if err != nil {
		return err
	}
	noUUID, bad := t.Status, t.Status
	noUUID.UUID, bad.UUID = nil, []byte("not-a-real-uuid!")
	// Both are refused, as the cell shows: that is the lesson.
	return call(s, func(c *scheduler.Client) error {
		c.Acknowledge(ctx, noUUID)
		c.Acknowledge(ctx, bad)
		return nil
	})
}

func (p *player) decline(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	o, err := p.offer(ctx, s)
	if err != nil {
		return err
	}
	if err := call(s, func(c *scheduler.Client) error { return c.Decline(ctx, []mesos.OfferID{o.ID}, mesos.RefuseFor(30)) }); err != nil {
		return err
	}
	_, err = s.Offers()
	return err
}

func (p *player) reconcile(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	t, err := s.LastTask()
	if err != nil {
		return err
	}
	since := s.Seq()
	err = call(s, func(c *scheduler.Client) error {
		return c.Reconcile(ctx, mesos.ReconcileTask{TaskID: t.ID, AgentID: &t.AgentID}, mesos.ReconcileTask{TaskID: mesos.TaskID{Value: "no-such-task"}})
	})
	if err != nil {
		return err
	}
	sleep(ctx, 500*time.Millisecond)
	_, err = s.Events(since)
	return err
}

func (p *player) kill(ctx context.Context) error {
	s, err := p.resume(ctx)
	if err != nil {
		return err
	}
	t, err := s.LastTask()
	if err != nil {
		return err
	}
	if err := call(s, func(c *scheduler.Client) error { return c.Kill(ctx, t.ID, &t.AgentID) }); err != nil {
		return err
	}
	_, err = s.WaitTask(ctx, t.ID, mesos.TaskKilled, mesos.TaskFinished, mesos.TaskFailed)
	return err
}

func (p *player) heartbeats(ctx context.Context) error {
	_, err := p.resume(ctx)
	return err
}

func (p *player) teardown(ctx context.Context) error {
	s, err := session.Resume(ctx, p.opts.WithAnyMaster())
	if err != nil {
		return err
	}
	if err := call(s, func(c *scheduler.Client) error { return c.Teardown(ctx) }); err != nil {
		return err
	}
	_, err = s.WaitStatus(ctx, session.StatusRemoved)
	return err
}

// readJournal takes the attendee's times from their journal: when their
// listener received SUBSCRIBED, the first offer, TASK_RUNNING and
// TASK_KILLED of their task.
func (p *player) readJournal() {
	s, err := session.Open(p.opts)
	if err != nil {
		return
	}
	entries, err := s.Events(0)
	if err != nil {
		return
	}
	for _, e := range entries {
		switch ev := e.Event; {
		case ev.Type == mesos.EventSubscribed && p.me.Subscribed.IsZero():
			p.me.Subscribed = e.Received
		case ev.Type == mesos.EventOffers && p.me.FirstOffer.IsZero():
			p.me.FirstOffer = e.Received
		case ev.Update != nil && ev.Update.Status.TaskID == p.task:
			switch ev.Update.Status.State {
			case mesos.TaskRunning:
				if p.me.Running.IsZero() {
					p.me.Running = e.Received
				}
			case mesos.TaskKilled:
				p.me.Killed = true
			}
		}
	}
	p.me.TaskID = p.task.Value
	p.me.Revives = countCalls(s, mesos.CallRevive)
}

func countCalls(s *session.Session, t mesos.CallType) int {
	calls, _ := s.Calls()
	n := 0
	for _, c := range calls {
		if c.Type == string(t) {
			n++
		}
	}
	return n
}

// leave tears down the framework of an attendee who did not get to the
// TEARDOWN cell, and stops their listener, so that nothing outlives the
// day.
func (p *player) leave() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := session.Open(p.opts)
	if err != nil {
		return
	}
	if st, err := s.State(); err == nil && st.Status != session.StatusRemoved && st.FrameworkID != "" {
		if c, err := s.Client(); err == nil {
			c.Teardown(ctx)
			c.Close()
		}
	}
	s.Stop(ctx)
}
