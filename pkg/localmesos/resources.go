package localmesos

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// pool is an amount of resources: scalars and ranges by key. It is the
// arithmetic the allocator needs (what an agent has, minus what is
// offered or used). A key is the resource's name, and for resources
// dynamically reserved to a role the name, a NUL and the role (see
// resourceKey): reserved cpus are another resource than unreserved ones,
// which is all the arithmetic needs to know of reservations.
type pool struct {
	scalars map[string]float64
	ranges  map[string][]mesos.Range
}

func newPool() pool {
	return pool{scalars: map[string]float64{}, ranges: map[string][]mesos.Range{}}
}

// round keeps three decimals, as Mesos' Value::Scalar arithmetic does.
func round(v float64) float64 { return math.Round(v*1000) / 1000 }

func poolOf(rs mesos.Resources) pool {
	p := newPool()
	p.add(rs)
	return p
}

func (p pool) clone() pool {
	q := newPool()
	for k, v := range p.scalars {
		q.scalars[k] = v
	}
	for k, v := range p.ranges {
		q.ranges[k] = append([]mesos.Range(nil), v...)
	}
	return q
}

func (p pool) add(rs mesos.Resources) {
	for _, r := range rs {
		k := resourceKey(r)
		switch {
		case r.Scalar != nil:
			p.scalars[k] = round(p.scalars[k] + r.Scalar.Value)
		case r.Ranges != nil:
			p.ranges[k] = mergeRanges(append(p.ranges[k], r.Ranges.Range...))
		}
	}
}

// addPool adds q to p, map to map: the allocator does this for every
// framework at every allocation, so it must not build resource lists.
func (p pool) addPool(q pool) {
	for k, v := range q.scalars {
		p.scalars[k] = round(p.scalars[k] + v)
	}
	for k, v := range q.ranges {
		p.ranges[k] = mergeRanges(append(p.ranges[k], v...))
	}
}

// contains reports whether rs fits in p.
func (p pool) contains(rs mesos.Resources) bool {
	need := poolOf(rs)
	for k, v := range need.scalars {
		if v > p.scalars[k]+1e-9 {
			return false
		}
	}
	for k, v := range need.ranges {
		for _, r := range v {
			if !rangeCovered(p.ranges[k], r) {
				return false
			}
		}
	}
	return true
}

// subtractPool removes q from p; callers check contains first.
func (p pool) subtractPool(q pool) {
	for k, v := range q.scalars {
		p.scalars[k] = round(p.scalars[k] - v)
		if p.scalars[k] <= 0 {
			delete(p.scalars, k)
		}
	}
	for k, v := range q.ranges {
		for _, x := range v {
			p.ranges[k] = cutRange(p.ranges[k], x)
		}
		if len(p.ranges[k]) == 0 {
			delete(p.ranges, k)
		}
	}
}

func (p pool) empty() bool {
	for _, v := range p.scalars {
		if v > 0 {
			return false
		}
	}
	for _, v := range p.ranges {
		if len(v) > 0 {
			return false
		}
	}
	return true
}

// offerable says whether the pool is worth offering: Mesos' allocator
// offers only when some cpus or mem is left (MIN_CPUS 0.01, MIN_MEM 32 MB).
func (p pool) offerable() bool {
	cpus, mem := 0.0, 0.0
	for k, v := range p.scalars {
		switch nameOf(k) {
		case "cpus":
			cpus += v
		case "mem":
			mem += v
		}
	}
	return cpus >= 0.01 || mem >= 32
}

// resources lists the pool as Mesos resources, unreserved ones with the
// given role ("*", or "" for none), in a stable order: unreserved cpus,
// mem, disk, other scalars, ranges, then the reserved ones the same way.
func (p pool) resources(role string) mesos.Resources {
	var out mesos.Resources
	names := make([]string, 0, len(p.scalars))
	for k := range p.scalars {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return keyRank(names[i], names[j]) })
	rnames := make([]string, 0, len(p.ranges))
	for k := range p.ranges {
		rnames = append(rnames, k)
	}
	sort.Slice(rnames, func(i, j int) bool { return keyRank(rnames[i], rnames[j]) })
	for _, reserved := range []bool{false, true} {
		for _, k := range names {
			if p.scalars[k] > 0 && (reservedTo(k) != "") == reserved {
				out = append(out, withKey(mesos.ScalarResource(nameOf(k), p.scalars[k]), k, role))
			}
		}
		for _, k := range rnames {
			if len(p.ranges[k]) > 0 && (reservedTo(k) != "") == reserved {
				r := mesos.Resource{Name: nameOf(k), Type: mesos.Ranges, Ranges: &mesos.RangesValue{Range: append([]mesos.Range(nil), p.ranges[k]...)}}
				out = append(out, withKey(r, k, role))
			}
		}
	}
	return out
}

// keyRank orders keys by name (cpus, gpus, mem, disk, then the others),
// then by reservation role.
func keyRank(a, b string) bool {
	if na, nb := nameOf(a), nameOf(b); na != nb {
		return scalarRank(na, nb)
	}
	return reservedTo(a) < reservedTo(b)
}

// offerResources lists the pool as an offer lists it: Mesos' allocator
// puts the resources it always offers whole (reserved ones, and
// non-scalar ones such as ports) before the unreserved scalars it may
// hold back for quota (HierarchicalAllocatorProcess::__generateOffers).
func (p pool) offerResources(role string) mesos.Resources {
	var whole, scalars mesos.Resources
	for _, r := range p.resources(role) {
		if r.Scalar != nil && len(r.Reservations) == 0 {
			scalars = append(scalars, r)
		} else {
			whole = append(whole, r)
		}
	}
	return append(whole, scalars...)
}

var scalarOrder = map[string]int{"cpus": 0, "gpus": 1, "mem": 2, "disk": 3}

func scalarRank(a, b string) bool {
	ra, oka := scalarOrder[a]
	rb, okb := scalarOrder[b]
	switch {
	case oka && okb:
		return ra < rb
	case oka != okb:
		return oka
	}
	return a < b
}

// stateResources is the flat map /state writes, reserved and unreserved
// together.
func (p pool) stateResources() mesos.StateResources {
	m := p.merged()
	sr := mesos.StateResources{CPUs: m.scalars["cpus"], Mem: m.scalars["mem"], Disk: m.scalars["disk"], GPUs: m.scalars["gpus"]}
	if r := m.ranges["ports"]; len(r) > 0 {
		sr.Ports = mesos.RangesValue{Range: r}.String()
	}
	return sr
}

func mergeRanges(rs []mesos.Range) []mesos.Range {
	if len(rs) < 2 {
		return rs
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Begin < rs[j].Begin })
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Begin <= last.End+1 {
			last.End = max(last.End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}

func rangeCovered(have []mesos.Range, r mesos.Range) bool {
	for _, h := range have {
		if r.Begin >= h.Begin && r.End <= h.End {
			return true
		}
	}
	return false
}

func cutRange(have []mesos.Range, cut mesos.Range) []mesos.Range {
	var out []mesos.Range
	for _, h := range have {
		if cut.End < h.Begin || cut.Begin > h.End {
			out = append(out, h)
			continue
		}
		if h.Begin < cut.Begin {
			out = append(out, mesos.Range{Begin: h.Begin, End: cut.Begin - 1})
		}
		if h.End > cut.End {
			out = append(out, mesos.Range{Begin: cut.End + 1, End: h.End})
		}
	}
	return out
}

// parseResources reads mesos-agent's --resources syntax:
// "cpus:2;mem:1024;disk:4096;ports:[9000-10000]". Roles in parentheses
// (cpus(role):2) are refused: the stand-in has no reservations.
func parseResources(s string) (mesos.Resources, error) {
	var out mesos.Resources
	for _, part := range splitNonEmpty(s, ";") {
		name, val, ok := strings.Cut(part, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("resource %q: want name:value, such as cpus:2 or ports:[9000-10000]", part)
		}
		if strings.Contains(name, "(") {
			return nil, fmt.Errorf("resource %q: reserved resources (name(role):value) are not supported by localmesos", part)
		}
		val = strings.TrimSpace(val)
		switch {
		case strings.HasPrefix(val, "["):
			rs, err := parseRanges(val)
			if err != nil {
				return nil, fmt.Errorf("resource %q: %w", part, err)
			}
			out = append(out, mesos.Resource{Name: name, Type: mesos.Ranges, Ranges: &rs})
		case strings.HasPrefix(val, "{"):
			items := splitNonEmpty(strings.Trim(val, "{}"), ",")
			out = append(out, mesos.Resource{Name: name, Type: mesos.Set, Set: &mesos.SetValue{Item: items}})
		default:
			v, err := strconv.ParseFloat(val, 64)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("resource %q: %q is not a non-negative number", part, val)
			}
			out = append(out, mesos.ScalarResource(name, round(v)))
		}
	}
	return out, nil
}

func parseRanges(s string) (mesos.RangesValue, error) {
	inner, ok := strings.CutPrefix(strings.TrimSpace(s), "[")
	inner, ok2 := strings.CutSuffix(inner, "]")
	if !ok || !ok2 {
		return mesos.RangesValue{}, fmt.Errorf("ranges %q: want [begin-end, begin-end]", s)
	}
	rv := mesos.RangesValue{Range: []mesos.Range{}}
	for _, r := range splitNonEmpty(inner, ",") {
		b, e, ok := strings.Cut(strings.TrimSpace(r), "-")
		if !ok {
			return rv, fmt.Errorf("range %q: want begin-end", r)
		}
		bv, err1 := strconv.ParseUint(strings.TrimSpace(b), 10, 64)
		ev, err2 := strconv.ParseUint(strings.TrimSpace(e), 10, 64)
		if err1 != nil || err2 != nil || ev < bv {
			return rv, fmt.Errorf("range %q: want begin-end with begin <= end", r)
		}
		rv.Range = append(rv.Range, mesos.Range{Begin: bv, End: ev})
	}
	rv.Range = mergeRanges(rv.Range)
	return rv, nil
}

// parseAttributes reads mesos-agent's --attributes syntax:
// "rack:r2d2;pod:demo,dev". As in Mesos, a number is a scalar, [a-b] is
// ranges, {a,b} is a set and anything else is text (so "demo,dev" is one
// text value).
func parseAttributes(s string) ([]mesos.Attribute, error) {
	var out []mesos.Attribute
	for _, part := range splitNonEmpty(s, ";") {
		name, val, ok := strings.Cut(part, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("attribute %q: want name:value, such as rack:r2d2", part)
		}
		val = strings.TrimSpace(val)
		a := mesos.Attribute{Name: name}
		if v, err := strconv.ParseFloat(val, 64); err == nil {
			a.Type, a.Scalar = mesos.Scalar, &mesos.ScalarValue{Value: v}
		} else if strings.HasPrefix(val, "[") {
			rs, err := parseRanges(val)
			if err != nil {
				return nil, fmt.Errorf("attribute %q: %w", part, err)
			}
			a.Type, a.Ranges = mesos.Ranges, &rs
		} else if strings.HasPrefix(val, "{") {
			a.Type, a.Set = mesos.Set, &mesos.SetValue{Item: splitNonEmpty(strings.Trim(val, "{}"), ",")}
		} else {
			a.Type, a.Text = mesos.Text, &mesos.TextValue{Value: val}
		}
		out = append(out, a)
	}
	return out, nil
}

func splitNonEmpty(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if strings.TrimSpace(p) != "" {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

// attributeMap is how /state writes attributes: name to text, number or
// ranges string.
func attributeMap(as []mesos.Attribute) map[string]any {
	m := map[string]any{}
	for _, a := range as {
		switch {
		case a.Text != nil:
			m[a.Name] = a.Text.Value
		case a.Scalar != nil:
			m[a.Name] = a.Scalar.Value
		case a.Ranges != nil:
			m[a.Name] = a.Ranges.String()
		case a.Set != nil:
			m[a.Name] = "{" + strings.Join(a.Set.Item, ",") + "}"
		}
	}
	return m
}

// withDefaultResources adds the default cpus, mem, disk and ports to a
// --resources that leaves them out, as mesos-agent fills in what it
// detects: "ports:[9000-10000]" alone still offers cpus and memory.
func withDefaultResources(rs mesos.Resources) mesos.Resources {
	defaults, _ := parseResources(DefaultResources)
	have := map[string]bool{}
	for _, r := range rs {
		have[r.Name] = true
	}
	for _, d := range defaults {
		if !have[d.Name] {
			rs = append(rs, d)
		}
	}
	return rs
}
