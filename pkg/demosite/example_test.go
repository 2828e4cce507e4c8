package demosite_test

import (
	"fmt"

	"github.com/mesosnb/mesosnb/pkg/demosite"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The task for an offer: a slice of its resources, and the first port it
// offers mapped to the container's port 80.
func ExampleTask() {
	offer := mesos.Offer{AgentID: mesos.AgentID{Value: "S0"},
		Resources: mesos.Resources{{Name: "ports", Type: mesos.Ranges, Ranges: &mesos.RangesValue{Range: []mesos.Range{{Begin: 9000, End: 9010}}}}}}
	task := demosite.Task(offer, demosite.Local)
	m := task.Container.Docker.PortMappings[0]
	fmt.Println(task.Name, "on", task.AgentID.Value, "runs", task.Container.Docker.Image)
	fmt.Printf("%g cpus, %g MB, host port %d -> container port %d\n", task.Resources.CPUs(), task.Resources.Mem(), m.HostPort, m.ContainerPort)
	// Output:
	// demo-site on S0 runs mesosnb/demo-site:dev
	// 0.2 cpus, 64 MB, host port 9000 -> container port 80
}
