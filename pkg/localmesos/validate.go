package localmesos

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// validateFrameworkInfo is what Mesos checks once a SUBSCRIBE stream is
// open (Master::validateFramework), in its order; a failure is the
// stream's only event, ERROR. suppressed are the call's suppressed_roles;
// removed says the framework's id is that of a removed framework.
// UPDATE_FRAMEWORK makes the same checks.
func validateFrameworkInfo(info mesos.FrameworkInfo, suppressed []string, removed bool) string {
	multi := info.HasCapability(mesos.CapabilityMultiRole)
	switch {
	case multi && info.Role != "":
		return textRoleWithMultiRole
	case !multi && len(info.Roles) > 0:
		return textRolesWithoutMultiRole
	}
	if multi {
		seen, dups := map[string]bool{}, []string{}
		for _, r := range info.Roles {
			if seen[r] {
				dups = append(dups, r)
			}
			seen[r] = true
		}
		if len(dups) > 0 {
			return fmt.Sprintf(textDuplicateRoles, strings.Join(dups, ", "))
		}
		for _, r := range info.Roles {
			if msg := validateRole(r); msg != "" {
				return fmt.Sprintf(textInvalidRoles, msg)
			}
		}
	} else if info.Role != "" {
		if msg := validateRole(info.Role); msg != "" {
			return fmt.Sprintf(textInvalidRole, msg)
		}
	}
	if info.ID != nil && info.ID.Value != "" {
		if msg := validateID(info.ID.Value); msg != "" {
			return msg
		}
	}
	roles := frameworkRoles(info)
	for _, r := range suppressed {
		if !contains(roles, r) {
			return fmt.Sprintf(textSuppressedNotInRoles, r)
		}
	}
	if removed {
		return textFrameworkRemoved
	}
	if ft := info.FailoverTimeout; isInfinite(ft) || math.Abs(ft*1e9) > math.MaxInt64 {
		return fmt.Sprintf(textBadFailoverTimeout, cppDouble(ft))
	}
	return ""
}

// cppDouble prints a double the way C++'s ostream << does (%g, 6 digits).
func cppDouble(v float64) string {
	switch {
	case isInfinite(v) && v > 0:
		return "inf"
	case isInfinite(v):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// frameworkRoles is the framework's roles: its roles with MULTI_ROLE, else
// its legacy role ("*" by default).
func frameworkRoles(info mesos.FrameworkInfo) []string {
	if info.HasCapability(mesos.CapabilityMultiRole) {
		return info.Roles
	}
	if info.Role != "" {
		return []string{info.Role}
	}
	return []string{"*"}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// validateRole follows src/common/roles.cpp roles::validate.
func validateRole(r string) string {
	switch {
	case r == "*":
		return ""
	case strings.HasPrefix(r, "/"):
		return fmt.Sprintf(textRoleLeadingSlash, r)
	case strings.HasSuffix(r, "/"):
		return fmt.Sprintf(textRoleTrailingSlash, r)
	case strings.Contains(r, "//"):
		return fmt.Sprintf(textRoleDoubleSlash, r)
	case r == "":
		return textRoleEmpty
	}
	for _, c := range strings.Split(r, "/") {
		switch {
		case c == "." || c == ".." || c == "*":
			return fmt.Sprintf(textRoleComponent, r, c)
		case strings.HasPrefix(c, "-"):
			return fmt.Sprintf(textRoleDash, c)
		case strings.ContainsAny(c, "\t\n\v\f\r \x7f"):
			return fmt.Sprintf(textRoleWhitespace, c)
		}
	}
	return ""
}

// validateID is src/common/validation.cpp validateID, for task, executor
// and framework ids.
func validateID(id string) string {
	switch {
	case id == "":
		return textIDEmpty
	case len(id) > 255:
		return textIDTooLong
	case id == ".":
		return textIDDot
	case id == "..":
		return textIDDotDot
	}
	for _, c := range []byte(id) {
		if c < 0x20 || c == 0x7f || c == '/' || c == '\\' {
			return fmt.Sprintf(textIDBadChars, id)
		}
	}
	return ""
}

// resourceString prints a resource as Mesos' Resources printer does:
// name, "(allocated: role)" when allocation info is set, then the value.
func resourceString(r mesos.Resource) string {
	s := r.Name
	if r.AllocationInfo != nil {
		s += "(allocated: " + r.AllocationInfo.Role + ")"
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

// resourcesString joins resources with "; ", or "{}" for none.
func resourcesString(rs mesos.Resources) string {
	if len(rs) == 0 {
		return "{}"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = resourceString(r)
	}
	return strings.Join(parts, "; ")
}

// validateResources is Resources::validate, which Master::accept runs on
// every task of a LAUNCH before it looks at the tasks themselves.
func validateResources(rs mesos.Resources) string {
	for _, r := range rs {
		why := ""
		switch {
		case r.Name == "":
			why = "Empty resource name"
		case r.Type == mesos.Scalar && (r.Scalar == nil || r.Ranges != nil || r.Set != nil):
			why = "Invalid scalar resource"
		case r.Type == mesos.Scalar && round(r.Scalar.Value) <= 0:
			why = "Invalid scalar resource: value <= 0"
		case r.Type == mesos.Ranges && (r.Ranges == nil || r.Scalar != nil || r.Set != nil):
			why = "Invalid ranges resource"
		case r.Type == mesos.Ranges:
			why = checkRanges(r.Ranges.Range)
		case r.Type == mesos.Set && (r.Set == nil || r.Scalar != nil || r.Ranges != nil):
			why = "Invalid set resource"
		case r.Type == mesos.Set && hasDuplicates(r.Set.Item):
			why = "Invalid set resource: duplicated elements"
		case r.Type == mesos.Text:
			why = "Unsupported resource type"
		case r.Role != "" || r.AllocationInfo != nil && r.AllocationInfo.Role != "":
			role := r.Role
			if r.Role == "" {
				role = r.AllocationInfo.Role
			}
			why = validateRole(role)
		}
		if why != "" {
			return fmt.Sprintf(textInvalidResource, resourceString(r), why)
		}
	}
	return ""
}

func checkRanges(rs []mesos.Range) string {
	sorted := append([]mesos.Range(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Begin < sorted[j].Begin })
	for i, r := range sorted {
		if r.Begin > r.End {
			return "Invalid ranges resource: begin > end"
		}
		if i > 0 && r.Begin <= sorted[i-1].End {
			return "Invalid ranges resource: overlapping ranges"
		}
	}
	return ""
}

func hasDuplicates(items []string) bool {
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it] {
			return true
		}
		seen[it] = true
	}
	return false
}

// validateTask is validation::task::validate for one task of a LAUNCH or
// LAUNCH_GROUP, against what is left of the offers. It returns the
// TASK_ERROR message, or "".
func (m *master) validateTask(fw *framework, a *agentRec, ti mesos.TaskInfo, inGroup bool, seen map[string]bool, remaining pool, role string) string {
	if msg := validateID(ti.TaskID.Value); msg != "" {
		return msg
	}
	if _, dup := fw.tasks[ti.TaskID.Value]; dup || seen[ti.TaskID.Value] {
		return fmt.Sprintf(textDuplicateTaskID, ti.TaskID.Value)
	}
	if ti.AgentID.Value != a.id {
		return fmt.Sprintf(textTaskWrongAgent, ti.AgentID.Value, a.id)
	}
	if kp := ti.KillPolicy; kp != nil && kp.GracePeriod != nil && kp.GracePeriod.Nanoseconds < 0 {
		return textNegativeGrace
	}
	if len(ti.Resources) == 0 {
		return textNoResources
	}
	if c := ti.Container; c != nil {
		if c.Type == mesos.ContainerDocker && c.Docker == nil {
			return textContainerInvalid + textDockerInfoMissing
		}
		if c.Docker != nil {
			for _, p := range c.Docker.Parameters {
				if p.Key == "name" {
					return textContainerInvalid + textDockerNameParam
				}
			}
		}
	}
	if msg := validateLimits(ti); msg != "" {
		return msg
	}
	if inGroup {
		if ti.Executor != nil {
			return textGroupTaskExecutor
		}
		if c := ti.Container; c != nil && c.Type == mesos.ContainerDocker {
			return textGroupDocker
		}
	} else if (ti.Command == nil) == (ti.Executor == nil) {
		return textCommandXorExecutor
	}
	total := ti.Resources
	if !inGroup && ti.Executor != nil {
		var msg string
		if total, msg = m.validateTaskExecutor(fw, a, ti); msg != "" { // executor_master.go
			return msg
		}
	}
	if !remaining.contains(total) {
		return fmt.Sprintf(textTooMuchResources, resourcesString(withAllocation(total, role)), resourcesString(withAllocation(remaining.offerResources(""), role)))
	}
	return ""
}

// validateLimits is Mesos' validateResourceLimits: only cpus and mem may
// have limits, each with a request it is not below (an infinite memory
// limit is always fine). The stand-in's agents can handle limits, as 1.11
// agents announce.
func validateLimits(ti mesos.TaskInfo) string {
	if len(ti.Limits) == 0 {
		return ""
	}
	cpus, hasCPUs := ti.Limits["cpus"]
	mem, hasMem := ti.Limits["mem"]
	n := 0
	if hasCPUs {
		n++
	}
	if hasMem {
		n++
	}
	if len(ti.Limits) > n {
		return textLimitsOnlyCPUsMem
	}
	req := poolOf(ti.Resources)
	if hasCPUs {
		request, ok := req.scalars["cpus"]
		if !ok {
			return textLimitCPUNoRequest
		}
		if cpus.Value < request {
			return textLimitCPUBelow
		}
	}
	if hasMem {
		request, ok := req.scalars["mem"]
		if !ok {
			return textLimitMemNoRequest
		}
		if !isInfinite(mem.Value) && mem.Value < request {
			return textLimitMemBelow
		}
	}
	return ""
}

// withAllocation is the master's injectAllocationInfo: resources without
// an allocation role get the offer's; and a reservation in the
// pre-refinement format (role, reservation) is kept in the one the master
// keeps (reservations).
func withAllocation(rs mesos.Resources, role string) mesos.Resources {
	out := make(mesos.Resources, len(rs))
	for i, r := range rs {
		if r.AllocationInfo == nil {
			r.AllocationInfo = &mesos.AllocationInfo{Role: role}
		}
		if len(r.Reservations) == 0 && r.Role != "" && r.Role != "*" {
			ri := mesos.ReservationInfo{Type: "STATIC", Role: r.Role}
			if r.Reservation != nil {
				ri = *r.Reservation
				ri.Type, ri.Role = "DYNAMIC", r.Role
			}
			r.Reservations = []mesos.ReservationInfo{ri}
		}
		r.Role, r.Reservation = "", nil
		out[i] = r
	}
	return out
}

// validateGroupExecutor checks a LAUNCH_GROUP's executor.
func validateGroupExecutor(e mesos.ExecutorInfo) string {
	if msg := validateID(e.ExecutorID.Value); msg != "" {
		return msg
	}
	if e.Type != "DEFAULT" {
		return textGroupExecutorType
	}
	return ""
}

// dockerRunError is what Mesos' Docker::RunOptions::create refuses, which
// the Docker executor reports as TASK_FAILED after TASK_STARTING: the
// master does not check port mappings or the shell.
func dockerRunError(ti mesos.TaskInfo) string {
	d := ti.Container.Docker
	if len(d.PortMappings) > 0 {
		if d.Network != mesos.NetworkBridge && d.Network != mesos.NetworkUser {
			return textPortMappingNetwork
		}
		ports := mesos.Resources(ti.Resources).Ports()
		if len(ports.Range) == 0 {
			return textPortMappingNoPorts
		}
		for _, pm := range d.PortMappings {
			if !ports.Contains(uint64(pm.HostPort)) {
				return fmt.Sprintf(textPortNotInResources, pm.HostPort)
			}
		}
	}
	if c := ti.Command; c == nil || c.Shell == nil || *c.Shell {
		if c == nil || c.Value == "" {
			return textShellNoValue
		}
	}
	return ""
}
