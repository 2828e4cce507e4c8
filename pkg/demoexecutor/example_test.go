package demoexecutor_test

import (
	"fmt"
	"strings"

	"github.com/mesosnb/mesosnb/pkg/demoexecutor"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// A task of the demo executor names the executor instead of a command;
// its data is the shell command the executor runs for it.
func ExampleTask() {
	exec := mesos.ExecutorInfo{ExecutorID: demoexecutor.ID, Command: &mesos.CommandInfo{Value: "/path/to/demo-executor"}}
	offer := mesos.Offer{AgentID: mesos.AgentID{Value: "S0"}}
	t := demoexecutor.Task("sleeper", offer, exec, "exec sleep 3600")
	fmt.Println(strings.HasPrefix(t.TaskID.Value, "sleeper-"), t.Executor.ExecutorID.Value, t.Command == nil, string(t.Data))
	fmt.Printf("%g cpus, %g MB on %s\n", t.Resources.CPUs(), t.Resources.Mem(), t.AgentID.Value)
	// Output:
	// true demo true exec sleep 3600
	// 0.1 cpus, 32 MB on S0
}
