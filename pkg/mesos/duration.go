package mesos

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Mesos writes durations in its own notation (stout's Duration), not Go's:
// a number and one unit of ns, us, ms, secs, mins, hrs, days or weeks, as
// in "5secs", "15mins" or "250ms". The agent hands executors their
// timeouts this way (MESOS_RECOVERY_TIMEOUT, MESOS_SUBSCRIPTION_BACKOFF_MAX,
// MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD).

var durationUnits = []struct {
	name string
	d    time.Duration
}{
	{"weeks", 7 * 24 * time.Hour},
	{"days", 24 * time.Hour},
	{"hrs", time.Hour},
	{"mins", time.Minute},
	{"secs", time.Second},
	{"ms", time.Millisecond},
	{"us", time.Microsecond},
	{"ns", time.Nanosecond},
}

// ParseDuration reads a duration in Mesos' notation: a non-negative
// decimal number directly followed by its unit ("2secs", "1.5mins").
func ParseDuration(s string) (time.Duration, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, fmt.Errorf("invalid duration %q: want a number and a unit, such as 5secs or 15mins", s)
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: %w", s, err)
	}
	unit := s[i:]
	for _, u := range durationUnits {
		if u.name == unit {
			ns := v * float64(u.d)
			if ns > math.MaxInt64 {
				return 0, fmt.Errorf("invalid duration %q: too long", s)
			}
			return time.Duration(ns), nil
		}
	}
	return 0, fmt.Errorf("invalid duration %q: unknown unit %q; Mesos' units are ns, us, ms, secs, mins, hrs, days and weeks", s, unit)
}

// FormatDuration writes a duration as Mesos does: in the largest unit it
// reaches, unless a smaller unit one step down gives a whole number
// (90 s is "90secs", 2 min "2mins", 1.5 ms "1500us").
func FormatDuration(d time.Duration) string {
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	// durationUnits runs from weeks down to ns: find d's bucket.
	i := len(durationUnits) - 1
	for j, u := range durationUnits {
		if d >= u.d {
			i = j
			break
		}
	}
	u := durationUnits[i]
	if i+1 < len(durationUnits) {
		if down := durationUnits[i+1]; d%u.d != 0 && d%down.d == 0 {
			u = down
		}
	}
	return neg + strconv.FormatFloat(float64(d)/float64(u.d), 'g', 15, 64) + u.name
}
