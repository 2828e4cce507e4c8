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
	opts := session.Options{Dir: dir, Client: httpapi.Config{Master: master.URL},
		Framework: mesos.FrameworkInfo{User: "root", Name: "example"}}

	// Cell 1: subscribe. Run it again, or from a restarted kernel, and it
	// attaches to the same listener and framework.
	s, err := session.Start(context.Background(), opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("session:", s.How)

	// Cell 2: every later cell resumes the session (restarting a listener
	// that died), then waits for what it needs, as long as ctx allows.
	s, err = session.Resume(context.Background(), opts)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := s.WaitOffer(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("offer from", offer.Hostname, "with", offer.Resources.CPUs(), "cpus")

	// The last cell: the listener ends; the framework waits for its
	// failover timeout (TEARDOWN through s.Client() would end it now).
	if err := s.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	st, _ := s.State()
	fmt.Println("listener:", st.Status)
	// Output:
	// session: started
	// offer from 127.0.0.1 with 4 cpus
	// listener: stopped
}

// A cell that launches a task on an offer, waits for it to run and kills
// it. Every call the client makes is recorded, so that Offers no longer
// lists the offer the ACCEPT used, and shown to the Observer (in a
// notebook, display.Observer draws each call with its answer).
func ExampleSession_Client() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := session.Resume(ctx, session.Options{})
	if err != nil {
		log.Fatal(err) // "no session in this kernel yet: run the Subscribe cell first"
	}
	offer, err := s.WaitOffer(ctx)
	if err != nil {
		log.Fatal(err)
	}
	c, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	task := mesos.TaskInfo{Name: "hello", TaskID: session.TaskID("hello"), AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "echo hello; sleep 60"}}
	if err := c.Accept(ctx, []mesos.OfferID{offer.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := s.WaitTask(ctx, task.TaskID, mesos.TaskRunning); err != nil {
		log.Fatal(err) // says in words how the task ended, if it did
	}
	if err := c.Kill(ctx, task.TaskID, &offer.AgentID); err != nil {
		log.Fatal(err)
	}
	t, err := s.WaitTask(ctx, task.TaskID, mesos.TaskKilled)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.ID.Value, "went", t.States)
}
