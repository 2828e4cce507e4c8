package scheduler_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// A framework's whole life: subscribe, take an offer, launch a task,
// acknowledge its updates until it runs, kill it, tear down. The master is
// the local stand-in, started in-process.
func ExampleClient_Subscribe() {
	srv, err := localmesos.New(localmesos.Config{Runner: "simulated", AllocationInterval: 50 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx := context.Background()
	c, err := scheduler.New(scheduler.Config{Master: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	sub, err := c.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: "example", FailoverTimeout: 60})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("subscribed, heartbeat every", sub.HeartbeatInterval)
	launched := false
	for ev, err := range sub.Events() {
		if err != nil {
			fmt.Println("stream ended")
			break
		}
		switch ev.Type {
		case mesos.EventOffers:
			if launched {
				continue // later offers: leave them, the master takes them back
			}
			launched = true
			o := ev.Offers.Offers[0]
			fmt.Printf("offer: %g cpus, ports %s\n", o.Resources.CPUs(), o.Resources.Ports())
			task := mesos.TaskInfo{Name: "hello", TaskID: mesos.TaskID{Value: "hello-1"}, AgentID: o.AgentID,
				Resources: mesos.TaskResources(0.1, 32), Command: &mesos.CommandInfo{Value: "sleep 60"}}
			if err := c.Accept(ctx, []mesos.OfferID{o.ID}, []mesos.Operation{mesos.LaunchOp(task)}, nil); err != nil {
				log.Fatal(err)
			}
		case mesos.EventUpdate:
			st := ev.Update.Status
			fmt.Println("update:", st.TaskID.Value, st.State)
			if len(st.UUID) > 0 {
				c.Acknowledge(ctx, st)
			}
			switch st.State {
			case mesos.TaskRunning:
				c.Kill(ctx, st.TaskID, st.AgentID)
			case mesos.TaskKilled:
				c.Teardown(ctx)
			}
		}
	}
	// Output:
	// subscribed, heartbeat every 15s
	// offer: 4 cpus, ports [9000-10000]
	// update: hello-1 TASK_STARTING
	// update: hello-1 TASK_RUNNING
	// update: hello-1 TASK_KILLED
	// stream ended
}
