package mesos

// Maintenance: operators schedule machines for maintenance in windows;
// during a window frameworks get inverse offers asking for the machine's
// resources back, then START_MAINTENANCE takes the machines down and
// STOP_MAINTENANCE brings them back up (maintenance.proto).

// MachineID names a machine by hostname, IP address or both, as its
// agents registered.
type MachineID struct {
	Hostname string `json:"hostname,omitempty"`
	IP       string `json:"ip,omitempty"`
}

// MaintenanceWindow is machines that go into maintenance together.
type MaintenanceWindow struct {
	MachineIDs     []MachineID    `json:"machine_ids,omitempty"`
	Unavailability Unavailability `json:"unavailability"`
}

// MaintenanceSchedule is the list of maintenance windows.
type MaintenanceSchedule struct {
	Windows []MaintenanceWindow `json:"windows,omitempty"`
}

// MaintenanceStatus is each scheduled machine's state: draining (with the
// frameworks' answers to its inverse offers) or down.
type MaintenanceStatus struct {
	DrainingMachines []DrainingMachine `json:"draining_machines,omitempty"`
	DownMachines     []MachineID       `json:"down_machines,omitempty"`
}

// DrainingMachine is a machine in a maintenance window that is still up.
type DrainingMachine struct {
	ID       MachineID            `json:"id"`
	Statuses []InverseOfferStatus `json:"statuses,omitempty"`
}

// InverseOfferStatus is a framework's answer to an inverse offer: UNKNOWN
// (none yet), ACCEPT or DECLINE.
type InverseOfferStatus struct {
	Status      string      `json:"status"`
	FrameworkID FrameworkID `json:"framework_id"`
	Timestamp   TimeInfo    `json:"timestamp"`
}
