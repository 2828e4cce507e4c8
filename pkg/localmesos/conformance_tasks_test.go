package localmesos_test

// Conformance D24-D44: offers, tasks and their updates (see
// conformance_test.go).

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

func acceptRaw(t *testing.T, srv *localmesos.Server, f *framework, offerIDs []string, ops string) {
	t.Helper()
	ids := make([]string, len(offerIDs))
	for i, id := range offerIDs {
		ids[i] = `{"value":"` + id + `"}`
	}
	fwPost(t, srv, f, `{"type":"ACCEPT","framework_id":{"value":"`+f.id().Value+`"},"accept":{"offer_ids":[`+strings.Join(ids, ",")+`],"operations":`+ops+`}}`).
		want(t, http.StatusAccepted, "")
}

// launchJSON is a LAUNCH operation of tasks given as JSON.
func launchJSON(tasks ...string) string {
	return `[{"type":"LAUNCH","launch":{"task_infos":[` + strings.Join(tasks, ",") + `]}}]`
}

// wantMasterUpdate checks an update the master made itself: no uuid.
func wantMasterUpdate(t *testing.T, st mesos.TaskStatus, task string, state mesos.TaskState, reason, message string) {
	t.Helper()
	if st.TaskID.Value != task || st.State != state || st.Reason != reason || st.Message != message || st.Source != mesos.SourceMaster || len(st.UUID) != 0 {
		t.Fatalf("got %s\nwant %s of %s, %s, %q from the master without uuid", mustJSON(st), state, task, reason, message)
	}
}

// D24-D26: invalid offers fail every task, TASK_LOST or, for a partition
// aware framework, TASK_DROPPED.
func TestConformance_InvalidOffers(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	for _, pa := range []bool{false, true} {
		info := mesos.FrameworkInfo{FailoverTimeout: 60}
		lost := mesos.TaskLost
		if pa {
			info.Capabilities = []mesos.FrameworkCapability{{Type: mesos.CapabilityPartitionAware}}
			lost = mesos.TaskDropped
		}
		f := subscribe(t, srv, info)
		offer := f.offer()
		agent := offer.AgentID.Value
		task := func(id string) string {
			return `{"name":"` + id + `","task_id":{"value":"` + id + `"},"agent_id":{"value":"` + agent + `"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}],"command":{"value":"sleep 10"}}`
		}

		// D24: an offer that never was.
		acceptRaw(t, srv, f, []string{"no-such-offer"}, launchJSON(task("a"), task("b")))
		for _, id := range []string{"a", "b"} {
			st := f.status()
			wantMasterUpdate(t, st, id, lost, mesos.ReasonInvalidOffers, "Task launched with invalid offers: Offer no-such-offer is no longer valid")
			if st.AgentID == nil || st.AgentID.Value != agent || st.ExecutorID != nil {
				t.Fatalf("%s", mustJSON(st))
			}
		}

		// D26: the same offer twice in one call; the offer is spent
		// without RESCIND.
		acceptRaw(t, srv, f, []string{offer.ID.Value, offer.ID.Value}, launchJSON(task("c")))
		wantMasterUpdate(t, f.status(), "c", lost, mesos.ReasonInvalidOffers, "Task launched with invalid offers: Duplicate offer "+offer.ID.Value+" in offer list")

		// D25: a spent offer.
		acceptRaw(t, srv, f, []string{offer.ID.Value}, launchJSON(task("d")))
		wantMasterUpdate(t, f.status(), "d", lost, mesos.ReasonInvalidOffers, "Task launched with invalid offers: Offer "+offer.ID.Value+" is no longer valid")
		f.none(100*time.Millisecond, mesos.EventRescind)
		if err := f.c.Teardown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// D27-D34: invalid tasks get TASK_ERROR from the master; valid ones in the
// same LAUNCH go on.
func TestConformance_InvalidTasks(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Resources = "cpus:2;mem:1024;disk:1024;ports:[31000-32000]" })
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	first := f.offer()
	agent := first.AgentID.Value
	if err := f.c.Decline(context.Background(), []mesos.OfferID{first.ID}, &mesos.Filters{RefuseSeconds: ptr(0.0)}); err != nil {
		t.Fatal(err)
	}
	res := `"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]`
	task := func(id, rest string) string {
		return `{"name":"` + id + `","task_id":{"value":"` + id + `"},"agent_id":{"value":"` + agent + `"}` + rest + `}`
	}
	cmd := `,"command":{"value":"sleep 10"}`
	for _, c := range []struct {
		name  string
		tasks []string
		want  []string // per task: its TASK_ERROR message, or "" for a launched task
	}{
		{"D27", []string{task("t", ","+res)}, []string{"Task should have at least one (but not both) of CommandInfo or ExecutorInfo present"}},
		{"D28", []string{task("t", cmd)}, []string{"Task uses no resources"}},
		{"D29", []string{task("t", `,"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":100}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]`+cmd)},
			[]string{"Total resources cpus(allocated: *):100; mem(allocated: *):32 required by task and its executor is more than available ports(allocated: *):[31000-32000]; cpus(allocated: *):2; mem(allocated: *):1024; disk(allocated: *):1024"}}, // ports first, as real Mesos offers them
		{"D30", []string{task("dup", ","+res+cmd), task("dup", ","+res+cmd)}, []string{"", "Task has duplicate ID: dup"}},
		{"D31", []string{task("a/b", ","+res+cmd)}, []string{"'a/b' contains invalid characters"}},
		{"D32", []string{`{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"other"},` + res + cmd + `}`}, []string{"Task uses invalid agent other while agent " + agent + " is expected"}},
		{"D33", []string{task("neg", `,"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}]`+cmd), task("fine", ","+res+cmd)},
			[]string{"Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0", "Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0"}},
		{"D34", []string{task("t", ","+res+cmd+`,"container":{"type":"DOCKER"}`)}, []string{"Task's `ContainerInfo` is invalid: DockerInfo 'docker' is not set for DOCKER typed ContainerInfo"}},
		{"limits", []string{task("t", ","+res+cmd+`,"limits":{"cpus":{"value":0.05}}`)}, []string{"The cpu limit must be greater than or equal to the cpu request"}},
		{"limits disk", []string{task("t", ","+res+cmd+`,"limits":{"disk":{"value":5}}`)}, []string{"Only cpus and mem may be included in a task's resource limits"}},
		{"operation id", []string{task("t", ","+res+cmd)}, []string{"The `id` field cannot be set on LAUNCH operations"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			offer := f.offer()
			ops := launchJSON(c.tasks...)
			if c.name == "operation id" {
				ops = `[{"type":"LAUNCH","id":{"value":"op"},"launch":{"task_infos":[` + c.tasks[0] + `]}}]`
			}
			fwPost(t, srv, f, `{"type":"ACCEPT","framework_id":{"value":"`+f.id().Value+`"},"accept":{"offer_ids":[{"value":"`+offer.ID.Value+`"}],"operations":`+ops+`,"filters":{"refuse_seconds":0}}}`).
				want(t, http.StatusAccepted, "")
			var errs []string
			launch := 0
			for _, want := range c.want {
				if want == "" {
					launch++
				} else {
					errs = append(errs, want)
				}
			}
			for len(errs) > 0 || launch > 0 {
				st := f.status()
				switch st.State {
				case mesos.TaskStarting:
					// A valid task: it runs; kill it so that its resources
					// come back for the next case.
					launch--
					f.ack(st)
					if err := f.c.Kill(context.Background(), st.TaskID, nil); err != nil {
						t.Fatal(err)
					}
				case mesos.TaskError:
					if st.Reason != mesos.ReasonTaskInvalid || st.Message != errs[0] || st.Source != mesos.SourceMaster || len(st.UUID) != 0 {
						t.Fatalf("got %s\nwant TASK_ERROR %q", mustJSON(st), errs[0])
					}
					errs = errs[1:]
				default:
					if len(st.UUID) > 0 {
						f.ack(st) // the story of a task killed before
					}
				}
			}
		})
	}
}

// D36-D38: what Mesos' Docker executor refuses once it has started: the
// task reports TASK_STARTING, then TASK_FAILED without a reason.
func TestConformance_DockerRunOptions(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	for _, c := range []struct{ name, container, command, want string }{
		{"D36", `{"type":"DOCKER","docker":{"image":"busybox","port_mappings":[{"host_port":9000,"container_port":80}]}}`, `{"value":"true"}`,
			"Failed to create docker run options: Port mappings are only supported for bridge and user-defined networks"},
		{"D37", `{"type":"DOCKER","docker":{"image":"busybox","network":"BRIDGE","port_mappings":[{"host_port":8080,"container_port":80}]}}`, `{"value":"true"}`,
			"Failed to create docker run options: Port [8080] not included in resources"},
		{"D38", `{"type":"DOCKER","docker":{"image":"busybox"}}`, `{}`,
			"Failed to create docker run options: Shell specified but no command value provided"},
	} {
		t.Run(c.name, func(t *testing.T) {
			offer := f.offer()
			task := `{"name":"t","task_id":{"value":"` + c.name + `"},"agent_id":{"value":"` + offer.AgentID.Value + `"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}},{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":9000,"end":9000}]}}],"command":` + c.command + `,"container":` + c.container + `}`
			acceptRaw(t, srv, f, []string{offer.ID.Value}, launchJSON(task))
			if st := f.update(); st.State != mesos.TaskStarting {
				t.Fatalf("%s, want TASK_STARTING", mustJSON(st))
			}
			st := f.update()
			if st.State != mesos.TaskFailed || st.Message != c.want || st.Reason != "" || st.Source != mesos.SourceExecutor || len(st.UUID) != 16 {
				t.Fatalf("got %s\nwant TASK_FAILED %q", mustJSON(st), c.want)
			}
		})
	}
}

// D39: refused resources come back after refuse_seconds: at the next
// allocation for 0, not for 5 s by default.
func TestConformance_D39_DeclineFilters(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		filters *mesos.Filters
		quiet   time.Duration // no offer during this
		within  time.Duration // an offer by then (0: not checked)
	}{
		{"zero", &mesos.Filters{RefuseSeconds: ptr(0.0)}, 0, 500 * time.Millisecond},
		{"half a second", &mesos.Filters{RefuseSeconds: ptr(0.5)}, 400 * time.Millisecond, 2 * time.Second},
		{"default", nil, time.Second, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, nil)
			f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
			offer := f.offer()
			declined := time.Now()
			if err := f.c.Decline(context.Background(), []mesos.OfferID{offer.ID}, c.filters); err != nil {
				t.Fatal(err)
			}
			if c.quiet > 0 {
				f.none(c.quiet, mesos.EventOffers)
			}
			if c.within > 0 {
				f.offer()
				if d := time.Since(declined); d > c.within {
					t.Fatalf("re-offered after %v, want within %v", d, c.within)
				}
			}
		})
	}
}

// D40-D42: command tasks as Mesos' command executor reports them.
func TestConformance_CommandTaskUpdates(t *testing.T) {
	t.Parallel()
	srv := start(t, processRunner)
	for _, c := range []struct {
		name, command string
		killing, kill bool
		states        []mesos.TaskState
		message       string
	}{
		{"D40", "exit 0", false, false, []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskFinished}, "Command exited with status 0"},
		{"D41", "exit 3", false, false, []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskFailed}, "Command exited with status 3"},
		{"D42", "sleep 100", false, true, []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskKilled}, "Command terminated with signal Terminated"},
		{"D42 killing", "sleep 100", true, true, []mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskKilling, mesos.TaskKilled}, "Command terminated with signal Terminated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			info := mesos.FrameworkInfo{FailoverTimeout: 60}
			if c.killing {
				info.Capabilities = []mesos.FrameworkCapability{{Type: mesos.CapabilityTaskKillingState}}
			}
			f := subscribe(t, srv, info)
			offer := f.offer()
			ti := simpleTask("t", offer)
			ti.Command.Value = c.command
			f.launch(offer, ti)
			for i, want := range c.states {
				st := f.status()
				if st.State != want || len(st.UUID) != 16 || st.ExecutorID == nil || st.ExecutorID.Value != "t" || st.AgentID == nil {
					t.Fatalf("got %s, want %s with uuid, agent_id and executor_id t", mustJSON(st), want)
				}
				if i == 0 {
					// D40: the next update waits for this one's
					// acknowledgement; unacknowledged, it is re-sent.
					if again := f.status(); again.State != want || string(again.UUID) != string(st.UUID) {
						t.Fatalf("got %s, want %s re-sent", mustJSON(again), want)
					}
				}
				if want.Terminal() && st.Message != c.message {
					t.Fatalf("message %q, want %q", st.Message, c.message)
				}
				f.ack(st)
				if want == mesos.TaskRunning && c.kill {
					if err := f.c.Kill(context.Background(), ti.TaskID, nil); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

// D43-D44: an unacknowledged update is re-sent with its uuid;
// reconciliation answers from the master.
func TestConformance_RetryAndReconcile(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{FailoverTimeout: 60})
	offer := f.offer()
	f.launch(offer, simpleTask("t", offer))
	first := f.status()
	sent := time.Now()
	again := f.status()
	if again.State != first.State || string(again.UUID) != string(first.UUID) || time.Since(sent) < 100*time.Millisecond {
		t.Fatalf("re-sent %s after %v, want %s with its uuid after the retry interval", mustJSON(again), time.Since(sent), mustJSON(first))
	}
	f.ack(again)
	f.update() // TASK_RUNNING
	if err := f.c.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantReconciled(t, f.status(), mesos.TaskRunning, "Reconciliation: Latest task state", &offer.AgentID)
}
