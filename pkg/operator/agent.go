package operator

import (
	"context"
	"fmt"
	"iter"
	"net"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// AgentClient is a client for one agent's own operator API (POST /api/v1
// on the agent, agent.proto): its health, flags, metrics, the containers
// and tasks it runs, and its files, the tasks' sandboxes among them. Get
// one from a master client with Agent.
type AgentClient struct {
	// URL is the agent's base URL.
	URL  string
	http *httpapi.Client
}

// Agent returns a client for an agent: its base URL or host:port, such as
// an offer's URL or mesos.AgentState.Address(). It uses the master
// client's credentials, HTTP client and observer (Config.Observe), and
// does no I/O.
func (c *Client) Agent(address string) (*AgentClient, error) {
	if _, _, err := net.SplitHostPort(address); err != nil && !strings.Contains(address, "://") {
		address = net.JoinHostPort(address, "5051") // a bare host: the agent's port, not the master's
	}
	base, err := httpapi.ParseMaster(address)
	if err != nil {
		return nil, fmt.Errorf("agent address: %w", err)
	}
	cfg := c.http.Config()
	h, err := httpapi.New(httpapi.Config{Master: base.String(), Principal: cfg.Principal, Secret: cfg.Secret,
		CAFile: cfg.CAFile, HTTPClient: cfg.HTTPClient, Retries: cfg.Retries, Timeout: cfg.Timeout, Observe: cfg.Observe})
	if err != nil {
		return nil, err
	}
	return &AgentClient{URL: base.String(), http: h}, nil
}

// AgentOf finds an agent by id (GET_AGENTS) and returns a client for it.
func (c *Client) AgentOf(ctx context.Context, id mesos.AgentID) (*AgentClient, error) {
	agents, err := c.Agents(ctx)
	if err != nil {
		return nil, err
	}
	if a, ok := findAgent(agents, id); ok {
		return c.Agent(a.Address())
	}
	return nil, fmt.Errorf("agent %s is not registered with the master (GET_AGENTS does not list it): it may have been removed", id.Value)
}

// findAgent is the agent of that id in GET_AGENTS' answer.
func findAgent(agents *mesos.GetAgentsResponse, id mesos.AgentID) (mesos.AgentState, bool) {
	for _, a := range agents.Agents {
		if a.AgentInfo.ID != nil && *a.AgentInfo.ID == id {
			return a, true
		}
	}
	return mesos.AgentState{}, false
}

// Close releases the client's idle connections.
func (a *AgentClient) Close() error { return a.http.Close() }

// Call sends any agent call and decodes its answer.
func (a *AgentClient) Call(ctx context.Context, call mesos.AgentAPICall) (*mesos.AgentAPIResponse, error) {
	var resp mesos.AgentAPIResponse
	if err := post(ctx, a.http, "agent "+string(call.Type), call, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// agentGet sends an agent call whose answer carries the part named after it.
func agentGet[T any](ctx context.Context, a *AgentClient, call mesos.AgentAPICall, part func(*mesos.AgentAPIResponse) *T) (*T, error) {
	resp, err := a.Call(ctx, call)
	if err != nil {
		return nil, err
	}
	if p := part(resp); p != nil {
		return p, nil
	}
	if resp.Type == call.Type {
		return new(T), nil // Mesos leaves an empty part out
	}
	return nil, fmt.Errorf("agent %s: answer of type %q has no %s part", call.Type, resp.Type, strings.ToLower(string(call.Type)))
}

// Health asks whether the agent is healthy. GET_HEALTH.
func (a *AgentClient) Health(ctx context.Context) (bool, error) {
	r, err := agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetHealth}, func(r *mesos.AgentAPIResponse) *mesos.GetHealthResponse { return r.GetHealth })
	if err != nil {
		return false, err
	}
	return r.Healthy, nil
}

// Flags returns the agent's flags, sorted by name. GET_FLAGS.
func (a *AgentClient) Flags(ctx context.Context) (*mesos.GetFlagsResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetFlags}, func(r *mesos.AgentAPIResponse) *mesos.GetFlagsResponse { return r.GetFlags })
}

// Version returns the agent's version. GET_VERSION.
func (a *AgentClient) Version(ctx context.Context) (*mesos.VersionInfo, error) {
	r, err := agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetVersion}, func(r *mesos.AgentAPIResponse) *mesos.GetVersionResponse { return r.GetVersion })
	if err != nil {
		return nil, err
	}
	return &r.VersionInfo, nil
}

// Metrics returns the agent's metrics (slave/tasks_running...). GET_METRICS.
func (a *AgentClient) Metrics(ctx context.Context) (*mesos.GetMetricsResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetMetrics, GetMetrics: &mesos.GetMetricsCall{}}, func(r *mesos.AgentAPIResponse) *mesos.GetMetricsResponse { return r.GetMetrics })
}

// LoggingLevel returns the agent's verbosity. GET_LOGGING_LEVEL.
func (a *AgentClient) LoggingLevel(ctx context.Context) (uint32, error) {
	r, err := agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetLoggingLevel}, func(r *mesos.AgentAPIResponse) *mesos.GetLoggingLevelResponse { return r.GetLoggingLevel })
	if err != nil {
		return 0, err
	}
	return r.Level, nil
}

// SetLoggingLevel raises the agent's verbosity to level for d.
// SET_LOGGING_LEVEL.
func (a *AgentClient) SetLoggingLevel(ctx context.Context, level uint32, d time.Duration) error {
	_, err := a.Call(ctx, mesos.AgentAPICall{Type: mesos.AgentSetLoggingLevel, SetLoggingLevel: &mesos.SetLoggingLevelCall{Level: level, Duration: mesos.DurationInfo{Nanoseconds: int64(d)}}})
	return err
}

// State returns the agent's tasks, executors and frameworks. GET_STATE.
func (a *AgentClient) State(ctx context.Context) (*mesos.AgentStateResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetState}, func(r *mesos.AgentAPIResponse) *mesos.AgentStateResponse { return r.GetState })
}

// Containers lists the agent's containers, with what each uses.
// GET_CONTAINERS.
func (a *AgentClient) Containers(ctx context.Context) ([]mesos.Container, error) {
	r, err := agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetContainers}, func(r *mesos.AgentAPIResponse) *mesos.GetContainersResponse { return r.GetContainers })
	if err != nil {
		return nil, err
	}
	return r.Containers, nil
}

// Frameworks lists the frameworks with executors on the agent.
// GET_FRAMEWORKS.
func (a *AgentClient) Frameworks(ctx context.Context) (*mesos.AgentFrameworksResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetFrameworks}, func(r *mesos.AgentAPIResponse) *mesos.AgentFrameworksResponse { return r.GetFrameworks })
}

// Executors lists the agent's executors. GET_EXECUTORS.
func (a *AgentClient) Executors(ctx context.Context) (*mesos.AgentExecutorsResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetExecutors}, func(r *mesos.AgentAPIResponse) *mesos.AgentExecutorsResponse { return r.GetExecutors })
}

// Tasks lists the agent's tasks: launched, terminated, completed.
// GET_TASKS.
func (a *AgentClient) Tasks(ctx context.Context) (*mesos.AgentTasksResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetTasks}, func(r *mesos.AgentAPIResponse) *mesos.AgentTasksResponse { return r.GetTasks })
}

// Operations lists the agent's offer operations. GET_OPERATIONS.
func (a *AgentClient) Operations(ctx context.Context) (*mesos.GetOperationsResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetOperations}, func(r *mesos.AgentAPIResponse) *mesos.GetOperationsResponse { return r.GetOperations })
}

// Agent describes the agent (its AgentInfo, its draining). GET_AGENT.
func (a *AgentClient) Agent(ctx context.Context) (*mesos.GetAgentResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetAgent}, func(r *mesos.AgentAPIResponse) *mesos.GetAgentResponse { return r.GetAgent })
}

// ResourceProviders lists the agent's resource providers.
// GET_RESOURCE_PROVIDERS.
func (a *AgentClient) ResourceProviders(ctx context.Context) (*mesos.GetResourceProvidersResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentGetResourceProviders}, func(r *mesos.AgentAPIResponse) *mesos.GetResourceProvidersResponse {
		return r.GetResourceProviders
	})
}

// ListFiles lists a folder the agent serves: a sandbox (SandboxPath), or
// /slave/log. LIST_FILES.
func (a *AgentClient) ListFiles(ctx context.Context, path string) ([]mesos.FileInfo, error) {
	r, err := agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentListFiles, ListFiles: &mesos.ListFilesCall{Path: path}}, func(r *mesos.AgentAPIResponse) *mesos.ListFilesResponse { return r.ListFiles })
	if err != nil {
		return nil, err
	}
	return r.FileInfos, nil
}

// ReadFile reads at most length bytes (a negative length: as many as one
// read gives, MaxRead) of a file the agent serves, from offset. READ_FILE.
func (a *AgentClient) ReadFile(ctx context.Context, path string, offset, length int64) (*mesos.ReadFileResponse, error) {
	return readFile(ctx, a.read, path, offset, length)
}

// ReadAll reads a whole file the agent serves, in MaxRead chunks, failing
// past limit bytes.
func (a *AgentClient) ReadAll(ctx context.Context, path string, limit int) ([]byte, error) {
	return readAll(ctx, a.read, path, limit)
}

// Follow yields what is appended to a file the agent serves, the way
// tail -f does, from offset (negative: from its end now) until ctx ends:
//
//	for chunk, err := range agent.Follow(ctx, operator.SandboxPath(fw, task)+"/stdout", 0) { ... }
func (a *AgentClient) Follow(ctx context.Context, path string, offset int64) iter.Seq2[[]byte, error] {
	return follow(ctx, a.read, path, offset)
}

func (a *AgentClient) read(ctx context.Context, path string, offset uint64, length *uint64) (*mesos.ReadFileResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentReadFile, ReadFile: &mesos.ReadFileCall{Path: path, Offset: offset, Length: length}}, func(r *mesos.AgentAPIResponse) *mesos.ReadFileResponse { return r.ReadFile })
}
