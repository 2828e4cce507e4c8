package mesos

// Every Mesos identifier is a message with one string field, so on the wire
// it is always an object: {"value": "..."}, never a bare string.

// FrameworkID identifies a framework: <master id>-NNNN.
type FrameworkID struct {
	Value string `json:"value"`
}

// OfferID identifies an offer: <master id>-O<n>.
type OfferID struct {
	Value string `json:"value"`
}

// AgentID identifies an agent: <master id>-S<n>.
type AgentID struct {
	Value string `json:"value"`
}

// TaskID identifies a task within its framework. The framework chooses it.
type TaskID struct {
	Value string `json:"value"`
}

// ExecutorID identifies an executor within its framework.
type ExecutorID struct {
	Value string `json:"value"`
}

// OperationID identifies an offer operation whose status the framework wants
// to hear about.
type OperationID struct {
	Value string `json:"value"`
}

// ResourceProviderID identifies a resource provider on an agent.
type ResourceProviderID struct {
	Value string `json:"value"`
}

// ContainerID identifies a container; nested containers name their parent.
type ContainerID struct {
	Value  string       `json:"value"`
	Parent *ContainerID `json:"parent,omitempty"`
}

// UUID is the message form of a UUID used by operation status updates:
// {"value": "<base64 of 16 bytes>"}.
type UUID struct {
	Value []byte `json:"value"`
}
