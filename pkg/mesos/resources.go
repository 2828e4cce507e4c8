package mesos

import (
	"fmt"
	"strings"
)

// Resource is an amount of one named resource: cpus, mem and disk are
// scalars (mem and disk in MB), ports are ranges.
type Resource struct {
	Name   string       `json:"name"`
	Type   ValueType    `json:"type"`
	Scalar *ScalarValue `json:"scalar,omitempty"`
	Ranges *RangesValue `json:"ranges,omitempty"`
	Set    *SetValue    `json:"set,omitempty"`

	// Role is the pre-refinement reservation format: "*" is unreserved.
	// Frameworks without RESERVATION_REFINEMENT see it; newer ones see
	// Reservations instead.
	Role           string              `json:"role,omitempty"`
	Reservation    *ReservationInfo    `json:"reservation,omitempty"`
	Reservations   []ReservationInfo   `json:"reservations,omitempty"`
	AllocationInfo *AllocationInfo     `json:"allocation_info,omitempty"`
	Disk           *DiskInfo           `json:"disk,omitempty"`
	Revocable      *struct{}           `json:"revocable,omitempty"`
	Shared         *struct{}           `json:"shared,omitempty"`
	ProviderID     *ResourceProviderID `json:"provider_id,omitempty"`
}

// ReservationInfo says who reserved a resource.
type ReservationInfo struct {
	Type      string  `json:"type,omitempty"` // STATIC or DYNAMIC
	Role      string  `json:"role,omitempty"`
	Principal string  `json:"principal,omitempty"`
	Labels    *Labels `json:"labels,omitempty"`
}

// AllocationInfo names the role a resource is allocated to. Offers carry it
// on every resource; a task may leave it out and the master fills it in.
type AllocationInfo struct {
	Role string `json:"role,omitempty"`
}

// DiskInfo describes a persistent volume or disk source (the proto's
// Resource.DiskInfo).
type DiskInfo struct {
	Persistence *struct {
		ID        string `json:"id"`
		Principal string `json:"principal,omitempty"`
	} `json:"persistence,omitempty"`
	Volume *Volume `json:"volume,omitempty"`
}

// String writes the resource in mesos-agent's flag syntax: cpus:2, ports:[9000-10000].
func (r Resource) String() string {
	switch {
	case r.Scalar != nil:
		return fmt.Sprintf("%s:%g", r.Name, r.Scalar.Value)
	case r.Ranges != nil:
		return r.Name + ":" + r.Ranges.String()
	case r.Set != nil:
		return r.Name + ":{" + strings.Join(r.Set.Item, ",") + "}"
	}
	return r.Name
}

// Resources is a list of resources, as offers and tasks carry them.
type Resources []Resource

// ScalarResource builds an unreserved scalar resource, such as
// ScalarResource("cpus", 0.2).
func ScalarResource(name string, value float64) Resource {
	return Resource{Name: name, Type: Scalar, Scalar: &ScalarValue{Value: value}}
}

// RangesResource builds an unreserved ranges resource from begin/end pairs:
// RangesResource("ports", 9000, 9000) asks for port 9000 alone.
func RangesResource(name string, bounds ...uint64) Resource {
	r := Resource{Name: name, Type: Ranges, Ranges: &RangesValue{Range: []Range{}}}
	for i := 0; i+1 < len(bounds); i += 2 {
		r.Ranges.Range = append(r.Ranges.Range, Range{Begin: bounds[i], End: bounds[i+1]})
	}
	return r
}

// Scalar sums the scalar resources with this name (a list may hold several
// entries for one name, one per role).
func (rs Resources) Scalar(name string) float64 {
	var v float64
	for _, r := range rs {
		if r.Name == name && r.Scalar != nil {
			v += r.Scalar.Value
		}
	}
	return v
}

// Ranges gathers the ranges of the resources with this name.
func (rs Resources) Ranges(name string) RangesValue {
	out := RangesValue{}
	for _, r := range rs {
		if r.Name == name && r.Ranges != nil {
			out.Range = append(out.Range, r.Ranges.Range...)
		}
	}
	return out
}

// CPUs is the sum of the cpus resources.
func (rs Resources) CPUs() float64 { return rs.Scalar("cpus") }

// Mem is the sum of the mem resources, in MB.
func (rs Resources) Mem() float64 { return rs.Scalar("mem") }

// Disk is the sum of the disk resources, in MB.
func (rs Resources) Disk() float64 { return rs.Scalar("disk") }

// Ports gathers the ports ranges.
func (rs Resources) Ports() RangesValue { return rs.Ranges("ports") }

// String writes the list in mesos-agent's --resources syntax, joined by ";".
func (rs Resources) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ";")
}

// TaskResources builds what a simple task asks for: cpus, mem (MB) and, if
// any ports are given, one single-port range per port. Leave allocation_info
// and role out: the master fills them in from the offer.
func TaskResources(cpus, memMB float64, ports ...uint64) Resources {
	rs := Resources{ScalarResource("cpus", cpus), ScalarResource("mem", memMB)}
	if len(ports) > 0 {
		r := RangesResource("ports")
		for _, p := range ports {
			r.Ranges.Range = append(r.Ranges.Range, Range{Begin: p, End: p})
		}
		rs = append(rs, r)
	}
	return rs
}
