package localmesos

import (
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Metrics, as GET_METRICS and GET /metrics/snapshot give them: the names a
// learner meets in Mesos (master/frameworks_active, master/tasks_running,
// master/outstanding_offers, master/cpus_used...) with values that follow
// what the stand-in does. A real master has about 300, the allocator's
// and the registrar's among them; the stand-in has the master's and the
// machine's.

// countTerminal counts a task that reached a terminal state, as Mesos'
// master/tasks_finished, master/tasks_killed... do. Called with m.mu held.
func (m *master) countTerminal(state mesos.TaskState) {
	m.counters["master/tasks_"+strings.ToLower(strings.TrimPrefix(string(state), "TASK_"))]++
}

// masterMetrics is the master's metrics. Called with m.mu held.
func (s *Server) masterMetrics() map[string]float64 {
	m := s.master
	out := map[string]float64{
		"master/uptime_secs":                          time.Since(m.started).Seconds(),
		"master/elected":                              boolMetric(m.leadership().leading),
		"master/outstanding_offers":                   float64(len(m.offers)),
		"master/operator_event_stream_subscribers":    float64(len(m.opSubs)),
		"master/slave_registrations":                  float64(len(s.agents)),
		"master/slave_removals":                       0,
		"master/slaves_unreachable":                   0,
		"master/valid_status_updates":                 0,
		"master/valid_status_update_acknowledgements": 0,
	}
	for k, v := range m.counters {
		out[k] += v
	}
	for _, st := range []string{"finished", "failed", "killed", "lost", "error", "dropped", "gone", "gone_by_operator"} {
		out["master/tasks_"+st] += 0
	}
	var active, inactive, connected float64
	for _, fw := range m.frameworks {
		switch {
		case fw.active:
			active++
		default:
			inactive++
		}
		if fw.sub != nil {
			connected++
		}
	}
	out["master/frameworks_active"], out["master/frameworks_inactive"] = active, inactive
	out["master/frameworks_connected"], out["master/frameworks_disconnected"] = connected, active+inactive-connected
	var agentsActive float64
	for _, a := range m.agents {
		if !a.deactivated {
			agentsActive++
		}
	}
	n := float64(len(m.agents))
	out["master/slaves_active"], out["master/slaves_inactive"] = agentsActive, n-agentsActive
	out["master/slaves_connected"], out["master/slaves_disconnected"] = n, 0
	for _, st := range []mesos.TaskState{mesos.TaskStaging, mesos.TaskStarting, mesos.TaskRunning, mesos.TaskKilling, mesos.TaskUnreachable} {
		out["master/tasks_"+strings.ToLower(strings.TrimPrefix(string(st), "TASK_"))] = 0
	}
	for _, fw := range m.frameworks {
		for _, t := range fw.tasks {
			if !t.state.Terminal() {
				out["master/tasks_"+strings.ToLower(strings.TrimPrefix(string(t.state), "TASK_"))]++
			}
		}
	}
	total, used, offered := newPool(), newPool(), newPool()
	for _, a := range m.agents {
		total.addPool(a.total)
		used.addPool(a.used)
		offered.addPool(a.offered)
	}
	total, used, offered = total.merged(), used.merged(), offered.merged()
	for _, r := range []string{"cpus", "mem", "disk", "gpus"} {
		out["master/"+r+"_total"], out["master/"+r+"_used"] = total.scalars[r], used.scalars[r]
		out["master/"+r+"_percent"] = 0
		if total.scalars[r] > 0 {
			out["master/"+r+"_percent"] = used.scalars[r] / total.scalars[r]
		}
		if total.scalars[r] > 0 { // the allocator's metrics name only the resources there are
			out["allocator/mesos/resources/"+r+"/total"] = total.scalars[r]
			out["allocator/mesos/resources/"+r+"/offered_or_allocated"] = used.scalars[r] + offered.scalars[r]
		}
	}
	systemMetrics(out)
	return out
}

// agentMetrics is an agent's metrics.
func (s *Server) agentMetrics(a *agent) map[string]float64 {
	out := map[string]float64{
		"slave/uptime_secs":       time.Since(s.master.started).Seconds(),
		"slave/registered":        1,
		"slave/executors_running": 0, "slave/tasks_running": 0, "slave/tasks_starting": 0,
		"slave/tasks_staging": 0, "slave/tasks_killing": 0,
		"slave/tasks_finished": 0, "slave/tasks_failed": 0, "slave/tasks_killed": 0, "slave/tasks_lost": 0,
	}
	a.mu.Lock()
	for _, t := range a.tasks {
		if !t.state.Terminal() {
			out["slave/executors_running"]++
		}
		out["slave/tasks_"+strings.ToLower(strings.TrimPrefix(string(t.state), "TASK_"))]++
	}
	for _, done := range a.completed {
		for _, d := range done {
			out["slave/tasks_"+strings.ToLower(strings.TrimPrefix(string(d.state), "TASK_"))]++
		}
	}
	a.mu.Unlock()
	m := s.master
	m.mu.Lock()
	total, used := a.rec.total.merged(), a.rec.used.merged()
	m.mu.Unlock()
	for _, r := range []string{"cpus", "mem", "disk", "gpus"} {
		out["slave/"+r+"_total"], out["slave/"+r+"_used"] = total.scalars[r], used.scalars[r]
		out["slave/"+r+"_percent"] = 0
		if total.scalars[r] > 0 {
			out["slave/"+r+"_percent"] = used.scalars[r] / total.scalars[r]
		}
	}
	systemMetrics(out)
	return out
}

// systemMetrics are the machine's, as Mesos' system/ metrics.
func systemMetrics(out map[string]float64) {
	out["system/cpus_total"] = float64(runtime.NumCPU())
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		unit := float64(si.Unit)
		out["system/mem_total_bytes"] = float64(si.Totalram) * unit
		out["system/mem_free_bytes"] = float64(si.Freeram) * unit
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		for i, name := range []string{"system/load_1min", "system/load_5min", "system/load_15min"} {
			if i < len(f) {
				v, _ := strconv.ParseFloat(f[i], 64)
				out[name] = v
			}
		}
	}
}

func boolMetric(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// metricList is metrics as GET_METRICS lists them, sorted by name.
func metricList(m map[string]float64) []mesos.Metric {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]mesos.Metric, len(names))
	for i, n := range names {
		out[i] = mesos.Metric{Name: n, Value: m[n]}
	}
	return out
}

// metricsSnapshot is GET /metrics/snapshot: the metrics as one JSON object.
func metricsSnapshot(w http.ResponseWriter, r *http.Request, metrics map[string]float64) {
	writeJSON(w, r, eventJSON(metrics))
}

// masterSnapshot is the master's GET /metrics/snapshot.
func (s *Server) masterSnapshot(w http.ResponseWriter, r *http.Request) {
	s.master.mu.Lock()
	metrics := s.masterMetrics()
	s.master.mu.Unlock()
	metricsSnapshot(w, r, metrics)
}

// mesosDuration writes a duration as stout does in flags: the largest unit
// it reaches, 1secs, 15secs, 10mins, 100ms.
func mesosDuration(d time.Duration) string {
	units := []struct {
		size time.Duration
		name string
	}{{7 * 24 * time.Hour, "weeks"}, {24 * time.Hour, "days"}, {time.Hour, "hrs"}, {time.Minute, "mins"},
		{time.Second, "secs"}, {time.Millisecond, "ms"}, {time.Microsecond, "us"}}
	for _, u := range units {
		if d >= u.size {
			return strconv.FormatFloat(float64(d)/float64(u.size), 'g', -1, 64) + u.name
		}
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}
