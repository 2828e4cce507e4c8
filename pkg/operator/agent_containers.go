package operator

import (
	"context"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The agent's container calls: containers launched by an operator
// (standalone) or under a task's container (nested), and the agent's
// resource providers and images. The streaming ones
// (LAUNCH_NESTED_CONTAINER_SESSION, ATTACH_CONTAINER_INPUT and _OUTPUT)
// are not here.

func (a *AgentClient) exec(ctx context.Context, call mesos.AgentAPICall) error {
	_, err := a.Call(ctx, call)
	return err
}

// LaunchContainer launches a standalone container (or, with a parent id,
// a nested one). LAUNCH_CONTAINER.
func (a *AgentClient) LaunchContainer(ctx context.Context, c mesos.ContainerCall) error {
	return a.exec(ctx, mesos.AgentAPICall{Type: mesos.AgentLaunchContainer, LaunchContainer: &c})
}

// WaitContainer waits until a container ends and says how. WAIT_CONTAINER.
func (a *AgentClient) WaitContainer(ctx context.Context, id mesos.ContainerID) (*mesos.WaitContainerResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentWaitContainer, WaitContainer: &mesos.ContainerCall{ContainerID: id}}, func(r *mesos.AgentAPIResponse) *mesos.WaitContainerResponse { return r.WaitContainer })
}

// KillContainer sends a container a signal (0: SIGKILL). KILL_CONTAINER.
func (a *AgentClient) KillContainer(ctx context.Context, id mesos.ContainerID, signal int32) error {
	return a.exec(ctx, mesos.AgentAPICall{Type: mesos.AgentKillContainer, KillContainer: &mesos.ContainerCall{ContainerID: id, Signal: signal}})
}

// RemoveContainer removes an ended container. REMOVE_CONTAINER.
func (a *AgentClient) RemoveContainer(ctx context.Context, id mesos.ContainerID) error {
	return a.exec(ctx, mesos.AgentAPICall{Type: mesos.AgentRemoveContainer, RemoveContainer: &mesos.ContainerCall{ContainerID: id}})
}

// LaunchNestedContainer is the deprecated LAUNCH_NESTED_CONTAINER.
func (a *AgentClient) LaunchNestedContainer(ctx context.Context, c mesos.ContainerCall) error {
	return a.exec(ctx, mesos.AgentAPICall{Type: mesos.AgentLaunchNestedContainer, LaunchNestedContainer: &c})
}

// WaitNestedContainer is the deprecated WAIT_NESTED_CONTAINER.
func (a *AgentClient) WaitNestedContainer(ctx context.Context, id mesos.ContainerID) (*mesos.WaitContainerResponse, error) {
	return agentGet(ctx, a, mesos.AgentAPICall{Type: mesos.AgentWaitNestedContainer, WaitNestedContainer: &mesos.ContainerCall{ContainerID: id}}, func(r *mesos.AgentAPIResponse) *mesos.WaitContainerResponse {
		return r.WaitNestedContainer
	})
}

// KillNestedContainer is the deprecated KILL_NESTED_CONTAINER.
func (a *AgentClient) KillNestedContainer(ctx context.Context, id mesos.ContainerID, signal int32) error {
	return a.exec(ctx, mesos.AgentAPICall{Type: mesos.AgentKillNestedContainer, KillNestedContainer: &mesos.ContainerCall{ContainerID: id, Signal: signal}})
}

// RemoveNestedContainer is the deprecated REMOVE_NESTED_CONTAINER.
func (a *AgentClient) RemoveNestedContainer(ctx context.Context, id mesos.ContainerID) error {
	return a.exec(ctx, mesos.AgentAPICall{Type: mesos.AgentRemoveNestedContainer, RemoveNestedContainer: &mesos.ContainerCall{ContainerID: id}})
}

// RemoveResourceProviderConfig removes a local resource provider's
// configuration. REMOVE_RESOURCE_PROVIDER_CONFIG.
func (a *AgentClient) RemoveResourceProviderConfig(ctx context.Context, typ, name string) error {
	return a.exec(ctx, mesos.AgentAPICall{Type: mesos.AgentRemoveResourceProviderConfig, RemoveResourceProviderConfig: &mesos.ResourceProviderConfigID{Type: typ, Name: name}})
}

// MarkResourceProviderGone removes a resource provider for good.
// MARK_RESOURCE_PROVIDER_GONE.
func (a *AgentClient) MarkResourceProviderGone(ctx context.Context, id mesos.ResourceProviderID) error {
	call := mesos.AgentAPICall{Type: mesos.AgentMarkResourceProviderGone}
	call.MarkResourceProviderGone = &struct {
		ResourceProviderID mesos.ResourceProviderID `json:"resource_provider_id"`
	}{id}
	return a.exec(ctx, call)
}

// PruneImages removes the agent's unused container images, except those
// listed. PRUNE_IMAGES.
func (a *AgentClient) PruneImages(ctx context.Context, excluded ...mesos.Image) error {
	call := mesos.AgentAPICall{Type: mesos.AgentPruneImages}
	call.PruneImages = &struct {
		ExcludedImages []mesos.Image `json:"excluded_images,omitempty"`
	}{excluded}
	return a.exec(ctx, call)
}
