package zkdemo_test

import (
	"fmt"

	"github.com/mesosnb/mesosnb/pkg/zkdemo"
)

// The notebook's two stand-ins, each master with its agent beside it, on
// the learner's default ports (MESOSNB_ZK_DEMO_PORT moves them).
func ExampleStandIns() {
	for _, s := range zkdemo.StandIns() {
		fmt.Println(s.Name, "master", s.Master, "agent", s.Agent)
	}
	// Output:
	// zk-demo-a master 127.0.0.1:5060 agent 127.0.0.1:5061
	// zk-demo-b master 127.0.0.1:5062 agent 127.0.0.1:5063
}
