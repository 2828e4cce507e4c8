//go:build unix

package notebooks_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/chromedp/chromedp"

	"github.com/mesosnb/mesosnb/internal/nbexec"
)

const (
	// browserRunTimeout bounds Run All in the browser. The headless runs
	// have warmed the build cache when this test follows them; alone, with
	// a cold cache, the first Go cell compiles the project's packages.
	browserRunTimeout = 10 * time.Minute
	// serverStartTimeout bounds the notebook server's start.
	serverStartTimeout = time.Minute
	// pageReadyTimeout bounds loading the notebook page and starting its
	// kernel, on a machine that may be busy compiling.
	pageReadyTimeout = 2 * time.Minute
)

// chromiumInstall installs the browser the test drives, as .ci/run does.
const chromiumInstall = "sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core"

// readOnlyConfig is the notebook server's configuration for the test. The
// server opens the repository's own Demo-API.ipynb, and a browser that runs
// its cells would otherwise autosave this machine's outputs over the
// committed ones: its contents manager refuses every save.
const readOnlyConfig = `# Written by test/notebooks/ui_test.go for one test run.
from notebook.services.contents.filemanager import FileContentsManager
from tornado import web


class ReadOnlyContentsManager(FileContentsManager):
    """Serves the repository's notebooks and never writes them."""

    def save(self, model, path=""):
        raise web.HTTPError(403, "read-only: this notebook server belongs to a test")


c.NotebookApp.contents_manager_class = ReadOnlyContentsManager
`

// TestNotebookInBrowser opens Demo-API.ipynb in Jupyter's classic
// notebook server with headless Chromium (issue 5, item 7), runs all its
// cells through the UI (runInBrowser), and checks that the offer and task
// tables are rendered in the page.
func TestNotebookInBrowser(t *testing.T) {
	ctx, res := runInBrowser(t, "Demo-API")
	tables, err := chromedp.Run(ctx, chromedp.Evaluate[renderedTables](renderedTablesJS))
	if err != nil {
		t.Fatal(err)
	}
	checkRenderedTables(t, tables)
	if !strings.Contains(res.Text, fmt.Sprintf("title %q", demoSiteTitle(t))) {
		t.Errorf("the page served by the container (title %q) is not shown", demoSiteTitle(t))
	}
	if !strings.Contains(res.Text, containerSaid) {
		t.Errorf("the container's own output (%q), read from its sandbox, is not shown", containerSaid)
	}
}

// runInBrowser opens notebooks/<name>.ipynb in Jupyter's classic
// notebook server with headless Chromium, against a stand-in of the
// test's own, clears the committed outputs, runs all cells through the
// Cell > Run All menu, waits until every cell has run, and fails the test
// if one failed. It saves a full-page screenshot in the test's artifact
// folder (kept with go test -artifacts), and returns the browser, open on
// the page until the test ends, and what the run showed.
func runInBrowser(t *testing.T, name string) (context.Context, runState) {
	needKernel(t)
	needDocker(t)
	browser := chromiumPath()
	if browser == "" {
		testenv.Unavailable(t, "no Chromium; install it with: %s", chromiumInstall)
	}
	root := repoRoot(t)
	notebook := filepath.Join(root, "notebooks", name+".ipynb")
	before := fileSum(t, notebook)
	checkpoints := filepath.Join(root, "notebooks", ".ipynb_checkpoints")
	_, hadCheckpoints := os.Stat(checkpoints)
	t.Cleanup(func() {
		if fileSum(t, notebook) != before {
			t.Errorf("%s was changed by the test: restore it with git checkout", notebook)
		}
		if hadCheckpoints != nil {
			os.RemoveAll(checkpoints)
		}
	})

	logf, err := os.Create(filepath.Join(t.ArtifactDir(), "localmesos.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	srv, err := standIn(logf)
	if err != nil {
		t.Fatalf("start localmesos: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	sessions := t.TempDir()
	// Cleanups run last in, first out: the listener stops before the
	// master does.
	t.Cleanup(func() { stopSessions(t, sessions) })

	base, token := startNotebookServer(t, notebookEnv(srv.URL, sessions))

	ctx, cancel := boundedContext(t, browserRunTimeout+2*time.Minute)
	t.Cleanup(cancel)
	ctx, stop := startChromium(t, ctx, browser)
	t.Cleanup(stop)

	// The page is ready to run cells once the notebook is loaded and its
	// kernel is connected.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"notebooks/"+name+".ipynb?token="+token)); err != nil {
		t.Fatalf("open the notebook: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())`,
		chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(pageReadyTimeout))); err != nil {
		t.Fatalf("the notebook did not load with a connected kernel within %v: %v\npage: %s\nscreenshot: %s", pageReadyTimeout, err, pageState(ctx), screenshot(t, ctx))
	}
	// No autosave attempts (the server would refuse them anyway), and no
	// committed output left that the checks below could mistake for this
	// run's.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](
		`Jupyter.notebook.set_autosave_interval(0); Jupyter.notebook.clear_all_output();`)); err != nil {
		t.Fatal(err)
	}

	// Cell > Run All, the way a reader does it.
	began := time.Now()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("celllink")),
		chromedp.WaitVisible(chromedp.CSS(`#run_all_cells > a`)),
		chromedp.Click(chromedp.CSS(`#run_all_cells > a`)),
	); err != nil {
		t.Fatalf("Cell > Run All: %v", err)
	}
	res, err := chromedp.Run(ctx, chromedp.Poll[runState](runStateJS,
		chromedp.WithPollingInterval(time.Second), chromedp.WithPollingTimeout(browserRunTimeout)))
	took := time.Since(began)
	shot := screenshot(t, ctx)
	if err != nil {
		t.Fatalf("the cells did not all run within %v: %v\npage: %s\nscreenshot: %s", browserRunTimeout, err, pageState(ctx), shot)
	}
	t.Logf("Run All in the browser: %d code cells in %v", res.Cells, took.Round(100*time.Millisecond))
	if len(res.Errors) > 0 {
		t.Fatalf("cells failed in the browser (screenshot %s):\n%s", shot, strings.Join(res.Errors, "\n"))
	}
	return ctx, res
}

// pageState says where the page is, for a failure message: its address
// and title, how far the notebook got, and any dialog it shows.
func pageState(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		href: location.href.replace(/token=[^&]*/, 'token=…'),
		title: document.title,
		jupyter: !!window.Jupyter,
		loaded: !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded),
		kernel: window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel ? {connected: Jupyter.notebook.kernel.is_connected(), busy: Jupyter.notebook.kernel_busy} : null,
		prompts: window.Jupyter && Jupyter.notebook ? Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code').map(c => c.input_prompt_number) : [],
		dialogs: [...document.querySelectorAll('.modal-dialog')].map(d => d.innerText.slice(0, 300)),
		indicator: (document.querySelector('#notification_kernel') || {}).innerText,
	})`))
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return state
}

// runState is what runStateJS reports once every code cell has run, or
// as soon as one failed.
type runState struct {
	Cells  int      // code cells
	Errors []string // the text of error outputs, and of stderr that says a cell failed
	Text   string   // the text of the stream outputs
}

// runStateJS is false while cells are queued or running (a "*" prompt,
// or none yet) or the kernel is busy; then it reports the run.
const runStateJS = `(() => {
	const nb = Jupyter.notebook;
	// An empty code cell is never run and keeps a blank prompt.
	const code = nb.get_cells().filter(c => c.cell_type === 'code' && c.get_text().trim() !== '');
	const errors = [];
	for (const el of document.querySelectorAll('.output_error')) errors.push(el.innerText);
	for (const el of document.querySelectorAll('.output_stderr')) {
		if (/panic:|exit status|^error:/m.test(el.innerText)) errors.push(el.innerText);
	}
	const done = code.every(c => typeof c.input_prompt_number === 'number') && !nb.kernel_busy;
	if (!done && errors.length === 0) return false;
	const text = [...document.querySelectorAll('.output_stream')].map(el => el.innerText).join('\n');
	return {Cells: code.length, Errors: errors, Text: text};
})()`

// renderedTables are the session package's HTML tables as the browser
// rendered them.
type renderedTables struct {
	Offers []renderedTable
	Tasks  []renderedTable
}

// renderedTable is one rendered table: its title, header, rows, and
// whether it takes up room on the page.
type renderedTable struct {
	Title   string
	Header  []string
	Rows    [][]string
	Visible bool
}

// renderedTablesJS collects the tables titled "N outstanding offer(s)"
// and "Tasks" from the cells' HTML outputs.
const renderedTablesJS = `(() => {
	const out = {Offers: [], Tasks: []};
	for (const el of document.querySelectorAll('.output_html')) {
		const b = el.querySelector('b'), table = el.querySelector('table');
		if (!b || !table) continue;
		const rows = [...table.querySelectorAll('tr')].map(tr => [...tr.querySelectorAll('th,td')].map(c => c.textContent.trim()));
		const t = {Title: b.textContent.trim(), Header: rows[0] || [], Rows: rows.slice(1), Visible: table.getBoundingClientRect().height > 0};
		if (/^\d+ outstanding offer\(s\)$/.test(t.Title)) out.Offers.push(t);
		if (t.Title === 'Tasks') out.Tasks.push(t);
	}
	return out;
})()`

// checkRenderedTables wants a rendered offer table with an offer in it,
// and rendered task tables showing the task running, then killed.
func checkRenderedTables(t *testing.T, got renderedTables) {
	t.Helper()
	offers := false
	for _, tb := range got.Offers {
		offers = offers || (tb.Visible && len(tb.Rows) > 0 && len(tb.Header) > 0 && tb.Header[0] == "offer")
	}
	if !offers {
		t.Errorf("no rendered table of outstanding offers with an offer in it: %+v", got.Offers)
	}
	for _, state := range []string{"TASK_RUNNING", "TASK_KILLED"} {
		found := false
		for _, tb := range got.Tasks {
			col := indexOf(tb.Header, "state")
			for _, r := range tb.Rows {
				found = found || (tb.Visible && col >= 0 && col < len(r) && r[col] == state)
			}
		}
		if !found {
			t.Errorf("no rendered Tasks table with a task in %s: %+v", state, got.Tasks)
		}
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// chromiumPath is Debian's Chromium, else a Chromium or Chrome on PATH.
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startChromium starts headless Chromium for the test and returns its
// context. Chromium must reach nothing but the notebook server: the
// background services that call home are off, and every address but
// loopback (which Chromium never sends to a proxy) goes to a proxy that
// does not exist, so a page that asks the Internet for a script fails fast
// instead of waiting on the closed network.
func startChromium(t *testing.T, parent context.Context, path string) (context.Context, context.CancelFunc) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1024),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
		chromedp.UserDataDir(t.TempDir()),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root inside its sandbox.
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// Start the browser now, on the context that lives as long as the
	// test's, so that its start-up errors are reported here.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		testenv.Unavailable(t, "Chromium (%s) does not start: %v; install it with: %s", path, err, chromiumInstall)
	}
	return ctx, func() { cancelCtx(); cancelAlloc() }
}

// screenshot saves the whole notebook as a PNG in the test's artifact
// folder and returns its path. The classic notebook scrolls inside its
// #site element, not the page, so that element is first let grow to its
// content: otherwise the screenshot would show one screenful.
func screenshot(t *testing.T, ctx context.Context) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.createElement('style');
		s.textContent = 'html, body, #site { height: auto !important; overflow: visible !important; }';
		document.head.appendChild(s);
	})()`))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return "(none)"
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return "(none)"
	}
	path := filepath.Join(t.ArtifactDir(), "notebook.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
		return "(none)"
	}
	t.Logf("screenshot: %s", path)
	return path
}

// startNotebookServer starts Jupyter's classic notebook server on a free
// loopback port in the repository's notebooks folder, with env added to
// its environment (the kernels it starts inherit it), and returns its base
// URL and login token. The server runs in a process group of its
// own, its configuration and runtime files are the test's, and it is
// stopped, kernels included, when the test ends.
func startNotebookServer(t *testing.T, env []string) (base, token string) {
	t.Helper()
	dir := t.TempDir()
	configDir, runtimeDir := filepath.Join(dir, "config"), filepath.Join(dir, "runtime")
	for _, d := range []string{configDir, runtimeDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(configDir, "jupyter_notebook_config.py"), []byte(readOnlyConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	token = randomToken(t)
	port := testenv.Port(t)
	args := []string{"notebook", "--no-browser", "--ip=127.0.0.1", "--port=" + strconv.Itoa(port),
		"--NotebookApp.port_retries=0", // fail rather than move to another port
		"--NotebookApp.token=" + token,
		"--notebook-dir=" + filepath.Join(repoRoot(t), "notebooks")}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	logPath := filepath.Join(t.ArtifactDir(), "jupyter-notebook.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nbexec.Jupyter(), args...)
	cmd.Env = append(append(os.Environ(), env...), "JUPYTER_CONFIG_DIR="+configDir, "JUPYTER_RUNTIME_DIR="+runtimeDir)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		testenv.Unavailable(t, "start the Jupyter notebook server: %v; install it with: %s", err, jupyterInstall)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(exited) }()
	base = fmt.Sprintf("http://127.0.0.1:%d/", port)
	t.Cleanup(func() { stopNotebookServer(t, cmd, base, token, exited, runtimeDir) })

	deadline := time.Now().Add(serverStartTimeout)
	for {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"api/status", nil)
		req.Header.Set("Authorization", "token "+token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("the Jupyter notebook server exited: %s", lastLines(string(b), 20))
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("the Jupyter notebook server did not answer within %v: %s", serverStartTimeout, lastLines(string(b), 20))
		}
	}
	return base, token
}

// stopNotebookServer shuts the kernels down through the server's API (a
// kernel runs in a session of its own, which signals to the server's
// process group do not reach), then stops the server: SIGTERM to its
// process group, SIGKILL after a grace period. Any kernel still running
// after that is stopped by its pid.
func stopNotebookServer(t *testing.T, cmd *exec.Cmd, base, token string, exited <-chan struct{}, runtimeDir string) {
	client := &http.Client{Timeout: 10 * time.Second}
	call := func(method, path string) (*http.Response, error) {
		req, _ := http.NewRequest(method, base+path, nil)
		req.Header.Set("Authorization", "token "+token)
		return client.Do(req)
	}
	if resp, err := call(http.MethodGet, "api/kernels"); err == nil {
		var kernels []struct{ ID string }
		json.NewDecoder(resp.Body).Decode(&kernels)
		resp.Body.Close()
		for _, k := range kernels {
			if resp, err := call(http.MethodDelete, "api/kernels/"+k.ID); err == nil {
				resp.Body.Close()
			}
		}
	}
	pgid := cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
	stopKernels(t, runtimeDir)
}

// randomToken is a fresh login token for the notebook server.
func randomToken(t *testing.T) string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// fileSum is the SHA-256 of a file, to notice a change.
func fileSum(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
