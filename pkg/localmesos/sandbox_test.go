package localmesos_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// agentState reads the agent's /state.
func agentState(t *testing.T, agentURL string) mesos.SlaveState {
	t.Helper()
	a := do(t, http.MethodGet, agentURL+"/state", nil, "")
	var st mesos.SlaveState
	if err := json.Unmarshal([]byte(a.body), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// sandboxOf finds a task's executor directory in the agent's /state,
// running or completed.
func sandboxOf(t *testing.T, agentURL, taskID string) string {
	t.Helper()
	st := agentState(t, agentURL)
	for _, fws := range [][]mesos.SlaveFramework{st.Frameworks, st.CompletedFrameworks} {
		for _, f := range fws {
			for _, e := range append(f.Executors, f.CompletedExecutors...) {
				if e.ID == taskID {
					return e.Directory
				}
			}
		}
	}
	t.Fatalf("no executor of task %s in the agent's /state", taskID)
	return ""
}

// readFile is GET /files/read on the agent.
func readFile(t *testing.T, agentURL, path string, offset, length int) answer {
	t.Helper()
	q := url.Values{"path": {path}, "offset": {itoa(offset)}, "length": {itoa(length)}}
	return do(t, http.MethodGet, agentURL+"/files/read?"+q.Encode(), nil, "")
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestSandboxProcessTask: a command task's output is in its sandbox, which
// the agent serves at the directory /state names, at the virtual
// /frameworks/.../runs/latest path and through runs/latest; reads past the
// end are empty, negative lengths and escapes are refused in Mesos' words.
func TestSandboxProcessTask(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Runner = "process" })
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	offer := f.offer()
	ti := simpleTask("echo", offer)
	ti.Command = &mesos.CommandInfo{Value: "echo hello out; echo hello err >&2"}
	f.launch(offer, ti)
	for st := f.update(); !st.State.Terminal(); st = f.update() {
	}
	agent := srv.AgentURLs[0]
	dir := sandboxOf(t, agent, "echo")
	virtual := "/frameworks/" + f.id().Value + "/executors/echo/runs/latest"
	latest := dir[:strings.LastIndex(dir, "/")] + "/latest"
	for _, p := range []string{dir, virtual, latest} {
		readFile(t, agent, p+"/stdout", 0, -1).want(t, 200, `{"data":"hello out\n","offset":0}`)
		readFile(t, agent, p+"/stderr", 6, 3).want(t, 200, `{"data":"err","offset":6}`)
	}
	readFile(t, agent, virtual+"/stdout", 1000, -1).want(t, 200, `{"data":"","offset":1000}`)
	readFile(t, agent, virtual+"/stdout", 0, -5).want(t, 400, "Negative length provided: -5.\n")
	readFile(t, agent, virtual+"/nope", 0, -1).want(t, 404, "")
	up := strings.Repeat("../", 30) + "etc/passwd"
	readFile(t, agent, virtual+"/"+up, 0, -1).want(t, 400, "'"+dir+"/"+up+"' is inaccessible.\n")
	readFile(t, agent, virtual+"/..", 0, -1).want(t, 400, "'"+dir+"/..' is inaccessible.\n")
	readFile(t, agent, virtual+"/../../nope", 0, -1).want(t, 404, "")
	b := do(t, http.MethodGet, agent+"/files/browse?path="+url.QueryEscape(virtual), nil, "")
	if b.code != 200 || !strings.Contains(b.body, `"path":"`+virtual+`/stderr"`) || !strings.Contains(b.body, `"path":"`+virtual+`/stdout"`) {
		t.Errorf("browse %s: %d %s", virtual, b.code, b.body)
	}
	d := do(t, http.MethodGet, agent+"/files/download?path="+url.QueryEscape(virtual+"/stdout"), nil, "")
	if d.code != 200 || d.body != "hello out\n" || d.header.Get("Content-Disposition") != "attachment; filename=stdout" {
		t.Errorf("download: %d %q %v", d.code, d.body, d.header)
	}
	// The agent's own log is at /slave/log, the master's at /master/log.
	if a := do(t, http.MethodGet, agent+"/files/read?path=/slave/log&offset=0", nil, ""); a.code != 200 || !strings.Contains(a.body, "launching task") {
		t.Errorf("/slave/log: %d %.300s", a.code, a.body)
	}
	if a := do(t, http.MethodGet, srv.URL+"/files/read?path=/master/log", nil, ""); a.code != 200 || !strings.Contains(a.body, `"offset":`) {
		t.Errorf("/master/log: %d %.300s", a.code, a.body)
	}
	// The master serves its own files only, as Mesos' does.
	if a := do(t, http.MethodGet, srv.URL+"/files/read?path="+url.QueryEscape(virtual+"/stdout")+"&offset=0", nil, ""); a.code != 404 {
		t.Errorf("a sandbox through the master: %d %s", a.code, a.body)
	}
}

// TestSandboxLargeStdoutInChunks: a 1 MiB stdout read 64 KiB at a time,
// as Mesos hands it out, is the file.
func TestSandboxLargeStdoutInChunks(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Runner = "process" })
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	offer := f.offer()
	ti := simpleTask("big", offer)
	// 1 MiB of numbered lines: any chunk out of place shows.
	ti.Command = &mesos.CommandInfo{Value: `i=0; while [ $i -lt 65536 ]; do printf '%015d\n' $i; i=$((i+1)); done`}
	f.launch(offer, ti)
	for st := f.update(); !st.State.Terminal(); st = f.update() {
		if st.State == mesos.TaskFailed {
			t.Fatal(st.Message)
		}
	}
	path := "/frameworks/" + f.id().Value + "/executors/big/runs/latest/stdout"
	var got bytes.Buffer
	for {
		a := readFile(t, srv.AgentURLs[0], path, got.Len(), -1)
		var chunk struct {
			Data   string `json:"data"`
			Offset int    `json:"offset"`
		}
		if a.code != 200 || json.Unmarshal([]byte(a.body), &chunk) != nil || chunk.Offset != got.Len() {
			t.Fatalf("read at %d: %d %.200s", got.Len(), a.code, a.body)
		}
		if chunk.Data == "" {
			break
		}
		if len(chunk.Data) > 64<<10 {
			t.Fatalf("a read returned %d bytes, more than Mesos' 64 KiB", len(chunk.Data))
		}
		got.WriteString(chunk.Data)
	}
	var want bytes.Buffer
	for i := 0; i < 65536; i++ {
		want.WriteString(strings.Repeat("0", 15-len(itoa(i))) + itoa(i) + "\n")
	}
	if got.Len() != 1<<20 || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("read %d bytes, want the 1 MiB file", got.Len())
	}
}

// TestSandboxSimulatedTask: a simulated task's stdout says that nothing
// ran, and its stderr is empty.
func TestSandboxSimulatedTask(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, mesos.FrameworkInfo{})
	f.runTask("sim")
	path := "/frameworks/" + f.id().Value + "/executors/sim/runs/latest/"
	want, _ := json.Marshal(localmesos.SimulatedStdout("sim"))
	readFile(t, srv.AgentURLs[0], path+"stdout", 0, -1).want(t, 200, `{"data":`+string(want)+`,"offset":0}`)
	readFile(t, srv.AgentURLs[0], path+"stderr", 0, -1).want(t, 200, `{"data":"","offset":0}`)
}
