package standin_test

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos/standin"
)

// A stand-in started by one cell is found by name from a later one, and
// stopped there.
func ExampleStart() {
	dir, _ := os.MkdirTemp("", "standin-example")
	defer os.RemoveAll(dir)
	os.Setenv(standin.EnvSessionDir, dir)
	master, _ := testenv.FreePort()
	agent, _ := testenv.FreePort()

	ctx := context.Background()
	_, err := standin.Start(ctx, "demo", "--master-addr=127.0.0.1:"+strconv.Itoa(master),
		"--agent-addr=127.0.0.1:"+strconv.Itoa(agent), "--runner=simulated")
	if err != nil {
		fmt.Println(err)
		return
	}

	// A later cell:
	s, ok := standin.Find("demo")
	fmt.Println("found:", ok, s.Running())
	fmt.Println("stopped:", s.Stop(ctx) == nil, s.Running())
	// Output:
	// found: true true
	// stopped: true false
}
