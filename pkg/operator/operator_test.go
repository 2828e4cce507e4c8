package operator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

func standIn(t *testing.T) *localmesos.Server {
	t.Helper()
	srv, err := localmesos.New(localmesos.Config{Runner: "simulated", AllocationInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func client(t *testing.T, master string) *operator.Client {
	t.Helper()
	c, err := operator.New(operator.Config{Master: master, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestCallsAgainstStandIn: every typed call decodes a real answer.
func TestCallsAgainstStandIn(t *testing.T) {
	t.Parallel()
	srv := standIn(t)
	c := client(t, srv.URL)
	ctx := t.Context()
	if ok, err := c.Health(ctx); err != nil || !ok {
		t.Fatalf("Health: %v %v", ok, err)
	}
	if err := c.Legacy().Health(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := c.Version(ctx)
	if err != nil || v.Version != "1.11.0" {
		t.Fatalf("Version: %+v %v", v, err)
	}
	mv, err := c.Legacy().Version(ctx)
	if err != nil || mv.Version != "1.11.0" || !strings.Contains(mv.BuildUser, "stand-in") {
		t.Fatalf("/version: %+v %v", mv, err)
	}
	agents, err := c.Agents(ctx)
	if err != nil || len(agents.Agents) != 1 || agents.Agents[0].TotalResources.CPUs() != 4 {
		t.Fatalf("Agents: %+v %v", agents, err)
	}
	st, err := c.Legacy().State(ctx)
	if err != nil || len(st.Slaves) != 1 || st.Slaves[0].Resources.CPUs != 4 {
		t.Fatalf("/state: %+v %v", st, err)
	}
	as, err := c.Legacy().AgentState(ctx, srv.AgentURLs[0])
	if err != nil || as.ID != st.Slaves[0].ID {
		t.Fatalf("agent /state: %+v %v", as, err)
	}
	leader, err := c.Legacy().Redirect(ctx)
	if err != nil || leader != srv.URL {
		t.Fatalf("Redirect: %q %v, want %s", leader, err, srv.URL)
	}
	m, err := c.Master(ctx)
	if err != nil || m.MasterInfo.ID != srv.ID() {
		t.Fatalf("Master: %+v %v", m, err)
	}
	if snap, err := c.Legacy().MetricsSnapshot(ctx); err != nil || snap["master/elected"] != 1 {
		t.Fatalf("/metrics/snapshot: %v %v", snap, err)
	}
	if flags, err := c.Flags(ctx); err != nil || flags.Value("registry") != "in_memory" {
		t.Fatalf("Flags: %+v %v", flags, err)
	}
	if w, err := c.Weights(ctx); err != nil || len(w) != 0 {
		t.Fatalf("Weights: %+v %v", w, err)
	}
	if q, err := c.Quota(ctx); err != nil || len(q.Configs) != 0 {
		t.Fatalf("Quota: %+v %v", q, err)
	}
	if s, err := c.MaintenanceSchedule(ctx); err != nil || len(s.Windows) != 0 {
		t.Fatalf("MaintenanceSchedule: %+v %v", s, err)
	}
	agent, err := c.AgentOf(ctx, *agents.Agents[0].AgentInfo.ID)
	if err != nil || agent.URL != srv.AgentURLs[0] {
		t.Fatalf("AgentOf: %v %v", agent, err)
	}
	if _, err := c.AgentOf(ctx, mesos.AgentID{Value: "nope"}); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("AgentOf an unknown agent: %v", err)
	}
	if rp, err := agent.ResourceProviders(ctx); err != nil || len(rp.ResourceProviders) != 0 {
		t.Fatalf("ResourceProviders: %+v %v", rp, err)
	}
}

// TestRefusedCallsSayWhy: a call the stand-in does not carry out is an
// *Error with its message.
func TestRefusedCallsSayWhy(t *testing.T) {
	t.Parallel()
	srv := standIn(t)
	c := client(t, srv.URL)
	agents, err := c.Agents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// A persistent volume on reserved disk, as Mesos validates it.
	volume := mesos.ScalarResource("disk", 1)
	volume.Reservations = []mesos.ReservationInfo{{Type: "DYNAMIC", Role: "dev"}}
	volume.Disk = &mesos.DiskInfo{Volume: &mesos.Volume{Mode: "RW", ContainerPath: "data"}}
	volume.Disk.Persistence = &struct {
		ID        string `json:"id"`
		Principal string `json:"principal,omitempty"`
	}{ID: "v1"}
	err = c.CreateVolumes(t.Context(), *agents.Agents[0].AgentInfo.ID, mesos.Resources{volume})
	var oe *operator.Error
	if !errors.As(err, &oe) || oe.StatusCode != 501 || !strings.Contains(oe.Body, "no persistent volumes") {
		t.Fatalf("CREATE_VOLUMES: %v", err)
	}
	agent, _ := c.Agent(srv.AgentURLs[0])
	if err := agent.LaunchContainer(t.Context(), mesos.ContainerCall{ContainerID: mesos.ContainerID{Value: "abc"}}); !errors.As(err, &oe) || oe.StatusCode != 501 {
		t.Fatalf("LAUNCH_CONTAINER: %v", err)
	}
}

// TestStreamAndTeardown: the operator stream sees a framework arrive, and
// operator TEARDOWN removes it without a stream id.
func TestStreamAndTeardown(t *testing.T) {
	t.Parallel()
	srv := standIn(t)
	c := client(t, srv.URL)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	stream, err := c.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := scheduler.New(scheduler.Config{Master: srv.URL})
	sub, err := sc.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: "watched", FailoverTimeout: 60})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var seen []mesos.OperatorEventType
	for ev, err := range stream.Events() {
		if err != nil {
			t.Fatalf("after %v: %v", seen, err)
		}
		seen = append(seen, ev.Type)
		if ev.Type == mesos.FrameworkAdded {
			if ev.FrameworkAdded.Framework.FrameworkInfo.Name != "watched" {
				t.Fatalf("framework added: %+v", ev.FrameworkAdded)
			}
			break
		}
	}
	if seen[0] != mesos.OperatorSubscribed {
		t.Fatalf("events %v: SUBSCRIBED is not first", seen)
	}
	if err := c.Teardown(ctx, sub.FrameworkID); err != nil {
		t.Fatal(err)
	}
	fws, err := c.Frameworks(ctx)
	if err != nil || len(fws.Frameworks) != 0 || len(fws.CompletedFrameworks) != 1 {
		t.Fatalf("after TEARDOWN: %+v %v", fws, err)
	}
	err = c.Teardown(ctx, mesos.FrameworkID{Value: "nope"})
	var oe *operator.Error
	if !errors.As(err, &oe) || oe.StatusCode != 400 || oe.Body != "No framework found with specified ID" {
		t.Fatalf("TEARDOWN of an unknown framework: %v", err)
	}
}

// TestAnswerWithoutItsPart: an answer of the wrong type is an error, not
// a nil dereference.
func TestAnswerWithoutItsPart(t *testing.T) {
	t.Parallel()
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"type":"GET_VERSION"}`)
	}))
	defer fake.Close()
	c := client(t, fake.URL)
	if _, err := c.Version(t.Context()); err == nil || !strings.Contains(err.Error(), "no get_version part") {
		t.Fatalf("got %v", err)
	}
}
