package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/internal/proc"
)

// Owner is who a session belongs to, as owner.json records it: the
// notebook, the Jupyter kernel and the master. One kernel, one framework:
// a second kernel running the same notebook gets a session of its own,
// and a restarted kernel (the same kernel id) finds its own again.
type Owner struct {
	Notebook string `json:"notebook,omitempty"`
	// Kernel is the Jupyter kernel id; it survives a kernel restart.
	Kernel string `json:"kernel,omitempty"`
	// KernelPID is the kernel process that used the session last: the one
	// whose end stops the listener.
	KernelPID int `json:"kernel_pid,omitempty"`
	// Master is the master the session was opened for, password redacted.
	Master string    `json:"master"`
	Since  time.Time `json:"since"`
}

func readOwner(dir string) (Owner, bool) {
	var o Owner
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil || json.Unmarshal(b, &o) != nil {
		return o, false
	}
	return o, true
}

// live reports whether the owner's kernel process still runs.
func (o Owner) live() bool { return o.KernelPID > 0 && proc.Alive(o.KernelPID) }

// ErrNoSession is wrapped by the error of a call that needs a framework
// this kernel does not have (none yet, or torn down): the cell that
// answers it is the Subscribe cell.
var ErrNoSession = errors.New("run the Subscribe cell first")

// pickDir chooses the session folder of opts for this kernel, holding a
// lock on the choice until unlock is called (after the owner is written).
// start (the subscribe cell) may take a folder whose kernel is gone or
// make a new one; otherwise only this kernel's folder, or one left by a
// kernel that is gone, will do. note says what a learner should know
// about the choice, if anything.
func pickDir(opts Options, start bool) (dir, note string, unlock func(), err error) {
	if opts.explicitDir || opts.Kernel == "" {
		return opts.Dir, "", func() {}, nil
	}
	if err := os.MkdirAll(opts.Root, 0o700); err != nil {
		return "", "", nil, fmt.Errorf("create the sessions folder: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(opts.Root, "."+opts.Name+".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", "", nil, err
	}
	for syscall.Flock(int(lock.Fd()), syscall.LOCK_EX) != nil {
		time.Sleep(10 * time.Millisecond)
	}
	unlock = func() { lock.Close() }
	dirs := sessionDirs(opts.Root, opts.Name)
	for _, d := range dirs {
		if o, ok := readOwner(d); ok && o.Kernel == opts.Kernel {
			return d, "", unlock, nil
		}
	}
	var busy *Owner
	busyName := ""
	for _, d := range dirs {
		o, ok := readOwner(d)
		if ok && o.live() {
			if busy == nil {
				busy, busyName = &o, filepath.Base(d)
			}
			continue
		}
		// Its kernel is gone (or it never had one): a restarted Jupyter
		// gives the same notebook a new kernel id, which takes it over.
		st, _ := readState(d)
		if start || (st.FrameworkID != "" && st.Status != StatusRemoved) {
			if ok && o.Kernel != "" {
				note = fmt.Sprintf("took over session %s from kernel %s, which is gone", filepath.Base(d), short(o.Kernel))
			}
			return d, note, unlock, nil
		}
	}
	if !start {
		unlock()
		if busy != nil {
			return "", "", nil, fmt.Errorf("no session in this kernel yet (another kernel, pid %d, holds session %s; Subscribe gives this one its own): %w",
				busy.KernelPID, busyName, ErrNoSession)
		}
		return "", "", nil, fmt.Errorf("no session in this kernel yet: %w", ErrNoSession)
	}
	if len(dirs) == 0 {
		return opts.Dir, "", unlock, nil
	}
	d := filepath.Join(opts.Root, fmt.Sprintf("%s-%d", opts.Name, nextNumber(opts.Root, opts.Name)))
	if busy != nil {
		st, _ := readState(filepath.Join(opts.Root, busyName))
		note = fmt.Sprintf("another kernel (pid %d) is using session %s (framework %s) for %s: this kernel gets a session of its own, %s, and registers its own framework",
			busy.KernelPID, busyName, orNone(st.FrameworkID), busy.Notebook, filepath.Base(d))
	}
	return d, note, unlock, nil
}

// sessionDirs lists the folders of a session name: name, name-2, name-3...
// in that order.
func sessionDirs(root, name string) []string {
	entries, _ := os.ReadDir(root)
	type numbered struct {
		n   int
		dir string
	}
	var found []numbered
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if e.Name() == name {
			found = append(found, numbered{1, filepath.Join(root, e.Name())})
		} else if rest, ok := strings.CutPrefix(e.Name(), name+"-"); ok {
			if n, err := strconv.Atoi(rest); err == nil && n > 1 {
				found = append(found, numbered{n, filepath.Join(root, e.Name())})
			}
		}
	}
	slices.SortFunc(found, func(a, b numbered) int { return a.n - b.n })
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.dir
	}
	return out
}

// nextNumber is the number of a new folder for name: one more than the
// highest in use, 2 at least.
func nextNumber(root, name string) int {
	n := 1
	for _, d := range sessionDirs(root, name) {
		if rest, ok := strings.CutPrefix(filepath.Base(d), name+"-"); ok {
			m, _ := strconv.Atoi(rest)
			n = max(n, m)
		}
	}
	return n + 1
}

// short is the start of a kernel id, enough to tell two apart.
func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func orNone(s string) string {
	if s == "" {
		return "none yet"
	}
	return s
}
