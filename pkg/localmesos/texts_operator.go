package localmesos

// Texts of the operator API: Mesos 1.11.0's own where Mesos answers, each
// group saying where in the Mesos source (tag 1.11.0) they come from; the
// stand-in's own where it refuses what it does not do, saying so.

// Weights: src/master/weights_handler.cpp.
const (
	textWeightsBadRole   = "Failed to validate update weights request JSON: Invalid role '%s': %s"
	textWeightsBadWeight = "Failed to validate update weights request JSON for role '%s': Invalid weight '%s': Weights must be positive"
)

// Quota: src/master/quota_handler.cpp, src/master/quota.cpp.
const (
	textInvalidQuotaConfig = "Invalid QuotaConfig: "
	textQuotaNested        = "Updating quota on nested role '%s' is not supported yet"
	textQuotaConsuming     = "Role '%s' is already consuming '%s'; this is more than the requested limits '%s' (use 'force' flag to bypass this check)"
	textQuotaOvercommit    = "total quota guarantees '%s' exceed cluster capacity '%s' (use 'force' flag to bypass this check)"
	textSetQuotaInvalid    = "Failed to validate set quota request: "
	textSetQuotaExists     = "Failed to validate set quota request: Cannot set quota for role '%s' which already has quota"
	textSetQuotaNested     = "Setting quota on nested role '%s' is not supported yet"
	textSetQuotaOvercommit = "Quota guarantees overcommit the cluster (use 'force' to bypass this check): Total quota guarantees '%s' exceed cluster capacity '%s'"
	// Mesos 1.11.0 has no answer here: its master aborts.
	textRemoveQuotaNone = "Role '%s' has no quota set (a real Mesos 1.11.0 master aborts on REMOVE_QUOTA for such a role)"
)

// Agents: src/master/http.cpp _drainAgent, _deactivateAgent,
// _reactivateAgent, _markAgentGone, _reserve; src/master/master.cpp markGone.
const (
	textUnknownAgent        = "Unknown agent"
	textAgentNotDeactivated = "Agent is not deactivated"
	textAgentStillDraining  = "Agent is still in the DRAINING state"
	textDrainScheduled      = "Agent %s is part of a maintenance schedule under Machine %s"
	textAgentNotFound       = "Agent '%s' not found"
	textAgentMarkedGone     = "Agent has been marked gone"
	textReconcileGone       = "Reconciliation: Task is gone"
	textNoAgentWithID       = "No agent found with specified ID"
	textReserveInvalid      = "Invalid RESERVE operation on agent %s at %s (%s): Resource %s is not dynamically reserved"
	textUnreserveInvalid    = "Invalid UNRESERVE operation: Resource %s is not dynamically reserved"
	textDoesNotContain      = "%s does not contain %s"
	textGrowShrinkAgent     = "Expecting 'agent_id' to be present; only agent default resources are supported right now"
	// validateSingleResourceProvider on no resources at all.
	textMultipleProviders = "The resources have multiple resource providers: "
)

// Maintenance: src/master/maintenance.cpp, src/master/http.cpp.
const (
	textMachineTwice        = "Machine '%s' appears more than once in the schedule"
	textMachineDownKept     = "Machine '%s' is deactivated and cannot be removed from the schedule"
	textMachineNotScheduled = "Machine '%s' is not part of a maintenance schedule"
	textMachineNotDraining  = "Machine '%s' is not in DRAINING mode and cannot be brought down"
	textMachineNotDown      = "Machine '%s' is not in DOWN mode and cannot be brought up"
	textMachineDown         = "Operator initiated 'Machine DOWN'"
)

// What the stand-in does not do.
const (
	textNoVolumes    = "localmesos has no persistent volumes: %s is validated as Mesos validates it, then refused (a real Mesos master creates them on an agent's disk)"
	textNoRefinement = "localmesos reserves resources for one role at a time: reservation refinement (a 'source', or several reservations on a resource) is refused"
	textNoContainers = "localmesos runs each task in the container its runner gives it and has no container API: %s is validated as a Mesos agent validates it, then refused (a real agent runs nested and standalone containers with its Mesos containerizer)"
	textNoProviders  = "localmesos has no resource providers: %s is validated as a Mesos agent validates it, then refused"
)
