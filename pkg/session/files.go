package session

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The session folder holds (folder 0700, files 0600):
//
//	state.json      what the listener knows now (State), rewritten atomically
//	config.json     what the listener was started with (no secrets)
//	owner.json      who the session belongs to (Owner): notebook, kernel, master
//	journal.jsonl   every event received, one JSON line each, append-only
//	calls.jsonl     every call the cells made through Session.Client
//	listener.log    the listener's own log
//	listener.lock   held (flock) by the live listener
//	start.lock      held by a Start deciding what to do, so that two at once
//	                never start two listeners
const (
	stateFile     = "state.json"
	configFile    = "config.json"
	ownerFile     = "owner.json"
	journalFile   = "journal.jsonl"
	callsFile     = "calls.jsonl"
	logFile       = "listener.log"
	lockFile      = "listener.lock"
	startLockFile = "start.lock"
)

// Listener statuses, State.Status.
const (
	StatusStarting     = "starting"     // the listener runs, not subscribed yet
	StatusSubscribed   = "subscribed"   // the stream is open
	StatusReconnecting = "reconnecting" // the stream dropped; re-subscribing with backoff
	StatusStopped      = "stopped"      // the listener exited; the framework may live on (failover_timeout)
	StatusRemoved      = "removed"      // the master removed the framework (TEARDOWN or failover timeout)
)

// State is what the listener knows, as state.json holds it. Times are
// wall-clock, in UTC.
type State struct {
	Name              string    `json:"name"`
	Master            string    `json:"master"`           // as configured, password redacted
	Leader            string    `json:"leader,omitempty"` // base URL of the master holding the stream
	FrameworkID       string    `json:"framework_id,omitempty"`
	FrameworkName     string    `json:"framework_name,omitempty"`
	StreamID          string    `json:"stream_id,omitempty"`
	HeartbeatInterval float64   `json:"heartbeat_interval_seconds,omitempty"`
	FailoverTimeout   float64   `json:"failover_timeout_seconds,omitempty"`
	LastHeartbeat     time.Time `json:"last_heartbeat,omitzero"`
	LastEvent         time.Time `json:"last_event,omitzero"`
	Subscriptions     int       `json:"subscriptions"` // SUBSCRIBED events seen: >1 means re-subscribed
	ListenerPID       int       `json:"listener_pid,omitempty"`
	Status            string    `json:"status"`
	Message           string    `json:"message,omitempty"` // why: the last error, or how it stopped
	StartedAt         time.Time `json:"started_at,omitzero"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// listenerConfig is config.json: what a listener needs besides secrets,
// which it takes from its environment.
type listenerConfig struct {
	Name             string          `json:"name"`
	MasterRedacted   string          `json:"master"`
	CAFile           string          `json:"ca_file,omitempty"`
	Principal        string          `json:"principal,omitempty"`
	Framework        json.RawMessage `json:"framework_info"`
	MissedHeartbeats int             `json:"missed_heartbeats,omitempty"`
	// HoldOffers is Options.HoldOffers in seconds; negative: keep them.
	HoldOffers float64 `json:"hold_offers_seconds,omitempty"`
}

// writeAtomic writes a file so that no reader ever sees half of it: a
// temporary file in the same folder, synced, then renamed over the old one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(b, '\n'))
}

// readState reads state.json; a missing file is a zero State.
func readState(dir string) (State, error) {
	var st State
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if os.IsNotExist(err) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return st, nil
}

// ensureDir creates the session folder, private to the user.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create session folder: %w", err)
	}
	return os.Chmod(dir, 0o700)
}
