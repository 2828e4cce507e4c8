package localmesos_test

// Ports of the v1 tests of Mesos 1.11.0's
// src/tests/master/update_framework_tests.cpp. OfferConstraints has no
// counterpart (the stand-in accepts offer constraints but does not apply
// them), nor have the UpdateFrameworkV0Test tests (v0 driver).

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// updateFramework sends UPDATE_FRAMEWORK as raw JSON, so the test sees the
// exact answer.
func updateFramework(t *testing.T, f *framework, info mesos.FrameworkInfo, suppressed ...string) answer {
	t.Helper()
	id := f.id()
	call := mesos.Call{Type: mesos.CallUpdateFramework, FrameworkID: &id,
		UpdateFramework: &mesos.UpdateFramework{FrameworkInfo: info, SuppressedRoles: suppressed}}
	return do(t, http.MethodPost, f.sub.Master+"/api/v1/scheduler", jsonHeaders("Mesos-Stream-Id", f.sub.StreamID), mustJSON(call))
}

// frameworkInfo is what GET_FRAMEWORKS says of the framework.
func frameworkInfo(t *testing.T, f *framework) mesos.FrameworkInfo {
	t.Helper()
	c, err := newOperator(f.sub.Master)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fws, err := c.Frameworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range fws.Frameworks {
		if fw.FrameworkInfo.ID != nil && *fw.FrameworkInfo.ID == f.id() {
			return fw.FrameworkInfo
		}
	}
	t.Fatalf("framework %s not in GET_FRAMEWORKS", f.id().Value)
	return mesos.FrameworkInfo{}
}

func TestUpdateFramework_UserChangeFails(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	before := frameworkInfo(t, f)
	update := f.resubscribeInfo(defaultFramework())
	update.User = "changed_user"
	updateFramework(t, f, update).want(t, http.StatusBadRequest,
		"FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'root' to 'changed_user'")
	if after := frameworkInfo(t, f); mustJSON(after) != mustJSON(before) {
		t.Fatalf("GET_FRAMEWORKS changed: %s, was %s", mustJSON(after), mustJSON(before))
	}
}

func TestUpdateFramework_PrincipalChangeFails(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	update := f.resubscribeInfo(defaultFramework())
	update.Principal = "changed_principal"
	updateFramework(t, f, update).want(t, http.StatusBadRequest,
		"FrameworkInfo update is not valid: Changing framework's principal is not allowed.")
}

func TestUpdateFramework_CheckpointingChangeFails(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	update := f.resubscribeInfo(defaultFramework())
	update.Checkpoint = true
	updateFramework(t, f, update).want(t, http.StatusBadRequest,
		"FrameworkInfo update is not valid: Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from 'false' to 'true'")
}

// Everything but user, principal and checkpoint can change: the answer is
// an empty 200, GET_FRAMEWORKS shows the new info and FRAMEWORK_UPDATED
// carries it.
func TestUpdateFramework_MutableFieldsUpdateSuccessfully(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	ops := operatorSubscribe(t, srv)
	ops.nextOf(mesos.OperatorSubscribed)

	update := f.resubscribeInfo(defaultFramework())
	update.Name = "new_name"
	update.FailoverTimeout = 1234.5
	update.Hostname = "new_hostname"
	update.WebUIURL = "http://new-webui-url.example"
	update.Capabilities = append(update.Capabilities, mesos.FrameworkCapability{Type: mesos.CapabilityRegionAware})
	update.Labels = &mesos.Labels{Labels: []mesos.Label{{Key: "UPDATE_FRAMEWORK_KEY", Value: "UPDATE_FRAMEWORK_VALUE"}}}
	update.Roles = append(update.Roles, "new_role")
	update.OfferFilters = map[string]mesos.OfferFilters{}
	if err := jsonInto(`{"new_role":{"min_allocatable_resources":{"quantities":[{"quantities":{"cpus":{"value":1}}}]}}}`, &update.OfferFilters); err != nil {
		t.Fatal(err)
	}
	a := updateFramework(t, f, update)
	a.want(t, http.StatusOK, "")
	if ct := a.header.Get("Content-Type"); ct != "" {
		t.Fatalf("200 with Content-Type %q, want none", ct)
	}
	if got := frameworkInfo(t, f); !sameJSON(t, []byte(mustJSON(got)), mustJSON(update)) {
		t.Fatalf("GET_FRAMEWORKS %s, want %s", mustJSON(got), mustJSON(update))
	}
	ev := ops.nextOf(mesos.FrameworkUpdated)
	if got := ev.FrameworkUpdated.Framework.FrameworkInfo; !sameJSON(t, []byte(mustJSON(got)), mustJSON(update)) {
		t.Fatalf("FRAMEWORK_UPDATED %s, want %s", mustJSON(got), mustJSON(update))
	}
}

// Only an update that changes something is announced.
func TestUpdateFramework_NoRedundantUpdates(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	ops := operatorSubscribe(t, srv)
	ops.nextOf(mesos.OperatorSubscribed)

	same := f.resubscribeInfo(defaultFramework())
	updateFramework(t, f, same).want(t, http.StatusOK, "")
	ops.none(200*time.Millisecond, mesos.FrameworkUpdated)

	changed := same
	changed.Name = "new_name"
	updateFramework(t, f, changed).want(t, http.StatusOK, "")
	if ev := ops.nextOf(mesos.FrameworkUpdated); ev.FrameworkUpdated.Framework.FrameworkInfo.Name != "new_name" {
		t.Fatalf("FRAMEWORK_UPDATED %s", mustJSON(ev))
	}
	ops.none(200*time.Millisecond, mesos.FrameworkUpdated)
}

// A framework without roles gets no offers until it adds one.
func TestUpdateFramework_OffersOnAddingRole(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	info := defaultFramework()
	info.Roles = nil
	f := subscribe(t, srv, info)
	f.none(200*time.Millisecond, mesos.EventOffers)

	update := f.resubscribeInfo(info)
	update.Roles = []string{"new_role"}
	updateFramework(t, f, update).want(t, http.StatusOK, "")
	offers := f.next(mesos.EventOffers).Offers.Offers
	if len(offers) != 1 || offers[0].AllocationInfo == nil || offers[0].AllocationInfo.Role != "new_role" {
		t.Fatalf("offers %s, want one for new_role", mustJSON(offers))
	}
}

// Leaving all roles withdraws the outstanding offer.
func TestUpdateFramework_RescindOnRemovingRoles(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework())
	offer := f.offer()
	update := f.resubscribeInfo(defaultFramework())
	update.Roles = nil
	updateFramework(t, f, update).want(t, http.StatusOK, "")
	if r := f.next(mesos.EventRescind).Rescind; r.OfferID != offer.ID {
		t.Fatalf("RESCIND of %s, want %s", r.OfferID.Value, offer.ID.Value)
	}
	f.none(200*time.Millisecond, mesos.EventOffers, mesos.EventRescind)
}

// A role can be added suppressed: no offers for it.
func TestUpdateFramework_AddSuppressedRole(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	info := defaultFramework()
	info.Roles = nil
	f := subscribe(t, srv, info)
	update := f.resubscribeInfo(info)
	update.Roles = []string{"new_role"}
	updateFramework(t, f, update, "new_role").want(t, http.StatusOK, "")
	f.none(300*time.Millisecond, mesos.EventOffers)
}

// Roles can leave the roles and the suppressed roles together.
func TestUpdateFramework_RemoveAndUnsuppress(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	f := subscribe(t, srv, defaultFramework(), "*")
	update := f.resubscribeInfo(defaultFramework())
	update.Roles = nil
	updateFramework(t, f, update).want(t, http.StatusOK, "")
	f.none(300*time.Millisecond, mesos.EventOffers, mesos.EventError)
}
