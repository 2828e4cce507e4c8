// Package operator is a client for the Mesos operator API: the calls an
// operator (or a workshop teacher) makes to see and steer the whole
// cluster, not only one framework's part of it. Every call of the
// master's API is a method named after it, and every call of an agent's
// own API a method of the agent client:
//
//	c, err := operator.New(operator.Config{Master: "http://127.0.0.1:5050"})
//	state, err := c.State(ctx)          // GET_STATE: tasks, executors, frameworks, agents
//	m, err := c.Metrics(ctx)            // GET_METRICS: m.Value("master/tasks_running")
//	err = c.UpdateQuota(ctx, false, mesos.QuotaConfig{Role: "dev", Limits: ...})
//	err = c.DrainAgent(ctx, agentID, operator.DrainOptions{})
//	_, err = c.WaitDrained(ctx, agentID)  // its tasks ended: REACTIVATE_AGENT may follow
//
//	agent, err := c.AgentOf(ctx, task.AgentID)       // or c.Agent(address)
//	stdout := operator.SandboxPath(task.FrameworkID, task.TaskID.Value) + "/stdout"
//	out, err := agent.ReadFile(ctx, stdout, 0, -1)   // what the task wrote: its first 64 KiB (ReadAll: all of it)
//	sb, err := agent.ReadSandbox(ctx, task.FrameworkID, task.TaskID.Value) // the start of its stdout and stderr
//	for chunk, err := range agent.Follow(ctx, stdout, 0) { ... } // tail -f
//
// Each call is a POST to /api/v1 whose answer comes at once: 200 with the
// part of the Response named after the call, or 200 or 202 with no body
// for the calls that change something. Subscribe opens the master's event
// stream instead: SUBSCRIBED with the whole state, then TASK_ADDED,
// TASK_UPDATED, FRAMEWORK_ADDED... as they happen.
//
// The plain GET endpoints the 2016 notebook used are grouped apart, in
// Legacy: c.Legacy().State(ctx) is GET /state, and Health, Version,
// MetricsSnapshot, AgentState (an agent's GET /state) and Redirect (where
// /redirect says the leader is) are beside it.
//
// The transport is the scheduler client's (package httpapi): masters given
// as URLs, host:port or zk:// URLs, 307 redirects to the leader followed,
// 503 retried, and errors as *Error with Mesos' own message.
package operator
