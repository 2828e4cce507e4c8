package executor_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/executor"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// An executor's life with its agent: subscribe, run the task it is given,
// report it until the agent has acknowledged its end. A framework on the
// local stand-in launches the task with an ExecutorInfo; the agent starts
// the executor's command, a stand-in (sleep) whose part this example
// plays, as Mesos' own executor tests do.
func Example() {
	srv, err := localmesos.New(localmesos.Config{Runner: "process", AllocationInterval: 50 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	fwID := launchOnExecutor(ctx, srv.URL, "example-executor")

	// What the agent puts in the executor's environment (FromEnv reads it).
	c, err := executor.New(executor.Config{
		AgentEndpoint: strings.TrimPrefix(srv.AgentURLs[0], "http://"),
		FrameworkID:   fwID, ExecutorID: mesos.ExecutorID{Value: "example-executor"},
	})
	if err != nil {
		log.Fatal(err)
	}
	var sub *executor.Subscription
	for sub == nil { // until the agent has started the executor
		if sub, err = c.Subscribe(ctx); err != nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
	finished := false
events:
	for ev, err := range sub.Events() {
		if err != nil {
			log.Fatal(err)
		}
		switch ev.Type {
		case mesos.ExecutorEventSubscribed:
			fmt.Println("subscribed as", ev.Subscribed.ExecutorInfo.ExecutorID.Value)
		case mesos.ExecutorEventLaunch:
			task := ev.Launch.Task
			fmt.Printf("launch %s: %s\n", task.TaskID.Value, task.Data)
			st, _ := c.Update(ctx, mesos.TaskStatus{TaskID: task.TaskID, State: mesos.TaskRunning})
			fmt.Println("update", st.State)
		case mesos.ExecutorEventAcknowledged:
			fmt.Println("acknowledged by the agent")
			if finished {
				break events // the task's end is the agent's now
			}
			st, _ := c.Update(ctx, mesos.TaskStatus{TaskID: ev.Acknowledged.TaskID, State: mesos.TaskFinished})
			fmt.Println("update", st.State)
			finished = true
		}
	}
	// Output:
	// subscribed as example-executor
	// launch t1: say hello
	// update TASK_RUNNING
	// acknowledged by the agent
	// update TASK_FINISHED
	// acknowledged by the agent
}

// launchOnExecutor subscribes a framework and launches task t1 on a custom
// executor whose command is a stand-in that never subscribes.
func launchOnExecutor(ctx context.Context, master, executorID string) mesos.FrameworkID {
	sched, err := scheduler.New(scheduler.Config{Master: master})
	if err != nil {
		log.Fatal(err)
	}
	sub, err := sched.Subscribe(ctx, mesos.FrameworkInfo{User: "root", Name: "example"})
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for ev, err := range sub.Events() {
			if err != nil {
				return
			}
			switch {
			case ev.Type == mesos.EventOffers:
				o := ev.Offers.Offers[0]
				exec := mesos.ExecutorInfo{ExecutorID: mesos.ExecutorID{Value: executorID},
					Command: &mesos.CommandInfo{Value: "exec sleep 60"}, Resources: mesos.TaskResources(0.1, 32)}
				task := mesos.TaskInfo{Name: "t1", TaskID: mesos.TaskID{Value: "t1"}, AgentID: o.AgentID,
					Resources: mesos.TaskResources(0.1, 32), Executor: &exec, Data: []byte("say hello")}
				sched.Accept(ctx, []mesos.OfferID{o.ID}, []mesos.Operation{mesos.LaunchOp(task)}, mesos.RefuseFor(3600))
			case ev.Type == mesos.EventUpdate && len(ev.Update.Status.UUID) > 0:
				sched.Acknowledge(ctx, ev.Update.Status)
			}
		}
	}()
	return sub.FrameworkID
}
