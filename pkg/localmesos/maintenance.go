package localmesos

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sort"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Maintenance, as Mesos 1.11 runs it (src/master/http.cpp maintenance
// calls, src/master/maintenance.cpp, the allocator's inverse offers):
//
//   - UPDATE_MAINTENANCE_SCHEDULE puts machines in windows; a scheduled
//     machine is DRAINING: offers of its agents carry the window as
//     unavailability, and each framework with tasks there gets an inverse
//     offer asking for the resources back, which it accepts or declines
//     (GET_MAINTENANCE_STATUS shows the answers).
//   - START_MAINTENANCE takes DRAINING machines DOWN: their agents are
//     removed, their tasks end as TASK_LOST ("Agent ... removed").
//   - STOP_MAINTENANCE brings DOWN machines back UP and out of the
//     schedule; their agents register again, with new ids, as restarted
//     Mesos agents would.
//
// A machine is an agent's hostname and IP address: the stand-in's agents
// all run on one machine, so maintenance takes all of them.

type maintenance struct {
	schedule mesos.MaintenanceSchedule
	machines map[mesos.MachineID]*machine // the scheduled ones
	inverse  map[string]*inverseOffer     // outstanding inverse offers by id
	next     int
}

// machine is a scheduled machine: DRAINING or DOWN.
type machine struct {
	mode           string
	unavailability mesos.Unavailability
	statuses       map[string]mesos.InverseOfferStatus // by framework id
	down           []*agentRec                         // agents taken down with it
}

type inverseOffer struct {
	id    string
	fw    *framework
	agent *agentRec
}

func newMaintenance() maintenance {
	return maintenance{machines: map[mesos.MachineID]*machine{}, inverse: map[string]*inverseOffer{}}
}

// machineOf is an agent's machine, as Mesos names it: its hostname and the
// IP address it registered from.
func machineOf(a *agentRec) mesos.MachineID {
	return mesos.MachineID{Hostname: a.hostname, IP: a.ip()}
}

// machineJSON is a machine id as Mesos' messages quote it.
func machineJSON(id mesos.MachineID) string {
	b, _ := json.Marshal(id)
	return string(b)
}

// machineString is a machine id as Mesos' operator<< writes it:
// "hostname (ip)", "hostname" or "(ip)".
func machineString(id mesos.MachineID) string {
	switch {
	case id.Hostname != "" && id.IP != "":
		return id.Hostname + " (" + id.IP + ")"
	case id.Hostname != "":
		return id.Hostname
	}
	return "(" + id.IP + ")"
}

// scheduledMachine is the agent's machine if a maintenance window holds it.
func (mt *maintenance) scheduledMachine(a *agentRec) *mesos.MachineID {
	id := machineOf(a)
	for _, w := range mt.schedule.Windows {
		for _, m := range w.MachineIDs {
			if m == id {
				return &id
			}
		}
	}
	return nil
}

// draining is the agent's machine when it is DRAINING.
func (mt *maintenance) draining(a *agentRec) *machine {
	if m := mt.machines[machineOf(a)]; m != nil && m.mode == "DRAINING" {
		return m
	}
	return nil
}

// forgetAgent drops the inverse offers of a removed agent.
func (mt *maintenance) forgetAgent(a *agentRec) {
	for id, io := range mt.inverse {
		if io.agent == a {
			delete(mt.inverse, id)
		}
	}
}

// validMachine is maintenance::validation::machine.
func validMachine(id mesos.MachineID) string {
	if id.Hostname == "" && id.IP == "" {
		return "Both 'hostname' and 'ip' for a machine are empty"
	}
	if id.IP != "" && net.ParseIP(id.IP).To4() == nil {
		return "Failed to parse IPv4: " + id.IP
	}
	return ""
}

// updateSchedule is Master::Http::_updateMaintenanceSchedule.
func (m *master) updateSchedule(s mesos.MaintenanceSchedule) opReply {
	seen := map[mesos.MachineID]mesos.Unavailability{}
	for _, w := range s.Windows {
		if len(w.MachineIDs) == 0 {
			return textReply(http.StatusBadRequest, "List of machines in the maintenance window is empty")
		}
		if w.Unavailability.Duration != nil && w.Unavailability.Duration.Nanoseconds < 0 {
			return textReply(http.StatusBadRequest, "Unavailability 'duration' is negative")
		}
		for _, id := range w.MachineIDs {
			if msg := validMachine(id); msg != "" {
				return textReply(http.StatusBadRequest, msg)
			}
			if _, dup := seen[id]; dup {
				return textReply(http.StatusBadRequest, fmt.Sprintf(textMachineTwice, machineJSON(id)))
			}
			seen[id] = w.Unavailability
		}
	}
	for _, id := range sortedMachines(m.maint.machines) {
		if _, kept := seen[id]; !kept && m.maint.machines[id].mode == "DOWN" {
			return textReply(http.StatusBadRequest, fmt.Sprintf(textMachineDownKept, machineJSON(id)))
		}
	}
	for id, mc := range m.maint.machines {
		if _, kept := seen[id]; !kept {
			delete(m.maint.machines, id) // back UP
			continue
		}
		mc.unavailability = seen[id]
	}
	for id, u := range seen {
		if m.maint.machines[id] == nil {
			m.maint.machines[id] = &machine{mode: "DRAINING", unavailability: u, statuses: map[string]mesos.InverseOfferStatus{}}
		}
	}
	m.maint.schedule = s
	// Offers made before carry the old unavailability: withdraw them.
	for _, o := range m.offers {
		if _, ok := seen[machineOf(o.agent)]; ok {
			m.rescind(o, true)
		}
	}
	for id, io := range m.maint.inverse {
		if m.maint.draining(io.agent) == nil {
			m.rescindInverse(id)
		}
	}
	m.allocateSoon()
	return emptyOK
}

// maintenanceStatus is GET_MAINTENANCE_STATUS.
func (m *master) maintenanceStatus() mesos.MaintenanceStatus {
	var st mesos.MaintenanceStatus
	for _, id := range sortedMachines(m.maint.machines) {
		mc := m.maint.machines[id]
		if mc.mode == "DOWN" {
			st.DownMachines = append(st.DownMachines, id)
			continue
		}
		dm := mesos.DrainingMachine{ID: id}
		for _, fwID := range sortedStatusKeys(mc.statuses) {
			dm.Statuses = append(dm.Statuses, mc.statuses[fwID])
		}
		st.DrainingMachines = append(st.DrainingMachines, dm)
	}
	return st
}

// checkMachines is maintenance::validation::machines, then the mode each
// machine must be in.
func (m *master) checkMachines(ids []mesos.MachineID, mode, notInMode string) string {
	if len(ids) == 0 {
		return "List of machines is empty"
	}
	seen := map[mesos.MachineID]bool{}
	for _, id := range ids {
		if msg := validMachine(id); msg != "" {
			return msg
		}
		if seen[id] {
			return fmt.Sprintf(textMachineTwice, machineJSON(id))
		}
		seen[id] = true
	}
	for _, id := range ids {
		mc := m.maint.machines[id]
		switch {
		case mc == nil && !m.hasMachine(id):
			return fmt.Sprintf(textMachineNotScheduled, machineJSON(id))
		case mc == nil || mc.mode != mode:
			return fmt.Sprintf(notInMode, machineJSON(id)) // an agent's machine is UP
		}
	}
	return ""
}

// hasMachine tells whether an agent runs on the machine: Mesos knows the
// machines of its agents, UP when not scheduled.
func (m *master) hasMachine(id mesos.MachineID) bool {
	for _, a := range m.agents {
		if machineOf(a) == id {
			return true
		}
	}
	return false
}

// startMaintenance takes machines DOWN: their agents are removed.
func (m *master) startMaintenance(ids []mesos.MachineID) opReply {
	if msg := m.checkMachines(ids, "DRAINING", textMachineNotDraining); msg != "" {
		return textReply(http.StatusBadRequest, msg)
	}
	for _, id := range ids {
		mc := m.maint.machines[id]
		for _, a := range append([]*agentRec(nil), m.agents...) {
			if machineOf(a) == id {
				m.removeAgent(a, textMachineDown, false)
				mc.down = append(mc.down, a)
			}
		}
		mc.mode = "DOWN"
	}
	return emptyOK
}

// stopMaintenance brings machines back UP: out of the schedule, and their
// agents registered again under new ids.
func (m *master) stopMaintenance(ids []mesos.MachineID) opReply {
	if msg := m.checkMachines(ids, "DOWN", textMachineNotDown); msg != "" {
		return textReply(http.StatusBadRequest, msg)
	}
	up := map[mesos.MachineID]bool{}
	for _, id := range ids {
		up[id] = true
		for _, a := range m.maint.machines[id].down {
			m.registerAgentAgain(a)
		}
		delete(m.maint.machines, id)
	}
	var windows []mesos.MaintenanceWindow
	for _, w := range m.maint.schedule.Windows {
		var kept []mesos.MachineID
		for _, id := range w.MachineIDs {
			if !up[id] {
				kept = append(kept, id)
			}
		}
		if len(kept) > 0 {
			w.MachineIDs = kept
			windows = append(windows, w)
		}
	}
	m.maint.schedule.Windows = windows
	m.allocateSoon()
	return emptyOK
}

// registerAgentAgain brings back an agent taken down for maintenance, as
// a restarted agent registers: a new id, nothing running, all its
// resources free.
func (m *master) registerAgentAgain(a *agentRec) {
	a.id = fmt.Sprintf("%s-S%d", m.id, m.nextAgent)
	m.nextAgent++
	a.offered, a.used = newPool(), newPool()
	a.deactivated, a.drain = false, nil
	a.registered = time.Now()
	m.agents = append(m.agents, a)
	m.total = pool{}
	m.counters["master/slave_registrations"]++
	m.opEvent(mesos.OperatorEvent{Type: mesos.AgentAdded, AgentAdded: &mesos.AgentAddedEvent{Agent: m.agentState(a)}})
}

// sendInverseOffers asks each framework with tasks on a DRAINING machine's
// agents to give them back, once per framework and agent until it answers.
// Called by the allocator with m.mu held.
func (m *master) sendInverseOffers() {
	if len(m.maint.machines) == 0 {
		return
	}
	for _, a := range m.agents {
		mc := m.maint.draining(a)
		if mc == nil {
			continue
		}
		for _, fw := range m.sortedFrameworks() {
			if fw.sub == nil || fw.used[a.id].empty() && !holdsOffer(fw, a) {
				continue
			}
			if _, answered := mc.statuses[fw.id.Value]; answered {
				continue
			}
			if m.hasInverseOffer(fw, a) {
				continue
			}
			m.maint.next++
			id := fmt.Sprintf("%s-I%d", m.id, m.maint.next)
			m.maint.inverse[id] = &inverseOffer{id: id, fw: fw, agent: a}
			agentID := mesos.AgentID{Value: a.id}
			fw.sub.send(mesos.Event{Type: mesos.EventInverseOffers, InverseOffers: &mesos.InverseOffers{InverseOffers: []mesos.InverseOffer{{
				ID: mesos.OfferID{Value: id}, URL: a.url(), FrameworkID: fw.id, AgentID: &agentID, Unavailability: mc.unavailability,
			}}}})
		}
	}
}

// holdsOffer tells whether the framework has an outstanding offer of the
// agent's resources.
func holdsOffer(fw *framework, a *agentRec) bool {
	for _, o := range fw.offers {
		if o.agent == a {
			return true
		}
	}
	return false
}

func (m *master) hasInverseOffer(fw *framework, a *agentRec) bool {
	for _, io := range m.maint.inverse {
		if io.fw == fw && io.agent == a {
			return true
		}
	}
	return false
}

// inverseOfferReply records a framework's ACCEPT_INVERSE_OFFERS or
// DECLINE_INVERSE_OFFERS: its answer shows in GET_MAINTENANCE_STATUS.
// Called with m.mu held.
func (m *master) inverseOfferReply(fw *framework, ids []mesos.OfferID, accept bool) {
	status := "DECLINE"
	if accept {
		status = "ACCEPT"
	}
	for _, id := range ids {
		io := m.maint.inverse[id.Value]
		if io == nil || io.fw != fw {
			continue
		}
		delete(m.maint.inverse, id.Value)
		if mc := m.maint.machines[machineOf(io.agent)]; mc != nil {
			mc.statuses[fw.id.Value] = mesos.InverseOfferStatus{Status: status, FrameworkID: fw.id, Timestamp: mesos.TimeInfo{Nanoseconds: time.Now().UnixNano()}}
		}
	}
}

// rescindInverse withdraws an inverse offer.
func (m *master) rescindInverse(id string) {
	io := m.maint.inverse[id]
	delete(m.maint.inverse, id)
	if io != nil && io.fw.sub != nil {
		io.fw.sub.send(mesos.Event{Type: mesos.EventRescindInverseOffer, RescindInverseOffer: &mesos.RescindInverseOffer{InverseOfferID: mesos.OfferID{Value: id}}})
	}
}

func sortedMachines(ms map[mesos.MachineID]*machine) []mesos.MachineID {
	ids := make([]mesos.MachineID, 0, len(ms))
	for id := range ms {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if ids[i].Hostname != ids[j].Hostname {
			return ids[i].Hostname < ids[j].Hostname
		}
		return ids[i].IP < ids[j].IP
	})
	return ids
}

func sortedStatusKeys(m map[string]mesos.InverseOfferStatus) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
