package mesostest_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/mesostest"
)

// TestMain skips the examples when Mesos is missing outside CI: unlike
// tests, an example cannot skip itself, and mesostest.Start already
// handles the tests.
func TestMain(m *testing.M) {
	flag.Parse()
	if _, err := mesostest.Find(); err != nil {
		if testenv.InCI() {
			fmt.Fprintf(os.Stderr, "%v (CI is set, so Mesos must be installed)\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "%v: skipping the Mesos tests and examples\n", err)
		skip := "^Example"
		if s := flag.Lookup("test.skip").Value.String(); s != "" {
			skip = s + "|" + skip
		}
		_ = flag.Set("test.skip", skip)
	}
	os.Exit(m.Run())
}
