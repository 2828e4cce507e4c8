package session_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// The subscribe cell and a cell that looks at the offers, against a local
// stand-in master. In a notebook MESOS_MASTER names the master and the
// session folder is under the user's cache directory; both are set here
// so that the example cleans up after itself.
func Example() {
	master, err := localmesos.New(localmesos.Config{Runner: "simulated"})
	if err != nil {
		log.Fatal(err)
	}
	defer master.Close()
	dir, err := os.MkdirTemp("", "session-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	// Cell 1: subscribe. Run it again, or from a restarted kernel, and it
	// attaches to the same listener and framework.
	s, err := session.Start(ctx, session.Options{Dir: dir, Client: httpapi.Config{Master: master.URL},
		Framework: mesos.FrameworkInfo{User: "root", Name: "example"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("session:", s.How)

	// Cell 2: what is on offer?
	if _, err := s.WaitOffer(ctx, 10*time.Second); err != nil {
		log.Fatal(err)
	}
	offers, err := s.Offers()
	if err != nil {
		log.Fatal(err)
	}
	session.ShowOffers(offers)

	// The last cell: the listener ends; the framework waits for its
	// failover timeout (TEARDOWN through s.Client() would end it now).
	if err := s.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	st, _ := s.State()
	fmt.Println("listener:", st.Status)
	// Output:
	// session: started
	// 1 outstanding offer(s)
	// offer  agent  host       cpus  mem MB  disk MB  ports         attributes
	// …-O0   …-S0   127.0.0.1  4     4096    10240    [9000-10000]  rack:r2d2; pod:demo,dev
	// listener: stopped
}

// A cell that launches a task on an offer, waits for it to run and kills
// it. Every call the client makes is shown with its answer, and recorded,
// so that Offers no longer lists the offer the ACCEPT used.
func ExampleSession_Client() {
	ctx := context.Background()
	s, err := session.Start(ctx, session.Options{})
	if err != nil {
		log.Fatal(err)
	}
	offer, err := s.WaitOffer(ctx, time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	c, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	task := mesos.TaskInfo{Name: "hello", TaskID: mesos.TaskID{Value: session.TaskID("hello")}, AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "echo hello; sleep 60"}}
	if err := c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := s.WaitTask(ctx, task.TaskID.Value, time.Minute, mesos.TaskRunning); err != nil {
		log.Fatal(err)
	}
	if err := c.Kill(ctx, task.TaskID, &offer.AgentID); err != nil {
		log.Fatal(err)
	}
	if _, err := s.WaitTask(ctx, task.TaskID.Value, time.Minute, mesos.TaskKilled); err != nil {
		log.Fatal(err)
	}
	tasks, err := s.Tasks()
	if err != nil {
		log.Fatal(err)
	}
	session.ShowTasks(tasks)
}
