package session_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// TestLaunchNeverHeardIsReconciled: a task whose ACCEPT the master took
// (202) but that no update ever named (the master restarted in between)
// is named in the explicit reconciliation after the next subscription,
// and comes back TASK_LOST: a framework never waits for it forever.
func TestLaunchNeverHeardIsReconciled(t *testing.T) {
	t.Parallel()
	srv := startMaster(t, nil)
	opts := options(t, srv.URL)
	s := start(t, opts)
	st := state(t, s)
	offer := launch(t, s, "heard", "sleep 100")
	launches, err := s.Launches()
	if err != nil || len(launches) != 1 || launches[0].TaskID.Value != "heard" {
		t.Fatalf("Launches = %+v, %v: want the task launched", launches, err)
	}

	// What the calls file holds after an ACCEPT the master took and
	// then forgot, as a restart would.
	ghost := mesos.TaskInfo{Name: "ghost", TaskID: mesos.TaskID{Value: "ghost"}, AgentID: offer.AgentID}
	call := mesos.Call{Type: mesos.CallAccept, FrameworkID: &mesos.FrameworkID{Value: st.FrameworkID},
		Accept: &mesos.Accept{OfferIDs: []mesos.OfferID{{Value: "gone-O1"}}, Operations: []mesos.Operation{mesos.LaunchOp(ghost)}}}
	body, _ := json.Marshal(call)
	line, _ := json.Marshal(session.Call{Time: time.Now(), Type: string(mesos.CallAccept), Request: body, Status: 202})
	f, err := os.OpenFile(filepath.Join(opts.Dir, "calls.jsonl"), os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(append(line, '\n'))
	f.Close()

	syscall.Kill(st.ListenerPID, syscall.SIGKILL)
	since := s.Seq()
	ctx := within(context.Background(), 20*time.Second)
	// The wait restarts the listener, which re-subscribes and reconciles.
	lost, err := s.WaitTask(ctx, ghost.TaskID, mesos.TaskLost)
	if err != nil {
		t.Fatal(err)
	}
	if lost.Reason != mesos.ReasonReconciliation || len(lost.Status.UUID) != 0 {
		t.Errorf("the ghost came back %s %s (uuid %x): want TASK_LOST, REASON_RECONCILIATION, no uuid", lost.State, lost.Reason, lost.Status.UUID)
	}
	if _, err := s.WaitEvent(ctx, since, mesos.EventSubscribed); err != nil {
		t.Errorf("WaitEvent for the re-subscription: %v", err)
	}
	calls, err := s.Calls()
	if err != nil || len(calls) < 2 {
		t.Errorf("Calls = %d calls, %v: want the ACCEPTs", len(calls), err)
	}
}

// TestReconcileAskedAgain: after a re-subscription, the explicit
// reconciliation of a task the master does not answer for (here the
// request is lost on the way; after a real failover, its agent has not
// re-registered yet) is sent again, and the task's true state arrives.
func TestReconcileAskedAgain(t *testing.T) {
	t.Parallel()
	addr := testenv.Addr(t)
	edit := func(c *localmesos.Config) { c.MasterAddr = addr }
	srv := startMaster(t, edit)
	var dropped, explicit atomic.Int32
	target, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.FlushInterval = -1
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		var call mesos.Call
		if json.Unmarshal(body, &call) == nil && call.Type == mesos.CallReconcile && call.Reconcile != nil && len(call.Reconcile.Tasks) > 0 {
			explicit.Add(1)
			if dropped.CompareAndSwap(0, 1) { // the first one after the restart is lost
				w.WriteHeader(http.StatusAccepted)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close) // after the listener stops: cleanups run last in, first out
	s := start(t, options(t, proxy.URL))
	launch(t, s, "forgotten", "sleep 100")
	ctx := within(context.Background(), 20*time.Second)
	if _, err := s.WaitTask(ctx, mesos.TaskID{Value: "forgotten"}, mesos.TaskRunning); err != nil {
		t.Fatal(err)
	}
	explicit.Store(0)
	dropped.Store(0)
	srv.Close()
	startMaster(t, edit) // knows nothing: only the explicit request names the task
	lost, err := s.WaitTask(ctx, mesos.TaskID{Value: "forgotten"}, mesos.TaskLost)
	if err != nil {
		t.Fatal(err)
	}
	if n := explicit.Load(); n < 2 || lost.Reason != mesos.ReasonReconciliation {
		t.Errorf("the task came back %s %s after %d explicit reconciliation(s): want TASK_LOST from the one sent again", lost.State, lost.Reason, n)
	}
}
