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

// Four copies wanted, on an offer with room for three: three tasks, each
// with a port of its own.
func ExampleTasks() {
	offer := mesos.Offer{AgentID: mesos.AgentID{Value: "S0"}, Resources: mesos.Resources{
		mesos.ScalarResource("cpus", 0.6), mesos.ScalarResource("mem", 1024),
		{Name: "ports", Type: mesos.Ranges, Ranges: &mesos.RangesValue{Range: []mesos.Range{{Begin: 9000, End: 9010}}}}}}
	for _, task := range demosite.Tasks(offer, demosite.Local, 4) {
		fmt.Println(task.Name, "host port", task.Container.Docker.PortMappings[0].HostPort)
	}
	fmt.Println(len(demosite.Tasks(offer, demosite.Local, 0)), "when none is wanted")
	// Output:
	// demo-site host port 9000
	// demo-site host port 9001
	// demo-site host port 9002
	// 0 when none is wanted
}

// An offer without ports (an agent started with none) gives a task that
// maps none, rather than a crash.
func ExampleTask_noPorts() {
	task := demosite.Task(mesos.Offer{AgentID: mesos.AgentID{Value: "S0"}}, demosite.Local)
	fmt.Println(len(task.Container.Docker.PortMappings), "port mappings,", len(task.Resources.Ports().Range), "ports")
	// Output:
	// 0 port mappings, 0 ports
}
