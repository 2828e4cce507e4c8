package session

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
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
)

// DefaultFailoverTimeout is how long the master keeps the framework, and
// its tasks, after the listener's stream drops: long enough to restart a
// kernel or a laptop's lid, short enough that a forgotten framework is gone
// by the next morning.
const DefaultFailoverTimeout = time.Hour

// Options say which framework a session runs against which master. The
// zero value works: it reads the environment and names the framework
// after the user and host, so thirty attendees on one master can tell
// their frameworks apart.
type Options struct {
	// Name names the session folder; sessions with different names are
	// independent frameworks. Default "default".
	Name string
	// Dir is the session folder; default $MESOSNB_SESSION_DIR/<Name>,
	// else <user cache dir>/mesosnb/sessions/<Name>.
	Dir string
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
// FrameworkInfo exactly as the listener will send it.
func (o Options) Resolved() (Options, error) { return o.withDefaults() }

func (o Options) withDefaults() (Options, error) {
	if o.Name == "" {
		o.Name = "default"
	}
	if !nameRE.MatchString(o.Name) {
		return o, fmt.Errorf("session name %q: use letters, digits, '.', '_' and '-'", o.Name)
	}
	if o.Dir == "" && os.Getenv(EnvSessionDir) != "" {
		o.Dir = filepath.Join(os.Getenv(EnvSessionDir), o.Name)
	}
	if o.Dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return o, fmt.Errorf("find a folder for the session (set %s): %w", EnvSessionDir, err)
		}
		o.Dir = filepath.Join(cache, "mesosnb", "sessions", o.Name)
	}
	env := httpapi.DefaultConfig()
	if o.Client.Master == "" {
		o.Client.Master = env.Master
	}
	if o.Client.Principal == "" {
		o.Client.Principal, o.Client.Secret = env.Principal, env.Secret
	}
	if o.Client.CAFile == "" {
		o.Client.CAFile = env.CAFile
	}
	// Checked before anything is written: an address the listener cannot
	// use could still carry a password into the session folder.
	if _, err := leader.Parse(o.Client.Master); err != nil {
		return o, fmt.Errorf("%w (fix MESOS_MASTER, or Options.Client.Master)", err)
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
	return o, nil
}
