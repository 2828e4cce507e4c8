package localmesos_test

// Ports of Mesos 1.11.0's src/tests/master_draining_tests.cpp
// (MasterDrainingTest, MasterAlreadyDrainedTest, JSON leg), and of
// DEACTIVATE_AGENT and REACTIVATE_AGENT.

import (
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// TestMasterDrainingTest_DrainAgent: the agent's task is killed for the
// draining, the agent is DRAINED and deactivated (GET_AGENTS and /state
// say so), and once reactivated it is offered again.
func TestMasterDrainingTest_DrainAgent(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	f.runTask("t1")
	id := agentID(t, c)
	zero := time.Duration(0)
	if err := c.DrainAgent(t.Context(), id, operator.DrainOptions{MaxGracePeriod: &zero}); err != nil {
		t.Fatal(err)
	}
	st := f.update()
	if st.State != mesos.TaskKilled || st.Reason != mesos.ReasonAgentDraining {
		t.Fatalf("update %s", mustJSON(st))
	}
	testenv.Eventually(t, 5*time.Second, "the agent DRAINED", func() bool {
		agents, err := c.Agents(t.Context())
		return err == nil && agents.Agents[0].DrainInfo != nil && agents.Agents[0].DrainInfo.State == "DRAINED"
	})
	agents, _ := c.Agents(t.Context())
	a := agents.Agents[0]
	if !a.Deactivated || a.DrainInfo.Config.MarkGone || a.DrainInfo.Config.MaxGracePeriod == nil || a.DrainInfo.Config.MaxGracePeriod.Nanoseconds != 0 ||
		a.EstimatedDrainStartTime == nil || a.EstimatedDrainStartTime.Nanoseconds <= 0 {
		t.Fatalf("GET_AGENTS %s", mustJSON(a))
	}
	state := masterState(t, srv)
	if s := state.Slaves[0]; s.DrainInfo == nil || s.DrainInfo.State != "DRAINED" || s.EstimatedDrainStartTimeSeconds <= 0 || !s.Deactivated {
		t.Fatalf("/state %s", mustJSON(s))
	}
	f.none(300*time.Millisecond, mesos.EventOffers)
	if err := c.ReactivateAgent(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if o := f.offer(); o.AgentID != id {
		t.Fatalf("offer %s", mustJSON(o))
	}
}

// TestMasterDrainingTest_DrainAgentMarkGone: a partition-aware framework's
// task is TASK_GONE_BY_OPERATOR, and the drained agent is removed.
func TestMasterDrainingTest_DrainAgentMarkGone(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	events := operatorSubscribe(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{Capabilities: []mesos.FrameworkCapability{{Type: mesos.CapabilityPartitionAware}}})
	f.runTask("t1")
	id := agentID(t, c)
	if err := c.DrainAgent(t.Context(), id, operator.DrainOptions{MarkGone: true}); err != nil {
		t.Fatal(err)
	}
	if st := f.update(); st.State != mesos.TaskGoneByOperator || st.Reason != mesos.ReasonAgentDraining {
		t.Fatalf("update %s", mustJSON(st))
	}
	if ev := events.nextOf(mesos.AgentRemoved); ev.AgentRemoved.AgentID != id {
		t.Fatalf("AGENT_REMOVED %s", mustJSON(ev))
	}
}

// TestMasterDrainingTest2_DisallowReactivationWhileDraining: a task whose
// update is not acknowledged keeps the agent DRAINING, and reactivating it
// is refused meanwhile.
func TestMasterDrainingTest2_DisallowReactivationWhileDraining(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	f.runTask("t1")
	id := agentID(t, c)
	if err := c.DrainAgent(t.Context(), id, operator.DrainOptions{}); err != nil {
		t.Fatal(err)
	}
	killed := f.status() // not acknowledged
	if killed.State != mesos.TaskKilled {
		t.Fatalf("update %s", mustJSON(killed))
	}
	opPost(t, srv.URL, `{"type":"REACTIVATE_AGENT","reactivate_agent":{"agent_id":{"value":"`+id.Value+`"}}}`).want(t, 400, "Agent is still in the DRAINING state")
	f.ack(killed)
	testenv.Eventually(t, 5*time.Second, "reactivation once DRAINED", func() bool { return c.ReactivateAgent(t.Context(), id) == nil })
}

// TestDeactivateAgent: no offers of a deactivated agent, its task goes
// on; reactivated, it is offered again.
func TestDeactivateAgent(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	offer := f.offer()
	if err := c.DeactivateAgent(t.Context(), offer.AgentID); err != nil {
		t.Fatal(err)
	}
	if ev := f.next(mesos.EventRescind); ev.Rescind.OfferID != offer.ID {
		t.Fatalf("RESCIND %s", mustJSON(ev))
	}
	f.none(300*time.Millisecond, mesos.EventOffers)
	if err := c.ReactivateAgent(t.Context(), offer.AgentID); err != nil {
		t.Fatal(err)
	}
	f.offer()
	opPost(t, srv.URL, `{"type":"REACTIVATE_AGENT","reactivate_agent":{"agent_id":{"value":"`+offer.AgentID.Value+`"}}}`).want(t, 400, "Agent is not deactivated")
	opPost(t, srv.URL, `{"type":"DEACTIVATE_AGENT","deactivate_agent":{"agent_id":{"value":"nope"}}}`).want(t, 400, "Unknown agent")
	opPost(t, srv.URL, `{"type":"DRAIN_AGENT","drain_agent":{"agent_id":{"value":"nope"}}}`).want(t, 400, "Unknown agent")
}

// TestDrainScheduledAgent: an agent whose machine is in a maintenance
// window is drained through maintenance, not DRAIN_AGENT.
func TestDrainScheduledAgent(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	id := agentID(t, c)
	w := operator.Window(time.Now(), time.Hour, localMachine)
	if err := c.UpdateMaintenanceSchedule(t.Context(), mesos.MaintenanceSchedule{Windows: []mesos.MaintenanceWindow{w}}); err != nil {
		t.Fatal(err)
	}
	opPost(t, srv.URL, `{"type":"DRAIN_AGENT","drain_agent":{"agent_id":{"value":"`+id.Value+`"}}}`).want(t, 400,
		"Agent "+id.Value+" is part of a maintenance schedule under Machine 127.0.0.1 (127.0.0.1)")
}
