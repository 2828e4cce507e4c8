package session_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// TestCorruptJournal: a garbage line and a line cut short (a listener
// killed mid-write, a disk that filled up) are reported and skipped. The
// rest of the journal reads as before, and the next listener starts its
// entries on a line of their own.
func TestCorruptJournal(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := options(t, srv.URL)
	ctx := context.Background()
	s1 := start(t, opts)
	launch(t, s1, "t1", "sleep 100")
	if _, err := s1.WaitTask(within(ctx, 10*time.Second), mesos.TaskID{Value: "t1"}, mesos.TaskRunning); err != nil {
		t.Fatal(err)
	}
	if err := s1.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := s1.Events(0)
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(opts.Dir, "journal.jsonl")
	const garbage, cut = "this is not JSON\n", `{"seq":999,"received":"2026-01-0`
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(garbage + cut)
	f.Close()
	if ps := s1.Problems(); len(ps) != 1 || !strings.Contains(ps[0].Text, "this is not JSON") {
		t.Fatalf("problems %v, want the garbage line (the cut one may still be being written)", ps)
	}

	s2 := start(t, opts)
	if s2.How != session.Failover {
		t.Fatalf("Start over a damaged journal: %s (%s)", s2.How, s2.Note)
	}
	testenv.Eventually(t, 10*time.Second, "new entries after the damage", func() bool {
		evs, _ := s2.Events(before[len(before)-1].Seq)
		return len(evs) > 0
	})
	for _, s := range []*session.Session{s1, s2} {
		ps := s.Problems()
		if len(ps) != 2 || !strings.Contains(ps[0].Text, "this is not JSON") || ps[1].Text != cut {
			t.Fatalf("problems %v, want the garbage line and the cut one", ps)
		}
		evs, err := s.Events(0)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(evs); i++ {
			if evs[i].Seq != evs[i-1].Seq+1 {
				t.Fatalf("entry %d follows %d", evs[i].Seq, evs[i-1].Seq)
			}
		}
		if len(evs) <= len(before) || evs[len(before)].Event.Type != mesos.EventSubscribed {
			t.Fatalf("after the damage the journal goes on with %+v, want the new SUBSCRIBED", evs[len(before):])
		}
		if tk, ok, err := s.Task(mesos.TaskID{Value: "t1"}); err != nil || !ok || tk.State != mesos.TaskRunning {
			t.Fatalf("task t1 over a damaged journal: %+v %v %v", tk, ok, err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(cut+"\n{")) {
		t.Fatalf("the new listener did not start a line of its own after the cut one")
	}
}

// TestFilesPrivate: the session folder is the user's alone (0700, files
// 0600), state.json is never seen half-written, and the secret reaches the
// master without being written anywhere in the folder or the log.
func TestFilesPrivate(t *testing.T) {
	t.Parallel()
	const principal, secret = "attendee", "s3cret-Never-0n-disk"
	srv := startMaster(t, func(c *localmesos.Config) {
		c.Credentials = map[string]string{principal: secret}
		c.Heartbeat = 20 * time.Millisecond // state.json rewritten at each
	})
	opts := options(t, srv.URL)
	opts.Client.Principal, opts.Client.Secret = principal, secret
	// A heartbeat that short must not trip the watchdog on a busy machine.
	opts.Client.MissedHeartbeats = 250

	// Read state.json as fast as possible while the listener rewrites it.
	var reads, changes atomic.Int64
	done := make(chan struct{})
	torn := make(chan string, 1)
	go func() {
		defer close(done)
		last := ""
		for {
			b, err := os.ReadFile(filepath.Join(opts.Dir, "state.json"))
			if err == nil {
				var st session.State
				if err := json.Unmarshal(b, &st); err != nil {
					torn <- string(b)
					return
				}
				reads.Add(1)
				if u := st.UpdatedAt.String(); u != last {
					changes.Add(1)
					last = u
				}
			}
			if changes.Load() > 50 {
				return
			}
		}
	}()
	s := start(t, opts)
	launch(t, s, "t1", "sleep 100") // a call through the Client: calls.jsonl
	select {
	case b := <-torn:
		t.Fatalf("state.json read half-written: %q", b)
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("state.json changed only %d times in 20s", changes.Load())
	}
	t.Logf("state.json read %d times across %d rewrites, always whole", reads.Load(), changes.Load())
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	fi, err := os.Stat(opts.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("session folder mode %o, want 700", fi.Mode().Perm())
	}
	var names []string
	filepath.WalkDir(opts.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == opts.Dir {
			return err
		}
		names = append(names, d.Name())
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want a file with mode 600", d.Name(), info.Mode())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the secret", d.Name())
		}
		if strings.HasPrefix(d.Name(), ".state.json") {
			t.Errorf("temporary file %s left behind", d.Name())
		}
		return nil
	})
	for _, want := range []string{"state.json", "config.json", "owner.json", "journal.jsonl", "calls.jsonl", "listener.log", "listener.lock", "start.lock"} {
		if !slices.Contains(names, want) {
			t.Errorf("the session folder has no %s (it has %v)", want, names)
		}
	}
}

// TestBadMasterNotWritten: a master address that carries a password is
// refused before anything is written.
func TestBadMasterNotWritten(t *testing.T) {
	t.Parallel()
	opts := options(t, "http://attendee:s3cret@127.0.0.1:1")
	_, err := session.Start(context.Background(), opts)
	if err == nil || strings.Contains(err.Error(), "s3cret") || !errors.Is(err, session.ErrBadMaster) {
		t.Fatalf("Start with credentials in the master address: %v", err)
	}
	if entries, _ := os.ReadDir(opts.Dir); len(entries) > 0 {
		t.Fatalf("the session folder was written: %v", entries)
	}
}
