// Package proc reads what the project's tools and tests need to know about
// a process from Linux's /proc: whether it still lives, its memory and its
// CPU time. Elsewhere every answer is "unknown" (false or zero).
//
//	if proc.Alive(pid) { ... }          // exists and is not a zombie
//	rss, peak := proc.Memory(pid)       // bytes
//	cpu := proc.CPUTime(pid)            // user + system
package proc

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Alive reports whether a process exists and is not a zombie (a process
// that ended but was not reaped still has a pid; it does nothing more).
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if f := statFields(pid); len(f) > 0 && f[0] == "Z" {
		return false
	}
	return true
}

// statFields are the fields of /proc/<pid>/stat after the command name,
// which is in parentheses and may hold spaces: state first, then ppid...
func statFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// CPUTime is the user and system CPU time a process has used, which Linux
// counts in clock ticks of 10 ms (USER_HZ is 100).
func CPUTime(pid int) time.Duration {
	f := statFields(pid)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// Memory is a process's resident memory now and at its peak, in bytes.
func Memory(pid int) (rss, peak int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kib, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kib << 10
		case "VmHWM:":
			peak = kib << 10
		}
	}
	return rss, peak
}

// LoadAverage is the machine's one-minute load average.
func LoadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
