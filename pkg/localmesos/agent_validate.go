package localmesos

import (
	"encoding/json"
	"fmt"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// validateAgentCall is validation::agent::call::validate
// (src/slave/validation.cpp): the type, the payload it needs, and the
// container ids, commands and containers of the container calls.
func validateAgentCall(call *agentCall) string {
	raw := call.raw
	if !present(agentCallMsg.field("type"), raw["type"]) {
		return "Expecting 'type' to be present"
	}
	name, ok := agentPayloads[string(call.Type)]
	if !ok {
		return ""
	}
	p, _ := raw[name].(map[string]any)
	if p == nil {
		return fmt.Sprintf("Expecting '%s' to be present", name)
	}
	id := containerIDOf(p["container_id"])
	needParent := func() string {
		if msg := validateContainerID(id); msg != "" {
			return fmt.Sprintf("'%s.container_id' is invalid: %s", name, msg)
		}
		if id.Parent == nil {
			return fmt.Sprintf("Expecting '%s.container_id.parent' to be present", name)
		}
		return ""
	}
	switch call.Type {
	case mesos.AgentLaunchNestedContainer, mesos.AgentLaunchNestedContainerSession:
		if msg := needParent(); msg != "" {
			return msg
		}
		if msg := commandAndContainer(name, p); msg != "" {
			return msg
		}
		share, set := shareCgroups(p)
		if call.Type == mesos.AgentLaunchNestedContainer && set && !share && id.Parent.Parent != nil {
			return "'launch_nested_container' is invalid: containers nested at the second level or greater cannot set 'share_cgroups' to 'false'"
		}
		if call.Type == mesos.AgentLaunchNestedContainerSession && hasLinuxInfo(p) && !share {
			return "'launch_nested_container_session.container.linux_info' is invalid: 'share_cgroups' cannot be set to 'false' for nested container sessions"
		}
	case mesos.AgentWaitNestedContainer, mesos.AgentKillNestedContainer, mesos.AgentRemoveNestedContainer:
		return needParent()
	case mesos.AgentAttachContainerInput:
		switch p["type"] {
		case nil:
			return "Expecting 'attach_container_input.type' to be present"
		case "UNKNOWN":
			return "'attach_container_input.type' is unknown"
		case "CONTAINER_ID":
			if msg := validateContainerID(id); msg != "" {
				return "'attach_container_input.container_id' is invalid: " + msg
			}
		}
	case mesos.AgentAttachContainerOutput, mesos.AgentWaitContainer, mesos.AgentKillContainer, mesos.AgentRemoveContainer:
		if msg := validateContainerID(id); msg != "" {
			return fmt.Sprintf("'%s.container_id' is invalid: %s", name, msg)
		}
	case mesos.AgentLaunchContainer:
		return validateLaunchContainer(id, p)
	case mesos.AgentAddResourceProviderConfig, mesos.AgentUpdateResourceProviderConfig:
		if info, _ := p["info"].(map[string]any); info != nil && info["id"] != nil {
			return fmt.Sprintf("Expecting '%s.info.id' to be unset", name)
		}
	}
	return ""
}

// validateLaunchContainer is the LAUNCH_CONTAINER part of the agent's
// validation.
func validateLaunchContainer(id mesos.ContainerID, p map[string]any) string {
	if msg := validateContainerID(id); msg != "" {
		return "'launch_container.container_id' is invalid: " + msg
	}
	var resources mesos.Resources
	for _, el := range elements(p["resources"]) {
		var r mesos.Resource
		if jsonInto(el, &r) == nil {
			resources = append(resources, r)
		}
	}
	if msg := reservationResourcesError(resources); msg != "" {
		return "Invalid resources: " + msg
	}
	if g := resources.Scalar("gpus"); int64(g*1000)%1000 != 0 {
		return "Invalid GPU resources: The 'gpus' resource must be an unsigned integer"
	}
	if id.Parent == nil {
		for _, r := range resources {
			switch {
			case reservationRole(r) != "":
				return "'launch_container.resources' must be unreserved"
			case r.Disk != nil && r.Disk.Persistence != nil:
				return "'launch_container.resources' may not use persistent volumes"
			case r.Revocable != nil:
				return "'launch_container.resources' must be non-revocable"
			}
		}
	}
	if msg := commandAndContainer("launch_container", p); msg != "" {
		return msg
	}
	share, set := shareCgroups(p)
	if !set {
		share = true
	}
	twice := id.Parent != nil && id.Parent.Parent != nil
	switch {
	case twice && len(resources) > 0:
		return "'launch_container' is invalid: containers nested at the second level or greater cannot specify resources"
	case twice && len(elements(p["limits"])) > 0:
		return "'launch_container' is invalid: containers nested at the second level or greater cannot specify resource limits"
	case twice && !share:
		return "'launch_container' is invalid: containers nested at the second level or greater cannot set 'share_cgroups' to 'false'"
	case id.Parent == nil && set && share:
		return "'launch_container' is invalid: containers without a parent cannot set 'share_cgroups' to 'true'"
	}
	return ""
}

// validateContainerID is validation::container::validateContainerId.
func validateContainerID(id mesos.ContainerID) string {
	if msg := validateID(id.Value); msg != "" {
		return msg
	}
	if len(id.Value) > 242 {
		return fmt.Sprintf("'ContainerID.value' '%s' exceeds the maximum length (242)", id.Value)
	}
	for _, c := range id.Value {
		if c == '.' || c == ' ' {
			return fmt.Sprintf("'ContainerID.value' '%s' contains invalid characters", id.Value)
		}
	}
	if id.Parent != nil {
		if msg := validateContainerID(*id.Parent); msg != "" {
			return "'ContainerID.parent' is invalid: " + msg
		}
	}
	return ""
}

// containerIDOf reads a ContainerID from the call's JSON.
func containerIDOf(v any) mesos.ContainerID {
	var id mesos.ContainerID
	if obj, ok := v.(map[string]any); ok {
		id.Value, _ = obj["value"].(string)
		if obj["parent"] != nil {
			parent := containerIDOf(obj["parent"])
			id.Parent = &parent
		}
	}
	return id
}

// commandAndContainer is validateCommandInfo and validateContainerInfo on
// a payload's command and container.
func commandAndContainer(name string, p map[string]any) string {
	if cmd, ok := p["command"].(map[string]any); ok {
		if msg := validateEnvironment(cmd["environment"]); msg != "" {
			return fmt.Sprintf("'%s.command' is invalid: %s", name, msg)
		}
	}
	if c, ok := p["container"].(map[string]any); ok {
		if msg := validateContainerInfo(c); msg != "" {
			return fmt.Sprintf("'%s.container' is invalid: %s", name, msg)
		}
	}
	return ""
}

// validateEnvironment is common::validation::validateEnvironment.
func validateEnvironment(env any) string {
	e, _ := env.(map[string]any)
	for _, el := range elements(e["variables"]) {
		v, _ := el.(map[string]any)
		name, _ := v["name"].(string)
		typ, _ := v["type"].(string)
		if typ == "" || !knownEnum(&field{enum: []string{"UNKNOWN", "VALUE", "SECRET"}}, typ) {
			typ = "VALUE" // the default, as an unknown name is dropped
		}
		switch typ {
		case "SECRET":
			if v["secret"] == nil {
				return "Environment variable '" + name + "' of type 'SECRET' must have a secret set"
			}
			if v["value"] != nil {
				return "Environment variable '" + name + "' of type 'SECRET' must not have a value set"
			}
		case "VALUE":
			if v["value"] == nil {
				return "Environment variable '" + name + "' of type 'VALUE' must have a value set"
			}
			if v["secret"] != nil {
				return "Environment variable '" + name + "' of type 'VALUE' must not have a secret set"
			}
		default:
			return "Environment variable of type 'UNKNOWN' is not allowed"
		}
	}
	return ""
}

// validateContainerInfo is common::validation::validateContainerInfo.
func validateContainerInfo(c map[string]any) string {
	for _, el := range elements(c["volumes"]) {
		v, _ := el.(map[string]any)
		n := 0
		for _, k := range []string{"host_path", "image", "source"} {
			if v[k] != nil {
				n++
			}
		}
		if n != 1 {
			return "Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'"
		}
	}
	if c["type"] == "DOCKER" {
		d, _ := c["docker"].(map[string]any)
		if d == nil {
			return textDockerInfoMissing
		}
		for _, el := range elements(d["parameters"]) {
			if p, _ := el.(map[string]any); p["key"] == "name" {
				return textDockerNameParam
			}
		}
	}
	return ""
}

// shareCgroups is container.linux_info.share_cgroups: its value and
// whether it is set.
func shareCgroups(p map[string]any) (share, set bool) {
	c, _ := p["container"].(map[string]any)
	li, _ := c["linux_info"].(map[string]any)
	switch v := li["share_cgroups"].(type) {
	case bool:
		return v, true
	case string:
		return v == "true", true
	}
	return false, false
}

func hasLinuxInfo(p map[string]any) bool {
	c, _ := p["container"].(map[string]any)
	return c["linux_info"] != nil
}

// jsonInto decodes one JSON value (as parseJSON made it) into v.
func jsonInto(el any, v any) error {
	return json.Unmarshal(eventJSON(el), v)
}
