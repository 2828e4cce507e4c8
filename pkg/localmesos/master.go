package localmesos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// master is the stand-in's master: frameworks, agents, offers and tasks,
// all guarded by one mutex. Nothing under the mutex blocks on the network:
// events go to per-subscription queues and agent work to per-agent queues.
type master struct {
	cfg  Config
	log  *slog.Logger
	id   string
	info mesos.MasterInfo

	mu         sync.Mutex
	started    time.Time
	elected    time.Time
	lead       atomic.Pointer[leadership] // written under mu, read without it
	frameworks map[string]*framework
	completed  []*framework
	agents     []*agentRec
	total      pool // all agents' resources, once they are known
	offers     map[string]*offer
	nextFW     int
	nextOffer  int
	opSubs     map[*opSubscriber]struct{}
	nextOpSub  uint64
	kick       chan struct{} // asks the allocator to run now
	closed     bool

	// What operators set through the operator API (operator_master.go,
	// quota.go, maintenance.go, drain.go).
	logging   loggingLevel
	weights   map[string]float64
	quotas    map[string]mesos.QuotaConfig
	maint     maintenance
	gone      map[string]time.Time // agents marked gone, by id
	nextAgent int                  // agents that come back after maintenance get new ids
	counters  map[string]float64   // the metrics that count events (metrics.go)
}

// leadership is who leads: this master, another one (leader), or nobody
// known. Every request asks, so it is published as one value that needs
// no lock to read.
type leadership struct {
	leading bool
	leader  *mesos.MasterInfo // the leader when another master leads
}

// leadership returns who leads now.
func (m *master) leadership() leadership {
	if l := m.lead.Load(); l != nil {
		return *l
	}
	return leadership{}
}

// framework is what the master knows of one framework.
type framework struct {
	id         mesos.FrameworkID
	info       mesos.FrameworkInfo
	sub        *subscription // nil while disconnected
	active     bool
	removed    bool
	role       string
	suppressed map[string]bool

	registered, reregistered, unregistered time.Time
	failover                               *time.Timer

	tasks     map[string]*task // by task id, until their terminal update is acknowledged
	completed []*task
	offers    map[string]*offer
	filters   map[string]refusal // by agent id
	used      map[string]pool    // agent id -> resources of its tasks
	// held is the scalar resources of the framework's tasks and offers
	// together, kept up to date so that ranking frameworks for an
	// allocation costs no arithmetic on pools.
	held map[string]float64
	// executors are its custom executors, by agent id + "/" + executor
	// id (executor_master.go).
	executors map[string]*masterExecutor
	// allocations counts the offers it has been made: among frameworks
	// of equal share the one offered least often goes first, so that
	// frameworks with nothing take turns.
	allocations uint64
}

// hold adds (sign 1) or removes (sign -1) resources from what the
// framework holds.
func (fw *framework) hold(p pool, sign float64) {
	for k, v := range p.scalars {
		fw.held[k] = round(fw.held[k] + sign*v)
	}
}

// refusal is an offer filter: resources of one agent a framework refused
// (by DECLINE, or by leaving them unused in an ACCEPT), not to be offered
// to it again until the filter expires.
type refusal struct {
	until     time.Time
	resources pool
}

type offer struct {
	id        string
	role      string
	fw        *framework
	agent     *agentRec
	resources pool
	timer     *time.Timer
}

// task is what the master knows of one task.
type task struct {
	info        mesos.TaskInfo
	fw          *framework
	agent       *agentRec
	resources   pool
	state       mesos.TaskState // latest state the agent knows
	latest      mesos.TaskStatus
	statuses    []mesos.TaskStatus
	updateState mesos.TaskState // state of the update awaiting acknowledgement
	updateUUID  []byte
	executorID  *mesos.ExecutorID
}

// maxCompleted bounds the completed tasks and frameworks kept for /state,
// as Mesos' --max_completed_tasks_per_framework and
// --max_completed_frameworks do (their defaults are 1000 and 50).
const (
	maxCompletedTasks      = 1000
	maxCompletedFrameworks = 50
	maxStatuses            = 50
)

func newMaster(cfg Config, id string, info mesos.MasterInfo) *master {
	now := time.Now()
	return &master{
		cfg: cfg, log: cfg.Logger, id: id, info: info,
		started: now, frameworks: map[string]*framework{}, offers: map[string]*offer{},
		opSubs: map[*opSubscriber]struct{}{}, kick: make(chan struct{}, 1),
		weights: map[string]float64{}, quotas: map[string]mesos.QuotaConfig{},
		maint: newMaintenance(), gone: map[string]time.Time{}, counters: map[string]float64{},
	}
}

// allocateSoon asks the allocation loop to run without waiting for the
// next interval, as Mesos does when a framework subscribes or revives.
// Resources that come back (declined, left over by an ACCEPT, freed by a
// task's end) wait for the next interval: Mesos' recoverResources does not
// allocate.
func (m *master) allocateSoon() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// run is the allocation loop; it stops when done closes.
func (m *master) run(done <-chan struct{}) {
	t := time.NewTicker(m.cfg.AllocationInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		case <-m.kick:
		}
		m.mu.Lock()
		m.allocate()
		m.mu.Unlock()
	}
}

func (m *master) frameworkName(fw *framework) string {
	return fmt.Sprintf("%s (%s)", fw.id.Value, fw.info.Name)
}

// offerRole is the role a framework's offers are allocated to: its first
// role with MULTI_ROLE (none when it has no roles: it gets no offers), else
// its legacy role, "*" by default. The stand-in offers one role per
// framework; Mesos offers each of a MULTI_ROLE framework's roles.
func offerRole(info mesos.FrameworkInfo) string {
	if roles := frameworkRoles(info); len(roles) > 0 {
		return roles[0]
	}
	return ""
}

// allocate offers every agent's free resources to the framework with the
// smallest weighted dominant share that wants them, like Mesos'
// hierarchical DRF allocator does each allocation interval (ties go to
// the framework offered least often so far, then to the smaller framework
// id, as in Mesos 1.11's DRFSorter::Node::compareDRF): roles below
// their quota guarantees first, no role beyond its quota limits,
// reserved resources only to their role, nothing of a deactivated or
// draining agent. Called with m.mu held.
func (m *master) allocate() {
	if !m.leadership().leading || m.closed {
		return
	}
	// After the offers: a framework holding one on a draining machine is
	// asked to give it back too.
	defer m.sendInverseOffers()
	// Most allocations find every agent's resources offered or in use
	// already: look at the agents first, and rank the frameworks only if
	// there is something to offer.
	type candidate struct {
		agent *agentRec
		avail pool
	}
	var free []candidate
	for _, a := range m.agents {
		if a.deactivated || a.agent.ex.down.Load() {
			continue // deactivated (drain.go), or stopped (agent_restart.go)
		}
		if avail := a.available(); avail.offerable() {
			free = append(free, candidate{a, avail})
		}
	}
	if len(free) == 0 {
		return
	}
	now := time.Now()
	if m.total.scalars == nil {
		m.total = newPool()
		for _, a := range m.agents {
			m.total.addPool(a.total)
		}
		m.total = m.total.merged()
	}
	type ranked struct {
		fw         *framework
		share      float64
		guaranteed bool // its role is below its quota guarantees
	}
	var fws []ranked
	for _, fw := range m.frameworks {
		if fw.active && fw.sub != nil && fw.role != "" && !fw.suppressed[fw.role] {
			fws = append(fws, ranked{fw, dominantShare(fw, m.total) / m.weight(fw.role), m.belowGuarantee(fw.role)})
		}
	}
	if len(fws) == 0 {
		return
	}
	before := func(a, b ranked) bool {
		if a.guaranteed != b.guaranteed {
			return a.guaranteed
		}
		if a.share != b.share {
			return a.share < b.share
		}
		if a.fw.allocations != b.fw.allocations {
			return a.fw.allocations < b.fw.allocations
		}
		return a.fw.id.Value < b.fw.id.Value
	}
	sort.Slice(fws, func(i, j int) bool { return before(fws[i], fws[j]) })
	made := map[*framework][]*offer{}
	for _, c := range free {
		// The first framework in rank that has not refused these
		// resources and whose role may have some of them gets them.
		for i, r := range fws {
			avail := withinHeadroom(c.avail.forRole(r.fw.role), m.quotaHeadroom(r.fw.role))
			if !avail.offerable() {
				continue
			}
			if f, ok := r.fw.filters[c.agent.id]; ok {
				if !now.Before(f.until) {
					delete(r.fw.filters, c.agent.id)
				} else if f.resources.contains(avail.resources("")) {
					// As in Mesos' allocator, a filter holds back only
					// offers it covers: once a task ends and frees
					// more, the larger offer goes out.
					continue
				}
			}
			made[r.fw] = append(made[r.fw], m.newOffer(r.fw, c.agent, avail))
			rest := c.avail.clone()
			rest.subtractPool(avail)
			c.avail = rest
			// Its share has grown: the next agent likely goes to
			// another. One insertion step keeps the ranking sorted.
			fws[i].share = dominantShare(r.fw, m.total) / m.weight(r.fw.role)
			fws[i].guaranteed = m.belowGuarantee(r.fw.role)
			for j := i; j+1 < len(fws) && before(fws[j+1], fws[j]); j++ {
				fws[j], fws[j+1] = fws[j+1], fws[j]
			}
			if !c.avail.offerable() {
				break
			}
		}
	}
	for fw, offers := range made {
		ev := mesos.Event{Type: mesos.EventOffers, Offers: &mesos.Offers{}}
		for _, o := range offers {
			ev.Offers.Offers = append(ev.Offers.Offers, m.offerJSON(o))
		}
		fw.sub.send(ev)
	}
}

// dominantShare is the largest fraction of any cluster resource the
// framework holds or has been offered (DRF).
func dominantShare(fw *framework, total pool) float64 {
	best := 0.0
	for k, v := range fw.held {
		if t := total.scalars[k]; t > 0 {
			best = max(best, v/t)
		}
	}
	return best
}

func (m *master) newOffer(fw *framework, a *agentRec, res pool) *offer {
	id := fmt.Sprintf("%s-O%d", m.id, m.nextOffer)
	m.nextOffer++
	o := &offer{id: id, role: fw.role, fw: fw, agent: a, resources: res.clone()}
	a.offered.addPool(res)
	fw.hold(res, 1)
	fw.allocations++
	fw.offers[id] = o
	m.offers[id] = o
	if m.cfg.OfferTimeout > 0 {
		o.timer = time.AfterFunc(m.cfg.OfferTimeout, func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if m.offers[id] == o {
				m.log.Info("offer timed out", "offer", id, "framework", fw.id.Value)
				m.rescind(o, true)
			}
		})
	}
	return o
}

// offerJSON is an offer as the framework sees it. Only MULTI_ROLE
// frameworks see allocation_info: Mesos strips it for the others.
func (m *master) offerJSON(o *offer) mesos.Offer {
	res := schedulerFormat(o.resources.offerResources("*"), o.fw.info)
	off := mesos.Offer{
		ID: mesos.OfferID{Value: o.id}, FrameworkID: o.fw.id, AgentID: mesos.AgentID{Value: o.agent.id},
		Hostname: o.agent.hostname, URL: o.agent.url(), Resources: res, Attributes: o.agent.attributes,
	}
	if mc := m.maint.draining(o.agent); mc != nil {
		// A machine scheduled for maintenance: its offers say when.
		u := mc.unavailability
		off.Unavailability = &u
	}
	if o.fw.info.HasCapability(mesos.CapabilityMultiRole) {
		for i := range res {
			res[i].AllocationInfo = &mesos.AllocationInfo{Role: o.role}
		}
		off.AllocationInfo = &mesos.AllocationInfo{Role: o.role}
	}
	return off
}

// removeOffer forgets an offer and returns its resources to the agent.
func (m *master) removeOffer(o *offer) {
	if o.timer != nil {
		o.timer.Stop()
	}
	delete(m.offers, o.id)
	delete(o.fw.offers, o.id)
	o.fw.hold(o.resources, -1)
	o.agent.offered.subtractPool(o.resources)
}

// rescind withdraws an offer; notify sends RESCIND to the framework.
func (m *master) rescind(o *offer, notify bool) {
	m.removeOffer(o)
	if notify && o.fw.sub != nil {
		o.fw.sub.send(mesos.Event{Type: mesos.EventRescind, Rescind: &mesos.Rescind{OfferID: mesos.OfferID{Value: o.id}}})
	}
}

// filter keeps refused resources of an agent from a framework for
// refuse_seconds, as Mesos' allocator does: 5 s unless given (or when
// negative), none for 0, at most a year, and never less than the
// allocation interval.
func (m *master) filter(fw *framework, agentID string, refused pool, f *mesos.Filters) {
	refuse := 5.0
	if f != nil && f.RefuseSeconds != nil {
		refuse = *f.RefuseSeconds
	}
	switch {
	case refuse == 0:
		return
	case refuse < 0 || math.IsNaN(refuse):
		refuse = 5
	}
	d := time.Duration(min(refuse, 365*24*3600) * float64(time.Second))
	d = max(d, m.cfg.AllocationInterval)
	fw.filters[agentID] = refusal{until: time.Now().Add(d), resources: refused.clone()}
}

// eventJSON encodes an event; it cannot fail for our types. Infinite
// doubles come out as Mesos writes them, the quoted strings "Infinity" and
// "-Infinity".
func eventJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("localmesos: encode %T: %v", v, err))
	}
	if bytes.Contains(b, infinityBytes) {
		b = bytes.ReplaceAll(b, []byte("-"+infinityJSON), []byte(`"-Infinity"`))
		b = bytes.ReplaceAll(b, infinityBytes, []byte(`"Infinity"`))
	}
	return b
}

var infinityBytes = []byte(infinityJSON)
