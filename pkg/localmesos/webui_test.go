package localmesos_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// TestWebPage opens the master's page at / in headless Chromium: it says
// it is the stand-in, lists the agent, the framework, its running task
// and its outstanding offer, shows the task's stdout from its sandbox
// when its link is clicked, and refreshes itself (the task, once killed,
// moves to the completed ones). A screenshot is saved in the test's
// artifact folder (kept with go test -artifacts).
func TestWebPage(t *testing.T) {
	browser := testenv.RequireTool(t, "chromium", "the master's page is tested in a real browser (sudo apt-get install -y --no-install-recommends chromium)")
	srv := start(t, func(c *localmesos.Config) { c.Runner = localmesos.RunnerProcess })
	f := subscribe(t, srv, mesos.FrameworkInfo{Name: "page-test"})
	offer := f.offer()
	ti := simpleTask("web-task", offer)
	ti.Resources = mesos.TaskResources(1, 64)
	ti.Command = &mesos.CommandInfo{Value: "echo hello from web-task; sleep 1000"}
	if err := f.c.Accept(t.Context(), []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(ti)}, mesos.RefuseFor(0)); err != nil {
		t.Fatal(err)
	}
	for st := f.update(); st.State != mesos.TaskRunning; st = f.update() {
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900), chromedp.NoSandbox, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()
	if err := chromedp.Do(ctx); err != nil {
		testenv.Unavailable(t, "Chromium (%s) does not start: %v", browser, err)
	}

	text := func(sel string) string {
		s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	waitText := func(sel, want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(text(sel), want) {
			if time.Now().After(deadline) {
				t.Fatalf("%s never showed %q: it shows %q", sel, want, text(sel))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if h := text("header h1"); !strings.Contains(h, "stand-in") || !strings.Contains(h, "not Apache Mesos") {
		t.Errorf("the page does not say it is the stand-in: %q", h)
	}
	waitText("#tasks tbody", "web-task")
	waitText("#frameworks tbody", "page-test")
	waitText("#agents tbody", srv.ID()+"-S0")
	waitText("#offers tbody", srv.ID()+"-O") // what the task left is offered again
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#tasks a.sandbox-stdout"))); err != nil {
		t.Fatal(err)
	}
	waitText("#viewer-text", "hello from web-task")
	png := screenshot(t, ctx)

	// The page follows the cluster: killed, the task moves on.
	if err := f.c.Kill(t.Context(), ti.TaskID, nil); err != nil {
		t.Fatal(err)
	}
	for st := f.update(); !st.State.Terminal(); st = f.update() { // acknowledged: completed
	}
	waitText("#completed tbody", "TASK_KILLED")
	t.Logf("screenshot: %s", png)
}

// screenshot saves the whole page as a PNG in the test's artifact folder.
func screenshot(t *testing.T, ctx context.Context) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: a PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(t.ArtifactDir(), "localmesos-page.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
