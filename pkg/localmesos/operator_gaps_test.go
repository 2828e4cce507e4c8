package localmesos_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// /files/debug on a running master and agent: every virtual path it lists
// is one the files endpoints serve, and maps to a real file or folder; the
// agent's include a task's sandbox under its run id and its "latest" alias
// (FilesTest.DebugTest checks the map; this checks it on live servers).
func TestFilesDebugOnRunningServers(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	f.runTask("t1")
	debug := func(base string) map[string]string {
		a := do(t, "GET", base+"/files/debug", nil, "")
		var m map[string]string
		if a.code != 200 || json.Unmarshal([]byte(a.body), &m) != nil {
			t.Fatalf("GET %s/files/debug: %d %s", base, a.code, a.body)
		}
		for virtual, real := range m {
			if _, err := os.Stat(real); err != nil {
				t.Errorf("%s/files/debug: %s -> %s: %v", base, virtual, real, err)
			}
		}
		return m
	}
	if m := debug(srv.URL); m["/master/log"] == "" {
		t.Errorf("master /files/debug lacks /master/log: %v", m)
	}
	m := debug(srv.AgentURLs[0])
	latest := "/frameworks/" + f.id().Value + "/executors/t1/runs/latest"
	if m["/slave/log"] == "" || m[latest] == "" {
		t.Fatalf("agent /files/debug lacks /slave/log or %s: %v", latest, m)
	}
	// Mesos attaches the sandbox twice: by its real path and by the alias.
	if m[m[latest]] != m[latest] || !strings.Contains(m[latest], "/executors/t1/runs/") {
		t.Fatalf("the sandbox of t1 is not attached by its run path beside %s: %v", latest, m)
	}
	if a := do(t, "GET", srv.AgentURLs[0]+"/files/browse?path="+latest, nil, ""); a.code != 200 || !strings.Contains(a.body, latest+"/stdout") {
		t.Fatalf("browse %s: %d %s", latest, a.code, a.body)
	}
}

// GET_EXECUTORS of the master lists no command executors (Mesos tracks
// only custom ones there), before and after a command task runs; the
// agent's GET_OPERATIONS is empty, as on an agent without resource
// providers (api_tests.cpp MasterAPITest.GetExecutors, AgentAPITest.GetOperations).
func TestMasterAPI_GetExecutorsAndAgentOperations(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	opPost(t, srv.URL, `{"type":"GET_EXECUTORS"}`).want(t, 200, `{"type":"GET_EXECUTORS","get_executors":{"executors":[]}}`)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	f.runTask("t1")
	opPost(t, srv.URL, `{"type":"GET_EXECUTORS"}`).want(t, 200, `{"type":"GET_EXECUTORS","get_executors":{"executors":[]}}`)
	do(t, "POST", srv.AgentURLs[0]+"/api/v1", jsonHeaders(), `{"type":"GET_OPERATIONS"}`).want(t, 200, `{"type":"GET_OPERATIONS","get_operations":{}}`)
}
