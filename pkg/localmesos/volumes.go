package localmesos

import (
	"fmt"
	"net/http"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The volume calls: CREATE_VOLUMES, DESTROY_VOLUMES, GROW_VOLUME and
// SHRINK_VOLUME, checked as Master::Http and validation::operation check
// them (src/master/http.cpp, src/master/validation.cpp), then refused:
// the stand-in has no persistent volumes. Destroying one is answered as
// Mesos answers for an agent without it.

func (m *master) volumeCall(call *mesos.OperatorCall) opReply {
	var agentID string
	switch {
	case call.CreateVolumes != nil:
		agentID = call.CreateVolumes.AgentID.Value
	case call.DestroyVolumes != nil:
		agentID = call.DestroyVolumes.AgentID.Value
	case call.GrowVolume != nil:
		agentID = call.GrowVolume.AgentID.Value
	case call.ShrinkVolume != nil:
		agentID = call.ShrinkVolume.AgentID.Value
	}
	a := m.agentByID(agentID)
	if a == nil {
		return textReply(http.StatusBadRequest, textNoAgentWithID)
	}
	onAgent := fmt.Sprintf("on agent %s at %s (%s): ", a.id, a.pid(), a.hostname)
	var why, prefix string
	switch call.Type {
	case mesos.CreateVolumes:
		why, prefix = volumesError(call.CreateVolumes.Volumes), "Invalid CREATE operation "+onAgent
	case mesos.DestroyVolumes:
		why, prefix = volumesError(call.DestroyVolumes.Volumes), "Invalid DESTROY operation: "
		if why == "" {
			why = "Persistent volumes not found" // there are none
		}
	case mesos.GrowVolume:
		why, prefix = growError(call.GrowVolume), "Invalid GROW_VOLUME operation "+onAgent
	case mesos.ShrinkVolume:
		why, prefix = shrinkError(call.ShrinkVolume), "Invalid SHRINK_VOLUME operation "+onAgent
	}
	if why != "" {
		return textReply(http.StatusBadRequest, prefix+why)
	}
	return textReply(http.StatusNotImplemented, fmt.Sprintf(textNoVolumes, call.Type))
}

// volumesError is what validation::operation::validate says of the
// volumes of a CREATE or DESTROY before it looks at the agent's.
func volumesError(volumes mesos.Resources) string {
	if msg := reservationResourcesError(volumes); msg != "" {
		return "Invalid resources: " + msg
	}
	if msg := diskInfoError(volumes); msg != "" {
		return "Invalid resources: Invalid DiskInfo: " + msg
	}
	if len(volumes) == 0 {
		return "Invalid resources: " + textMultipleProviders
	}
	if msg := persistentVolumeError(volumes); msg != "" {
		return "Not a persistent volume: " + msg
	}
	return ""
}

// diskInfoError is validateDiskInfo (src/master/validation.cpp) for disks
// without a source, the only ones the stand-in's agents have.
func diskInfoError(rs mesos.Resources) string {
	for _, r := range rs {
		switch d := r.Disk; {
		case d == nil:
		case d.Persistence != nil && r.Revocable != nil:
			return "Persistent volumes cannot be created from revocable resources"
		case d.Persistence != nil && reservationRole(r) == "":
			return "Persistent volumes cannot be created from unreserved resources"
		case d.Persistence != nil && d.Volume == nil:
			return "Expecting 'volume' to be set for persistent volume"
		case d.Persistence != nil && d.Volume.HostPath != "":
			return "Expecting 'host_path' to be unset for persistent volume"
		case d.Persistence != nil && validateID(d.Persistence.ID) != "":
			return "Invalid persistence ID for persistent volume: " + validateID(d.Persistence.ID)
		case d.Persistence == nil && d.Volume != nil:
			return "Non-persistent volume not supported"
		case d.Persistence == nil:
			return "DiskInfo is set but empty"
		}
	}
	return ""
}

// persistentVolumeError is resource::validatePersistentVolume.
func persistentVolumeError(volumes mesos.Resources) string {
	for _, v := range volumes {
		switch {
		case v.Disk == nil:
			return "Resource " + fullResourceString(v) + " does not have DiskInfo"
		case v.Disk.Persistence == nil:
			return "'persistence' is not set in DiskInfo"
		case v.Disk.Volume == nil:
			return "Expecting 'volume' to be set for persistent volume"
		case v.Disk.Volume.Mode == "RO":
			return "Read-only persistent volume not supported"
		}
	}
	return ""
}

func growError(g *mesos.GrowVolumeCall) string {
	if msg := reservationResourcesError(mesos.Resources{g.Volume}); msg != "" {
		return "Invalid resource in the 'GrowVolume.volume' field: " + msg
	}
	if msg := reservationResourcesError(mesos.Resources{g.Addition}); msg != "" {
		return "Invalid resource in the 'GrowVolume.addition' field: " + msg
	}
	if g.Addition.Scalar == nil || round(g.Addition.Scalar.Value) <= 0 {
		return "The size of 'GrowVolume.addition' field must be greater than zero"
	}
	if msg := persistentVolumeError(mesos.Resources{g.Volume}); msg != "" {
		return "Invalid persistent volume in the 'GrowVolume.volume' field: " + msg
	}
	return ""
}

func shrinkError(s *mesos.ShrinkVolumeCall) string {
	if msg := reservationResourcesError(mesos.Resources{s.Volume}); msg != "" {
		return "Invalid resource in the 'ShrinkVolume.volume' field: " + msg
	}
	if round(s.Subtract.Value) <= 0 {
		return "Value of 'ShrinkVolume.subtract' must be greater than zero"
	}
	if s.Volume.Scalar == nil || round(s.Volume.Scalar.Value) <= round(s.Subtract.Value) {
		return "Value of 'ShrinkVolume.subtract' must be smaller than the size of 'ShrinkVolume.volume'"
	}
	if msg := persistentVolumeError(mesos.Resources{s.Volume}); msg != "" {
		return "Invalid persistent volume in the 'ShrinkVolume.volume' field: " + msg
	}
	return ""
}
