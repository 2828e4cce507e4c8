package zktest_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// A program (a benchmark or a chaos tool) starts ZooKeeper with
// StartProcess; tests call zktest.Start(t) instead.
func ExampleStartProcess() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "zk")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	zk, err := zktest.StartProcess(ctx, dir)
	if err != nil {
		log.Fatal(err)
	}
	defer zk.Stop()

	answer, err := zktest.FourLetterWord(ctx, zk.Addr, "ruok")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(answer)
	// Output: imok
}
