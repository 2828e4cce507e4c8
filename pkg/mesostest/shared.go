package mesostest

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
)

// Shared is one cluster for a whole test package, so that real Mesos
// costs one start per package rather than one per test. The first test
// that calls Get starts it; TestMain stops it:
//
//	var mesos = &mesostest.Shared{Options: mesostest.Options{Docker: mesostest.DockerRequired}}
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		mesos.Stop()
//		os.Exit(code)
//	}
//
// Tests on a shared cluster see each other's frameworks: each should
// TEARDOWN its own, and not assume it gets every offer while others run.
type Shared struct {
	Options Options

	once sync.Once
	dir  string
	c    *Cluster
	err  error
	took time.Duration
}

// Get returns the package's cluster, starting it on first use, with
// Start's rules: skipped (failed under CI) without Mesos, and when the
// test fails, the daemons' log lines written during the test are printed
// and the logs copied to its artifact folder.
func (s *Shared) Get(t testing.TB) *Cluster {
	t.Helper()
	s.once.Do(func() {
		began := time.Now()
		s.dir, s.err = os.MkdirTemp("", "mesostest-")
		if s.err == nil {
			s.c, s.err = StartProcess(context.Background(), s.dir, s.Options)
		}
		s.took = time.Since(began)
		if s.err == nil {
			t.Logf("mesostest: shared %s started in %v (masters %v; logs in %s)", s.c.Install.Version, s.took.Round(time.Millisecond), s.c.MasterURLs(), s.dir)
		}
	})
	if errors.Is(s.err, ErrNotInstalled) || errors.Is(s.err, ErrNoDocker) {
		testenv.Unavailable(t, "%v", s.err)
	}
	if s.err != nil {
		t.Fatalf("%v", s.err)
	}
	from := s.c.logSizes()
	t.Cleanup(func() {
		if t.Failed() {
			s.c.report(t, from)
		}
	})
	return s.c
}

// StartTime is how long the shared cluster took to start (zero before
// the first Get): what real Mesos adds to the package's run.
func (s *Shared) StartTime() time.Duration { return s.took }

// Stop stops the cluster, if it was started, and removes its folder.
func (s *Shared) Stop() {
	if s.c != nil {
		s.c.Stop()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}
