package main

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/localmesos"
)

// TestWorkshopFlags: --workshop N starts N agents with workshop mode's
// resources and offer timeout; a --resources or --offer-timeout given
// beside it wins; --agents beside it is refused.
func TestWorkshopFlags(t *testing.T) {
	parse := func(args ...string) (int, string, time.Duration, error) {
		fs := flag.NewFlagSet("localmesos", flag.ContinueOnError)
		agents := fs.Int("agents", 0, "")
		resources := fs.String("resources", localmesos.DefaultResources, "")
		offerTimeout := fs.Duration("offer-timeout", 0, "")
		workshop := fs.Int("workshop", 0, "")
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		err := workshopFlags(fs, *workshop, agents, resources, offerTimeout)
		return *agents, *resources, *offerTimeout, err
	}
	agents, res, timeout, err := parse("--workshop", "30")
	if err != nil || agents != 29 || res != localmesos.WorkshopResources || timeout != localmesos.WorkshopOfferTimeout {
		t.Errorf("--workshop 30: %d extra agents, resources %q, offer timeout %s, %v; want 29, %q, %s",
			agents, res, timeout, err, localmesos.WorkshopResources, localmesos.WorkshopOfferTimeout)
	}
	if _, res, timeout, err = parse("--workshop", "5", "--offer-timeout", "0", "--resources", "cpus:2"); err != nil || res != "cpus:2" || timeout != 0 {
		t.Errorf("--workshop 5 with --offer-timeout 0 and --resources cpus:2: resources %q, offer timeout %s, %v; want the given ones", res, timeout, err)
	}
	if agents, res, _, _ = parse(); agents != 0 || res != localmesos.DefaultResources {
		t.Errorf("without --workshop: %d extra agents, resources %q; want the defaults", agents, res)
	}
	if _, _, _, err = parse("--workshop", "5", "--agents", "2"); err == nil || !strings.Contains(err.Error(), "leave out --agents") {
		t.Errorf("--workshop with --agents: %v; want an error saying to leave out --agents", err)
	}
	if _, _, _, err = parse("--workshop", "-1"); err == nil {
		t.Error("--workshop -1 was accepted")
	}
}
