package framework_test

import (
	"context"
	"fmt"

	"github.com/mesosnb/mesosnb/pkg/framework"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// declineAll is a handler: it refuses every offer for a minute.
func declineAll(ctx context.Context, fw *framework.Framework) error {
	return fw.Client.Decline(ctx, []mesos.OfferID{fw.Offer.ID}, mesos.RefuseFor(60))
}

// A notebook cell declares a handler and registers it from a GoNB init
// function (func init_decline() { framework.OnOffer(declineAll) }); the
// Start cell's program, and the driver copied from it, then has it.
func ExampleOnOffer() {
	framework.OnOffer(declineAll)
	defer framework.OnOffer(onOffer) // the tests' own again
	fmt.Println(framework.Handlers()[0])
	// Output:
	// OFFERS → github.com/mesosnb/mesosnb/pkg/framework_test.declineAll
}

// A framework that keeps three copies counts a copy the master has not
// confirmed since a re-subscription as live: it may be gone, and the
// reconciliation's answer says so soon; launching its replacement before
// could make four.
func ExampleView_Live() {
	v := framework.View{Running: 1, Starting: 1, Unconfirmed: 1}
	fmt.Println(v.Live(), "live: launch", 3-v.Live(), "more")
	// Output:
	// 3 live: launch 0 more
}
