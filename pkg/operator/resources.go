package operator

import (
	"context"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// The calls that share the cluster out: roles and their weights, quota,
// reservations and persistent volumes.

// Roles lists the roles with their weights, frameworks and what those
// hold. GET_ROLES.
func (c *Client) Roles(ctx context.Context) (*mesos.GetRolesResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.GetRoles}, func(r *mesos.OperatorResponse) *mesos.GetRolesResponse {
		if r.GetRoles == nil && r.Type == mesos.GetRoles {
			return &mesos.GetRolesResponse{}
		}
		return r.GetRoles
	})
}

// Weights lists the weights set by UpdateWeights (every other role weighs
// 1). GET_WEIGHTS.
func (c *Client) Weights(ctx context.Context) ([]mesos.WeightInfo, error) {
	resp, err := c.Call(ctx, mesos.OperatorCall{Type: mesos.GetWeights})
	if err != nil || resp.GetWeights == nil {
		return nil, err // Mesos leaves the part out when no weight is set
	}
	return resp.GetWeights.WeightInfos, nil
}

// UpdateWeights sets roles' weights: a role of weight 2 gets twice the
// share of a role of weight 1. UPDATE_WEIGHTS.
func (c *Client) UpdateWeights(ctx context.Context, weights ...mesos.WeightInfo) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.UpdateWeights, UpdateWeights: &mesos.UpdateWeightsCall{WeightInfos: weights}})
}

// Quota lists the roles' quotas. GET_QUOTA.
func (c *Client) Quota(ctx context.Context) (*mesos.QuotaStatus, error) {
	r, err := get(ctx, c, mesos.OperatorCall{Type: mesos.GetQuota}, func(r *mesos.OperatorResponse) *mesos.GetQuotaResponse { return r.GetQuota })
	if err != nil {
		return nil, err
	}
	return &r.Status, nil
}

// UpdateQuota sets roles' quotas: each role is guaranteed its guarantees
// and offered no more than its limits. force skips the checks against
// what the roles already use and what the cluster has. UPDATE_QUOTA.
func (c *Client) UpdateQuota(ctx context.Context, force bool, configs ...mesos.QuotaConfig) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.UpdateQuota, UpdateQuota: &mesos.UpdateQuotaCall{Force: force, QuotaConfigs: configs}})
}

// SetQuota is the deprecated way to set a role's quota (guarantees only).
// SET_QUOTA.
func (c *Client) SetQuota(ctx context.Context, req mesos.QuotaRequest) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.SetQuota, SetQuota: &mesos.SetQuotaCall{QuotaRequest: req}})
}

// RemoveQuota is the deprecated way to remove a role's quota. A real Mesos
// 1.11.0 master aborts when the role has none. REMOVE_QUOTA.
func (c *Client) RemoveQuota(ctx context.Context, role string) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.RemoveQuota, RemoveQuota: &mesos.RemoveQuotaCall{Role: role}})
}

// ReserveResources reserves an agent's resources for a role: each
// resource names the role in its Reservations (see Reserved). The master
// answers 202 once it has applied it. RESERVE_RESOURCES.
func (c *Client) ReserveResources(ctx context.Context, agent mesos.AgentID, resources mesos.Resources) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.ReserveResources, ReserveResources: &mesos.ReserveResourcesCall{AgentID: agent, Resources: resources}})
}

// UnreserveResources gives reserved resources back. UNRESERVE_RESOURCES.
func (c *Client) UnreserveResources(ctx context.Context, agent mesos.AgentID, resources mesos.Resources) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.UnreserveResources, UnreserveResources: &mesos.UnreserveResourcesCall{AgentID: agent, Resources: resources}})
}

// Reserved returns resources dynamically reserved for role, for
// ReserveResources and UnreserveResources.
func Reserved(role string, resources mesos.Resources) mesos.Resources {
	out := make(mesos.Resources, len(resources))
	for i, r := range resources {
		r.Reservations = []mesos.ReservationInfo{{Type: "DYNAMIC", Role: role}}
		out[i] = r
	}
	return out
}

// CreateVolumes creates persistent volumes on an agent. CREATE_VOLUMES.
func (c *Client) CreateVolumes(ctx context.Context, agent mesos.AgentID, volumes mesos.Resources) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.CreateVolumes, CreateVolumes: &mesos.VolumesCall{AgentID: agent, Volumes: volumes}})
}

// DestroyVolumes destroys persistent volumes. DESTROY_VOLUMES.
func (c *Client) DestroyVolumes(ctx context.Context, agent mesos.AgentID, volumes mesos.Resources) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.DestroyVolumes, DestroyVolumes: &mesos.VolumesCall{AgentID: agent, Volumes: volumes}})
}

// GrowVolume grows a persistent volume. GROW_VOLUME.
func (c *Client) GrowVolume(ctx context.Context, agent mesos.AgentID, volume, addition mesos.Resource) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.GrowVolume, GrowVolume: &mesos.GrowVolumeCall{AgentID: &agent, Volume: volume, Addition: addition}})
}

// ShrinkVolume shrinks a persistent volume. SHRINK_VOLUME.
func (c *Client) ShrinkVolume(ctx context.Context, agent mesos.AgentID, volume mesos.Resource, subtract float64) error {
	return c.exec(ctx, mesos.OperatorCall{Type: mesos.ShrinkVolume, ShrinkVolume: &mesos.ShrinkVolumeCall{AgentID: &agent, Volume: volume, Subtract: mesos.ScalarValue{Value: subtract}}})
}
