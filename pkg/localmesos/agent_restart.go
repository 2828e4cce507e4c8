package localmesos

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// An agent restart, as a Mesos agent with --recover=reconnect goes
// through one: the agent process dies, its executors and tasks live on,
// and the new agent process takes back those of checkpointing frameworks
// while its executors subscribe again. Here the "process" is the agent's
// HTTP server and its work: StopAgent closes the server (every executor
// stream drops) and pauses the work, StartAgent serves again on the same
// address and recovers.

// StopAgent stops agent i as if its mesos-agent process had died: its
// endpoints stop answering and every executor's stream drops, but its
// tasks and executors keep running. The master notices at once, as a
// Mesos master notices the broken connection: the agent's offers are
// rescinded, it gets no more, and the tasks of frameworks that do not
// checkpoint are lost (TASK_LOST, REASON_AGENT_DISCONNECTED). Status
// updates wait for the agent to come back. Not safe to call concurrently
// with Close.
func (s *Server) StopAgent(i int) error {
	if i < 0 || i >= len(s.agents) {
		return fmt.Errorf("no agent %d: this stand-in has %d", i, len(s.agents))
	}
	select {
	case <-s.done:
		return errors.New("the stand-in is closed")
	default:
	}
	a := s.agents[i]
	if !a.ex.down.CompareAndSwap(false, true) {
		return fmt.Errorf("agent %d is stopped or still recovering: StartAgent starts a stopped one", i)
	}
	s.master.agentDisconnected(a.rec)

	a.mu.Lock()
	a.closed = true // no forwarding, no launches
	resume := make(chan struct{})
	a.ex.resume = resume
	for _, t := range a.tasks {
		if t.retry != nil {
			t.retry.Stop()
		}
		t.inFlight = false
	}
	for _, ex := range a.ex.byKey {
		for _, tm := range ex.timers {
			tm.Stop()
		}
	}
	a.mu.Unlock()
	// Work from the master waits, as a Mesos master keeps a KILL for a
	// disconnected agent until it re-registers.
	a.do(func() {
		select {
		case <-resume:
		case <-a.stopped:
		}
	})
	if err := s.servers[1+i].Close(); err != nil {
		return fmt.Errorf("stop agent %d: %w", i, err)
	}
	s.cfg.Logger.Info("agent stopped", "agent", a.rec.id, "url", s.AgentURLs[i])
	return nil
}

// StartAgent starts a stopped agent again on its address and recovers,
// as a Mesos agent does: it kills what belongs to frameworks that do not
// checkpoint, and waits ExecutorReregistrationTimeout for its executors
// to subscribe again, answering their other calls 503 meanwhile. Then it
// kills those that did not come back, registers with the master again
// (offers resume, work the master kept for it arrives) and sends the
// status updates the master has not acknowledged.
func (s *Server) StartAgent(i int) error {
	if i < 0 || i >= len(s.agents) {
		return fmt.Errorf("no agent %d: this stand-in has %d", i, len(s.agents))
	}
	a := s.agents[i]
	a.mu.Lock()
	stopped := a.ex.down.Load() && !a.ex.recovering
	a.mu.Unlock()
	if !stopped {
		return fmt.Errorf("agent %d is not stopped: StopAgent stops it", i)
	}
	// The same host it was told to listen on, and the port it got.
	host, _, _ := net.SplitHostPort(s.cfg.AgentAddrs[i])
	addr := net.JoinHostPort(host, portOf(s.AgentURLs[i][len("http://"):]))
	var ln net.Listener
	var err error
	for try := 0; try < 50; try++ { // the old listener's port may take a moment to free
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("start agent %d again on %s: %w", i, addr, err)
	}
	checkpointing := s.master.checkpointingFrameworks()

	a.mu.Lock()
	var kill []Run
	var orphans []*agentExecutor
	for key, t := range a.tasks {
		if !checkpointing[t.fwID] {
			t.completed = true
			if t.retry != nil {
				t.retry.Stop()
			}
			if t.run != nil {
				kill = append(kill, t.run)
			}
			delete(a.tasks, key)
		}
	}
	for key, ex := range a.ex.byKey {
		switch {
		case !checkpointing[ex.fwID]:
			// An orphan container: destroyed without a word, the master
			// has already reported its tasks lost.
			ex.state = execTerminated
			delete(a.ex.byKey, key)
			orphans = append(orphans, ex)
		case ex.state != execTerminated:
			ex.state = execRegistering
		}
	}
	a.ex.recovering = true
	a.mu.Unlock()

	for _, r := range kill {
		r.Kill(0)
	}
	for _, ex := range orphans {
		ex.destroy()
	}
	s.serve(ln, s.agentHandler(a))
	// serve appended the new server; it takes the old one's place.
	last := len(s.servers) - 1
	s.servers[1+i], s.servers = s.servers[last], s.servers[:last]
	time.AfterFunc(s.cfg.ExecutorReregistrationTimeout, a.recovered)
	s.cfg.Logger.Info("agent started again; recovering", "agent", a.rec.id, "url", s.AgentURLs[i])
	return nil
}

// RestartAgent is StopAgent then StartAgent.
func (s *Server) RestartAgent(i int) error {
	if err := s.StopAgent(i); err != nil {
		return err
	}
	return s.StartAgent(i)
}

func portOf(hostport string) string {
	_, port, _ := net.SplitHostPort(hostport)
	return port
}

// recovered is Slave::reregisterExecutorTimeout and what follows:
// executors that did not subscribe again are killed, their tasks lost;
// the agent registers again, takes the work the master kept for it, and
// sends its unacknowledged status updates.
func (a *agent) recovered() {
	a.mu.Lock()
	if !a.ex.recovering {
		a.mu.Unlock()
		return
	}
	a.ex.recovering = false
	var hung []*agentExecutor
	for _, ex := range a.ex.byKey {
		if ex.state != execRegistering {
			continue
		}
		state := mesos.TaskLost
		if ex.fwInfo.HasCapability(mesos.CapabilityPartitionAware) {
			state = mesos.TaskGone
		}
		ex.state = execTerminating
		ex.termination = &execTermination{state: state, reason: mesos.ReasonExecutorReregistrationTimeout,
			message: fmt.Sprintf(textExecutorNotReregistered, mesos.FormatDuration(a.m.cfg.ExecutorReregistrationTimeout))}
		hung = append(hung, ex)
	}
	var resend []*agentTask
	for _, t := range a.tasks {
		if len(t.pending) > 0 && !t.inFlight {
			t.inFlight = true
			t.backoff = a.m.cfg.StatusUpdateRetry
			resend = append(resend, t)
		}
	}
	a.closed = false
	a.ex.down.Store(false)
	close(a.ex.resume)
	a.ex.resume = nil
	a.mu.Unlock()

	for _, ex := range hung {
		ex.destroy()
	}
	for _, t := range resend {
		a.forward(t)
	}
	a.m.allocateSoon()
	a.log.Info("agent recovered", "agent", a.rec.id, "executors_lost", len(hung))
}

// waitIfStopped holds back what an executor's exit reports while the agent
// is stopped: the restarted agent learns of it when it recovers.
func (a *agent) waitIfStopped() {
	a.mu.Lock()
	resume := a.ex.resume
	a.mu.Unlock()
	if resume == nil {
		return
	}
	select {
	case <-resume:
	case <-a.stopped:
	}
}

// agentDisconnected is what a Mesos master does when an agent's
// connection breaks (Master::exited, disconnect, deactivate): its offers
// are rescinded, and the tasks and executors of frameworks that do not
// checkpoint are removed, each task reported TASK_LOST.
func (m *master) agentDisconnected(a *agentRec) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.offers {
		if o.agent == a {
			m.rescind(o, true)
		}
	}
	for _, fw := range m.frameworks {
		if fw.info.Checkpoint {
			continue
		}
		for _, t := range fw.tasks {
			if t.agent != a {
				continue
			}
			if !t.state.Terminal() {
				agentID := mesos.AgentID{Value: a.id}
				st := mesos.TaskStatus{TaskID: t.info.TaskID, State: mesos.TaskLost, Source: mesos.SourceMaster,
					Reason: mesos.ReasonAgentDisconnected, Message: fmt.Sprintf(textAgentDisconnected, a.hostname),
					AgentID: &agentID, ExecutorID: t.executorID, Timestamp: float64(time.Now().UnixNano()) / 1e9}
				t.state, t.latest = mesos.TaskLost, st
				t.statuses = append(t.statuses, st)
				m.opEvent(mesos.OperatorEvent{Type: mesos.TaskUpdated, TaskUpdated: &mesos.TaskUpdatedEvent{FrameworkID: fw.id, Status: st, State: st.State}})
				if fw.sub != nil {
					fw.sub.send(mesos.Event{Type: mesos.EventUpdate, Update: &mesos.Update{Status: st}})
				}
			}
			m.releaseTask(t)
			m.completeTask(t)
		}
		for key, e := range fw.executors {
			if e.agent == a {
				m.removeExecutor(fw, key)
			}
		}
	}
	m.allocateSoon()
}

// checkpointingFrameworks are the ids of the frameworks that checkpoint.
func (m *master) checkpointingFrameworks() map[string]bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]bool{}
	for id, fw := range m.frameworks {
		if fw.info.Checkpoint {
			out[id] = true
		}
	}
	return out
}
