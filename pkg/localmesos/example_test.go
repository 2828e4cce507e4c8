package localmesos_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/scheduler"
)

// Start a stand-in, subscribe a framework to it with the project's
// scheduler client, and look at the first offer.
func ExampleNew() {
	srv, err := localmesos.New(localmesos.Config{Runner: "simulated"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := scheduler.New(scheduler.Config{Master: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	sub, err := c.Subscribe(context.Background(), mesos.FrameworkInfo{User: "root", Name: "example"})
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()

	for ev, err := range sub.Events() {
		if err != nil {
			log.Fatal(err)
		}
		if ev.Type == mesos.EventOffers {
			offer := ev.Offers.Offers[0]
			fmt.Println("cpus:", offer.Resources.CPUs())
			fmt.Println("ports:", offer.Resources.Ports())
			break
		}
	}
	// Output:
	// cpus: 4
	// ports: [9000-10000]
}
