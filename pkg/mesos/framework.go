package mesos

// FrameworkInfo describes a framework to the master. User and Name are
// required. Set FailoverTimeout: its default of 0 makes the master remove
// the framework, and kill its tasks, the moment the subscription drops.
type FrameworkInfo struct {
	User            string                  `json:"user"`
	Name            string                  `json:"name"`
	ID              *FrameworkID            `json:"id,omitempty"`
	FailoverTimeout float64                 `json:"failover_timeout,omitempty"`
	Checkpoint      bool                    `json:"checkpoint,omitempty"`
	Role            string                  `json:"role,omitempty"`
	Roles           []string                `json:"roles,omitempty"`
	Hostname        string                  `json:"hostname,omitempty"`
	Principal       string                  `json:"principal,omitempty"`
	WebUIURL        string                  `json:"webui_url,omitempty"`
	Capabilities    []FrameworkCapability   `json:"capabilities,omitempty"`
	Labels          *Labels                 `json:"labels,omitempty"`
	OfferFilters    map[string]OfferFilters `json:"offer_filters,omitempty"`
}

// FrameworkCapability is one capability a framework declares.
type FrameworkCapability struct {
	Type string `json:"type"`
}

// Framework capabilities.
const (
	CapabilityRevocableResources    = "REVOCABLE_RESOURCES"
	CapabilityTaskKillingState      = "TASK_KILLING_STATE"
	CapabilityGPUResources          = "GPU_RESOURCES"
	CapabilitySharedResources       = "SHARED_RESOURCES"
	CapabilityPartitionAware        = "PARTITION_AWARE"
	CapabilityMultiRole             = "MULTI_ROLE"
	CapabilityReservationRefinement = "RESERVATION_REFINEMENT"
	CapabilityRegionAware           = "REGION_AWARE"
)

// HasCapability reports whether the framework declared the capability.
func (f FrameworkInfo) HasCapability(c string) bool {
	for _, x := range f.Capabilities {
		if x.Type == c {
			return true
		}
	}
	return false
}

// OfferFilters are per-role minimums an offer must meet to be sent.
type OfferFilters struct {
	MinAllocatableResources *struct {
		Quantities []struct {
			Quantities map[string]ScalarValue `json:"quantities,omitempty"`
		} `json:"quantities,omitempty"`
	} `json:"min_allocatable_resources,omitempty"`
}

// OfferConstraints restrict offers by agent attributes (Mesos 1.11).
type OfferConstraints struct {
	RoleConstraints map[string]any `json:"role_constraints,omitempty"`
}
