package localmesos

// Texts the master answers with: Mesos 1.11.0's own, byte for byte, so a
// scheduler written against real Mesos sees no difference. Each group says
// where in the Mesos source (tag 1.11.0) its texts come from.

// Transport and parsing: src/master/http.cpp Master::Http::scheduler and
// Master::Http::api, libprocess's default response bodies.
const (
	textUnauthorized        = "401 Unauthorized."
	textNotFound            = "404 Not Found."
	textContentTypeMissing  = "Expecting 'Content-Type' to be present"
	textContentTypeBad      = "Expecting 'Content-Type' of application/json or application/x-protobuf"
	textProtobufUnsupported = "localmesos is a stand-in that speaks JSON only: send 'Content-Type: application/json' (real Mesos also accepts application/x-protobuf)"
	textAcceptBad           = "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'"
	textProtobufAccept      = "localmesos is a stand-in that speaks JSON only: send 'Accept: application/json' (real Mesos also answers in application/x-protobuf)"
	textParseJSON           = "Failed to parse body into JSON: "
	textConvertCall         = "Failed to convert JSON into Call protobuf: "
	textValidateCall        = "Failed to validate scheduler::Call: "
	textValidateMasterCall  = "Failed to validate master::Call: "
	textSubscribeStreamID   = "Subscribe calls should not include the 'Mesos-Stream-Id' header"
	textNoStreamID          = "All non-subscribe calls should include the 'Mesos-Stream-Id' header"
	textStreamIDMismatch    = "The stream ID '%s' included in this request didn't match the stream ID currently associated with framework ID %s"
	textFrameworkNotFound   = "Framework cannot be found"
	textNotSubscribed       = "Framework is not subscribed"
	textNoLeader            = "No leader elected"
	textNotImplemented      = "501 Not Implemented."
	textMethodNotAllowed    = "405 Method Not Allowed. Expecting one of { 'POST' }, but received '%s'."
	textPrincipalMismatch   = "Authenticated principal '%s' does not match principal '%s' set in `FrameworkInfo`"
	textNoSuchFramework     = "No framework found with specified ID"
	textBodyTooLarge        = "localmesos refuses request bodies over %d bytes"
)

// Subscription: src/master/master.cpp validateFramework, _subscribe,
// failoverFramework; src/master/validation.cpp; src/common/roles.cpp.
const (
	textFailedOver            = "Framework failed over"
	textFrameworkRemoved      = "Framework has been removed"
	textPrincipalChange       = "Changing framework's principal is not allowed."
	textRoleWithMultiRole     = "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"
	textRolesWithoutMultiRole = "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable"
	textDuplicateRoles        = "'FrameworkInfo.roles' contains duplicate items: { %s }"
	textInvalidRoles          = "'FrameworkInfo.roles' contains invalid role: %s"
	textInvalidRole           = "'FrameworkInfo.role' is not a valid role: %s"
	textBadFailoverTimeout    = "The framework failover_timeout (%s) is invalid"
	textSuppressedNotInRoles  = "Suppressed role '%s' is not contained in the list of roles"
	textUpdateInvalidInfo     = "Supplied FrameworkInfo is not valid: "
	textUpdateInvalid         = "FrameworkInfo update is not valid: "
	textUpdateUser            = "Updating 'FrameworkInfo.user' is unsupported; attempted to update from '%s' to '%s'"
	textUpdateCheckpoint      = "Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '%t' to '%t'"

	textRoleLeadingSlash  = "Role '%s' cannot start with a slash"
	textRoleTrailingSlash = "Role '%s' cannot end with a slash"
	textRoleDoubleSlash   = "Role '%s' cannot contain two adjacent slashes"
	textRoleEmpty         = "Role names cannot be the empty string"
	textRoleComponent     = "Role '%s' cannot include '%s' as a component"
	textRoleDash          = "Role component '%s' is invalid because it starts with a dash"
	textRoleWhitespace    = "Role component '%s' is invalid because it contains backspace or whitespace"
)

// IDs: src/common/validation.cpp validateID.
const (
	textIDEmpty    = "ID must not be empty"
	textIDTooLong  = "ID must not be greater than 255 characters"
	textIDDot      = "'.' is disallowed"
	textIDDotDot   = "'..' is disallowed"
	textIDBadChars = "'%s' contains invalid characters"
)

// Offers and tasks: src/master/master.cpp Master::accept and _accept,
// src/master/validation.cpp offer:: and task::, src/common/resources.cpp.
const (
	textInvalidOffersPrefix  = "Task launched with invalid offers: "
	textNoOffers             = "No offers specified"
	textDuplicateOffer       = "Duplicate offer %s in offer list"
	textOfferNotValid        = "Offer %s is no longer valid"
	textOfferWrongFramework  = "Offer %s has invalid framework %s while framework %s is expected"
	textOffersDifferentRole  = "Aggregated offers must be allocated to the same role. Offer %s uses role '%s but another is using role '%s"
	textOffersDifferentAgent = "Aggregated offers must belong to one single agent. Offer %s uses agent %s and agent %s"
	textOperationID          = "The `id` field cannot be set on %s operations"
	textInvalidResource      = "Resource '%s' is invalid: %s"

	textDuplicateTaskID      = "Task has duplicate ID: %s"
	textTaskWrongAgent       = "Task uses invalid agent %s while agent %s is expected"
	textNegativeGrace        = "Task's 'kill_policy.grace_period' must be non-negative"
	textNoResources          = "Task uses no resources"
	textContainerInvalid     = "Task's `ContainerInfo` is invalid: "
	textDockerInfoMissing    = "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo"
	textDockerNameParam      = "Parameter in DockerInfo must not be 'name'"
	textCommandXorExecutor   = "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present"
	textTooMuchResources     = "Total resources %s required by task and its executor is more than available %s"
	textGroupExecutorType    = "'ExecutorInfo.type' must be 'DEFAULT'"
	textGroupTaskExecutor    = "'TaskInfo.executor' must not be set"
	textGroupDocker          = "Docker ContainerInfo is not supported on the task"
	textFrameworkRemovedTask = "Framework %s removed"
	textLimitsOnlyCPUsMem    = "Only cpus and mem may be included in a task's resource limits"
	textLimitCPUNoRequest    = "When a CPU limit is specified, a CPU request must also be specified"
	textLimitCPUBelow        = "The cpu limit must be greater than or equal to the cpu request"
	textLimitMemNoRequest    = "When a memory limit is specified, a memory request must also be specified"
	textLimitMemBelow        = "The memory limit must be greater than or equal to the memory request"
)

// Agent and executors: src/launcher/executor.cpp, src/docker/executor.cpp,
// src/docker/docker.cpp, src/slave/slave.cpp.
const (
	textDockerRunOptions   = "Failed to create docker run options: "
	textPortMappingNetwork = "Port mappings are only supported for bridge and user-defined networks"
	textPortMappingNoPorts = "Port mappings require port resources"
	textPortNotInResources = "Port [%d] not included in resources"
	textShellNoValue       = "Shell specified but no command value provided"
	textExecutorTerminated = "Executor terminated"
	textKilledBeforeLaunch = "Killed before delivery to the executor"
	textLaunchFailed       = "Failed to launch container: "
)

// Reconciliation: src/master/master.cpp Master::reconcile.
const (
	textReconcileLatest       = "Reconciliation: Latest task state"
	textReconcileUnknown      = "Reconciliation: Task is unknown"
	textReconcileUnknownAgent = "Reconciliation: Task is unknown to the agent"
)
