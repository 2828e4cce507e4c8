// Package operator is a client for the Mesos master's operator API: the
// calls an operator (or a workshop teacher) makes to see the whole
// cluster, not only one framework's part of it.
//
//	c, err := operator.New(operator.Config{Master: "http://127.0.0.1:5050"})
//	state, err := c.State(ctx)    // GET_STATE: tasks, executors, frameworks, agents
//	agents, err := c.Agents(ctx)  // GET_AGENTS; also Frameworks, Tasks, Health, Version, Master
//	err = c.Teardown(ctx, id)     // remove a framework, no stream id needed
//
// Each call is a POST to /api/v1 whose answer comes at once. Subscribe
// opens the operator event stream instead: SUBSCRIBED with the whole
// state, then TASK_ADDED, TASK_UPDATED, FRAMEWORK_ADDED... as they happen.
//
// The legacy read endpoints the 2016 notebook used are here too:
// MasterState (GET /state), AgentState (an agent's GET /state),
// MasterHealth, MasterVersion and Redirect (where /redirect says the
// leader is).
//
// The transport is the scheduler client's (package httpapi): masters given
// as URLs, host:port or zk:// URLs, 307 redirects to the leader followed,
// 503 retried, and errors as *Error with Mesos' own message.
package operator
