package session

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// pruneJournals removes what removed frameworks left once it is older than
// keep: in dir, the journals and call logs set aside when a new framework
// replaced an old one; in root, whole session folders whose framework is
// gone (removed, or past its failover timeout) and which no listener and
// no live kernel hold. A Start does it, so nothing piles up over a term
// of workshops.
func pruneJournals(root, dir string, keep time.Duration) {
	cutoff := time.Now().Add(-keep)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		if !(strings.HasPrefix(n, "journal.") || strings.HasPrefix(n, "calls.")) || !strings.HasSuffix(n, ".jsonl") || n == journalFile || n == callsFile {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(dir, n))
		}
	}
	folders, _ := os.ReadDir(root)
	for _, e := range folders {
		d := filepath.Join(root, e.Name())
		if !e.IsDir() || d == dir {
			continue
		}
		st, err := readState(d)
		if err != nil || st.UpdatedAt.IsZero() || st.UpdatedAt.After(cutoff) {
			continue
		}
		failedOver := time.Since(st.UpdatedAt) > time.Duration(st.FailoverTimeout*float64(time.Second))
		if st.Status != StatusRemoved && !failedOver {
			continue
		}
		if o, _ := readOwner(d); o.live() || listenerRunning(d) {
			continue
		}
		os.RemoveAll(d)
	}
}
