package zktest_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/mesosnb/mesosnb/internal/testenv"

	"github.com/mesosnb/mesosnb/pkg/zktest"
)

// TestMain skips the examples when ZooKeeper is missing outside CI: unlike
// tests, an example cannot skip itself, and zktest.Start already handles
// the tests.
func TestMain(m *testing.M) {
	flag.Parse()
	if err := zktest.Installed(); err != nil {
		if testenv.InCI() {
			fmt.Fprintf(os.Stderr, "%v (CI is set, so ZooKeeper must be installed)\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "%v: skipping the ZooKeeper tests and examples\n", err)
		skip := "^Example"
		if s := flag.Lookup("test.skip").Value.String(); s != "" {
			skip = s + "|" + skip
		}
		_ = flag.Set("test.skip", skip)
	}
	os.Exit(m.Run())
}
