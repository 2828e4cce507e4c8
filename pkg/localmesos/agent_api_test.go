package localmesos_test

// Ports of the agent tests of Mesos 1.11.0's src/tests/api_tests.cpp
// (AgentAPITest, JSON leg), through the project's agent client, and the
// agent's validation of the container calls it refuses.

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// agentClient is a client of the stand-in's first agent.
func agentClient(t *testing.T, srv *localmesos.Server) *operator.AgentClient {
	t.Helper()
	a, err := operatorClient(t, srv).Agent(srv.AgentURLs[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestAgentAPITest_GetFlags(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	flags, err := agentClient(t, srv).Flags(t.Context())
	if err != nil || flags.Value("runner") != "simulated" || flags.Value("resources") == "" {
		t.Fatalf("GET_FLAGS %s %v", mustJSON(flags), err)
	}
}

func TestAgentAPITest_GetHealth(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	if ok, err := agentClient(t, srv).Health(t.Context()); err != nil || !ok {
		t.Fatalf("GET_HEALTH %v %v", ok, err)
	}
}

func TestAgentAPITest_GetVersion(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	v, err := agentClient(t, srv).Version(t.Context())
	if err != nil || v.Version != "1.11.0" || v.BuildTime <= 0 || !strings.Contains(v.BuildUser, "not Apache Mesos") {
		t.Fatalf("GET_VERSION %s %v", mustJSON(v), err)
	}
}

func TestAgentAPITest_GetMetrics(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	a := agentClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	f.runTask("t1")
	m, err := a.Metrics(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Value("slave/tasks_running"); v != 1 {
		t.Fatalf("slave/tasks_running %v in %s", v, mustJSON(m))
	}
	if v, _ := m.Value("slave/cpus_total"); v != 4 {
		t.Fatalf("slave/cpus_total %v", v)
	}
}

func TestAgentAPITest_SetLoggingLevel(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	a := agentClient(t, srv)
	if level, err := a.LoggingLevel(t.Context()); err != nil || level != 0 {
		t.Fatalf("GET_LOGGING_LEVEL %d %v", level, err)
	}
	if err := a.SetLoggingLevel(t.Context(), 2, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if level, _ := a.LoggingLevel(t.Context()); level != 2 {
		t.Fatalf("level %d, want 2", level)
	}
	testenv.Eventually(t, 5*time.Second, "the level back to 0", func() bool {
		level, _ := a.LoggingLevel(t.Context())
		return level == 0
	})
}

// TestAgentAPITest_ListFiles and ReadFile: a task's sandbox through the
// agent's LIST_FILES and READ_FILE, and the client's files helpers.
func TestAgentAPITest_ListFiles(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Runner = localmesos.RunnerProcess })
	a := agentClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	offer := f.offer()
	ti := simpleTask("echo", offer)
	ti.Command = &mesos.CommandInfo{Value: "echo hello; echo oops >&2"}
	f.launch(offer, ti)
	for st := f.update(); !st.State.Terminal(); st = f.update() {
	}
	sandbox := operator.SandboxPath(f.id(), ti.TaskID.Value)
	files, err := a.ListFiles(t.Context(), sandbox)
	if err != nil || len(files) != 2 || files[0].Path != sandbox+"/stderr" || files[1].Path != sandbox+"/stdout" || files[1].Size != 6 || files[1].IsDir() {
		t.Fatalf("LIST_FILES %s %v", mustJSON(files), err)
	}
	r, err := a.ReadFile(t.Context(), sandbox+"/stdout", 1, 3)
	if err != nil || string(r.Data) != "ell" || r.Size != 6 {
		t.Fatalf("READ_FILE %+v %v", r, err)
	}
	if r, err := a.ReadFile(t.Context(), sandbox+"/stdout", 100, -1); err != nil || len(r.Data) != 0 || r.Size != 6 {
		t.Fatalf("READ_FILE past the end: %+v %v", r, err)
	}
	if all, err := a.ReadAll(t.Context(), sandbox+"/stderr", 1<<20); err != nil || string(all) != "oops\n" {
		t.Fatalf("ReadAll %q %v", all, err)
	}
}

func TestAgentAPITest_ListFilesInvalidPath(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	opPost(t, srv.AgentURLs[0], `{"type":"LIST_FILES","list_files":{"path":"five/"}}`).want(t, 404, "")
}

func TestAgentAPITest_ReadFileInvalidPath(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	opPost(t, srv.AgentURLs[0], `{"type":"READ_FILE","read_file":{"path":"invalid_file","offset":1,"length":2}}`).want(t, 404, "")
	opPost(t, srv.AgentURLs[0], `{"type":"READ_FILE","read_file":{"path":"x"}}`).want(t, 400, "Missing required fields: read_file.offset")
}

// TestAgentFollow: the client's Follow yields what a running task
// appends to its stdout, as tail -f does.
func TestAgentFollow(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Runner = localmesos.RunnerProcess })
	a := agentClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	offer := f.offer()
	ti := simpleTask("ticker", offer)
	ti.Command = &mesos.CommandInfo{Value: "i=0; while [ $i -lt 5 ]; do echo tick $i; i=$((i+1)); sleep 0.2; done; sleep 100"}
	f.launch(offer, ti)
	for st := f.update(); st.State != mesos.TaskRunning; st = f.update() { // the sandbox is there
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var got bytes.Buffer
	for chunk, err := range a.Follow(ctx, operator.SandboxPath(f.id(), ti.TaskID.Value)+"/stdout", 0) {
		if err != nil {
			t.Fatal(err)
		}
		got.Write(chunk)
		if strings.Contains(got.String(), "tick 4\n") {
			break
		}
	}
	if got.String() != "tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n" {
		t.Fatalf("followed %q", got.String())
	}
}

// TestAgentAPITest_GetContainers: a running task's container, with its
// process' usage.
func TestAgentAPITest_GetContainers(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Runner = localmesos.RunnerProcess })
	a := agentClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	f.runTask("sleeper")
	cs, err := a.Containers(t.Context())
	if err != nil || len(cs) != 1 {
		t.Fatalf("GET_CONTAINERS %s %v", mustJSON(cs), err)
	}
	c := cs[0]
	if c.ExecutorID == nil || c.ExecutorID.Value != "sleeper" || c.FrameworkID == nil || *c.FrameworkID != f.id() || c.ContainerID.Value == "" ||
		c.ContainerStatus == nil || c.ContainerStatus.ExecutorPID == 0 || c.ResourceStatistics == nil || c.ResourceStatistics.MemLimitBytes != 32<<20 {
		t.Fatalf("container %s", mustJSON(c))
	}
	// The container calls about it are refused, saying why; about an
	// unknown one, Mesos' answers.
	body := `{"type":"WAIT_CONTAINER","wait_container":{"container_id":{"value":"` + c.ContainerID.Value + `"}}}`
	if r := opPost(t, srv.AgentURLs[0], body); r.code != 501 || !strings.Contains(r.body, "localmesos runs each task") {
		t.Fatalf("WAIT_CONTAINER: %d %s", r.code, r.body)
	}
	opPost(t, srv.AgentURLs[0], `{"type":"WAIT_CONTAINER","wait_container":{"container_id":{"value":"nope"}}}`).want(t, 404, "Container nope cannot be found")
}

// TestAgentAPITest_GetTasks, GetExecutors, GetFrameworks, GetState: a
// running task, then an ended one.
func TestAgentAPITest_GetState(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	a := agentClient(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	f.runTask("t1")
	st, err := a.State(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(st.GetTasks.LaunchedTasks); n != 1 || st.GetTasks.LaunchedTasks[0].State != mesos.TaskRunning || len(st.GetTasks.LaunchedTasks[0].Statuses) != 2 {
		t.Fatalf("launched tasks %s", mustJSON(st.GetTasks))
	}
	if len(st.GetExecutors.Executors) != 1 || st.GetExecutors.Executors[0].ExecutorInfo.ExecutorID.Value != "t1" {
		t.Fatalf("executors %s", mustJSON(st.GetExecutors))
	}
	if len(st.GetFrameworks.Frameworks) != 1 || st.GetFrameworks.Frameworks[0].FrameworkInfo.Name != t.Name() {
		t.Fatalf("frameworks %s", mustJSON(st.GetFrameworks))
	}
	if err := f.c.Kill(t.Context(), mesos.TaskID{Value: "t1"}, nil); err != nil {
		t.Fatal(err)
	}
	f.update()
	testenv.Eventually(t, 5*time.Second, "the task completed on the agent", func() bool {
		tasks, err := a.Tasks(t.Context())
		return err == nil && len(tasks.CompletedTasks) == 1 && len(tasks.LaunchedTasks) == 0
	})
	fws, _ := a.Frameworks(t.Context())
	ex, _ := a.Executors(t.Context())
	if len(fws.CompletedFrameworks) != 1 || len(ex.CompletedExecutors) != 1 {
		t.Fatalf("after the task: frameworks %s executors %s", mustJSON(fws), mustJSON(ex))
	}
}

func TestAgentAPITest_GetAgent(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	info, err := agentClient(t, srv).Agent(t.Context())
	if err != nil || info.AgentInfo == nil || info.AgentInfo.ID == nil || info.AgentInfo.Resources.CPUs() != 4 {
		t.Fatalf("GET_AGENT %s %v", mustJSON(info), err)
	}
}

// TestAgentAPITest_HeaderValidation and DefaultAccept: the agent reads
// its media types before the body, in its own words.
func TestAgentAPITest_HeaderValidation(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	url := srv.AgentURLs[0] + "/api/v1"
	health := `{"type":"GET_HEALTH"}`
	do(t, "POST", url, map[string]string{"Content-Type": "application/recordio"}, health).want(t, 400,
		"Expecting 'Message-Content-Type' to be set for streaming requests")
	do(t, "POST", url, map[string]string{"Content-Type": "application/recordio", "Message-Content-Type": "unsupported/media-type"}, health).want(t, 415,
		"Expecting 'Message-Content-Type' of application/json or application/x-protobuf")
	do(t, "POST", url, map[string]string{"Content-Type": "application/json", "Message-Content-Type": "application/json"}, health).want(t, 415,
		"Expecting 'Message-Content-Type' to be not set for non-streaming requests")
	do(t, "POST", url, map[string]string{"Content-Type": "application/json", "Accept": "application/recordio"}, health).want(t, 406,
		"Streaming response is not supported for GET_HEALTH call")
	do(t, "POST", url, map[string]string{"Content-Type": "application/json", "Accept": "application/recordio", "Message-Accept": "unsupported/media-type"}, health).want(t, 406,
		"Expecting 'Message-Accept' to allow application/json or application/x-protobuf")
	do(t, "POST", url, map[string]string{"Content-Type": "text/plain"}, health).want(t, 415,
		"Expecting 'Content-Type' of application/json or application/x-protobuf or application/recordio")
	do(t, "POST", url, map[string]string{"Content-Type": "application/json", "Accept": "text/html"}, "garbage").want(t, 406,
		"Expecting 'Accept' to allow application/json or application/x-protobuf or application/recordio")
	a := do(t, "POST", url, map[string]string{"Content-Type": "application/json", "Accept": "*/*"}, health)
	if a.code != 200 || a.header.Get("Content-Type") != "application/json" {
		t.Fatalf("Accept */*: %d %s", a.code, a.header.Get("Content-Type"))
	}
}

// TestAgentAPI_CallValidation: the calls the stand-in refuses are first
// validated as a Mesos agent validates them.
func TestAgentAPI_CallValidation(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	agent := srv.AgentURLs[0]
	for _, c := range []struct {
		body string
		code int
		want string
	}{
		{`{}`, 400, "Failed to validate agent::Call: Expecting 'type' to be present"},
		{`{"type":"GET_METRICS"}`, 400, "Failed to validate agent::Call: Expecting 'get_metrics' to be present"},
		{`{"type":"LIST_FILES","list_files":{}}`, 400, "Missing required fields: list_files.path"},
		{`{"type":"LAUNCH_NESTED_CONTAINER","launch_nested_container":{"container_id":{"value":"x"}}}`, 400,
			"Failed to validate agent::Call: Expecting 'launch_nested_container.container_id.parent' to be present"},
		{`{"type":"LAUNCH_NESTED_CONTAINER","launch_nested_container":{"container_id":{"value":"x","parent":{"value":"nope"}}}}`, 400, "Root container nope not found"},
		{`{"type":"LAUNCH_NESTED_CONTAINER","launch_nested_container":{"container_id":{"value":"x","parent":{"value":"y"}},"command":{"environment":{"variables":[{"name":"A"}]}}}}`, 400,
			"Failed to validate agent::Call: 'launch_nested_container.command' is invalid: Environment variable 'A' of type 'VALUE' must have a value set"},
		{`{"type":"LAUNCH_CONTAINER","launch_container":{"container_id":{"value":"a/b"}}}`, 400,
			"Failed to validate agent::Call: 'launch_container.container_id' is invalid: 'a/b' contains invalid characters"},
		{`{"type":"LAUNCH_CONTAINER","launch_container":{"container_id":{"value":"a.b"}}}`, 400,
			"Failed to validate agent::Call: 'launch_container.container_id' is invalid: 'ContainerID.value' 'a.b' contains invalid characters"},
		{`{"type":"KILL_CONTAINER","kill_container":{"container_id":{"value":"nope"}}}`, 404, "Container 'nope' cannot be found (or is already killed)"},
		{`{"type":"REMOVE_CONTAINER","remove_container":{"container_id":{"value":"nope"}}}`, 500, "Root container nope not found"},
		{`{"type":"ATTACH_CONTAINER_INPUT","attach_container_input":{}}`, 400, "Failed to validate agent::Call: Expecting 'attach_container_input.type' to be present"},
		{`{"type":"ADD_RESOURCE_PROVIDER_CONFIG","add_resource_provider_config":{"info":{"type":"t","name":"n","id":{"value":"x"}}}}`, 400,
			"Failed to validate agent::Call: Expecting 'add_resource_provider_config.info.id' to be unset"},
		{`{"type":"UNKNOWN"}`, 501, "501 Not Implemented."},
		// As a Mesos agent without an image provisioner or
		// --resource_provider_config_dir answers.
		{`{"type":"PRUNE_IMAGES"}`, 200, ""},
		{`{"type":"REMOVE_RESOURCE_PROVIDER_CONFIG","remove_resource_provider_config":{"type":"t","name":"n"}}`, 500, "Missing required flag --resource_provider_config_dir"},
		{`{"type":"MARK_RESOURCE_PROVIDER_GONE","mark_resource_provider_gone":{"resource_provider_id":{"value":"nope"}}}`, 200, ""},
		{`{"type":"ADD_RESOURCE_PROVIDER_CONFIG","add_resource_provider_config":{"info":{"type":"org.apache.mesos.rp.local.storage","name":"n"}}}`, 400,
			"Failed to validate resource provider config with type 'org.apache.mesos.rp.local.storage' and name 'n': 'ResourceProviderInfo.storage' must be set"},
	} {
		opPost(t, agent, c.body).want(t, c.code, c.want)
	}
	for _, body := range []string{`{"type":"LAUNCH_CONTAINER","launch_container":{"container_id":{"value":"abc"}}}`,
		`{"type":"ADD_RESOURCE_PROVIDER_CONFIG","add_resource_provider_config":{"info":{"type":"org.apache.mesos.rp.local.storage","name":"n","storage":{"plugin":{"type":"p","name":"q"}}}}}`} {
		if r := opPost(t, agent, body); r.code != 501 || !strings.HasPrefix(r.body, "localmesos ") {
			t.Errorf("%s: %d %s, want 501 saying what localmesos does not do", body, r.code, r.body)
		}
	}
}
