package nbexec_test

import (
	"fmt"
	"log"

	"github.com/mesosnb/mesosnb/internal/nbexec"
)

// Read an executed notebook and report each code cell: how long it ran and
// whether it failed.
func ExampleRead() {
	nb, err := nbexec.Read("testdata/executed.ipynb")
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range nb.Code() {
		fmt.Printf("cell %d: %s, failed %v\n", c.Index, c.Duration(), c.Failed())
	}
	// Output:
	// cell 1: 2.5s, failed false
	// cell 2: 0s, failed true
}
