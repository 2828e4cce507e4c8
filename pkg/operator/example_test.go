package operator_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// Ask a master what it runs, as an operator: its agents and their
// resources. The master is the local stand-in, started in-process.
func ExampleClient_Agents() {
	srv, err := localmesos.New(localmesos.Config{Runner: "simulated"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := operator.New(operator.Config{Master: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	agents, err := c.Agents(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range agents.Agents {
		fmt.Printf("%s: %g cpus, %g MB, ports %s\n", a.Version, a.TotalResources.CPUs(), a.TotalResources.Mem(), a.TotalResources.Ports())
	}
	// Output: 1.11.0: 4 cpus, 4096 MB, ports [9000-10000]
}

// Ask an agent itself: its health and its version, through its own
// operator API.
func ExampleClient_Agent() {
	srv, err := localmesos.New(localmesos.Config{Runner: "simulated"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()

	c, err := operator.New(operator.Config{Master: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	agents, err := c.Agents(ctx)
	if err != nil {
		log.Fatal(err)
	}
	agent, err := c.Agent(agents.Agents[0].Address())
	if err != nil {
		log.Fatal(err)
	}
	healthy, err := agent.Health(ctx)
	if err != nil {
		log.Fatal(err)
	}
	v, err := agent.Version(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("healthy:", healthy, "version:", v.Version)
	// Output: healthy: true version: 1.11.0
}
