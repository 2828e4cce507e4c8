package mesostest_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/mesosnb/mesosnb/pkg/mesostest"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// A program (a benchmark, a notebook's tool) starts real Mesos with
// StartProcess; tests call mesostest.Start(t, opts) instead.
func ExampleStartProcess() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "mesos")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	cluster, err := mesostest.StartProcess(ctx, dir, mesostest.Options{Docker: mesostest.DockerOff})
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Stop()

	op, err := operator.New(operator.Config{Master: cluster.URL()})
	if err != nil {
		log.Fatal(err)
	}
	defer op.Close()
	v, err := op.Version(ctx)
	if err != nil {
		log.Fatal(err)
	}
	agents, err := op.Agents(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Mesos %s, %d agent\n", v.Version, len(agents.Agents))
	// Output: Mesos 1.11.0, 1 agent
}
