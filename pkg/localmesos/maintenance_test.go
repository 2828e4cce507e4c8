package localmesos_test

// Ports of the maintenance tests of Mesos 1.11.0: MasterAPITest's
// UpdateAndGetMaintenanceSchedule, GetMaintenanceStatus and
// StartAndStopMaintenance (src/tests/api_tests.cpp), and
// MasterMaintenanceTest's (src/tests/master_maintenance_tests.cpp).
// The stand-in's agents all run on one machine, 127.0.0.1.

import (
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// localMachine is the stand-in's agents' machine.
var localMachine = mesos.MachineID{Hostname: "127.0.0.1", IP: "127.0.0.1"}

func TestMasterAPI_UpdateAndGetMaintenanceSchedule(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	s, err := c.MaintenanceSchedule(t.Context())
	if err != nil || len(s.Windows) != 0 {
		t.Fatalf("empty schedule: %s %v", mustJSON(s), err)
	}
	w := operator.Window(time.Now(), time.Hour, mesos.MachineID{Hostname: "Machine1"}, mesos.MachineID{IP: "0.0.0.2"})
	if err := c.UpdateMaintenanceSchedule(t.Context(), mesos.MaintenanceSchedule{Windows: []mesos.MaintenanceWindow{w}}); err != nil {
		t.Fatal(err)
	}
	s, err = c.MaintenanceSchedule(t.Context())
	if err != nil || len(s.Windows) != 1 || len(s.Windows[0].MachineIDs) != 2 || s.Windows[0].MachineIDs[0].Hostname != "Machine1" || s.Windows[0].MachineIDs[1].IP != "0.0.0.2" {
		t.Fatalf("schedule %s %v", mustJSON(s), err)
	}
}

func TestMasterAPI_GetMaintenanceStatus(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	w := operator.Window(time.Now(), time.Hour, mesos.MachineID{Hostname: "Machine1"}, mesos.MachineID{IP: "0.0.0.2"})
	if err := c.UpdateMaintenanceSchedule(t.Context(), mesos.MaintenanceSchedule{Windows: []mesos.MaintenanceWindow{w}}); err != nil {
		t.Fatal(err)
	}
	st, err := c.MaintenanceStatus(t.Context())
	if err != nil || len(st.DrainingMachines) != 2 || len(st.DownMachines) != 0 {
		t.Fatalf("status %s %v", mustJSON(st), err)
	}
}

// TestMasterAPI_StartAndStopMaintenance: the machine goes DOWN (its agent
// leaves), then UP and out of the schedule (its agent back, with a new id).
func TestMasterAPI_StartAndStopMaintenance(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	before := agentID(t, c)
	w := operator.Window(time.Now(), time.Hour, localMachine, mesos.MachineID{Hostname: "Machine1"})
	if err := c.UpdateMaintenanceSchedule(t.Context(), mesos.MaintenanceSchedule{Windows: []mesos.MaintenanceWindow{w}}); err != nil {
		t.Fatal(err)
	}
	opPost(t, srv.URL, `{"type":"STOP_MAINTENANCE","stop_maintenance":{"machines":[{"hostname":"127.0.0.1","ip":"127.0.0.1"}]}}`).want(t, 400,
		`Machine '{"hostname":"127.0.0.1","ip":"127.0.0.1"}' is not in DOWN mode and cannot be brought up`)
	if err := c.StartMaintenance(t.Context(), localMachine); err != nil {
		t.Fatal(err)
	}
	if agents, _ := c.Agents(t.Context()); len(agents.Agents) != 0 {
		t.Fatalf("agents on a DOWN machine: %s", mustJSON(agents))
	}
	st, _ := c.MaintenanceStatus(t.Context())
	if len(st.DownMachines) != 1 || st.DownMachines[0] != localMachine || len(st.DrainingMachines) != 1 {
		t.Fatalf("status %s", mustJSON(st))
	}
	// A DOWN machine may not leave the schedule.
	opPost(t, srv.URL, `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{}}}`).want(t, 400,
		`Machine '{"hostname":"127.0.0.1","ip":"127.0.0.1"}' is deactivated and cannot be removed from the schedule`)
	if err := c.StopMaintenance(t.Context(), localMachine); err != nil {
		t.Fatal(err)
	}
	s, _ := c.MaintenanceSchedule(t.Context())
	if len(s.Windows) != 1 || len(s.Windows[0].MachineIDs) != 1 || s.Windows[0].MachineIDs[0].Hostname != "Machine1" {
		t.Fatalf("schedule after STOP_MAINTENANCE: %s", mustJSON(s))
	}
	if after := agentID(t, c); after == before {
		t.Fatalf("the agent came back as %s, the id it had", after.Value)
	}
}

// TestMasterMaintenanceTest_PendingUnavailabilityTest and InverseOffers:
// once its machine is scheduled, an agent's offers carry the window and a
// framework with a task there gets an inverse offer, whose answer
// GET_MAINTENANCE_STATUS shows.
func TestMasterMaintenanceTest_InverseOffers(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	offer := f.offer()
	if offer.Unavailability != nil {
		t.Fatalf("an offer before any schedule has an unavailability: %s", mustJSON(offer))
	}
	// No filter on what the task leaves: the next offer comes at once.
	if err := f.c.Accept(t.Context(), []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(simpleTask("t1", offer))}, mesos.RefuseFor(0)); err != nil {
		t.Fatal(err)
	}
	for st := f.update(); st.State != mesos.TaskRunning; st = f.update() {
	}
	st, _ := c.MaintenanceStatus(t.Context())
	if len(st.DrainingMachines) != 0 {
		t.Fatalf("status %s", mustJSON(st))
	}
	start := time.Now().Add(time.Hour)
	w := operator.Window(start, time.Hour, localMachine)
	if err := c.UpdateMaintenanceSchedule(t.Context(), mesos.MaintenanceSchedule{Windows: []mesos.MaintenanceWindow{w}}); err != nil {
		t.Fatal(err)
	}
	// The rescinded offer comes back with the window, and the inverse
	// offer in the same allocation.
	var inv []mesos.InverseOffer
	var o *mesos.Offer
	for inv == nil || o == nil {
		select {
		case ev := <-f.events:
			switch ev.Type {
			case mesos.EventInverseOffers:
				inv = ev.InverseOffers.InverseOffers
			case mesos.EventOffers:
				// One made before the schedule may still be on its way.
				if ev.Offers.Offers[0].Unavailability != nil {
					o = &ev.Offers.Offers[0]
				}
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no offer and inverse offer within 10s (inverse offers %v, offer %v)", inv, o)
		}
	}
	if len(inv) != 1 || inv[0].Unavailability.Start.Nanoseconds != start.UnixNano() || inv[0].AgentID == nil || *inv[0].AgentID != offer.AgentID {
		t.Fatalf("inverse offers %s", mustJSON(inv))
	}
	if o.Unavailability == nil || o.Unavailability.Start.Nanoseconds != start.UnixNano() {
		t.Fatalf("offer of a draining machine: %s", mustJSON(o))
	}
	st, _ = c.MaintenanceStatus(t.Context())
	// Mesos records a framework's answer, not the question.
	if len(st.DrainingMachines) != 1 || len(st.DrainingMachines[0].Statuses) != 0 {
		t.Fatalf("status before an answer: %s", mustJSON(st))
	}
	if err := f.c.Call(t.Context(), mesos.Call{Type: mesos.CallAcceptInverseOffers, FrameworkID: ptr(f.id()),
		AcceptInverseOffers: &mesos.AcceptInverseOffers{InverseOfferIDs: []mesos.OfferID{inv[0].ID}}}); err != nil {
		t.Fatal(err)
	}
	st, _ = c.MaintenanceStatus(t.Context())
	if s := st.DrainingMachines[0].Statuses[0]; s.Status != "ACCEPT" || s.FrameworkID != f.id() {
		t.Fatalf("status after ACCEPT_INVERSE_OFFERS: %s", mustJSON(st))
	}
}

// TestMasterMaintenanceTest_BringDownMachines: the task on a machine taken
// down ends (TASK_LOST for a framework that is not partition-aware).
func TestMasterMaintenanceTest_BringDownMachines(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	f.runTask("t1")
	// An agent's machine is known to the master, UP until scheduled.
	opPost(t, srv.URL, `{"type":"START_MAINTENANCE","start_maintenance":{"machines":[{"hostname":"127.0.0.1","ip":"127.0.0.1"}]}}`).want(t, 400,
		`Machine '{"hostname":"127.0.0.1","ip":"127.0.0.1"}' is not in DRAINING mode and cannot be brought down`)
	opPost(t, srv.URL, `{"type":"START_MAINTENANCE","start_maintenance":{"machines":[{"hostname":"elsewhere"}]}}`).want(t, 400,
		`Machine '{"hostname":"elsewhere"}' is not part of a maintenance schedule`)
	w := operator.Window(time.Now(), time.Hour, localMachine)
	if err := c.UpdateMaintenanceSchedule(t.Context(), mesos.MaintenanceSchedule{Windows: []mesos.MaintenanceWindow{w}}); err != nil {
		t.Fatal(err)
	}
	if err := c.StartMaintenance(t.Context(), localMachine); err != nil {
		t.Fatal(err)
	}
	st := f.update()
	if st.State != mesos.TaskLost || st.Reason != mesos.ReasonAgentRemoved || st.Message != "Agent 127.0.0.1 removed: Operator initiated 'Machine DOWN'" {
		t.Fatalf("update %s", mustJSON(st))
	}
}

// TestMasterMaintenanceTest_UpdateSchedule: the schedule's checks.
func TestMasterMaintenanceTest_UpdateSchedule(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	for _, c := range []struct{ windows, want string }{
		{`[{"unavailability":{"start":{"nanoseconds":1}}}]`, "List of machines in the maintenance window is empty"},
		{`[{"machine_ids":[{}],"unavailability":{"start":{"nanoseconds":1}}}]`, "Both 'hostname' and 'ip' for a machine are empty"},
		{`[{"machine_ids":[{"ip":"x"}],"unavailability":{"start":{"nanoseconds":1}}}]`, "Failed to parse IPv4: x"},
		{`[{"machine_ids":[{"hostname":"h"},{"hostname":"h"}],"unavailability":{"start":{"nanoseconds":1}}}]`, `Machine '{"hostname":"h"}' appears more than once in the schedule`},
		{`[{"machine_ids":[{"hostname":"h"}],"unavailability":{"start":{"nanoseconds":1},"duration":{"nanoseconds":-1}}}]`, "Unavailability 'duration' is negative"},
	} {
		opPost(t, srv.URL, `{"type":"UPDATE_MAINTENANCE_SCHEDULE","update_maintenance_schedule":{"schedule":{"windows":`+c.windows+`}}}`).want(t, 400, c.want)
	}
}
