// Package executor is a client for the Mesos v1 executor HTTP API: the API
// a task's own executor uses to talk to the agent that started it
// (POST /api/v1/executor on the agent, not the master).
//
// A framework gets a custom executor by launching a task with an
// ExecutorInfo instead of a command. The agent then starts the executor's
// command with who it is in the environment (MESOS_FRAMEWORK_ID,
// MESOS_EXECUTOR_ID, MESOS_AGENT_ENDPOINT, MESOS_DIRECTORY...) and waits
// for it to subscribe. From there the API has the scheduler API's two
// directions: one long-lived SUBSCRIBE whose answer streams events
// (SUBSCRIBED, LAUNCH, KILL, ACKNOWLEDGED, MESSAGE, SHUTDOWN), and short
// calls on other connections (UPDATE, MESSAGE), answered 202 Accepted.
//
//	cfg, err := executor.FromEnv() // what the agent put in the environment
//	c, err := executor.New(cfg)
//	sub, err := c.Subscribe(ctx)
//	for ev, err := range sub.Events() {
//		if err != nil {
//			break // the agent is gone for good: kill the tasks, exit
//		}
//		switch ev.Type {
//		case mesos.ExecutorEventLaunch:
//			task := ev.Launch.Task // start it, then:
//			c.Update(ctx, mesos.TaskStatus{TaskID: task.TaskID, State: mesos.TaskRunning})
//		case mesos.ExecutorEventKill:
//			// stop ev.Kill.TaskID, then send its TASK_KILLED
//		case mesos.ExecutorEventMessage:
//			c.Message(ctx, []byte("pong")) // the framework gets a MESSAGE event
//		case mesos.ExecutorEventShutdown:
//			// kill every task, report each, wait for their ACKNOWLEDGED, exit
//		}
//	}
//
// Status updates are reliable end to end: the executor keeps each UPDATE
// until the agent answers with ACKNOWLEDGED (the agent has taken it over
// and retries it towards the framework until the scheduler acknowledges),
// and keeps each task it was given until one of its updates is
// acknowledged. The Client does that bookkeeping. If the agent restarts,
// the stream drops; for a framework that checkpoints (MESOS_CHECKPOINT=1)
// Events subscribes again, with random waits up to
// MESOS_SUBSCRIPTION_BACKOFF_MAX for up to MESOS_RECOVERY_TIMEOUT, and the
// new SUBSCRIBE carries the unacknowledged updates and tasks, so the
// restarted agent loses nothing. Without checkpointing the agent never
// takes an executor back: Events ends with ErrDisconnected.
//
// Errors: a refused call is an *Error carrying the HTTP status and Mesos'
// message, such as "Failed to validate Executor::Call: Expecting 'uuid' to
// be present".
package executor
