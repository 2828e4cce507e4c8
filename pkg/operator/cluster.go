package operator

import (
	"context"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The calls that describe the master and the cluster: health, version,
// flags, metrics, logging, and what runs where.

// Health asks whether the master is healthy. GET_HEALTH.
func (c *Client) Health(ctx context.Context) (bool, error) {
	r, err := get(ctx, c, mesos.OperatorCall{Type: mesos.GetHealth}, func(r *mesos.OperatorResponse) *mesos.GetHealthResponse { return r.GetHealth })
	if err != nil {
		return false, err
	}
	return r.Healthy, nil
}

// Version returns the master's version and build. GET_VERSION.
func (c *Client) Version(ctx context.Context) (*mesos.VersionInfo, error) {
	r, err := get(ctx, c, mesos.OperatorCall{Type: mesos.GetVersion}, func(r *mesos.OperatorResponse) *mesos.GetVersionResponse { return r.GetVersion })
	if err != nil {
		return nil, err
	}
	return &r.VersionInfo, nil
}

// Flags returns the master's command-line flags, sorted by name; Value
// looks one up. GET_FLAGS.
func (c *Client) Flags(ctx context.Context) (*mesos.GetFlagsResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetFlags}, func(r *mesos.OperatorResponse) *mesos.GetFlagsResponse { return r.GetFlags })
}

// Metrics returns the master's metrics (master/tasks_running,
// master/cpus_used...), sorted by name; Value looks one up. GET_METRICS.
func (c *Client) Metrics(ctx context.Context) (*mesos.GetMetricsResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetMetrics, GetMetrics: &mesos.GetMetricsCall{}}, func(r *mesos.OperatorResponse) *mesos.GetMetricsResponse {
		if r.GetMetrics == nil && r.Type == mesos.GetMetrics {
			return &mesos.GetMetricsResponse{} // no metric at all
		}
		return r.GetMetrics
	})
}

// LoggingLevel returns the master's verbosity, glog's VLOG level.
// GET_LOGGING_LEVEL.
func (c *Client) LoggingLevel(ctx context.Context) (uint32, error) {
	r, err := get(ctx, c, mesos.OperatorCall{Type: mesos.GetLoggingLevel}, func(r *mesos.OperatorResponse) *mesos.GetLoggingLevelResponse { return r.GetLoggingLevel })
	if err != nil {
		return 0, err
	}
	return r.Level, nil
}

// SetLoggingLevel raises the master's verbosity to level for d, after
// which it returns to the level it was started with. SET_LOGGING_LEVEL.
func (c *Client) SetLoggingLevel(ctx context.Context, level uint32, d time.Duration) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.SetLoggingLevel, SetLoggingLevel: &mesos.SetLoggingLevelCall{Level: level, Duration: mesos.DurationInfo{Nanoseconds: int64(d)}}})
}

// Master describes the master answering. GET_MASTER.
func (c *Client) Master(ctx context.Context) (*mesos.GetMasterResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetMaster}, func(r *mesos.OperatorResponse) *mesos.GetMasterResponse { return r.GetMaster })
}

// State returns tasks, executors, frameworks and agents in one answer.
// GET_STATE.
func (c *Client) State(ctx context.Context) (*mesos.GetStateResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetState}, func(r *mesos.OperatorResponse) *mesos.GetStateResponse { return r.GetState })
}

// Agents lists the registered agents. GET_AGENTS.
func (c *Client) Agents(ctx context.Context) (*mesos.GetAgentsResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetAgents}, func(r *mesos.OperatorResponse) *mesos.GetAgentsResponse { return r.GetAgents })
}

// Frameworks lists the frameworks, current and completed. GET_FRAMEWORKS.
func (c *Client) Frameworks(ctx context.Context) (*mesos.GetFrameworksResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetFrameworks}, func(r *mesos.OperatorResponse) *mesos.GetFrameworksResponse { return r.GetFrameworks })
}

// Executors lists the executors the master knows (custom and default
// ones; command executors are the agents' business). GET_EXECUTORS.
func (c *Client) Executors(ctx context.Context) (*mesos.GetExecutorsResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetExecutors}, func(r *mesos.OperatorResponse) *mesos.GetExecutorsResponse { return r.GetExecutors })
}

// Tasks lists the tasks, current, unreachable and completed. GET_TASKS.
func (c *Client) Tasks(ctx context.Context) (*mesos.GetTasksResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetTasks}, func(r *mesos.OperatorResponse) *mesos.GetTasksResponse { return r.GetTasks })
}

// Operations lists the offer operations the master tracks (those with an
// id). GET_OPERATIONS.
func (c *Client) Operations(ctx context.Context) (*mesos.GetOperationsResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetOperations}, func(r *mesos.OperatorResponse) *mesos.GetOperationsResponse { return r.GetOperations })
}

// Teardown removes a framework and kills its tasks, as an operator: it
// needs no stream id, so it can clean up a framework whose scheduler is
// gone. TEARDOWN.
func (c *Client) Teardown(ctx context.Context, id mesos.FrameworkID) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.OperatorTeardown, Teardown: &mesos.TeardownFramework{FrameworkID: id}})
}
