package localmesos_test

// The differential test's steps for the operator side: calls to the
// agent, what a sequence learns from the master and the agent (the
// agent's id, a task's sandbox), and the metric names compared.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// agentOp posts an agent operator call to the first agent.
func agentOp(label, body string) step {
	return call(label, request{method: http.MethodPost, path: "/api/v1", agent: true, header: jsonHdr(), body: body})
}

// agentGet is a GET of one of the first agent's endpoints.
func agentGet(label, path string, observe ...string) step {
	return call(label, request{method: http.MethodGet, path: path, agent: true, observe: observe})
}

// removesNoQuota says whether a body is REMOVE_QUOTA for a role the
// master has no quota for, which aborts a real 1.11.0 master: the
// master's GET_QUOTA is asked first.
func (s *side) removesNoQuota(ctx context.Context, body string) bool {
	var c struct {
		Type        string
		RemoveQuota *struct{ Role *string } `json:"remove_quota"`
	}
	if json.Unmarshal([]byte(body), &c) != nil {
		return strings.Contains(body, "REMOVE_QUOTA") // not sure: do not send
	}
	if c.Type != "REMOVE_QUOTA" || c.RemoveQuota == nil || c.RemoveQuota.Role == nil {
		return false // refused before its role is looked at
	}
	var quota struct {
		GetQuota struct {
			Status struct {
				Infos []struct{ Role string }
			}
		} `json:"get_quota"`
	}
	if err := s.operatorJSON(ctx, false, `{"type":"GET_QUOTA"}`, &quota); err != nil {
		return true
	}
	return !slices.ContainsFunc(quota.GetQuota.Status.Infos, func(i struct{ Role string }) bool { return i.Role == *c.RemoveQuota.Role })
}

// removesStandalone says whether a body is REMOVE_CONTAINER of a
// container without a parent that the agent may have: a real 1.11.0 agent
// aborts on one it has (a CHECK in the Mesos containerizer). Only ids
// that begin with "never-" are safe to send.
func removesStandalone(body string) bool {
	var c struct {
		Type            string
		RemoveContainer *struct {
			ContainerID *struct {
				Value  string
				Parent any
			} `json:"container_id"`
		} `json:"remove_container"`
	}
	if json.Unmarshal([]byte(body), &c) != nil {
		return strings.Contains(body, "REMOVE_CONTAINER") // not sure: do not send
	}
	if c.Type != "REMOVE_CONTAINER" || c.RemoveContainer == nil || c.RemoveContainer.ContainerID == nil {
		return false // refused before a container is looked for
	}
	id := c.RemoveContainer.ContainerID
	return id.Parent == nil && !strings.HasPrefix(id.Value, "never-")
}

// operatorJSON posts an operator call to the master (or the agent) and
// decodes its JSON answer, for what a step needs to learn.
func (s *side) operatorJSON(ctx context.Context, agent bool, body string, v any) error {
	base := s.url
	if agent {
		base = s.agent
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := diffClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return &answerError{resp.StatusCode, string(b)}
	}
	return json.Unmarshal(b, v)
}

type answerError struct {
	code int
	body string
}

func (e *answerError) Error() string { return http.StatusText(e.code) + ": " + e.body }

// learnAgent asks the master for its agents and keeps the first one's
// id as {agent} (and its hostname as {hostname}), for calls that name
// it.
func learnAgent() step {
	return step{"learn agent", func(s *side, label string) {
		var r struct {
			GetAgents struct {
				Agents []struct {
					AgentInfo struct {
						ID       struct{ Value string }
						Hostname string
					} `json:"agent_info"`
				}
			} `json:"get_agents"`
		}
		if err := s.operatorJSON(context.Background(), false, `{"type":"GET_AGENTS"}`, &r); err != nil {
			s.observe(label, "error", err.Error())
			return
		}
		s.observe(label, "agents", strconv.Itoa(len(r.GetAgents.Agents)))
		if len(r.GetAgents.Agents) > 0 {
			s.vars["agent"] = r.GetAgents.Agents[0].AgentInfo.ID.Value
			s.vars["hostname"] = r.GetAgents.Agents[0].AgentInfo.Hostname
		}
	}}
}

// learnSandbox waits until the first agent's /state shows the executor
// of a task, and keeps its folder as {sandbox} and its container id as
// {container}.
func learnSandbox(task string) step {
	return step{"learn sandbox of " + task, func(s *side, label string) {
		deadline := time.Now().Add(eventTimeout)
		for {
			dir, container := s.sandboxOf(task)
			if dir != "" {
				s.vars["sandbox"] = dir
				if container != "" {
					s.vars["container"] = container
				}
				s.observe(label, "sandbox", "found")
				return
			}
			if time.Now().After(deadline) {
				s.observe(label, "sandbox", "not in the agent's /state within "+eventTimeout.String())
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}}
}

// sandboxOf reads the agent's /state for the folder and container of a
// task's executor.
func (s *side) sandboxOf(task string) (dir, container string) {
	resp, err := diffClient.Get(s.agent + "/state")
	if err != nil {
		return "", ""
	}
	defer resp.Body.Close()
	type executor struct {
		Directory      string
		Container      string
		Tasks          []struct{ ID string }
		QueuedTasks    []struct{ ID string } `json:"queued_tasks"`
		CompletedTasks []struct{ ID string } `json:"completed_tasks"`
	}
	var st struct {
		Frameworks []struct {
			Executors          []executor
			CompletedExecutors []executor `json:"completed_executors"`
		}
	}
	if json.NewDecoder(resp.Body).Decode(&st) != nil {
		return "", ""
	}
	for _, f := range st.Frameworks {
		for _, e := range append(f.Executors, f.CompletedExecutors...) {
			for _, t := range slices.Concat(e.Tasks, e.QueuedTasks, e.CompletedTasks) {
				if t.ID == task {
					return e.Directory, e.Container
				}
			}
		}
	}
	return "", ""
}

// metrics sends GET_METRICS to the master (or the agent) and compares,
// besides the answer's keys, the metric names: each of want (the names a
// learner meets) must be there on both sides, and the other names are
// compared as a key set ("metric names keys").
func metrics(label string, agent bool, want ...string) step {
	return step{label, func(s *side, label string) {
		body := `{"type":"GET_METRICS","get_metrics":{}}`
		r := request{method: http.MethodPost, path: "/api/v1", agent: agent, header: jsonHdr(), body: body}
		resp, err := s.send(context.Background(), r)
		if err != nil {
			s.observe(label, "error", err.Error())
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		s.observeAnswer(label, r, resp, b)
		var m struct {
			GetMetrics struct {
				Metrics []struct{ Name string }
			} `json:"get_metrics"`
		}
		if json.Unmarshal(b, &m) != nil {
			return
		}
		var names []string
		for _, x := range m.GetMetrics.Metrics {
			names = append(names, x.Name)
		}
		sort.Strings(names)
		for _, w := range want {
			s.observe(label, "metric "+w, map[bool]string{true: "present", false: "missing"}[slices.Contains(names, w)])
		}
		s.observe(label, "metric names keys", strings.Join(names, " "))
	}}
}

// operatorStream opens the master's operator event stream as stream
// name.
func operatorStream(name string) step {
	r := request{method: http.MethodPost, path: "/api/v1", header: jsonHdr(), body: `{"type":"SUBSCRIBE"}`}
	return step{"operator subscribe " + name, func(s *side, label string) { s.openStream(label, name, r) }}
}

// at keeps the time d from now, in nanoseconds, as {name}: the start of a
// maintenance window.
func at(name string, d time.Duration) step {
	return step{"time " + name, func(s *side, _ string) {
		s.vars[name] = strconv.FormatInt(time.Now().Add(d).UnixNano(), 10)
	}}
}

// acceptRefusing launches tasks on stream s's last offer and refuses the
// rest of the agent for an hour: no offer of it is outstanding later on,
// so what an operator call rescinds does not depend on timing.
func acceptRefusing(label string, tasks ...string) step {
	return sched(label, `{"type":"ACCEPT",`+fwID+`,"accept":{"offer_ids":[{"value":"{s.offer}"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[`+
		strings.Join(tasks, ",")+`]}}],"filters":{"refuse_seconds":3600}}}`)
}

// agentsUntil asks the master for its agents until it lists n of them or
// a few seconds have passed, then compares the answer: for an agent that
// leaves on the master's own time (drained, then marked gone).
func agentsUntil(label string, n int) step {
	return step{label, func(s *side, label string) {
		r := request{method: http.MethodPost, path: "/api/v1", header: jsonHdr(), body: `{"type":"GET_AGENTS"}`}
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := s.send(context.Background(), r)
			if err != nil {
				s.observe(label, "error", err.Error())
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var a struct {
				GetAgents struct{ Agents []json.RawMessage } `json:"get_agents"`
			}
			_ = json.Unmarshal(body, &a)
			if len(a.GetAgents.Agents) == n || time.Now().After(deadline) {
				s.observe(label, "agents", strconv.Itoa(len(a.GetAgents.Agents)))
				s.observeAnswer(label, r, resp, body)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}}
}

// callUntilKey is call, repeated until the answer's JSON has the key (a
// path as keySet writes it) or a few seconds have passed: for what the
// master records after it answered (an inverse offer's answer).
func callUntilKey(label string, r request, key string) step {
	return step{label, func(s *side, label string) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := s.send(context.Background(), r)
			if err != nil {
				s.observe(label, "error", err.Error())
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var v any
			_ = json.Unmarshal(body, &v)
			if slices.Contains(strings.Split(keySet(v), " "), key) || time.Now().After(deadline) {
				s.observeAnswer(label, r, resp, body)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}}
}
