package localmesos

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Dynamic reservations, as RESERVE_RESOURCES and UNRESERVE_RESOURCES make
// them (Master::Http::_reserve, _unreserve and _operation in
// src/master/http.cpp): part of an agent's unreserved resources set aside
// for one role, offered only to that role's frameworks, until they are
// given back. One level only: a reservation for a role, not refined
// further (RESERVATION_REFINEMENT's stacks of reservations are refused).

// keySep separates a reserved resource's name from its role in a pool key.
const keySep = "\x00"

// resourceKey is the pool key of a resource: its name, plus the role of
// its reservation if it is reserved (the last of its reservations, or the
// legacy role field).
func resourceKey(r mesos.Resource) string {
	if role := reservationRole(r); role != "" {
		return r.Name + keySep + role
	}
	return r.Name
}

// reservationRole is the role a resource is reserved to, "" when it is
// not reserved.
func reservationRole(r mesos.Resource) string {
	if n := len(r.Reservations); n > 0 {
		return r.Reservations[n-1].Role
	}
	if r.Role != "" && r.Role != "*" {
		return r.Role
	}
	return ""
}

// nameOf is a pool key's resource name.
func nameOf(key string) string {
	name, _, _ := strings.Cut(key, keySep)
	return name
}

// reservedTo is a pool key's reservation role, "" for unreserved.
func reservedTo(key string) string {
	_, role, _ := strings.Cut(key, keySep)
	return role
}

// withKey fills in a resource's role as Mesos' v1 API shows it: unreserved
// ones with role (the pre-refinement field, "*"), reserved ones with the
// role, an empty legacy reservation and the dynamic reservation.
func withKey(r mesos.Resource, key, unreservedRole string) mesos.Resource {
	role := reservedTo(key)
	if role == "" {
		r.Role = unreservedRole
		return r
	}
	r.Role = role
	r.Reservation = &mesos.ReservationInfo{}
	r.Reservations = []mesos.ReservationInfo{{Type: "DYNAMIC", Role: role}}
	return r
}

// merged adds reserved resources to the unreserved ones of their name.
func (p pool) merged() pool {
	q := newPool()
	for k, v := range p.scalars {
		q.scalars[nameOf(k)] = round(q.scalars[nameOf(k)] + v)
	}
	for k, v := range p.ranges {
		q.ranges[nameOf(k)] = mergeRanges(append(q.ranges[nameOf(k)], v...))
	}
	return q
}

// forRole is the part of a pool a role's framework may be offered: the
// unreserved resources and those reserved to the role.
func (p pool) forRole(role string) pool {
	if !p.hasReserved() {
		return p
	}
	q := newPool()
	for k, v := range p.scalars {
		if r := reservedTo(k); r == "" || r == role {
			q.scalars[k] = v
		}
	}
	for k, v := range p.ranges {
		if r := reservedTo(k); r == "" || r == role {
			q.ranges[k] = append([]mesos.Range(nil), v...)
		}
	}
	return q
}

// hasReserved tells whether some of the pool is reserved.
func (p pool) hasReserved() bool {
	for k := range p.scalars {
		if reservedTo(k) != "" {
			return true
		}
	}
	for k := range p.ranges {
		if reservedTo(k) != "" {
			return true
		}
	}
	return false
}

// reservedByRole splits off the reserved part of a pool, role by role.
func (p pool) reservedByRole() map[string]pool {
	out := map[string]pool{}
	get := func(role string) pool {
		q, ok := out[role]
		if !ok {
			q = newPool()
			out[role] = q
		}
		return q
	}
	for k, v := range p.scalars {
		if r := reservedTo(k); r != "" {
			get(r).scalars[nameOf(k)] = v
		}
	}
	for k, v := range p.ranges {
		if r := reservedTo(k); r != "" {
			get(r).ranges[nameOf(k)] = append([]mesos.Range(nil), v...)
		}
	}
	return out
}

// reserve is RESERVE_RESOURCES: 202 once the agent's unreserved resources
// are set aside for the role, offers of them rescinded first if needed.
func (m *master) reserve(c *mesos.ReserveResourcesCall) opReply {
	a := m.agentByID(c.AgentID.Value)
	if a == nil {
		return textReply(http.StatusBadRequest, textNoAgentWithID)
	}
	if len(c.Source) > 0 {
		return textReply(http.StatusNotImplemented, textNoRefinement)
	}
	if len(c.Resources) == 0 {
		return textReply(http.StatusBadRequest, fmt.Sprintf("Invalid RESERVE operation on agent %s at %s (%s): Invalid resources: %s", a.id, a.pid(), a.hostname, textMultipleProviders))
	}
	for _, r := range c.Resources {
		if reservationRole(r) == "" || !isDynamic(r) {
			return textReply(http.StatusBadRequest, fmt.Sprintf(textReserveInvalid, a.id, a.pid(), a.hostname, fullResourceString(r)))
		}
		if len(r.Reservations) > 1 {
			return textReply(http.StatusNotImplemented, textNoRefinement)
		}
	}
	want := poolOf(c.Resources)
	consumed := poolOf(unreservedCopy(c.Resources))
	// A RESERVE is one conversion of all its resources; an UNRESERVE, one
	// per resource (getResourceConversions).
	if msg := m.convert(a, []mesos.Resources{unreservedCopy(c.Resources)}, []mesos.Resources{c.Resources}); msg != "" {
		return textReply(http.StatusConflict, msg)
	}
	a.total.subtractPool(consumed)
	a.total.addPool(want)
	m.total = pool{} // the allocator recounts the cluster
	m.log.Info("resources reserved", "agent", a.id, "resources", resourcesFullString(c.Resources))
	m.allocateSoon()
	return textReply(http.StatusAccepted, "")
}

// unreserve is UNRESERVE_RESOURCES: reserved resources that are not in
// use go back to the agent's unreserved ones.
func (m *master) unreserve(c *mesos.UnreserveResourcesCall) opReply {
	a := m.agentByID(c.AgentID.Value)
	if a == nil {
		return textReply(http.StatusBadRequest, textNoAgentWithID)
	}
	if len(c.Resources) == 0 {
		return textReply(http.StatusBadRequest, "Invalid UNRESERVE operation: Invalid resources: "+textMultipleProviders)
	}
	for _, r := range c.Resources {
		if reservationRole(r) == "" || !isDynamic(r) {
			return textReply(http.StatusBadRequest, fmt.Sprintf(textUnreserveInvalid, fullResourceString(r)))
		}
	}
	reserved := poolOf(c.Resources)
	var from, to []mesos.Resources
	for _, r := range c.Resources {
		from, to = append(from, mesos.Resources{r}), append(to, unreservedCopy(mesos.Resources{r}))
	}
	if msg := m.convert(a, from, to); msg != "" {
		return textReply(http.StatusConflict, msg)
	}
	a.total.subtractPool(reserved)
	a.total.add(unreservedCopy(c.Resources))
	m.total = pool{}
	m.allocateSoon()
	return textReply(http.StatusAccepted, "")
}

// convert rescinds the agent's offers of what an operation consumes, as
// Master::Http::_operation does first, then checks that the agent's free
// resources take the operation's conversions, each of consumed into the
// converted of the same index, in order, as the allocator applies them
// (Resources::apply). It returns Mesos' text when they do not.
func (m *master) convert(a *agentRec, consumed, converted []mesos.Resources) string {
	need := newPool()
	for _, c := range consumed {
		need.add(c)
	}
	for _, o := range m.offers {
		if o.agent == a && overlaps(o.resources, need) {
			m.rescind(o, true)
		}
	}
	free := a.total.clone()
	free.subtractPool(a.used)
	for i, c := range consumed {
		if !free.contains(c) {
			return fmt.Sprintf(textDoesNotContain, resourcesFullString(free.resources("")), resourcesFullString(c))
		}
		free.subtractPool(poolOf(c))
		free.add(converted[i])
	}
	return ""
}

// overlaps tells whether two pools share a resource (name and
// reservation).
func overlaps(p, q pool) bool {
	for k := range q.scalars {
		if p.scalars[k] > 0 {
			return true
		}
	}
	for k := range q.ranges {
		if len(p.ranges[k]) > 0 {
			return true
		}
	}
	return false
}

// Mesos writes a reservation three ways (convertResourceFormat): in the
// endpoint format (role, reservation and reservations: /state, the
// operator API's resource totals), the post-refinement one (reservations
// only: agent_info, offers in GET_FRAMEWORKS, and offers to frameworks
// with RESERVATION_REFINEMENT) and the pre-refinement one (role and
// reservation: offers to other frameworks). pool.resources("*") gives
// the endpoint format.

// postRefinement is resources in the post-refinement format.
func postRefinement(rs mesos.Resources) mesos.Resources {
	out := make(mesos.Resources, len(rs))
	for i, r := range rs {
		r.Role, r.Reservation = "", nil
		out[i] = r
	}
	return out
}

// schedulerFormat is an offer's resources as the framework reads them:
// post-refinement with RESERVATION_REFINEMENT, else pre-refinement.
func schedulerFormat(rs mesos.Resources, info mesos.FrameworkInfo) mesos.Resources {
	if info.HasCapability(mesos.CapabilityReservationRefinement) {
		return postRefinement(rs)
	}
	out := make(mesos.Resources, len(rs))
	for i, r := range rs {
		r.Reservations = nil
		out[i] = r
	}
	return out
}

// allocated marks resources as allocated to a role.
func allocated(rs mesos.Resources, role string) mesos.Resources {
	for i := range rs {
		rs[i].AllocationInfo = &mesos.AllocationInfo{Role: role}
	}
	return rs
}

func isDynamic(r mesos.Resource) bool {
	if n := len(r.Reservations); n > 0 {
		return r.Reservations[n-1].Type == "DYNAMIC"
	}
	// The legacy format: a role with a reservation is dynamic, a role
	// alone is a static reservation.
	return r.Role != "" && r.Role != "*" && r.Reservation != nil
}

// unreservedCopy is the resources without their reservations.
func unreservedCopy(rs mesos.Resources) mesos.Resources {
	out := make(mesos.Resources, len(rs))
	for i, r := range rs {
		r.Role, r.Reservation, r.Reservations, r.AllocationInfo = "", nil, nil, nil
		out[i] = r
	}
	return out
}

// fullResourceString prints a resource as Mesos' operator<< does, its
// reservations included: cpus(reservations: [(DYNAMIC,dev)]):1. A legacy
// role becomes its reservation, as Mesos upgrades it.
func fullResourceString(r mesos.Resource) string {
	s := r.Name
	if r.AllocationInfo != nil {
		s += "(allocated: " + r.AllocationInfo.Role + ")"
	}
	res := r.Reservations
	if len(res) == 0 && r.Role != "" && r.Role != "*" {
		typ := "STATIC"
		if r.Reservation != nil {
			typ = "DYNAMIC"
		}
		res = []mesos.ReservationInfo{{Type: typ, Role: r.Role}}
	}
	if len(res) > 0 {
		parts := make([]string, len(res))
		for i, ri := range res {
			p := "(" + ri.Type + "," + ri.Role
			if ri.Principal != "" {
				p += "," + ri.Principal
			}
			parts[i] = p + ")"
		}
		s += "(reservations: [" + strings.Join(parts, ", ") + "])"
	}
	switch {
	case r.Scalar != nil:
		s += ":" + strconv.FormatFloat(round(r.Scalar.Value), 'g', 15, 64)
	case r.Ranges != nil:
		s += ":" + r.Ranges.String()
	case r.Set != nil:
		s += ":{" + strings.Join(r.Set.Item, ", ") + "}"
	}
	return s
}

func resourcesFullString(rs mesos.Resources) string {
	if len(rs) == 0 {
		return "{}"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fullResourceString(r)
	}
	return strings.Join(parts, "; ")
}

// reservationResourcesError is Resources::validate on the resources of
// a RESERVE_RESOURCES or UNRESERVE_RESOURCES call.
func reservationResourcesError(rs mesos.Resources) string {
	for _, r := range rs {
		why := ""
		switch {
		case r.Name == "":
			why = "Empty resource name"
		case r.Type == mesos.Scalar && (r.Scalar == nil || r.Ranges != nil || r.Set != nil):
			why = "Invalid scalar resource"
		case r.Type == mesos.Scalar && r.Scalar.Value != 0 && round(r.Scalar.Value) <= 0:
			why = "Invalid scalar resource: value <= 0"
		case r.Type == mesos.Ranges && (r.Ranges == nil || r.Scalar != nil || r.Set != nil):
			why = "Invalid ranges resource"
		case r.Type == mesos.Ranges:
			why = checkRanges(r.Ranges.Range)
		case r.Type == mesos.Set && (r.Set == nil || r.Scalar != nil || r.Ranges != nil):
			why = "Invalid set resource"
		case r.Type == mesos.Text:
			why = "Unsupported resource type"
		}
		if why == "" {
			for _, ri := range r.Reservations {
				if msg := validateRole(ri.Role); msg != "" {
					why = msg
				} else if ri.Role == "*" {
					why = `Invalid reservation: role "*" cannot be reserved`
				}
				if why != "" {
					break
				}
			}
		}
		if why != "" {
			return fmt.Sprintf(textInvalidResource, fullResourceString(r), why)
		}
	}
	return ""
}
