package mesos

// Offer is a set of resources on one agent offered to a framework for one
// role. Use it in one ACCEPT or DECLINE only.
type Offer struct {
	ID             OfferID         `json:"id"`
	FrameworkID    FrameworkID     `json:"framework_id"`
	AgentID        AgentID         `json:"agent_id"`
	Hostname       string          `json:"hostname"`
	URL            *URL            `json:"url,omitempty"`
	Domain         *DomainInfo     `json:"domain,omitempty"`
	Resources      Resources       `json:"resources,omitempty"`
	Attributes     []Attribute     `json:"attributes,omitempty"`
	ExecutorIDs    []ExecutorID    `json:"executor_ids,omitempty"`
	Unavailability *Unavailability `json:"unavailability,omitempty"`
	AllocationInfo *AllocationInfo `json:"allocation_info,omitempty"`
}

// Unavailability is a maintenance window.
type Unavailability struct {
	Start    TimeInfo      `json:"start"`
	Duration *DurationInfo `json:"duration,omitempty"`
}

// InverseOffer asks a framework to give resources back for maintenance.
type InverseOffer struct {
	ID             OfferID        `json:"id"`
	URL            *URL           `json:"url,omitempty"`
	FrameworkID    FrameworkID    `json:"framework_id"`
	AgentID        *AgentID       `json:"agent_id,omitempty"`
	Unavailability Unavailability `json:"unavailability"`
	Resources      Resources      `json:"resources,omitempty"`
}

// OperationType names an offer operation.
type OperationType string

// Offer operation types.
const (
	OpLaunch       OperationType = "LAUNCH"
	OpLaunchGroup  OperationType = "LAUNCH_GROUP"
	OpReserve      OperationType = "RESERVE"
	OpUnreserve    OperationType = "UNRESERVE"
	OpCreate       OperationType = "CREATE"
	OpDestroy      OperationType = "DESTROY"
	OpGrowVolume   OperationType = "GROW_VOLUME"
	OpShrinkVolume OperationType = "SHRINK_VOLUME"
	OpCreateDisk   OperationType = "CREATE_DISK"
	OpDestroyDisk  OperationType = "DESTROY_DISK"
)

// Operation is one thing to do with accepted offers (the proto's
// Offer.Operation): usually LAUNCH tasks or LAUNCH_GROUP a task group.
type Operation struct {
	Type        OperationType `json:"type"`
	ID          *OperationID  `json:"id,omitempty"`
	Launch      *Launch       `json:"launch,omitempty"`
	LaunchGroup *LaunchGroup  `json:"launch_group,omitempty"`
	Reserve     *struct {
		Resources Resources `json:"resources"`
	} `json:"reserve,omitempty"`
	Unreserve *struct {
		Resources Resources `json:"resources"`
	} `json:"unreserve,omitempty"`
	Create *struct {
		Volumes Resources `json:"volumes"`
	} `json:"create,omitempty"`
	Destroy *struct {
		Volumes Resources `json:"volumes"`
	} `json:"destroy,omitempty"`
}

// Launch launches tasks, each with its command executor.
type Launch struct {
	TaskInfos []TaskInfo `json:"task_infos"`
}

// LaunchGroup launches a task group under one executor (normally DEFAULT).
type LaunchGroup struct {
	Executor  ExecutorInfo  `json:"executor"`
	TaskGroup TaskGroupInfo `json:"task_group"`
}

// LaunchOp builds a LAUNCH operation for the tasks.
func LaunchOp(tasks ...TaskInfo) Operation {
	return Operation{Type: OpLaunch, Launch: &Launch{TaskInfos: tasks}}
}

// LaunchGroupOp builds a LAUNCH_GROUP operation.
func LaunchGroupOp(executor ExecutorInfo, tasks ...TaskInfo) Operation {
	return Operation{Type: OpLaunchGroup, LaunchGroup: &LaunchGroup{Executor: executor, TaskGroup: TaskGroupInfo{Tasks: tasks}}}
}

// Filters tell the master how long not to re-offer declined resources.
// RefuseSeconds defaults to 5 in Mesos when Filters or the field is absent.
type Filters struct {
	RefuseSeconds *float64 `json:"refuse_seconds,omitempty"`
}

// RefuseFor builds Filters that refuse the declined resources for d seconds.
func RefuseFor(seconds float64) *Filters { return &Filters{RefuseSeconds: &seconds} }
