package localmesos

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Quota, as Mesos 1.11's UPDATE_QUOTA sets it (src/master/quota_handler.cpp,
// src/master/quota.cpp): per role, guarantees and limits of scalar
// resources. The allocator enforces them (allocate in master.go): a role's
// frameworks are never offered more than its limits, and roles below
// their guarantees are offered first. Mesos' allocator also holds back
// resources from other roles to keep guarantees reachable; the stand-in
// only serves guaranteed roles first.

// quotaStatus is GET_QUOTA: the configs by role, and the deprecated infos
// (guarantees as resources) beside them.
func (m *master) quotaStatus() mesos.QuotaStatus {
	var st mesos.QuotaStatus
	roles := make([]string, 0, len(m.quotas))
	for r := range m.quotas {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	for _, r := range roles {
		c := m.quotas[r]
		info := mesos.QuotaInfo{Role: r}
		for _, name := range sortedScalarNames(c.Guarantees) {
			info.Guarantee = append(info.Guarantee, mesos.ScalarResource(name, c.Guarantees[name].Value))
		}
		st.Infos = append(st.Infos, info)
		st.Configs = append(st.Configs, c)
	}
	return st
}

// updateQuota is Master::QuotaHandler::update: every config checked, then
// what the roles already consume and the cluster's capacity (unless
// forced), then all of them set at once.
func (m *master) updateQuota(u *mesos.UpdateQuotaCall) opReply {
	for _, c := range u.QuotaConfigs {
		if strings.Contains(c.Role, "/") {
			return textReply(http.StatusBadRequest, fmt.Sprintf(textQuotaNested, c.Role))
		}
		if msg := validateQuotaConfig(c); msg != "" {
			return textReply(http.StatusBadRequest, textInvalidQuotaConfig+msg)
		}
	}
	for _, c := range u.QuotaConfigs {
		consumed := m.consumedQuota(c.Role)
		if !limitsContain(c.Limits, consumed) && !u.Force {
			return textReply(http.StatusBadRequest, textInvalidQuotaConfig+fmt.Sprintf(textQuotaConsuming,
				c.Role, quantitiesString(consumed), quantitiesString(scalarsOf(c.Limits))))
		}
	}
	next := map[string]mesos.QuotaConfig{}
	for r, c := range m.quotas {
		next[r] = c
	}
	for _, c := range u.QuotaConfigs {
		next[c.Role] = c
	}
	if guarantees, capacity := totalGuarantees(next), m.capacity(); !contains64(capacity, guarantees) && !u.Force {
		return textReply(http.StatusBadRequest, textInvalidQuotaConfig+fmt.Sprintf(textQuotaOvercommit,
			quantitiesString(guarantees), quantitiesString(capacity)))
	}
	m.quotas = next
	for _, c := range u.QuotaConfigs {
		m.rescindRole(c.Role)
	}
	m.allocateSoon()
	return emptyOK
}

// setQuota is the deprecated SET_QUOTA: guarantees (which are also the
// limits) for a role that has no quota yet.
func (m *master) setQuota(q mesos.QuotaRequest) opReply {
	if msg := reservationResourcesError(q.Guarantee); msg != "" {
		return textReply(http.StatusBadRequest, textSetQuotaInvalid+"QuotaInfo with invalid resource: "+msg)
	}
	if msg := quotaInfoError(q); msg != "" {
		return textReply(http.StatusBadRequest, textSetQuotaInvalid+msg)
	}
	if _, ok := m.quotas[q.Role]; ok {
		return textReply(http.StatusBadRequest, fmt.Sprintf(textSetQuotaExists, q.Role))
	}
	if msg := m.quotaTreeError(q); msg != "" {
		return textReply(http.StatusBadRequest, textSetQuotaInvalid+msg)
	}
	if strings.Contains(q.Role, "/") {
		return textReply(http.StatusBadRequest, fmt.Sprintf(textSetQuotaNested, q.Role))
	}
	c := mesos.QuotaConfig{Role: q.Role, Guarantees: map[string]mesos.ScalarValue{}, Limits: map[string]mesos.ScalarValue{}}
	for _, r := range q.Guarantee {
		if r.Scalar != nil {
			c.Guarantees[r.Name] = *r.Scalar
			c.Limits[r.Name] = *r.Scalar
		}
	}
	next := map[string]mesos.QuotaConfig{q.Role: c}
	for r, old := range m.quotas {
		next[r] = old
	}
	if guarantees, capacity := totalGuarantees(next), m.capacity(); !contains64(capacity, guarantees) && !q.Force {
		return textReply(http.StatusConflict, fmt.Sprintf(textSetQuotaOvercommit, quantitiesString(guarantees), quantitiesString(capacity)))
	}
	m.quotas = next
	m.rescindRole(q.Role)
	m.allocateSoon()
	return emptyOK
}

// quotaInfoError is quota::validation::quotaInfo.
func quotaInfoError(q mesos.QuotaRequest) string {
	if msg := validateRole(q.Role); msg != "" {
		return "QuotaInfo with invalid role: " + msg
	}
	if len(q.Guarantee) == 0 {
		return "QuotaInfo with empty 'guarantee'"
	}
	names := map[string]bool{}
	for _, r := range q.Guarantee {
		switch {
		case len(r.Reservations) > 0 || r.Role != "" && r.Role != "*":
			return "QuotaInfo must not contain any ReservationInfo"
		case r.Disk != nil:
			return "QuotaInfo must not contain DiskInfo"
		case r.Revocable != nil:
			return "QuotaInfo must not contain RevocableInfo"
		case r.Type != mesos.Scalar:
			return "QuotaInfo must not include non-scalar resources"
		case names[r.Name]:
			return "QuotaInfo contains duplicate resource name '" + r.Name + "'"
		}
		names[r.Name] = true
	}
	return ""
}

// quotaTreeError is QuotaTree::validate once the request's role has the
// quota asked for: each role's guarantees must hold the sum of its
// children's, the deepest role checked first. The stand-in's quotas are
// all on top-level roles (nested ones are refused), so only the request's
// role and its parents are looked at.
func (m *master) quotaTreeError(q mesos.QuotaRequest) string {
	guarantees := func(role string) map[string]float64 {
		if role == q.Role {
			g := map[string]float64{}
			for _, r := range q.Guarantee {
				if r.Scalar != nil {
					g[r.Name] += r.Scalar.Value
				}
			}
			return g
		}
		return scalarsOf(m.quotas[role].Guarantees)
	}
	parts := strings.Split(q.Role, "/")
	for i := len(parts) - 1; i >= 1; i-- {
		parent, child := strings.Join(parts[:i], "/"), strings.Join(parts[:i+1], "/")
		pg, cg := guarantees(parent), guarantees(child)
		if !contains64(pg, cg) {
			return fmt.Sprintf("Invalid quota configuration. Parent role '%s' with guarantees (%s) does not contain the sum of its children's guarantees (%s)",
				parts[i-1], quantitiesString(pg), quantitiesString(cg))
		}
	}
	return ""
}

// removeQuota is the deprecated REMOVE_QUOTA.
func (m *master) removeQuota(role string) opReply {
	if _, ok := m.quotas[role]; !ok {
		// Mesos 1.11.0 aborts here (unordered_map::at in the registry
		// operation); the stand-in answers instead.
		return textReply(http.StatusBadRequest, fmt.Sprintf(textRemoveQuotaNone, role))
	}
	delete(m.quotas, role)
	m.allocateSoon()
	return emptyOK
}

// validateQuotaConfig is quota::validate(QuotaConfig).
func validateQuotaConfig(c mesos.QuotaConfig) string {
	if msg := validateRole(c.Role); msg != "" {
		return "Invalid 'QuotaConfig.role': " + msg
	}
	const exabyteInMB, trillion = 1 << 40, 1e12
	for _, part := range []struct {
		what string
		m    map[string]mesos.ScalarValue
	}{{"guarantees", c.Guarantees}, {"limits", c.Limits}} {
		for _, name := range sortedScalarNames(part.m) {
			v := part.m[name].Value
			switch {
			case (name == "mem" || name == "disk") && v > exabyteInMB:
				return fmt.Sprintf("Invalid 'QuotaConfig.%s': {'%s': %s} is invalid: values greater than 1 exabyte (%d) are not supported", part.what, name, scalarString(v), int64(exabyteInMB))
			case name != "mem" && name != "disk" && v > trillion:
				return fmt.Sprintf("Invalid 'QuotaConfig.%s': {'%s': %s} is invalid: values greater than 1 trillion (%d) are not supported", part.what, name, scalarString(v), int64(trillion))
			}
		}
	}
	for _, part := range []struct {
		what string
		m    map[string]mesos.ScalarValue
	}{{"guarantee", c.Guarantees}, {"limit", c.Limits}} {
		for _, name := range sortedScalarNames(part.m) {
			if msg := scalarValueError(part.m[name].Value); msg != "" {
				return fmt.Sprintf("Invalid %s configuration {'%s': %s}: %s", part.what, name, scalarString(part.m[name].Value), msg)
			}
		}
	}
	if !limitsContain(c.Limits, scalarsOf(c.Guarantees)) {
		return fmt.Sprintf("'QuotaConfig.guarantees' %s is not contained within the 'QuotaConfig.limits' %s",
			protoMapString(c.Guarantees), protoMapString(c.Limits))
	}
	return ""
}

// scalarValueError is validateInputScalarValue.
func scalarValueError(v float64) string {
	switch {
	case math.IsInf(v, 0):
		return "Infinite values not supported"
	case math.IsNaN(v):
		return "NaN not supported"
	case v != 0 && math.Abs(v) < 0x1p-1022:
		return "Subnormal values not supported"
	case v < 0:
		return "Negative values not supported"
	}
	return ""
}

// limitsContain is ResourceLimits::contains: every quantity within its
// limit, a missing limit being no limit.
func limitsContain(limits map[string]mesos.ScalarValue, q map[string]float64) bool {
	for name, v := range q {
		if l, ok := limits[name]; ok && round(v) > round(l.Value) {
			return false
		}
	}
	return true
}

// contains64 is ResourceQuantities::contains: every quantity of b within
// a's, a missing one in a being zero.
func contains64(a, b map[string]float64) bool {
	for name, v := range b {
		if round(v) > round(a[name]) {
			return false
		}
	}
	return true
}

func scalarsOf(m map[string]mesos.ScalarValue) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		out[k] = v.Value
	}
	return out
}

func sortedScalarNames(m map[string]mesos.ScalarValue) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// quantitiesString prints quantities as ResourceQuantities does:
// "cpus:1; mem:128", by name, the non-zero ones.
func quantitiesString(q map[string]float64) string {
	names := make([]string, 0, len(q))
	for k, v := range q {
		if v != 0 {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "{}"
	}
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + ":" + strconv.FormatFloat(round(q[k]), 'g', -1, 64)
	}
	return strings.Join(parts, "; ")
}

// scalarString prints a Value.Scalar as Mesos' operator<< does: all of a
// double's 15 significant digits, no exponent below 1e15.
func scalarString(v float64) string { return strconv.FormatFloat(v, 'g', 15, 64) }

// protoMapString prints a map<string, Value.Scalar> as stout does:
// "{ cpus: 3, mem: 512 }".
func protoMapString(m map[string]mesos.ScalarValue) string {
	names := sortedScalarNames(m)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + ": " + scalarString(m[k].Value)
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// totalGuarantees adds up the guarantees of top-level roles (nested ones
// are within their parents').
func totalGuarantees(quotas map[string]mesos.QuotaConfig) map[string]float64 {
	total := map[string]float64{}
	for r, c := range quotas {
		if strings.Contains(r, "/") {
			continue
		}
		for k, v := range c.Guarantees {
			total[k] += v.Value
		}
	}
	return total
}

// capacity is the scalar resources of all registered agents.
func (m *master) capacity() map[string]float64 {
	c := map[string]float64{}
	for _, a := range m.agents {
		for k, v := range a.total.scalars {
			c[nameOf(k)] += v
		}
	}
	return c
}

// consumedQuota is what a role consumes against its quota, as Mesos 1.11
// counts it: its reservations, used or not, and the unreserved resources
// its frameworks' tasks use and have been offered.
func (m *master) consumedQuota(role string) map[string]float64 {
	c := map[string]float64{}
	for _, fw := range m.frameworks {
		if fw.role != role {
			continue
		}
		for k, v := range fw.held {
			if reservedTo(k) == "" { // reserved ones are counted below, once
				c[nameOf(k)] += v
			}
		}
	}
	for _, a := range m.agents {
		for k, v := range a.total.scalars {
			if reservedTo(k) == role {
				c[nameOf(k)] += v
			}
		}
	}
	return c
}

// quotaHeadroom is how much more of each limited resource a role may be
// offered, or nil when it has no limits.
func (m *master) quotaHeadroom(role string) map[string]float64 {
	q, ok := m.quotas[role]
	if !ok || len(q.Limits) == 0 {
		return nil
	}
	consumed := m.consumedQuota(role)
	head := map[string]float64{}
	for name, l := range q.Limits {
		head[name] = max(round(l.Value-consumed[name]), 0)
	}
	return head
}

// belowGuarantee tells whether a role consumes less than its guarantees
// of some resource, so that it is served first.
func (m *master) belowGuarantee(role string) bool {
	q, ok := m.quotas[role]
	if !ok {
		return false
	}
	consumed := m.consumedQuota(role)
	for name, g := range q.Guarantees {
		if consumed[name] < g.Value {
			return true
		}
	}
	return false
}

// rescindRole withdraws the outstanding offers of a role's frameworks, so
// that a new quota or weight shapes the next ones.
func (m *master) rescindRole(role string) {
	for _, fw := range m.frameworks {
		if fw.role != role {
			continue
		}
		for _, o := range fw.offers {
			m.rescind(o, true)
		}
	}
}

// withinHeadroom cuts an agent's free resources down to a role's headroom:
// limited scalars are offered up to what is left of the limit.
func withinHeadroom(avail pool, head map[string]float64) pool {
	if head == nil {
		return avail
	}
	p := avail.clone()
	for k, v := range p.scalars {
		if h, ok := head[nameOf(k)]; ok && v > h {
			if h <= 0 {
				delete(p.scalars, k)
			} else {
				p.scalars[k] = round(h)
			}
		}
	}
	return p
}
