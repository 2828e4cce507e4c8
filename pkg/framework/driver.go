package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"
	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// The driver's side: the loop a copy of a cell's program runs when Start
// finds EnvDriver set.

// pollInterval is how often the driver looks at the journal for new
// events: well inside an allocation interval, and nearly free.
const pollInterval = 25 * time.Millisecond

// checkInterval is how often, with no event coming, it makes sure the
// listener runs, the kernel lives and the framework is still there.
const checkInterval = time.Second

// handlerTimeout bounds one handler call.
const handlerTimeout = 30 * time.Second

// driver runs the handlers over one session's events.
type driver struct {
	dir   string
	s     *session.Session
	log   *log.Logger
	state DriverState
	// kernelGone is when the owning kernel was first seen gone (zero:
	// it lives).
	kernelGone time.Time
}

// runDriver is the driver process: it returns the exit status.
func runDriver(dir string, opts session.Options) int {
	d := &driver{dir: dir, log: log.New(os.Stdout, "", log.LstdFlags|log.Lmicroseconds)}
	lock, err := os.OpenFile(filepath.Join(dir, driverLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		d.log.Printf("driver: %v", err)
		return 1
	}
	defer lock.Close()
	if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		d.log.Printf("driver: another driver runs this session; exiting")
		return 1
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	d.state = DriverState{PID: os.Getpid(), Status: DriverRunning, Handlers: Handlers(), Started: time.Now().UTC()}

	// The driver acts for the kernel that owns the session: a listener it
	// restarts watches that kernel, and it stops when that kernel is gone.
	opts.Dir, opts.Observer = dir, logObserver{d.log}
	if own, err := session.Open(opts); err == nil {
		opts.ParentPID = own.Owner().KernelPID
	}
	if d.s, err = session.Resume(ctx, opts); err != nil {
		return d.exit(fmt.Sprintf("could not open the session: %v", err), 1)
	}
	if err := writeState(dir, d.state); err != nil {
		d.log.Printf("driver: %v", err)
		return 1
	}
	d.log.Printf("driver %d: running %v", d.state.PID, d.state.Handlers)
	return d.exit(d.loop(ctx), 0)
}

// exit writes why the driver stops and returns status.
func (d *driver) exit(why string, status int) int {
	d.log.Printf("driver %d: stopped: %s", d.state.PID, why)
	d.state.Status, d.state.Message = DriverStopped, why
	writeState(d.dir, d.state)
	return status
}

// loop hands the events to the handlers until ctx ends, the framework is
// gone or the kernel is. It returns why it stopped.
func (d *driver) loop(ctx context.Context) string {
	seq := d.s.Seq()
	// First, what is true now: the current subscription, and the offers
	// still outstanding (they came before this driver did).
	entries, err := d.s.Events(0)
	if err != nil {
		return fmt.Sprintf("read the journal: %v", err)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Event.Type == mesos.EventSubscribed {
			d.handle(ctx, entries[i])
			break
		}
	}
	if offers, err := d.s.Offers(); err == nil && len(offers) > 0 {
		d.handle(ctx, session.Entry{Event: mesos.Event{Type: mesos.EventOffers, Offers: &mesos.Offers{Offers: offers}}})
	}
	checked := time.Now()
	for {
		if ctx.Err() != nil {
			return "told to stop (SIGTERM)"
		}
		entries, err := d.s.Events(seq)
		if err != nil {
			return fmt.Sprintf("read the journal: %v", err)
		}
		for _, e := range entries {
			seq = e.Seq
			d.handle(ctx, e)
		}
		if len(entries) > 0 {
			continue
		}
		if time.Since(checked) >= checkInterval {
			checked = time.Now()
			if why := d.check(ctx); why != "" {
				return why
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollInterval):
		}
	}
}

// check returns why the driver should stop, "" if it should go on; it
// restarts a listener that is gone while the kernel lives.
func (d *driver) check(ctx context.Context) string {
	if _, err := os.Stat(d.dir); err != nil {
		return "the session folder is gone"
	}
	st, err := d.s.State()
	if err == nil && st.Status == session.StatusRemoved {
		return "the framework was removed (TEARDOWN, or its failover timeout passed)"
	}
	pid := d.s.Owner().KernelPID
	if pid > 0 && !proc.Alive(pid) {
		// Kernels restart: wait as the listener waits for one to come
		// back, and restart nothing for a kernel that is gone.
		if d.kernelGone.IsZero() {
			d.kernelGone = time.Now()
			d.log.Printf("driver %d: the kernel (pid %d) is gone; stopping unless one comes back", d.state.PID, pid)
		}
		limit := 2 * time.Duration(st.HeartbeatInterval*float64(time.Second))
		if limit <= 0 {
			limit = 30 * time.Second
		}
		if time.Since(d.kernelGone) > limit {
			return fmt.Sprintf("the kernel that owns the session (pid %d) has been gone for %s", pid, limit.Round(time.Second))
		}
		return ""
	}
	d.kernelGone = time.Time{}
	if err := d.s.KeepListening(ctx); err != nil {
		if errors.Is(err, session.ErrNoSession) {
			return fmt.Sprintf("the framework is gone: %v", err)
		}
		d.log.Printf("driver %d: the listener could not be restarted: %v", d.state.PID, err)
	}
	return ""
}

// handle calls the handler of one event, if there is one: for OFFERS,
// once per offer still outstanding.
func (d *driver) handle(ctx context.Context, e session.Entry) {
	h := handler(e.Event.Type)
	if h == nil {
		return
	}
	if e.Event.Type != mesos.EventOffers {
		d.call(ctx, h, e.Event, mesos.Offer{})
		return
	}
	outstanding, err := d.s.Offers()
	if err != nil {
		d.failed(e.Event, err)
		return
	}
	live := map[string]bool{}
	for _, o := range outstanding {
		live[o.ID.Value] = true
	}
	for _, o := range e.Event.Offers.Offers {
		if live[o.ID.Value] {
			d.call(ctx, h, e.Event, o)
		}
	}
}

// call gives one handler what it needs and calls it.
func (d *driver) call(ctx context.Context, h Handler, ev mesos.Event, offer mesos.Offer) {
	view, err := Look(d.s)
	if err != nil {
		d.failed(ev, err)
		return
	}
	c, err := d.s.Client()
	if err != nil {
		d.failed(ev, err)
		return
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, handlerTimeout)
	defer cancel()
	fw := &Framework{Client: c, Session: d.s, Event: ev, Offer: offer, view: view}
	d.log.Printf("%s: %s (live %d: %d running, %d starting, %d killing, %d unconfirmed)",
		funcName(h), describe(ev, offer), view.Live(), view.Running, view.Starting, view.Killing, view.Unconfirmed)
	err = h(ctx, fw)
	d.state.Handled++
	if err != nil {
		d.failed(ev, err)
		return
	}
	writeState(d.dir, d.state)
}

// failed writes down an error met handling ev.
func (d *driver) failed(ev mesos.Event, err error) {
	d.state.LastError = fmt.Sprintf("%s %s: %v", time.Now().Format("15:04:05"), ev.Type, err)
	d.log.Printf("error: %s", d.state.LastError)
	writeState(d.dir, d.state)
}

// describe says in a few words what a handler is called for.
func describe(ev mesos.Event, offer mesos.Offer) string {
	switch ev.Type {
	case mesos.EventOffers:
		return fmt.Sprintf("offer %s (%g cpus, %g MB)", offer.ID.Value, offer.Resources.CPUs(), offer.Resources.Mem())
	case mesos.EventUpdate:
		st := ev.Update.Status
		return fmt.Sprintf("update %s %s %s", st.TaskID.Value, st.State, st.Reason)
	case mesos.EventSubscribed:
		return fmt.Sprintf("subscribed as %s", ev.Subscribed.FrameworkID.Value)
	}
	return string(ev.Type)
}

// logObserver writes what the session does to the driver's log, a line
// each.
type logObserver struct{ log *log.Logger }

func (o logObserver) Call(ex httpapi.Exchange) {
	if ex.Err != nil {
		o.log.Printf("  %s: %v", callType(ex), ex.Err)
		return
	}
	if ex.StatusCode/100 != 2 {
		o.log.Printf("  %s → %s: %s", callType(ex), ex.Status, bytes.TrimSpace(ex.ResponseBody))
		return
	}
	o.log.Printf("  %s → %s", callType(ex), ex.Status)
}

func (o logObserver) Waiting(what, now string) {}

func (o logObserver) Note(msg string) { o.log.Printf("note: %s", msg) }

// callType is a call's type, from its body.
func callType(ex httpapi.Exchange) string {
	var call struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(ex.RequestBody, &call) != nil || call.Type == "" {
		return ex.Method + " " + ex.URL
	}
	return call.Type
}
