package localmesos_test

// Ports of more master tests of Mesos 1.11.0's src/tests/api_tests.cpp
// (MasterAPITest, JSON leg): flags, metrics, logging, files, roles,
// weights, quota, reservations, volumes and gone agents. Upstream reads
// the master's state through its internals; these read it back through
// the operator API.

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// opPost sends a JSON body to a master's or agent's /api/v1.
func opPost(t testing.TB, base, body string) answer {
	t.Helper()
	return do(t, http.MethodPost, base+"/api/v1", jsonHeaders(), body)
}

func agentID(t *testing.T, c *operator.Client) mesos.AgentID {
	t.Helper()
	agents, err := c.Agents(t.Context())
	if err != nil || len(agents.Agents) == 0 {
		t.Fatalf("GET_AGENTS: %v %v", agents, err)
	}
	return *agents.Agents[0].AgentInfo.ID
}

func TestMasterAPI_GetFlags(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	flags, err := operatorClient(t, srv).Flags(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if flags.Value("allocation_interval") != "50ms" || flags.Value("registry") != "in_memory" || !strings.Contains(flags.Value("stand_in"), "not Apache Mesos") {
		t.Fatalf("GET_FLAGS %s", mustJSON(flags))
	}
	for i := 1; i < len(flags.Flags); i++ {
		if flags.Flags[i-1].Name >= flags.Flags[i].Name {
			t.Fatalf("flags not sorted by name: %s", mustJSON(flags))
		}
	}
}

// TestMasterAPI_GetMetrics: the metrics a learner watches move with what
// happens: a framework, an offer, a task running, then finished.
func TestMasterAPI_GetMetrics(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	value := func(name string) float64 {
		t.Helper()
		m, err := c.Metrics(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		v, ok := m.Value(name)
		if !ok {
			t.Fatalf("no metric %s in %s", name, mustJSON(m))
		}
		return v
	}
	if value("master/elected") != 1 || value("master/frameworks_active") != 0 || value("master/cpus_total") != 4 {
		t.Fatal("a fresh master's metrics are off")
	}
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	offer := f.offer()
	if value("master/frameworks_active") != 1 || value("master/outstanding_offers") != 1 {
		t.Fatal("frameworks_active or outstanding_offers did not move")
	}
	ti := simpleTask("t", offer)
	ti.Labels = &mesos.Labels{Labels: []mesos.Label{{Key: localmesos.LabelSimulateSeconds, Value: "0.5"}}}
	f.launch(offer, ti)
	for st := f.update(); st.State != mesos.TaskRunning; st = f.update() {
	}
	testenv.Eventually(t, 5*time.Second, "master/tasks_running is 1", func() bool { return value("master/tasks_running") == 1 })
	if value("master/cpus_used") != 0.1 {
		t.Fatalf("cpus_used %v", value("master/cpus_used"))
	}
	for st := f.update(); !st.State.Terminal(); st = f.update() {
	}
	testenv.Eventually(t, 5*time.Second, "master/tasks_finished is 1", func() bool {
		return value("master/tasks_finished") == 1 && value("master/tasks_running") == 0
	})
}

func TestMasterAPI_GetLoggingLevel(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	level, err := operatorClient(t, srv).LoggingLevel(t.Context())
	if err != nil || level != 0 {
		t.Fatalf("GET_LOGGING_LEVEL: %d %v", level, err)
	}
}

// TestMasterAPI_SetLoggingLevel: the level holds for the duration, then
// returns to the original one.
func TestMasterAPI_SetLoggingLevel(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	if err := c.SetLoggingLevel(t.Context(), 3, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if level, _ := c.LoggingLevel(t.Context()); level != 3 {
		t.Fatalf("level %d, want 3", level)
	}
	testenv.Eventually(t, 5*time.Second, "the level back to 0", func() bool {
		level, _ := c.LoggingLevel(t.Context())
		return level == 0
	})
}

// TestMasterAPI_ListFiles: the master serves its log, as a Mesos master
// started with --log_dir.
func TestMasterAPI_ListFiles(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	if _, err := c.ListFiles(t.Context(), "/master/log"); err != nil {
		t.Fatal(err) // a file lists nothing, without an error
	}
	r, err := c.ReadFile(t.Context(), "/master/log", 0, -1)
	if err != nil || r.Size == 0 || !strings.Contains(string(r.Data), "localmesos started") {
		t.Fatalf("READ_FILE /master/log: %+v %v", r, err)
	}
}

func TestMasterAPI_ListFilesInvalidPath(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	opPost(t, srv.URL, `{"type":"LIST_FILES","list_files":{"path":"five/"}}`).want(t, 404, "")
}

func TestMasterAPI_ReadFileInvalidPath(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	opPost(t, srv.URL, `{"type":"READ_FILE","read_file":{"path":"invalid_file","offset":1,"length":2}}`).want(t, 404, "")
}

// TestMasterAPI_GetRoles: a framework's role, with what it holds, and a
// role known by its weight only.
func TestMasterAPI_GetRoles(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	if err := c.UpdateWeights(t.Context(), mesos.WeightInfo{Role: "role2", Weight: 2.5}); err != nil {
		t.Fatal(err)
	}
	f := subscribe(t, srv, mesos.FrameworkInfo{Roles: []string{"role1"}, Capabilities: []mesos.FrameworkCapability{{Type: mesos.CapabilityMultiRole}}})
	f.offer()
	roles, err := c.Roles(t.Context())
	if err != nil || len(roles.Roles) != 2 {
		t.Fatalf("GET_ROLES %s %v", mustJSON(roles), err)
	}
	r1, r2 := roles.Roles[0], roles.Roles[1]
	if r1.Name != "role1" || r1.Weight != 1 || len(r1.Frameworks) != 1 || r1.Frameworks[0] != f.id() || r1.Resources.CPUs() != 4 {
		t.Errorf("role1: %s", mustJSON(r1))
	}
	if r2.Name != "role2" || r2.Weight != 2.5 || len(r2.Frameworks) != 0 {
		t.Errorf("role2: %s", mustJSON(r2))
	}
}

func TestMasterAPI_GetOperations(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	opPost(t, srv.URL, `{"type":"GET_OPERATIONS"}`).want(t, 200, `{"type":"GET_OPERATIONS","get_operations":{}}`)
}

// TestMasterAPI_UpdateWeights: GET_WEIGHTS answers without a part until a
// weight is set, then lists it; a bad weight or role changes nothing.
func TestMasterAPI_UpdateWeights(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	opPost(t, srv.URL, `{"type":"GET_WEIGHTS"}`).want(t, 200, `{"type":"GET_WEIGHTS"}`)
	opPost(t, srv.URL, `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"role","weight":2}]}}`).want(t, 200, "")
	opPost(t, srv.URL, `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"role","weight":4}]}}`).want(t, 200, "")
	opPost(t, srv.URL, `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"role","weight":-1}]}}`).want(t, 400,
		"Failed to validate update weights request JSON for role 'role': Invalid weight '-1': Weights must be positive")
	opPost(t, srv.URL, `{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"/x","weight":1}]}}`).want(t, 400,
		"Failed to validate update weights request JSON: Invalid role '/x': Role '/x' cannot start with a slash")
	opPost(t, srv.URL, `{"type":"GET_WEIGHTS"}`).want(t, 200, `{"type":"GET_WEIGHTS","get_weights":{"weight_infos":[{"weight":4,"role":"role"}]}}`)
}

// TestMasterAPI_GetQuota, SetQuota, RemoveQuota and UPDATE_QUOTA's checks
// in Mesos' words.
func TestMasterAPI_Quota(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	opPost(t, srv.URL, `{"type":"GET_QUOTA"}`).want(t, 200, `{"type":"GET_QUOTA","get_quota":{"status":{}}}`)
	opPost(t, srv.URL, `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"role1","guarantee":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]}}}`).want(t, 200, "")
	opPost(t, srv.URL, `{"type":"SET_QUOTA","set_quota":{"quota_request":{"role":"role1","guarantee":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]}}}`).want(t, 400,
		"Failed to validate set quota request: Cannot set quota for role 'role1' which already has quota")
	opPost(t, srv.URL, `{"type":"GET_QUOTA"}`).want(t, 200, `{"type":"GET_QUOTA","get_quota":{"status":{"infos":[{"role":"role1","guarantee":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]}],"configs":[{"role":"role1","guarantees":{"cpus":{"value":1}},"limits":{"cpus":{"value":1}}}]}}}`)
	opPost(t, srv.URL, `{"type":"REMOVE_QUOTA","remove_quota":{"role":"role1"}}`).want(t, 200, "")
	opPost(t, srv.URL, `{"type":"GET_QUOTA"}`).want(t, 200, `{"type":"GET_QUOTA","get_quota":{"status":{}}}`)
	for _, c := range []struct{ body, want string }{
		{`{"role":"dev","guarantees":{"cpus":{"value":3}},"limits":{"cpus":{"value":2}}}`,
			"Invalid QuotaConfig: 'QuotaConfig.guarantees' { cpus: 3 } is not contained within the 'QuotaConfig.limits' { cpus: 2 }"},
		{`{"role":"dev","guarantees":{"cpus":{"value":100}}}`,
			"Invalid QuotaConfig: total quota guarantees 'cpus:100' exceed cluster capacity 'cpus:4; disk:10240; mem:4096' (use 'force' flag to bypass this check)"},
		{`{"role":"dev","limits":{"disk":{"value":-1}}}`, "Invalid QuotaConfig: Invalid limit configuration {'disk': -1}: Negative values not supported"},
		{`{"role":"a/b"}`, "Updating quota on nested role 'a/b' is not supported yet"},
		{`{"role":"-x"}`, "Invalid QuotaConfig: Invalid 'QuotaConfig.role': Role component '-x' is invalid because it starts with a dash"},
	} {
		opPost(t, srv.URL, `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[`+c.body+`]}}`).want(t, 400, c.want)
	}
	opPost(t, srv.URL, `{"type":"UPDATE_QUOTA","update_quota":{"force":true,"quota_configs":[{"role":"dev","guarantees":{"cpus":{"value":100}}}]}}`).want(t, 200, "")
}

// TestQuotaLimitEnforced: a role is offered no more than its quota limit,
// and nothing once it uses it all; other roles are not held back.
func TestQuotaLimitEnforced(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	limits := map[string]mesos.ScalarValue{"cpus": {Value: 1}, "mem": {Value: 256}}
	if err := c.UpdateQuota(t.Context(), false, mesos.QuotaConfig{Role: "dev", Limits: limits}); err != nil {
		t.Fatal(err)
	}
	dev := subscribe(t, srv, mesos.FrameworkInfo{Role: "dev"})
	offer := dev.offer()
	if offer.Resources.CPUs() != 1 || offer.Resources.Mem() != 256 || offer.Resources.Disk() != 10240 {
		t.Fatalf("offer within the quota: %s", mustJSON(offer.Resources))
	}
	ti := simpleTask("all", offer)
	ti.Resources = mesos.TaskResources(1, 256)
	dev.launch(offer, ti)
	dev.update()
	dev.none(500*time.Millisecond, mesos.EventOffers) // at its limit
	other := subscribe(t, srv, mesos.FrameworkInfo{})
	if o := other.offer(); o.Resources.CPUs() != 3 {
		t.Fatalf("another role's offer: %s", mustJSON(o.Resources))
	}
	// The limit is below what dev uses: refused, unless forced.
	opPost(t, srv.URL, `{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev","limits":{"cpus":{"value":0.5}}}]}}`).want(t, 400,
		"Invalid QuotaConfig: Role 'dev' is already consuming 'cpus:1; mem:256'; this is more than the requested limits 'cpus:0.5' (use 'force' flag to bypass this check)")
}

// TestQuotaCountsReservationsOnce: a role's reservation counts against its
// limit once, whether or not its tasks hold it, so the unreserved headroom
// beside it is still offered.
func TestQuotaCountsReservationsOnce(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	if err := c.ReserveResources(t.Context(), agentID(t, c), operator.Reserved("dev", mesos.Resources{mesos.ScalarResource("cpus", 1)})); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateQuota(t.Context(), false, mesos.QuotaConfig{Role: "dev", Limits: map[string]mesos.ScalarValue{"cpus": {Value: 2}}}); err != nil {
		t.Fatal(err)
	}
	dev := subscribe(t, srv, mesos.FrameworkInfo{Role: "dev"})
	o := dev.offer()
	ti := simpleTask("on-reserved", o)
	ti.Resources = resourcesOf(o.Resources, "dev")
	dev.launch(o, ti)
	dev.update()
	// The reserved cpu is in use: one unreserved cpu is still within the limit of two.
	next := dev.offer()
	if got := next.Resources.CPUs() - resourcesFor(next.Resources, "dev").CPUs(); got != 1 {
		t.Fatalf("offer beside the used reservation: %g unreserved cpus, want 1: %s", got, mustJSON(next.Resources))
	}
}

// TestQuotaGuaranteeFirst: a role below its guarantee is offered before
// others.
func TestQuotaGuaranteeFirst(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	other := subscribe(t, srv, mesos.FrameworkInfo{})
	first := other.offer()
	if err := c.UpdateQuota(t.Context(), false, mesos.QuotaConfig{Role: "dev", Guarantees: map[string]mesos.ScalarValue{"cpus": {Value: 2}}}); err != nil {
		t.Fatal(err)
	}
	dev := subscribe(t, srv, mesos.FrameworkInfo{Role: "dev"})
	// other's outstanding offer is not ours to take; once declined, the
	// guaranteed role gets the agent although other registered first.
	if err := other.c.Decline(t.Context(), []mesos.OfferID{first.ID}, mesos.RefuseFor(0)); err != nil {
		t.Fatal(err)
	}
	dev.offer()
}

// TestMasterAPI_ReserveResources and UnreserveResources: reserved
// resources show in GET_AGENTS and /state, are offered to their role only,
// and go back when unreserved; what does not fit is a 409 in Mesos' words.
func TestMasterAPI_ReserveResources(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	id := agentID(t, c)
	reserved := operator.Reserved("dev", mesos.Resources{mesos.ScalarResource("cpus", 1), mesos.ScalarResource("mem", 512)})
	if err := c.ReserveResources(t.Context(), id, reserved); err != nil {
		t.Fatal(err)
	}
	agents, _ := c.Agents(t.Context())
	if got := resourcesFor(agents.Agents[0].TotalResources, "dev"); got.CPUs() != 1 || got.Mem() != 512 {
		t.Fatalf("GET_AGENTS total_resources %s", mustJSON(agents.Agents[0].TotalResources))
	}
	st := masterState(t, srv)
	if r := st.Slaves[0].ReservedResources["dev"]; r.CPUs != 1 || r.Mem != 512 || st.Slaves[0].UnreservedResources.CPUs != 3 {
		t.Fatalf("/state reserved %s unreserved %s", mustJSON(st.Slaves[0].ReservedResources), mustJSON(st.Slaves[0].UnreservedResources))
	}
	other := subscribe(t, srv, mesos.FrameworkInfo{})
	if o := other.offer(); o.Resources.CPUs() != 3 {
		t.Fatalf("another role was offered %s", mustJSON(o.Resources))
	}
	dev := subscribe(t, srv, mesos.FrameworkInfo{Role: "dev"})
	o := dev.offer()
	if got := resourcesFor(o.Resources, "dev"); got.CPUs() != 1 || got.Mem() != 512 {
		t.Fatalf("dev's offer %s", mustJSON(o.Resources))
	}
	// A task on the reserved resources, as they were offered.
	ti := simpleTask("on-reserved", o)
	ti.Resources = resourcesOf(o.Resources, "dev")
	dev.launch(o, ti)
	if st := dev.update(); st.State != mesos.TaskStarting {
		t.Fatalf("task on reserved resources: %s", mustJSON(st))
	}
	big := operator.Reserved("dev", mesos.Resources{mesos.ScalarResource("cpus", 10)})
	err := c.ReserveResources(t.Context(), id, big)
	var oe *operator.Error
	if !errors.As(err, &oe) || oe.StatusCode != 409 || !strings.HasSuffix(oe.Body, " does not contain cpus:10") {
		t.Fatalf("reserving too much: %v", err)
	}
	opPost(t, srv.URL, `{"type":"RESERVE_RESOURCES","reserve_resources":{"agent_id":{"value":"nope"},"resources":[]}}`).want(t, 400, "No agent found with specified ID")
	body := `{"type":"RESERVE_RESOURCES","reserve_resources":{"agent_id":{"value":"` + id.Value + `"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":-1},"reservations":[{"type":"DYNAMIC","role":"dev"}]}]}}`
	opPost(t, srv.URL, body).want(t, 400, "Failed to validate master::Call: Resource 'cpus(reservations: [(DYNAMIC,dev)]):-1' is invalid: Invalid scalar resource: value <= 0")
}

func TestMasterAPI_UnreserveResources(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	id := agentID(t, c)
	reserved := operator.Reserved("dev", mesos.Resources{mesos.ScalarResource("cpus", 1)})
	if err := c.ReserveResources(t.Context(), id, reserved); err != nil {
		t.Fatal(err)
	}
	opPost(t, srv.URL, `{"type":"UNRESERVE_RESOURCES","unreserve_resources":{"agent_id":{"value":"`+id.Value+`"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]}}`).want(t, 400,
		"Invalid UNRESERVE operation: Resource cpus:1 is not dynamically reserved")
	if err := c.UnreserveResources(t.Context(), id, reserved); err != nil {
		t.Fatal(err)
	}
	agents, _ := c.Agents(t.Context())
	if agents.Agents[0].TotalResources.CPUs() != 4 || len(resourcesFor(agents.Agents[0].TotalResources, "dev")) != 0 {
		t.Fatalf("after UNRESERVE: %s", mustJSON(agents.Agents[0].TotalResources))
	}
}

// resourcesFor is the part of rs reserved to role.
func resourcesFor(rs mesos.Resources, role string) mesos.Resources {
	var out mesos.Resources
	for _, r := range rs {
		// Offers to frameworks without RESERVATION_REFINEMENT name the role
		// the old way, the operator API the new way.
		if n := len(r.Reservations); n > 0 && r.Reservations[n-1].Role == role || n == 0 && r.Role == role {
			out = append(out, r)
		}
	}
	return out
}

// resourcesOf is resourcesFor keeping the offer's allocation info.
func resourcesOf(rs mesos.Resources, role string) mesos.Resources { return resourcesFor(rs, role) }

func masterState(t *testing.T, srv *localmesos.Server) mesos.MasterState {
	t.Helper()
	a := do(t, http.MethodGet, srv.URL+"/state", nil, "")
	var st mesos.MasterState
	if err := json.Unmarshal([]byte(a.body), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestMasterAPI_CreateAndDestroyVolumes: validated, then refused saying
// why (the stand-in has no persistent volumes).
func TestMasterAPI_CreateAndDestroyVolumes(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	id := agentID(t, operatorClient(t, srv))
	opPost(t, srv.URL, `{"type":"CREATE_VOLUMES","create_volumes":{"agent_id":{"value":"nope"}}}`).want(t, 400, "No agent found with specified ID")
	opPost(t, srv.URL, `{"type":"CREATE_VOLUMES","create_volumes":{"agent_id":{"value":"`+id.Value+`"}}}`).want(t, 400,
		"Invalid CREATE operation on agent "+id.Value+" at slave(1)@"+strings.TrimPrefix(srv.AgentURLs[0], "http://")+" (127.0.0.1): Invalid resources: The resources have multiple resource providers: ")
	volume := `{"name":"disk","type":"SCALAR","scalar":{"value":1},"reservations":[{"type":"DYNAMIC","role":"dev"}],"disk":{"persistence":{"id":"v1"},"volume":{"mode":"RW","container_path":"v"}}}`
	opPost(t, srv.URL, `{"type":"DESTROY_VOLUMES","destroy_volumes":{"agent_id":{"value":"`+id.Value+`"},"volumes":[`+volume+`]}}`).want(t, 400,
		"Invalid DESTROY operation: Persistent volumes not found")
	a := opPost(t, srv.URL, `{"type":"CREATE_VOLUMES","create_volumes":{"agent_id":{"value":"`+id.Value+`"},"volumes":[`+volume+`]}}`)
	if a.code != 501 || !strings.Contains(a.body, "localmesos has no persistent volumes") {
		t.Fatalf("CREATE_VOLUMES: %d %s", a.code, a.body)
	}
	opPost(t, srv.URL, `{"type":"GROW_VOLUME","grow_volume":{"volume":{"name":"disk","type":"SCALAR","scalar":{"value":1}},"addition":{"name":"disk","type":"SCALAR","scalar":{"value":1}}}}`).want(t, 400,
		"Failed to validate master::Call: Expecting 'agent_id' to be present; only agent default resources are supported right now")
}

// TestMasterAPI_MarkRegisteredAgentGone and TaskUpdatesUponAgentGone: the
// agent leaves (AGENT_REMOVED), its task ends TASK_GONE_BY_OPERATOR, and
// reconciling a task on it says it is gone.
func TestMasterAPI_TaskUpdatesUponAgentGone(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	c := operatorClient(t, srv)
	events := operatorSubscribe(t, srv)
	f := subscribe(t, srv, mesos.FrameworkInfo{Capabilities: []mesos.FrameworkCapability{{Type: mesos.CapabilityPartitionAware}}})
	f.runTask("t1")
	id := agentID(t, c)
	if err := c.MarkAgentGone(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	st := f.update()
	if st.State != mesos.TaskGoneByOperator || st.Reason != mesos.ReasonAgentRemovedByOperator || st.Message != "Agent has been marked gone" || st.Source != mesos.SourceMaster {
		t.Fatalf("update %s", mustJSON(st))
	}
	if ev := events.nextOf(mesos.AgentRemoved); ev.AgentRemoved.AgentID != id {
		t.Fatalf("AGENT_REMOVED %s", mustJSON(ev))
	}
	if err := f.c.Reconcile(t.Context(), mesos.ReconcileTask{TaskID: mesos.TaskID{Value: "dummy-task"}, AgentID: &id}); err != nil {
		t.Fatal(err)
	}
	if st := f.update(); st.State != mesos.TaskGoneByOperator || st.Message != "Reconciliation: Task is gone" {
		t.Fatalf("reconciliation %s", mustJSON(st))
	}
	if err := c.MarkAgentGone(t.Context(), id); err != nil {
		t.Fatalf("marking it gone again: %v", err)
	}
	agents, _ := c.Agents(t.Context())
	if len(agents.Agents) != 0 {
		t.Fatalf("GET_AGENTS still lists %s", mustJSON(agents))
	}
	opPost(t, srv.URL, `{"type":"MARK_AGENT_GONE","mark_agent_gone":{"agent_id":{"value":"nope"}}}`).want(t, 404, "Agent 'nope' not found")
}

// TestMasterAPI_CallValidation: every call that needs a payload says so,
// and a payload without its required fields is refused by the protobuf
// conversion, in Mesos' words.
func TestMasterAPI_CallValidation(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	required := map[string]string{
		"set_logging_level": "set_logging_level.level, set_logging_level.duration", "list_files": "list_files.path",
		"read_file": "read_file.path, read_file.offset", "reserve_resources": "reserve_resources.agent_id",
		"unreserve_resources": "unreserve_resources.agent_id", "create_volumes": "create_volumes.agent_id",
		"destroy_volumes": "destroy_volumes.agent_id", "grow_volume": "grow_volume.volume, grow_volume.addition",
		"shrink_volume": "shrink_volume.volume, shrink_volume.subtract", "update_maintenance_schedule": "update_maintenance_schedule.schedule",
		"drain_agent": "drain_agent.agent_id", "deactivate_agent": "deactivate_agent.agent_id", "reactivate_agent": "reactivate_agent.agent_id",
		"set_quota": "set_quota.quota_request", "remove_quota": "remove_quota.role", "teardown": "teardown.framework_id",
		"mark_agent_gone": "mark_agent_gone.agent_id",
	}
	for _, typ := range []string{"GET_METRICS", "SET_LOGGING_LEVEL", "LIST_FILES", "READ_FILE", "UPDATE_WEIGHTS", "RESERVE_RESOURCES",
		"UNRESERVE_RESOURCES", "CREATE_VOLUMES", "DESTROY_VOLUMES", "GROW_VOLUME", "SHRINK_VOLUME", "UPDATE_MAINTENANCE_SCHEDULE",
		"START_MAINTENANCE", "STOP_MAINTENANCE", "DRAIN_AGENT", "DEACTIVATE_AGENT", "REACTIVATE_AGENT", "UPDATE_QUOTA", "SET_QUOTA",
		"REMOVE_QUOTA", "TEARDOWN", "MARK_AGENT_GONE"} {
		payload := strings.ToLower(typ)
		opPost(t, srv.URL, `{"type":"`+typ+`"}`).want(t, 400, "Failed to validate master::Call: Expecting '"+payload+"' to be present")
		if missing, ok := required[payload]; ok {
			opPost(t, srv.URL, `{"type":"`+typ+`","`+payload+`":{}}`).want(t, 400, "Failed to convert JSON into Call protobuf: Missing required fields: "+missing)
		}
	}
	opPost(t, srv.URL, `{"type":"NOPE"}`).want(t, 400, "Failed to validate master::Call: Expecting 'type' to be present")
	opPost(t, srv.URL, `{"type":"UNKNOWN"}`).want(t, 501, "501 Not Implemented.")
	opPost(t, srv.URL, `{"type":"START_MAINTENANCE","start_maintenance":{}}`).want(t, 400, "List of machines is empty")
}
