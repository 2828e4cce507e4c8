package localmesos

// Texts of the executor API and of custom executors: Mesos 1.11.0's own,
// byte for byte, beside the master's in texts.go.

// The agent's /api/v1/executor: src/slave/http.cpp Http::executor, and
// src/common/validation.cpp validateExecutorCall.
const (
	textAgentRecovering       = "Agent has not finished recovery"
	textValidateExecutorCall  = "Failed to validate Executor::Call: "
	textExecutorNotFound      = "Executor cannot be found"
	textExecutorNotSubscribed = "Executor is not subscribed"

	textExecutorCallNoType      = "Expecting 'type' to be present"
	textExecutorCallNoSubscribe = "Expecting 'subscribe' to be present"
	textExecutorCallNoUpdate    = "Expecting 'update' to be present"
	textExecutorCallNoMessage   = "Expecting 'message' to be present"
	textExecutorCallNoUUID      = "Expecting 'uuid' to be present"
	textExecutorCallBadUUID     = "Not a valid UUID"
	textExecutorIDMismatch      = "ExecutorID in Call: %s does not match ExecutorID in TaskStatus: %s"
	textExecutorBadSource       = "Received Call from executor %s of framework %s with invalid source, expecting 'SOURCE_EXECUTOR'"
	textExecutorStaging         = "Received TASK_STAGING from executor %s of framework %s which is not allowed"
)

// Updates the agent makes about an executor's tasks: src/slave/slave.cpp
// (subscribe, registerExecutorTimeout, reregisterExecutorTimeout,
// sendExecutorTerminatedStatusUpdate) and src/master/master.cpp
// removeFramework(Slave*, Framework*).
const (
	textLaunchedDuringRestart   = "Task launched during agent restart"
	textExecutorNotRegistered   = "Executor did not register within %s"
	textExecutorNotReregistered = "Executor did not reregister within %s"
	textAgentDisconnected       = "Agent %s disconnected"
	textExecutorTerminating     = "Executor terminating"
)

// The master's checks of a task's ExecutorInfo: src/master/validation.cpp
// executor:: and task::internal::validateExecutor.
const (
	textExecutorDefaultCommand = "'ExecutorInfo.command' must not be set for 'DEFAULT' executor"
	textExecutorCustomCommand  = "'ExecutorInfo.command' must be set for 'CUSTOM' executor"
	textExecutorNegativeGrace  = "ExecutorInfo's 'shutdown_grace_period' must be non-negative"
	textExecutorFrameworkID    = "ExecutorInfo has an invalid FrameworkID (Actual: %s vs Expected: %s)"
	textExecutorIncompatible   = "ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.\n" +
		"------------------------------------------------------------\n" +
		"Existing ExecutorInfo:\n%s\n" +
		"------------------------------------------------------------\n" +
		"ExecutorInfo:\n%s\n" +
		"------------------------------------------------------------\n"
	textExecutorNotCustom       = "'ExecutorInfo.type' must be 'CUSTOM'"
	textExecutorNoCommand       = "'ExecutorInfo.command' must be set"
	textExecutorContainerPrefix = "Executor's `ContainerInfo` is invalid: "
)

// What the stand-in cannot do with a custom executor, said when it is
// asked to.
const (
	textExecutorNeedsProcess = "localmesos runs custom executors as local processes, which its %s runner does not do: start localmesos with --runner=process or --runner=auto to run executor '%s'"
	textExecutorContainer    = "localmesos runs custom executors as local processes only: executor '%s' asks for a %s container (ExecutorInfo.container), which it cannot give; leave ExecutorInfo.container out, or use a real Mesos agent"
)
