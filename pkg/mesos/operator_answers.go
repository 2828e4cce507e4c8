package mesos

// The answers of the master's operator calls beyond the cluster state: the
// part of master.proto's Response named after each call.

// Flag is one command-line flag of a master or agent and its value.
type Flag struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// GetFlagsResponse lists the flags, sorted by name.
type GetFlagsResponse struct {
	Flags []Flag `json:"flags,omitempty"`
}

// Value is the flag's value, "" when there is none.
func (r GetFlagsResponse) Value(name string) string {
	for _, f := range r.Flags {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Metric is one named number, such as master/tasks_running.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// GetMetricsResponse lists the metrics, sorted by name.
type GetMetricsResponse struct {
	Metrics []Metric `json:"metrics,omitempty"`
}

// Value is the metric's value and whether there is one of that name.
func (r GetMetricsResponse) Value(name string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Name == name {
			return m.Value, true
		}
	}
	return 0, false
}

// GetLoggingLevelResponse is the verbosity (glog VLOG level) now in force.
type GetLoggingLevelResponse struct {
	Level uint32 `json:"level"`
}

// ListFilesResponse lists a folder.
type ListFilesResponse struct {
	FileInfos []FileInfo `json:"file_infos,omitempty"`
}

// ReadFileResponse is a piece of a file, and the file's size.
type ReadFileResponse struct {
	Size uint64 `json:"size"`
	Data []byte `json:"data"`
}

// OperationRecord is an offer operation the master tracks (mesos.proto
// Operation): what was asked and how it went.
type OperationRecord struct {
	FrameworkID  *FrameworkID      `json:"framework_id,omitempty"`
	AgentID      *AgentID          `json:"agent_id,omitempty"`
	Info         Operation         `json:"info"`
	LatestStatus OperationStatus   `json:"latest_status"`
	Statuses     []OperationStatus `json:"statuses,omitempty"`
	UUID         UUID              `json:"uuid"`
}

// GetOperationsResponse lists the operations the master knows.
type GetOperationsResponse struct {
	Operations []OperationRecord `json:"operations,omitempty"`
}

// Role is a role the master knows: its weight, its frameworks and what
// they hold.
type Role struct {
	Name       string        `json:"name"`
	Weight     float64       `json:"weight"`
	Frameworks []FrameworkID `json:"frameworks,omitempty"`
	Resources  Resources     `json:"resources,omitempty"`
}

// GetRolesResponse lists the roles, sorted by name.
type GetRolesResponse struct {
	Roles []Role `json:"roles,omitempty"`
}

// GetWeightsResponse lists the weights set by UPDATE_WEIGHTS.
type GetWeightsResponse struct {
	WeightInfos []WeightInfo `json:"weight_infos,omitempty"`
}

// GetMaintenanceStatusResponse is each scheduled machine's state.
type GetMaintenanceStatusResponse struct {
	Status MaintenanceStatus `json:"status"`
}

// GetMaintenanceScheduleResponse is the maintenance schedule.
type GetMaintenanceScheduleResponse struct {
	Schedule MaintenanceSchedule `json:"schedule"`
}

// QuotaInfo is a role's guarantees in the deprecated form.
type QuotaInfo struct {
	Role      string    `json:"role,omitempty"`
	Principal string    `json:"principal,omitempty"`
	Guarantee Resources `json:"guarantee,omitempty"`
}

// QuotaStatus lists the roles' quotas: Configs, and Infos for older
// clients.
type QuotaStatus struct {
	Infos   []QuotaInfo   `json:"infos,omitempty"`
	Configs []QuotaConfig `json:"configs,omitempty"`
}

// GetQuotaResponse carries the quotas.
type GetQuotaResponse struct {
	Status QuotaStatus `json:"status"`
}

// DrainConfig is how an agent is drained.
type DrainConfig struct {
	MaxGracePeriod *DurationInfo `json:"max_grace_period,omitempty"`
	MarkGone       bool          `json:"mark_gone"` // Mesos writes it, false included
}

// DrainInfo is an agent's draining: DRAINING while tasks are left, then
// DRAINED.
type DrainInfo struct {
	State  string      `json:"state"`
	Config DrainConfig `json:"config"`
}

// Find is the task of that id: running, unreachable or completed (the
// latest, for an id used more than once).
func (r GetTasksResponse) Find(id string) (Task, bool) {
	for _, list := range [][]Task{r.Tasks, r.UnreachableTasks} {
		for _, t := range list {
			if t.TaskID.Value == id {
				return t, true
			}
		}
	}
	for i := len(r.CompletedTasks) - 1; i >= 0; i-- {
		if r.CompletedTasks[i].TaskID.Value == id {
			return r.CompletedTasks[i], true
		}
	}
	return Task{}, false
}
