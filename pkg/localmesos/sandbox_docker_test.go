package localmesos

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// TestSandboxDockerTask: a Docker task's output is copied into its
// sandbox's stdout and stderr, as Mesos' Docker executor does, and the
// agent serves them at the sandbox's virtual path.
func TestSandboxDockerTask(t *testing.T) {
	engine := requireDocker(t)
	image := buildTestImage(t, engine)
	srv, err := New(Config{Runner: RunnerDocker, AllocationInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := scheduler.New(scheduler.Config{Master: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub, err := c.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for ev, err := range sub.Events() {
		if err != nil {
			t.Fatal(err)
		}
		switch ev.Type {
		case mesos.EventOffers:
			o := ev.Offers.Offers[0]
			task := mesos.TaskInfo{Name: "dock", TaskID: mesos.TaskID{Value: "dock"}, AgentID: o.AgentID,
				Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Shell: new(false), Arguments: []string{"-exit", "0"}},
				Container: &mesos.ContainerInfo{Type: mesos.ContainerDocker, Docker: &mesos.DockerInfo{Image: image, Network: mesos.NetworkNone}}}
			if err := c.Accept(ctx, []mesos.OfferID{o.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
				t.Fatal(err)
			}
			continue
		case mesos.EventUpdate:
			st := ev.Update.Status
			if len(st.UUID) > 0 {
				c.Acknowledge(ctx, st)
			}
			if !st.State.Terminal() {
				continue
			}
			if st.State != mesos.TaskFinished {
				t.Fatalf("task ended %s: %s", st.State, st.Message)
			}
		default:
			continue
		}
		break
	}
	base := srv.AgentURLs[0] + "/files/read?offset=0&path=" + url.QueryEscape("/frameworks/"+sub.FrameworkID.Value+"/executors/dock/runs/latest/")
	for file, want := range map[string]string{"stdout": "webserver: started", "stderr": "webserver: this line goes to stderr"} {
		testenv.Eventually(t, 10*time.Second, "the container's "+file+" in the sandbox", func() bool {
			resp, err := http.Get(base + file)
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return strings.Contains(string(b), want)
		})
	}
}
