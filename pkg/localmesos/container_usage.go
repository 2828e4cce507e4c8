package localmesos

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// usage is what GET_CONTAINERS says a task's container uses and may use:
// its limits from its resources, and for a task that runs as a local
// process its CPU times and resident memory, read from /proc as Mesos'
// POSIX isolators read them. Called with a.mu held.
func usage(t *agentTask) *mesos.ResourceStatistics {
	rs := &mesos.ResourceStatistics{
		Timestamp:     float64(time.Now().UnixNano()) / 1e9,
		CPUsSoftLimit: t.info.Resources.CPUs(),
		MemLimitBytes: uint64(t.info.Resources.Mem() * (1 << 20)),
	}
	rs.MemSoftLimitBytes = rs.MemLimitBytes
	if pid := t.container.ExecutorPID; pid != 0 {
		procUsage(int(pid), rs)
	}
	return rs
}

// clockTicks is USER_HZ, 100 on Linux.
const clockTicks = 100

// procUsage reads a process' CPU times (/proc/<pid>/stat, fields 14 and
// 15) and resident set (/proc/<pid>/statm, field 2, in pages).
func procUsage(pid int, rs *mesos.ResourceStatistics) {
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			f := strings.Fields(s[i+1:])
			if len(f) > 12 {
				utime, _ := strconv.ParseFloat(f[11], 64)
				stime, _ := strconv.ParseFloat(f[12], 64)
				user, system := utime/clockTicks, stime/clockTicks
				rs.CPUsUserTimeSecs, rs.CPUsSystemTimeSecs = &user, &system
			}
		}
	}
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			pages, _ := strconv.ParseUint(f[1], 10, 64)
			rs.MemRSSBytes = pages * uint64(os.Getpagesize())
		}
	}
}
