package session

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Environment variables the session reads. MESOS_MASTER, MESOS_PRINCIPAL,
// MESOS_SECRET and MESOS_CA_FILE are the scheduler client's (see
// httpapi.DefaultConfig).
const (
	// EnvTaskUser is the Unix user tasks run as (FrameworkInfo.user).
	EnvTaskUser = "MESOS_TASK_USER"
	// EnvSessionDir overrides where session folders go (default: the
	// user's cache directory, mesosnb/sessions); each session is a folder
	// named after it inside.
	EnvSessionDir = "MESOSNB_SESSION_DIR"
	// EnvIdentity overrides "user@host", the name that frameworks and task
	// ids carry so that workshop attendees can tell theirs apart.
	EnvIdentity = "MESOSNB_IDENTITY"
	// EnvListener names a mesos-listener binary to use instead of building
	// one from the module's source.
	EnvListener = "MESOSNB_LISTENER"
	// EnvKeepJournals is how long the journals of removed frameworks are
	// kept, as a Go duration such as "72h" (default a week).
	EnvKeepJournals = "MESOSNB_KEEP_JOURNALS"
	// EnvKernel is the Jupyter kernel id GoNB gives the cells it runs; it
	// stays the same across a kernel restart.
	EnvKernel = "GONB_JUPYTER_KERNEL_ID"
)

// DefaultFailoverTimeout is how long the master keeps the framework, and
// its tasks, after the listener's stream drops: long enough to restart a
// kernel or a laptop's lid, short enough that a forgotten framework is gone
// by the next morning.
const DefaultFailoverTimeout = time.Hour

// DefaultHoldOffers is how long a session's listener keeps an unused
// offer: longer than a learner takes from the offer cell to ACCEPT, short
// enough that a second framework on one agent (another tab, another
// attendee) gets it within half a minute.
const DefaultHoldOffers = 30 * time.Second

// DefaultKeepJournals is how long the journal of a removed framework is
// kept before a Start prunes it.
const DefaultKeepJournals = 7 * 24 * time.Hour

// DefaultWait bounds a wait whose ctx has no deadline.
const DefaultWait = 2 * time.Minute

// Options say which framework a session runs against which master. The
// zero value works: it reads the environment and names the framework
// after the user and host, so thirty attendees on one master can tell
// their frameworks apart.
type Options struct {
	// Name names the session; default "default". In a notebook each
	// kernel has a session of its own: the first takes the folder Name,
	// a second kernel running at the same time Name-2, and so on.
	Name string
	// Notebook is the notebook the session belongs to, shown in its
	// table; default Name.
	Notebook string
	// Dir is the session folder. Setting it turns off the choice of a
	// folder per kernel: whoever names the folder shares the session.
	Dir string
	// Root is the folder that holds session folders: default
	// $MESOSNB_SESSION_DIR, else <user cache dir>/mesosnb/sessions.
	Root string
	// Kernel is the Jupyter kernel the session belongs to; default
	// $GONB_JUPYTER_KERNEL_ID, which GoNB sets for its cells and keeps
	// across kernel restarts. Empty: no kernel, the folder is Name.
	Kernel string
	// Client configures the scheduler client: master, credentials, CA.
	// Zero fields are filled from the environment (httpapi.DefaultConfig).
	Client httpapi.Config
	// Framework is the FrameworkInfo to subscribe with. User defaults to
	// $MESOS_TASK_USER, else the current user; Name to "mesosnb (user@host)";
	// FailoverTimeout to DefaultFailoverTimeout.
	Framework mesos.FrameworkInfo
	// ParentPID is the process whose end, for more than two heartbeat
	// intervals, stops the listener; default the caller's parent (the GoNB
	// kernel, when a cell calls Start). Zero or negative: none.
	ParentPID int
	// StartTimeout bounds how long Start waits for SUBSCRIBED (default 60s).
	StartTimeout time.Duration
	// KeepJournals is how long journals of removed frameworks are kept
	// (default $MESOSNB_KEEP_JOURNALS, else DefaultKeepJournals).
	KeepJournals time.Duration
	// AnyMaster lets Resume open a session whose framework lives on
	// another master than Client.Master names, and talk to that master:
	// for the cell that tears such a framework down.
	AnyMaster bool
	// HoldOffers is how long the listener keeps an offer no cell has
	// used before it gives it back (DECLINE, refused for as long), so that
	// a learner reading prose does not hold an agent other frameworks
	// wait for (default DefaultHoldOffers). Negative: keep offers until
	// a cell uses them, as a framework that hoards would.
	HoldOffers time.Duration
	// Observer, when set, is shown what the session does: the calls its
	// clients make, waits in progress, a listener it restarted.
	Observer Observer

	explicitDir bool // Dir was given, not derived
	resolved    bool // the defaults are filled in already
}

// Identity is "user@host" (or $MESOSNB_IDENTITY), used to tell workshop
// attendees apart on a shared master.
func Identity() string {
	if id := os.Getenv(EnvIdentity); id != "" {
		return id
	}
	u := os.Getenv("USER")
	if cu, err := user.Current(); err == nil && cu.Username != "" {
		u = cu.Username
	}
	h, _ := os.Hostname()
	return u + "@" + h
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Resolved returns the options with every default filled in: the
// FrameworkInfo exactly as the listener will send it. Its error is the
// Configuration cell's: a MESOS_MASTER that cannot work, with the fix.
func (o Options) Resolved() (Options, error) { return o.withDefaults() }

// WithAnyMaster returns the options with AnyMaster set: for the cell that
// tears down a framework wherever it lives.
func (o Options) WithAnyMaster() Options {
	o.AnyMaster = true
	return o
}

// ClientConfig is the client configuration from the environment
// (httpapi.DefaultConfig), its master checked: for notebooks that need
// only a client, its error says how to fix MESOS_MASTER.
func ClientConfig() (httpapi.Config, error) {
	cfg := httpapi.DefaultConfig()
	return cfg, checkMaster(cfg.Master, true)
}

// ErrBadMaster is wrapped by the error of a master address that cannot
// work, which says how to fix it.
var ErrBadMaster = errors.New("bad master address")

func (o Options) withDefaults() (Options, error) {
	if o.resolved {
		return o, nil
	}
	if o.Name == "" {
		o.Name = "default"
	}
	if !nameRE.MatchString(o.Name) {
		return o, fmt.Errorf("session name %q: use letters, digits, '.', '_' and '-'", o.Name)
	}
	if o.Notebook == "" {
		o.Notebook = o.Name
	}
	if o.Kernel == "" {
		o.Kernel = os.Getenv(EnvKernel)
	}
	if o.Root == "" {
		root, err := sessionsRoot()
		if err != nil {
			return o, err
		}
		o.Root = root
	}
	o.explicitDir = o.explicitDir || o.Dir != ""
	if o.Dir == "" {
		o.Dir = filepath.Join(o.Root, o.Name)
	}
	env := httpapi.DefaultConfig()
	if o.Client.Master == "" {
		o.Client.Master = env.Master
		if err := checkMaster(o.Client.Master, true); err != nil {
			return o, err
		}
	}
	if o.Client.Principal == "" {
		o.Client.Principal, o.Client.Secret = env.Principal, env.Secret
	}
	if o.Client.CAFile == "" {
		o.Client.CAFile = env.CAFile
	}
	// Checked before anything is written: an address the listener cannot
	// use could still carry a password into the session folder.
	if err := checkMaster(o.Client.Master, false); err != nil {
		return o, err
	}
	f := &o.Framework
	if f.User == "" {
		f.User = os.Getenv(EnvTaskUser)
	}
	if f.User == "" {
		if cu, err := user.Current(); err == nil {
			f.User = cu.Username
		}
	}
	if f.User == "" {
		return o, errors.New("no user for the framework: set MESOS_TASK_USER")
	}
	if f.Name == "" {
		f.Name = "mesosnb (" + Identity() + ")"
	}
	if f.FailoverTimeout == 0 {
		f.FailoverTimeout = DefaultFailoverTimeout.Seconds()
	}
	if f.Hostname == "" {
		f.Hostname, _ = os.Hostname()
	}
	if f.Principal == "" {
		f.Principal = o.Client.Principal
	}
	if o.ParentPID == 0 {
		o.ParentPID = os.Getppid()
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 60 * time.Second
	}
	if o.HoldOffers == 0 {
		o.HoldOffers = DefaultHoldOffers
	}
	if o.KeepJournals <= 0 {
		o.KeepJournals = DefaultKeepJournals
		if d, err := time.ParseDuration(os.Getenv(EnvKeepJournals)); err == nil && d > 0 {
			o.KeepJournals = d
		}
	}
	o.resolved = true
	return o, nil
}

// checkMaster refuses an address the client cannot use, saying how to fix
// it: where it came from (MESOS_MASTER, or the program's options) decides
// the fix.
func checkMaster(master string, fromEnv bool) error {
	_, err := leader.Parse(master)
	if err == nil {
		return nil
	}
	if fromEnv {
		return fmt.Errorf("%w: MESOS_MASTER=%s: %v.\nFix: set it in the shell that starts Jupyter, e.g. MESOS_MASTER=%s make notebook, then restart the kernel (Kernel > Restart) and run the setup and Configuration cells",
			ErrBadMaster, redact(master), unwrapParse(err), httpapi.DefaultMaster)
	}
	return fmt.Errorf("%w: %v (fix Options.Client.Master)", ErrBadMaster, err)
}

// unwrapParse drops leader's own `invalid master "..."` prefix, which
// would repeat what the message already says.
func unwrapParse(err error) string {
	if _, detail, ok := strings.Cut(err.Error(), "\": "); ok {
		return detail
	}
	return err.Error()
}

// sessionsRoot is where session folders go: $MESOSNB_SESSION_DIR, else
// <user cache dir>/mesosnb/sessions.
func sessionsRoot() (string, error) {
	if d := os.Getenv(EnvSessionDir); d != "" {
		return d, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a folder for sessions (set %s): %w", EnvSessionDir, err)
	}
	return filepath.Join(cache, "mesosnb", "sessions"), nil
}

// redact hides a zk:// password for anything written to disk or shown.
func redact(master string) string {
	if m, err := leader.Parse(master); err == nil && m.IsZooKeeper() {
		return m.String()
	}
	return master
}
