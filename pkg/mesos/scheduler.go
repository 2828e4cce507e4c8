package mesos

// CallType names a scheduler call.
type CallType string

// Scheduler call types (scheduler.proto Call.Type).
const (
	CallSubscribe                  CallType = "SUBSCRIBE"
	CallTeardown                   CallType = "TEARDOWN"
	CallAccept                     CallType = "ACCEPT"
	CallDecline                    CallType = "DECLINE"
	CallAcceptInverseOffers        CallType = "ACCEPT_INVERSE_OFFERS"
	CallDeclineInverseOffers       CallType = "DECLINE_INVERSE_OFFERS"
	CallRevive                     CallType = "REVIVE"
	CallKill                       CallType = "KILL"
	CallShutdown                   CallType = "SHUTDOWN"
	CallAcknowledge                CallType = "ACKNOWLEDGE"
	CallAcknowledgeOperationStatus CallType = "ACKNOWLEDGE_OPERATION_STATUS"
	CallReconcile                  CallType = "RECONCILE"
	CallReconcileOperations        CallType = "RECONCILE_OPERATIONS"
	CallMessage                    CallType = "MESSAGE"
	CallRequest                    CallType = "REQUEST"
	CallSuppress                   CallType = "SUPPRESS"
	CallUpdateFramework            CallType = "UPDATE_FRAMEWORK"
)

// Call is the body of every POST to /api/v1/scheduler. FrameworkID is
// required on every call but SUBSCRIBE (and on a re-SUBSCRIBE it must equal
// Subscribe.FrameworkInfo.ID). Exactly the payload named after Type is set.
type Call struct {
	Type        CallType     `json:"type"`
	FrameworkID *FrameworkID `json:"framework_id,omitempty"`

	Subscribe                  *Subscribe                  `json:"subscribe,omitempty"`
	Accept                     *Accept                     `json:"accept,omitempty"`
	Decline                    *Decline                    `json:"decline,omitempty"`
	AcceptInverseOffers        *AcceptInverseOffers        `json:"accept_inverse_offers,omitempty"`
	DeclineInverseOffers       *DeclineInverseOffers       `json:"decline_inverse_offers,omitempty"`
	Revive                     *Revive                     `json:"revive,omitempty"`
	Kill                       *Kill                       `json:"kill,omitempty"`
	Shutdown                   *Shutdown                   `json:"shutdown,omitempty"`
	Acknowledge                *Acknowledge                `json:"acknowledge,omitempty"`
	AcknowledgeOperationStatus *AcknowledgeOperationStatus `json:"acknowledge_operation_status,omitempty"`
	Reconcile                  *Reconcile                  `json:"reconcile,omitempty"`
	ReconcileOperations        *ReconcileOperations        `json:"reconcile_operations,omitempty"`
	Message                    *Message                    `json:"message,omitempty"`
	Request                    *Request                    `json:"request,omitempty"`
	Suppress                   *Suppress                   `json:"suppress,omitempty"`
	UpdateFramework            *UpdateFramework            `json:"update_framework,omitempty"`
}

// Subscribe registers (or re-registers) a framework and opens its event stream.
type Subscribe struct {
	FrameworkInfo    FrameworkInfo     `json:"framework_info"`
	SuppressedRoles  []string          `json:"suppressed_roles,omitempty"`
	OfferConstraints *OfferConstraints `json:"offer_constraints,omitempty"`
}

// Accept performs operations (usually LAUNCH) on offers from one agent.
// Resources left unused are declined for Filters.RefuseSeconds.
type Accept struct {
	OfferIDs   []OfferID   `json:"offer_ids"`
	Operations []Operation `json:"operations,omitempty"`
	Filters    *Filters    `json:"filters,omitempty"`
}

// Decline gives offers back; Filters says for how long not to re-offer them.
type Decline struct {
	OfferIDs []OfferID `json:"offer_ids"`
	Filters  *Filters  `json:"filters,omitempty"`
}

// AcceptInverseOffers agrees to a maintenance window.
type AcceptInverseOffers struct {
	InverseOfferIDs []OfferID `json:"inverse_offer_ids"`
	Filters         *Filters  `json:"filters,omitempty"`
}

// DeclineInverseOffers refuses a maintenance window.
type DeclineInverseOffers struct {
	InverseOfferIDs []OfferID `json:"inverse_offer_ids"`
	Filters         *Filters  `json:"filters,omitempty"`
}

// Revive clears offer filters and un-suppresses the roles (all when empty).
type Revive struct {
	Roles []string `json:"roles,omitempty"`
}

// Suppress stops offers for the roles (all when empty).
type Suppress struct {
	Roles []string `json:"roles,omitempty"`
}

// Kill kills a task. AgentID is optional but lets the master find the task
// faster; KillPolicy overrides the task's grace period.
type Kill struct {
	TaskID     TaskID      `json:"task_id"`
	AgentID    *AgentID    `json:"agent_id,omitempty"`
	KillPolicy *KillPolicy `json:"kill_policy,omitempty"`
}

// Shutdown stops a custom executor and all its tasks.
type Shutdown struct {
	ExecutorID ExecutorID `json:"executor_id"`
	AgentID    AgentID    `json:"agent_id"`
}

// Acknowledge confirms a status update. UUID is the update's uuid, byte for
// byte: it is sent as the same base64 string the update carried.
type Acknowledge struct {
	AgentID AgentID `json:"agent_id"`
	TaskID  TaskID  `json:"task_id"`
	UUID    []byte  `json:"uuid"`
}

// AcknowledgeOperationStatus confirms an operation status update.
type AcknowledgeOperationStatus struct {
	AgentID            *AgentID            `json:"agent_id,omitempty"`
	ResourceProviderID *ResourceProviderID `json:"resource_provider_id,omitempty"`
	UUID               []byte              `json:"uuid"`
	OperationID        OperationID         `json:"operation_id"`
}

// Reconcile asks the master for the latest state of tasks. An empty Tasks
// list asks about every task the master knows for the framework (implicit
// reconciliation).
type Reconcile struct {
	Tasks []ReconcileTask `json:"tasks"`
}

// ReconcileTask names one task to reconcile.
type ReconcileTask struct {
	TaskID  TaskID   `json:"task_id"`
	AgentID *AgentID `json:"agent_id,omitempty"`
}

// ReconcileOperations asks for the latest state of operations.
type ReconcileOperations struct {
	Operations []ReconcileOperation `json:"operations,omitempty"`
}

// ReconcileOperation names one operation to reconcile.
type ReconcileOperation struct {
	OperationID        OperationID         `json:"operation_id"`
	AgentID            *AgentID            `json:"agent_id,omitempty"`
	ResourceProviderID *ResourceProviderID `json:"resource_provider_id,omitempty"`
}

// Message sends opaque data to an executor, best effort.
type Message struct {
	AgentID    AgentID    `json:"agent_id"`
	ExecutorID ExecutorID `json:"executor_id"`
	Data       []byte     `json:"data"`
}

// Request asks for resources; Mesos' built-in allocator ignores it.
type Request struct {
	Requests []ResourceRequest `json:"requests"`
}

// ResourceRequest is one request for resources, optionally on one agent.
type ResourceRequest struct {
	AgentID   *AgentID  `json:"agent_id,omitempty"`
	Resources Resources `json:"resources,omitempty"`
}

// UpdateFramework changes a subscribed framework's FrameworkInfo (roles,
// name, capabilities...). It is the only call answered with 200.
type UpdateFramework struct {
	FrameworkInfo    FrameworkInfo     `json:"framework_info"`
	SuppressedRoles  []string          `json:"suppressed_roles,omitempty"`
	OfferConstraints *OfferConstraints `json:"offer_constraints,omitempty"`
}

// EventType names a scheduler event.
type EventType string

// Scheduler event types (scheduler.proto Event.Type).
const (
	EventSubscribed            EventType = "SUBSCRIBED"
	EventOffers                EventType = "OFFERS"
	EventInverseOffers         EventType = "INVERSE_OFFERS"
	EventRescind               EventType = "RESCIND"
	EventRescindInverseOffer   EventType = "RESCIND_INVERSE_OFFER"
	EventUpdate                EventType = "UPDATE"
	EventUpdateOperationStatus EventType = "UPDATE_OPERATION_STATUS"
	EventMessage               EventType = "MESSAGE"
	EventFailure               EventType = "FAILURE"
	EventError                 EventType = "ERROR"
	EventHeartbeat             EventType = "HEARTBEAT"
)

// Event is one record of the SUBSCRIBE stream. The payload named after Type
// is set. Unknown types (newer masters) decode with no payload; ignore them.
type Event struct {
	Type EventType `json:"type"`

	Subscribed            *Subscribed            `json:"subscribed,omitempty"`
	Offers                *Offers                `json:"offers,omitempty"`
	InverseOffers         *InverseOffers         `json:"inverse_offers,omitempty"`
	Rescind               *Rescind               `json:"rescind,omitempty"`
	RescindInverseOffer   *RescindInverseOffer   `json:"rescind_inverse_offer,omitempty"`
	Update                *Update                `json:"update,omitempty"`
	UpdateOperationStatus *UpdateOperationStatus `json:"update_operation_status,omitempty"`
	Message               *ExecutorMessage       `json:"message,omitempty"`
	Failure               *Failure               `json:"failure,omitempty"`
	Error                 *FrameworkError        `json:"error,omitempty"`
}

// Subscribed is the first event of a stream.
type Subscribed struct {
	FrameworkID              FrameworkID `json:"framework_id"`
	HeartbeatIntervalSeconds float64     `json:"heartbeat_interval_seconds,omitempty"`
	MasterInfo               *MasterInfo `json:"master_info,omitempty"`
}

// Offers carries new offers. On the wire the list is nested one level deep:
// {"type":"OFFERS","offers":{"offers":[...]}} (the upstream docs get this wrong).
type Offers struct {
	Offers []Offer `json:"offers"`
}

// InverseOffers carries maintenance requests.
type InverseOffers struct {
	InverseOffers []InverseOffer `json:"inverse_offers"`
}

// Rescind withdraws an offer: accepting or declining it is now invalid.
type Rescind struct {
	OfferID OfferID `json:"offer_id"`
}

// RescindInverseOffer withdraws an inverse offer.
type RescindInverseOffer struct {
	InverseOfferID OfferID `json:"inverse_offer_id"`
}

// Update carries a task status update. Acknowledge it if, and only if,
// Status.UUID is set.
type Update struct {
	Status TaskStatus `json:"status"`
}

// UpdateOperationStatus carries an operation status update.
type UpdateOperationStatus struct {
	Status OperationStatus `json:"status"`
}

// ExecutorMessage is opaque data from an executor, the payload of a
// MESSAGE event.
type ExecutorMessage struct {
	AgentID    AgentID    `json:"agent_id"`
	ExecutorID ExecutorID `json:"executor_id"`
	Data       []byte     `json:"data"`
}

// Failure reports a lost agent or an executor that exited. Status is a raw
// waitpid status.
type Failure struct {
	AgentID    *AgentID    `json:"agent_id,omitempty"`
	ExecutorID *ExecutorID `json:"executor_id,omitempty"`
	Status     *int32      `json:"status,omitempty"`
}

// FrameworkError is the payload of an ERROR event, which ends a stream: the
// subscription was refused, or the framework was superseded ("Framework
// failed over").
type FrameworkError struct {
	Message string `json:"message"`
}
