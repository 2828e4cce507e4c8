package localmesos_test

import (
	"testing"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
)

// TestResourcesDefaultsFillGaps: --resources that names only ports still
// offers the default cpus, mem and disk, as mesos-agent fills in what it
// detects; what it names wins.
func TestResourcesDefaultsFillGaps(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *localmesos.Config) { c.Resources = "ports:[9000-9100];cpus:1" })
	st, err := operatorClient(t, srv).Agents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r := st.Agents[0].TotalResources
	if r.CPUs() != 1 || r.Mem() != 4096 || r.Disk() != 10240 || r.Ports().String() != "[9000-9100]" {
		t.Fatalf("agent resources %s", r)
	}
}
