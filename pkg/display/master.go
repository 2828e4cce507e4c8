package display

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// What the master says of itself and of how it shares the cluster: its
// build, its metrics, its roles and their quotas.

// Calls returns cfg with every request a client made with it shown, with
// its answer (Call): for the operator calls a cell is about.
func Calls(cfg httpapi.Config) httpapi.Config {
	cfg.Observe = Call
	return cfg
}

// Built says which Mesos a version is and who built it when: "Mesos
// 1.11.0 (built by alice on 2020-11-19 10:10:58)". Real builds may leave
// build_user empty: then it says so rather than name nobody.
func Built(v *mesos.VersionInfo) string {
	by := "built"
	if v.BuildUser != "" {
		by += " by " + v.BuildUser
	}
	switch {
	case v.BuildDate != "":
		by += " on " + v.BuildDate
	case v.BuildTime > 0:
		by += " on " + time.Unix(int64(v.BuildTime), 0).UTC().Format(time.DateTime)
	}
	if v.BuildUser == "" {
		by += "; no build_user recorded"
	}
	return fmt.Sprintf("Mesos %s (%s)", v.Version, by)
}

// MetricsTable shows some metrics twice, before and after something
// happened, out of all the master reported.
func MetricsTable(before, after *mesos.GetMetricsResponse, names ...string) Table {
	t := Table{Title: fmt.Sprintf("GET_METRICS: %d metrics; %d of them, before and after", len(after.Metrics), len(names)),
		Header: []string{"metric", "before", "after"}}
	value := func(r *mesos.GetMetricsResponse, name string) string {
		if v, ok := r.Value(name); ok {
			return fmt.Sprintf("%g", v)
		}
		return "(none)"
	}
	for _, n := range names {
		t.Rows = append(t.Rows, []string{n, value(before, n), value(after, n)})
	}
	return t
}

// RolesTable lists the roles the master knows (GET_ROLES): their weight,
// frameworks, and what those hold, used by tasks and offered together
// (Mesos counts both in a role's resources).
func RolesTable(r *mesos.GetRolesResponse) Table {
	t := Table{Title: fmt.Sprintf("GET_ROLES: %d role(s)", len(r.Roles)), Empty: "no roles",
		Header: []string{"role", "weight", "frameworks", "cpus used or offered", "mem MB used or offered"}}
	for _, role := range r.Roles {
		t.Rows = append(t.Rows, []string{role.Name, fmt.Sprintf("%g", role.Weight), fmt.Sprint(len(role.Frameworks)),
			fmt.Sprintf("%g", role.Resources.CPUs()), fmt.Sprintf("%g", role.Resources.Mem())})
	}
	return t
}

// QuotaTable lists the roles' quotas (GET_QUOTA): what each is guaranteed
// and the most it may be offered.
func QuotaTable(q *mesos.QuotaStatus) Table {
	t := Table{Title: fmt.Sprintf("GET_QUOTA: %d role(s) with a quota", len(q.Configs)), Empty: "no quota set",
		Header: []string{"role", "guarantees", "limits"}}
	for _, c := range q.Configs {
		t.Rows = append(t.Rows, []string{c.Role, quantities(c.Guarantees), quantities(c.Limits)})
	}
	return t
}

// quantities is "cpus:1; mem:512", sorted by name.
func quantities(m map[string]mesos.ScalarValue) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, fmt.Sprintf("%s:%g", k, m[k].Value))
	}
	if out == nil {
		return "none"
	}
	return strings.Join(out, "; ")
}
