package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/mesosnb/mesosnb/pkg/httpapi"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Each method below sends one scheduler call and returns when the master
// has answered 202 Accepted (200 for UpdateFramework). 202 only means the
// call was accepted: what it did arrives later as events on the stream.

// Call sends any call but SUBSCRIBE, as the framework the client is bound
// to: POST /api/v1/scheduler with the stream's Mesos-Stream-Id header and
// the call as JSON. Mesos answers 202 Accepted with no body (200 for
// UPDATE_FRAMEWORK); anything else comes back as *Error with Mesos'
// message. The typed methods below all go through it.
func (c *Client) Call(ctx context.Context, call mesos.Call) error {
	if call.Type == mesos.CallSubscribe {
		return errors.New("SUBSCRIBE: use Subscribe, which keeps the stream open")
	}
	call.FrameworkID = c.FrameworkID()
	if call.FrameworkID == nil {
		return fmt.Errorf("%s: not subscribed: call Subscribe (or Bind) first", call.Type)
	}
	body, err := json.Marshal(call)
	if err != nil {
		return fmt.Errorf("%s: encode call: %w", call.Type, err)
	}
	resp, err := c.http.R(ctx).
		SetHeader("Content-Type", "application/json").
		SetHeader("Accept", "application/json").
		SetHeader("Mesos-Stream-Id", c.StreamID()).
		SetBody(body).
		Post(Path)
	return httpapi.Check(string(call.Type), resp, err, http.StatusAccepted, http.StatusOK)
}

// Teardown removes the framework: the master kills all its tasks and
// executors and closes its stream. TEARDOWN.
func (c *Client) Teardown(ctx context.Context) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallTeardown})
}

// Accept runs operations (usually a LAUNCH) on offers, which must all come
// from one agent. Resources left unused are declined for
// filters.RefuseSeconds (5 s when filters is nil). ACCEPT.
func (c *Client) Accept(ctx context.Context, offerIDs []mesos.OfferID, ops []mesos.Operation, filters *mesos.Filters) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallAccept, Accept: &mesos.Accept{OfferIDs: offerIDs, Operations: ops, Filters: filters}})
}

// Decline gives offers back; filters says how long not to see those
// resources again (5 s when nil). DECLINE.
func (c *Client) Decline(ctx context.Context, offerIDs []mesos.OfferID, filters *mesos.Filters) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallDecline, Decline: &mesos.Decline{OfferIDs: offerIDs, Filters: filters}})
}

// AcceptInverseOffers agrees to maintenance windows. ACCEPT_INVERSE_OFFERS.
func (c *Client) AcceptInverseOffers(ctx context.Context, ids []mesos.OfferID, filters *mesos.Filters) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallAcceptInverseOffers, AcceptInverseOffers: &mesos.AcceptInverseOffers{InverseOfferIDs: ids, Filters: filters}})
}

// DeclineInverseOffers refuses maintenance windows. DECLINE_INVERSE_OFFERS.
func (c *Client) DeclineInverseOffers(ctx context.Context, ids []mesos.OfferID, filters *mesos.Filters) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallDeclineInverseOffers, DeclineInverseOffers: &mesos.DeclineInverseOffers{InverseOfferIDs: ids, Filters: filters}})
}

// Revive clears all offer filters and resumes offers for the roles (every
// role when none is given). REVIVE.
func (c *Client) Revive(ctx context.Context, roles ...string) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallRevive, Revive: &mesos.Revive{Roles: roles}})
}

// Suppress stops offers for the roles (every role when none is given)
// until Revive. Status updates keep coming. SUPPRESS.
func (c *Client) Suppress(ctx context.Context, roles ...string) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallSuppress, Suppress: &mesos.Suppress{Roles: roles}})
}

// Kill asks for a task to be killed; agentID may be nil. The answer comes
// as an UPDATE (TASK_KILLED, or TASK_LOST with REASON_RECONCILIATION for a
// task the master does not know). KILL.
func (c *Client) Kill(ctx context.Context, taskID mesos.TaskID, agentID *mesos.AgentID) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallKill, Kill: &mesos.Kill{TaskID: taskID, AgentID: agentID}})
}

// Shutdown stops a custom executor and its tasks. SHUTDOWN.
func (c *Client) Shutdown(ctx context.Context, executorID mesos.ExecutorID, agentID mesos.AgentID) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallShutdown, Shutdown: &mesos.Shutdown{ExecutorID: executorID, AgentID: agentID}})
}

// ErrNoUUID is returned by Acknowledge for a status without a uuid: such
// updates come from the master, are never retried and must not be
// acknowledged (Mesos answers 400).
var ErrNoUUID = errors.New("status update has no uuid: it needs no acknowledgement")

// Acknowledge confirms a status update, so the agent stops re-sending it
// and sends the task's next one. Only updates with a uuid are acknowledged;
// for others it returns ErrNoUUID without sending anything. ACKNOWLEDGE.
func (c *Client) Acknowledge(ctx context.Context, status mesos.TaskStatus) error {
	if len(status.UUID) == 0 {
		return fmt.Errorf("ACKNOWLEDGE %s (%s): %w", status.TaskID.Value, status.State, ErrNoUUID)
	}
	if status.AgentID == nil {
		return fmt.Errorf("ACKNOWLEDGE %s (%s): status has no agent_id", status.TaskID.Value, status.State)
	}
	return c.Call(ctx, mesos.Call{Type: mesos.CallAcknowledge, Acknowledge: &mesos.Acknowledge{AgentID: *status.AgentID, TaskID: status.TaskID, UUID: status.UUID}})
}

// AcknowledgeOperationStatus confirms an operation status update that
// carried a uuid. ACKNOWLEDGE_OPERATION_STATUS.
func (c *Client) AcknowledgeOperationStatus(ctx context.Context, status mesos.OperationStatus) error {
	if status.UUID == nil || len(status.UUID.Value) == 0 || status.OperationID == nil {
		return fmt.Errorf("ACKNOWLEDGE_OPERATION_STATUS: %w", ErrNoUUID)
	}
	return c.Call(ctx, mesos.Call{Type: mesos.CallAcknowledgeOperationStatus, AcknowledgeOperationStatus: &mesos.AcknowledgeOperationStatus{
		AgentID: status.AgentID, ResourceProviderID: status.ResourceProviderID, UUID: status.UUID.Value, OperationID: *status.OperationID,
	}})
}

// Reconcile asks for the latest state of the given tasks (explicit), or of
// every task the master knows for this framework when none is given
// (implicit). Answers arrive as UPDATE events with REASON_RECONCILIATION
// and no uuid. RECONCILE.
func (c *Client) Reconcile(ctx context.Context, tasks ...mesos.ReconcileTask) error {
	if tasks == nil {
		tasks = []mesos.ReconcileTask{}
	}
	return c.Call(ctx, mesos.Call{Type: mesos.CallReconcile, Reconcile: &mesos.Reconcile{Tasks: tasks}})
}

// ReconcileOperations asks for the latest state of operations; answers come
// as UPDATE_OPERATION_STATUS events. RECONCILE_OPERATIONS.
func (c *Client) ReconcileOperations(ctx context.Context, ops ...mesos.ReconcileOperation) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallReconcileOperations, ReconcileOperations: &mesos.ReconcileOperations{Operations: ops}})
}

// Message sends data to an executor, best effort. MESSAGE.
func (c *Client) Message(ctx context.Context, agentID mesos.AgentID, executorID mesos.ExecutorID, data []byte) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallMessage, Message: &mesos.Message{AgentID: agentID, ExecutorID: executorID, Data: data}})
}

// Request asks the allocator for resources. Mesos' built-in allocator
// ignores it. REQUEST.
func (c *Client) Request(ctx context.Context, requests ...mesos.ResourceRequest) error {
	return c.Call(ctx, mesos.Call{Type: mesos.CallRequest, Request: &mesos.Request{Requests: requests}})
}

// UpdateFramework changes the framework's FrameworkInfo (name, roles,
// capabilities...) without re-subscribing; info.ID must be the framework's
// id, and user, principal and checkpoint cannot change. The master answers
// 200. UPDATE_FRAMEWORK.
func (c *Client) UpdateFramework(ctx context.Context, info mesos.FrameworkInfo, suppressedRoles ...string) error {
	if info.ID == nil {
		info.ID = c.FrameworkID()
	}
	return c.Call(ctx, mesos.Call{Type: mesos.CallUpdateFramework, UpdateFramework: &mesos.UpdateFramework{FrameworkInfo: info, SuppressedRoles: suppressedRoles}})
}
