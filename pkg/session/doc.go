// Package session keeps a Mesos framework subscribed across the cells of a
// GoNB notebook and shows the cells what it hears.
//
// # Why a detached listener
//
// The Mesos scheduler API wants one long-lived SUBSCRIBE stream per
// framework. GoNB compiles every cell into a new program and runs it as a
// new process: goroutines, open connections and the values of globals end
// with the cell. So the stream cannot live in the notebook. Start launches
// a small program, mesos-listener, in its own process session with its
// output in a log file; it holds the stream for as long as the framework
// should live, and writes down everything it hears. Cells read what it
// wrote, and make their own calls with a client bound to its stream.
//
// # One kernel, one framework
//
// A session belongs to a notebook's kernel (Options.Kernel, the Jupyter
// kernel id GoNB gives its cells; it stays the same across a kernel
// restart). The first kernel on a notebook takes the folder Options.Name;
// a second kernel running at the same time (another tab with its own
// kernel) gets Name-2, with a framework of its own, and Session.Note says
// so: it never drives the first one's framework. A kernel whose process is
// gone leaves its session to the next kernel that asks. Who a session
// belongs to (notebook, kernel, master) is in owner.json (Session.Owner).
// Outside a notebook (no kernel id), or with Options.Dir set, the folder
// is simply Name, or Dir.
//
// # The session folder
//
// One folder per session, private to the user: the folder is 0700, its
// files 0600, and no secret is ever written in it.
//
//	state.json      what the listener knows now (State): framework id, stream id,
//	                master and leader, heartbeat interval and last heartbeat,
//	                listener pid and status; replaced atomically, never half-written
//	journal.jsonl   every event received, one JSON line (Entry) each, append-only;
//	                an update is in it, on disk, before it is acknowledged
//	calls.jsonl     every call the cells made through Session.Client, with its answer
//	config.json     what the listener was started with
//	owner.json      who it belongs to (Owner): notebook, kernel id and pid, master
//	listener.log    the listener's own log
//	listener.lock   held by the live listener: whoever holds it is the listener
//	start.lock      held by a Start while it decides, so that two at once
//	                never start two listeners
//
// A line of the journal that cannot be read (a disk that filled up, a hand
// edit) is skipped and reported by Session.Problems; it never makes the
// rest unreadable.
//
// # Lifecycle
//
// Start is the Subscribe cell's one call, and it is safe to run again:
//
//   - Started: no framework yet. A listener starts and registers one, with
//     a failover timeout of an hour (DefaultFailoverTimeout), so that a
//     kernel restart does not kill the user's tasks.
//   - Attached: a listener is running. Start attaches to it; no second
//     framework is registered, whichever kernel asks.
//   - Failover: the listener is gone (killed, or stopped with its kernel)
//     but its framework is still within its failover timeout. A new
//     listener re-subscribes with the same framework id, and the updates
//     the old one had not acknowledged are sent again to the new one.
//
// Session.How says which happened and Session.Note says it in a sentence
// for the notebook. Before starting a listener, Start checks within
// seconds that a master answers (Reachable), and a listener that does not
// subscribe is stopped before it can register a framework nobody waits
// for; a listener whose kernel is gone never registers one.
//
// Resume is every later cell's call. It finds this kernel's session; if
// the listener is gone (killed, stopped with its kernel) it starts a new
// one that re-subscribes with the same framework id (Failover) and tells
// the Observer in a sentence. It never registers a framework: without one
// its error says to run the Subscribe cell first (ErrNoSession). A session
// whose framework lives on another master than the configuration names
// now is refused with a MasterChangedError saying what to do, unless
// Options.AnyMaster (the TEARDOWN cell, WithAnyMaster).
//
// While it runs, the listener acknowledges every update that carries a
// uuid, once it is in the journal (never one without); it subscribes again
// with the same framework id, with backoff, after a dropped stream, after
// a stream silent for Options.Client.MissedHeartbeats heartbeat intervals,
// and when ZooKeeper names a new leader (zk:// masters). After every
// subscription it reconciles: explicitly for the tasks the journal holds
// as live, then implicitly, so that a task the master no longer knows
// comes back TASK_LOST; until the master answers, such a task is
// Task.Unconfirmed, never shown as a fact.
//
// Session.Stop ends the listener; the framework waits for its failover
// timeout, and its tasks keep running. A TEARDOWN call made through
// Session.Client removes the framework and kills its tasks at once: the
// listener then stops with status removed, and the next Start registers a
// new framework, keeping the old journal aside as journal.<id>.jsonl.
//
// The kernel-gone rule: the listener watches the kernel that started it
// (or attached to it last; Options.ParentPID). Once that process has been
// gone for more than two heartbeat intervals, the listener stops by itself,
// so that no listener is left running overnight; the framework then lives
// out its failover timeout and no longer.
//
// Offers nobody uses go back: a notebook framework wants offers only while
// a cell waits for one, and Mesos offers each agent's free resources to one
// framework at a time, so an offer held while the learner reads is an agent
// another tab, or another workshop attendee, cannot get. The listener
// declines an offer no cell has used within Options.HoldOffers (30 s),
// refused for as long, and records that DECLINE in calls.jsonl; Wait for
// offers sends REVIVE when such a filter is what holds offers back.
//
// # What cells call
//
//	nb := session.Options{Name: "demo-api", Observer: display.Observer()} // the Configuration cell
//	s, err := session.Start(ctx, nb)   // the Subscribe cell
//	s, err := session.Resume(ctx, nb)  // every later cell
//	offers, err := s.Offers()          // offered, minus rescinded, accepted, declined (by a cell or given back) or expired
//	tasks, err := s.Tasks()            // the latest status of each task, and the states it went through
//	entries, err := s.Events(0)        // the journal after a sequence number
//	offer, err := s.WaitOffer(ctx)     // ctx's deadline is how long to wait; REVIVEs if our own filter holds offers back
//	task, err := s.WaitTask(ctx, id, mesos.TaskRunning)
//	t, err := s.LastTask()             // what a cell of this session launched last
//	infos, err := s.Launches()         // every task the session's ACCEPTs launched
//	e, err := s.WaitEvent(ctx, since, mesos.EventMessage) // the next MESSAGE after entry since
//	c, err := s.Client()               // ACCEPT, DECLINE, KILL, RECONCILE, TEARDOWN...
//	calls, err := s.Calls()            // the calls made, with their answers
//
// The session returns data and draws nothing. The Observer, when set, is
// shown every call a client makes with its answer, the waits in progress,
// and the session's notes (package display draws them in a notebook). A
// wait that ends in another terminal state than the ones it waits for says
// which, and why in words (TaskEndedError, Explain); a wait that finds the
// listener gone restarts it.
//
// # Configuration
//
// Options fields win; what they leave empty comes from the environment:
//
//	MESOS_MASTER         the master: http(s)://host:port, host:port or
//	                     zk://[user:password@]host:port[,...]/path
//	                     (default http://127.0.0.1:5050, the local stand-in)
//	MESOS_PRINCIPAL      principal and secret for masters that require
//	MESOS_SECRET         HTTP authentication; the secret is passed to the
//	                     listener in its environment, never written to disk
//	MESOS_CA_FILE        PEM certificate authorities to trust for an https master
//	MESOS_TASK_USER      the Unix user tasks run as (FrameworkInfo.user;
//	                     default the current user)
//	MESOSNB_SESSION_DIR  where session folders go (default
//	                     <user cache dir>/mesosnb/sessions); a session is
//	                     the folder named after it inside
//	MESOSNB_IDENTITY     the "user@host" that frameworks and task ids carry,
//	                     so that workshop attendees on one master tell theirs apart
//	MESOSNB_LISTENER     a built mesos-listener to run; by default Start
//	                     builds one from this module's source, once per change,
//	                     keeping the current build and the one before
//	MESOSNB_KEEP_JOURNALS how long the journals of removed frameworks are kept
//	                     (a Go duration; default a week), pruned by Start
//	GONB_JUPYTER_KERNEL_ID the kernel a session belongs to (set by GoNB)
package session
