package operator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The calls that take agents out of service: maintenance windows (the way
// operators warn frameworks with inverse offers before taking machines
// down), draining, deactivating and removing agents.

// MaintenanceSchedule returns the maintenance windows.
// GET_MAINTENANCE_SCHEDULE.
func (c *Client) MaintenanceSchedule(ctx context.Context) (*mesos.MaintenanceSchedule, error) {
	r, err := get(ctx, c, mesos.OperatorCall{Type: mesos.GetMaintenanceSchedule}, func(r *mesos.OperatorResponse) *mesos.GetMaintenanceScheduleResponse {
		return r.GetMaintenanceSchedule
	})
	if err != nil {
		return nil, err
	}
	return &r.Schedule, nil
}

// UpdateMaintenanceSchedule replaces the maintenance windows. Scheduled
// machines are DRAINING: their offers carry the window, and frameworks
// with tasks on them get inverse offers. UPDATE_MAINTENANCE_SCHEDULE.
func (c *Client) UpdateMaintenanceSchedule(ctx context.Context, schedule mesos.MaintenanceSchedule) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.UpdateMaintenanceSchedule, UpdateMaintenanceSchedule: &mesos.UpdateMaintenanceScheduleCall{Schedule: schedule}})
}

// Window builds a maintenance window for machines, from start for d.
func Window(start time.Time, d time.Duration, machines ...mesos.MachineID) mesos.MaintenanceWindow {
	return mesos.MaintenanceWindow{MachineIDs: machines, Unavailability: mesos.Unavailability{
		Start: mesos.TimeInfo{Nanoseconds: start.UnixNano()}, Duration: &mesos.DurationInfo{Nanoseconds: int64(d)}}}
}

// MaintenanceStatus returns the scheduled machines' states, with the
// frameworks' answers to inverse offers. GET_MAINTENANCE_STATUS.
func (c *Client) MaintenanceStatus(ctx context.Context) (*mesos.MaintenanceStatus, error) {
	r, err := get(ctx, c, mesos.OperatorCall{Type: mesos.GetMaintenanceStatus}, func(r *mesos.OperatorResponse) *mesos.GetMaintenanceStatusResponse {
		return r.GetMaintenanceStatus
	})
	if err != nil {
		return nil, err
	}
	return &r.Status, nil
}

// StartMaintenance takes DRAINING machines DOWN: their agents leave the
// cluster. START_MAINTENANCE.
func (c *Client) StartMaintenance(ctx context.Context, machines ...mesos.MachineID) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.StartMaintenance, StartMaintenance: &mesos.MachinesCall{Machines: machines}})
}

// StopMaintenance brings DOWN machines back UP and out of the schedule.
// STOP_MAINTENANCE.
func (c *Client) StopMaintenance(ctx context.Context, machines ...mesos.MachineID) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.StopMaintenance, StopMaintenance: &mesos.MachinesCall{Machines: machines}})
}

// DrainOptions are DRAIN_AGENT's options.
type DrainOptions struct {
	// MaxGracePeriod, when set, caps the kill grace period of the
	// agent's tasks.
	MaxGracePeriod *time.Duration
	// MarkGone removes the agent for good once it is drained.
	MarkGone bool
}

// DrainAgent stops offering an agent's resources and kills its tasks
// (TASK_KILLED, or TASK_GONE_BY_OPERATOR with MarkGone). DRAIN_AGENT.
func (c *Client) DrainAgent(ctx context.Context, agent mesos.AgentID, opts DrainOptions) error {
	d := &mesos.DrainAgentCall{AgentID: agent, MarkGone: opts.MarkGone}
	if g := opts.MaxGracePeriod; g != nil {
		d.MaxGracePeriod = &mesos.Duration{Seconds: int64(*g / time.Second), Nanos: int32(*g % time.Second)}
	}
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.DrainAgent, DrainAgent: d})
}

// DeactivateAgent stops offering an agent's resources; its tasks go on.
// DEACTIVATE_AGENT.
func (c *Client) DeactivateAgent(ctx context.Context, agent mesos.AgentID) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.DeactivateAgent, DeactivateAgent: &mesos.AgentCall{AgentID: agent}})
}

// ReactivateAgent offers a deactivated or drained agent's resources
// again. REACTIVATE_AGENT.
func (c *Client) ReactivateAgent(ctx context.Context, agent mesos.AgentID) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.ReactivateAgent, ReactivateAgent: &mesos.AgentCall{AgentID: agent}})
}

// MarkAgentGone removes an agent for good: its tasks end as
// TASK_GONE_BY_OPERATOR (TASK_LOST for frameworks that are not
// partition-aware) and it may never come back. MARK_AGENT_GONE.
func (c *Client) MarkAgentGone(ctx context.Context, agent mesos.AgentID) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.MarkAgentGone, MarkAgentGone: &mesos.AgentCall{AgentID: agent}})
}

// DrainWait bounds WaitDrained.
var DrainWait = time.Minute

// WaitDrained waits, polling GET_AGENTS, until a draining agent is
// DRAINED: its tasks ended and their last updates acknowledged, after
// which REACTIVATE_AGENT may bring it back. An agent that is not draining
// fails at once with ErrNotDraining.
func (c *Client) WaitDrained(ctx context.Context, agent mesos.AgentID) (*mesos.AgentState, error) {
	ctx, cancel := context.WithTimeout(ctx, DrainWait)
	defer cancel()
	for {
		agents, err := c.Agents(ctx)
		if err != nil {
			return nil, fmt.Errorf("wait for agent %s to drain: %w", agent.Value, err)
		}
		a, ok := findAgent(agents, agent)
		switch {
		case !ok:
			return nil, fmt.Errorf("wait for agent %s to drain: GET_AGENTS does not list it: it may have been removed", agent.Value)
		case a.DrainInfo == nil:
			return nil, fmt.Errorf("agent %s: %w", agent.Value, ErrNotDraining)
		case a.DrainInfo.State == "DRAINED":
			return &a, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("agent %s is still %s after %s: a task on it has not ended, or its framework has not acknowledged its last update (a disconnected framework cannot); REACTIVATE_AGENT is refused until it is DRAINED: wait, then try again", agent.Value, a.DrainInfo.State, DrainWait)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// ErrNotDraining is WaitDrained's error for an agent that no DRAIN_AGENT
// has touched (or that was reactivated since).
var ErrNotDraining = errors.New("not draining: run DRAIN_AGENT first")
