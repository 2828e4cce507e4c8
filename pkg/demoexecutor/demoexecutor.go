// Package demoexecutor is the custom executor of the Executor-API
// notebook, seen from the framework's side: the cmd/demo-executor program
// built where an agent on this machine can run it (Binary), the
// ExecutorInfo that runs it (Info), the tasks it runs (Task), and its own
// side of the exchange, read from its sandbox through the agent's files
// API (Log). The notebook's cells then show the Mesos calls, not this
// plumbing.
//
//	exec, err := demoexecutor.Info(ctx)                     // executor "demo": 0.1 cpus, 32 MB
//	task := demoexecutor.Task("sleeper", offer, exec, "exec sleep 3600")
//	// ... ACCEPT the offer with mesos.LaunchOp(task), wait for TASK_RUNNING ...
//	log, err := demoexecutor.Log(ctx, s, "LAUNCH")         // the executor's lines that say LAUNCH
//
// On a real cluster whose agents run on other machines (the Vagrant VMs)
// the binary must reach them: build it for them (GOOS=linux) into the
// shared /vagrant folder and set MESOSNB_DEMO_EXECUTOR to its path there,
// or serve it over HTTP and list it in the CommandInfo's uris for the
// agent's fetcher to download.
package demoexecutor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/internal/binaries"
	"github.com/mesosnb/mesosnb/pkg/httpapi"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
	"github.com/mesosnb/mesosnb/pkg/session"
)

// EnvBinary names a built demo-executor to run instead of one built from
// this module's source: a path the agents can see.
const EnvBinary = "MESOSNB_DEMO_EXECUTOR"

// ID is the executor's id: every task of Task names it, so one executor
// runs them all.
var ID = mesos.ExecutorID{Value: "demo"}

// Binary is the demo executor's program, built from this module's source
// into the user's cache (once per change of the source), or $EnvBinary.
func Binary(ctx context.Context) (string, error) {
	return binaries.Path(ctx, "demo-executor", EnvBinary)
}

// Info is the ExecutorInfo that runs the demo executor: its command is
// the program's path (shell false: no /bin/sh in between), 0.1 cpus and
// 32 MB of its own, and 5 s to wind down after a SHUTDOWN before the
// agent kills it.
func Info(ctx context.Context) (mesos.ExecutorInfo, error) {
	bin, err := Binary(ctx)
	if err != nil {
		return mesos.ExecutorInfo{}, err
	}
	return mesos.ExecutorInfo{
		ExecutorID: ID, Name: "demo-executor",
		Command:             &mesos.CommandInfo{Value: bin, Shell: new(false)},
		Resources:           mesos.TaskResources(0.1, 32),
		ShutdownGracePeriod: &mesos.DurationInfo{Nanoseconds: (5 * time.Second).Nanoseconds()},
	}, nil
}

// Task is a task for the executor: it names the executor instead of a
// command (a task has one or the other), and its data is the shell
// command the demo executor runs for it. Its id starts with name.
func Task(name string, offer mesos.Offer, exec mesos.ExecutorInfo, script string) mesos.TaskInfo {
	return mesos.TaskInfo{Name: name, TaskID: session.TaskID(name), AgentID: offer.AgentID,
		Resources: mesos.TaskResources(0.1, 32), Executor: &exec, Data: []byte(script)}
}

// Find is the latest task of that name a cell launched, with its latest
// status. Its error, when there is none, or it has ended, names the cell
// to run first.
func Find(s *session.Session, name string) (session.Task, error) {
	launched, err := s.Launches()
	if err != nil {
		return session.Task{}, err
	}
	for i := len(launched) - 1; i >= 0; i-- {
		if launched[i].Name != name {
			continue
		}
		t, ok, err := s.Task(launched[i].TaskID)
		switch {
		case err != nil:
			return t, err
		case !ok:
			t = session.Task{ID: launched[i].TaskID, AgentID: launched[i].AgentID, Launched: &launched[i]}
		case t.State.Terminal():
			return t, fmt.Errorf("the %s task %s ended %s (%s): run the LAUNCH cell first to start another", name, t.ID.Value, t.State, session.Explain(t.Status))
		}
		return t, nil
	}
	return session.Task{}, fmt.Errorf("no %s task launched in this session yet: run the LAUNCH cell first", name)
}

// Agent is the agent the executor's latest task went to, where it runs.
// Its error names the cell to run first when no task of the executor was
// launched, or the executor has ended since (a FAILURE event names it).
func Agent(s *session.Session) (mesos.AgentID, error) {
	agent, since, err := lastLaunch(s)
	if err != nil {
		return agent, err
	}
	entries, err := s.Events(0)
	if err != nil {
		return mesos.AgentID{}, err
	}
	for _, e := range entries {
		if f := e.Event.Failure; f != nil && f.ExecutorID != nil && *f.ExecutorID == ID && e.Received.After(since) {
			return mesos.AgentID{}, errors.New("the demo executor has ended (a FAILURE event says so): run the LAUNCH cell first to start it again")
		}
	}
	return agent, nil
}

// lastLaunch is the agent of the latest launch of a task of the executor,
// and when the master took it.
func lastLaunch(s *session.Session) (mesos.AgentID, time.Time, error) {
	calls, err := s.Calls()
	if err != nil {
		return mesos.AgentID{}, time.Time{}, err
	}
	var agent *mesos.AgentID
	var at time.Time
	for _, c := range calls {
		var call mesos.Call
		if c.Type != string(mesos.CallAccept) || c.Status/100 != 2 || json.Unmarshal(c.Request, &call) != nil || call.Accept == nil {
			continue
		}
		for _, op := range call.Accept.Operations {
			for _, t := range launchedBy(op) {
				if t.Executor != nil && t.Executor.ExecutorID == ID {
					agent, at = &t.AgentID, c.Time
				}
			}
		}
	}
	if agent == nil {
		return mesos.AgentID{}, at, errors.New("no task of the demo executor launched in this session yet: run the LAUNCH cell first")
	}
	return *agent, at, nil
}

func launchedBy(op mesos.Operation) []mesos.TaskInfo {
	if op.Launch == nil {
		return nil
	}
	return op.Launch.TaskInfos
}

// Log is what the executor wrote to its sandbox's stdout (its latest run),
// read through the agent's files API (READ_FILE of
// operator.SandboxPath(framework, "demo")/stdout), as the master that
// holds the framework's stream knows the agent. With words, only the lines
// that hold one of them.
func Log(ctx context.Context, s *session.Session, words ...string) (string, error) {
	agentID, _, err := lastLaunch(s)
	if err != nil {
		return "", err
	}
	st, err := s.State()
	if err != nil {
		return "", err
	}
	cfg := httpapi.DefaultConfig()
	if st.Leader != "" {
		cfg.Master = st.Leader
	}
	op, err := operator.New(cfg)
	if err != nil {
		return "", err
	}
	defer op.Close()
	agent, err := op.AgentOf(ctx, agentID)
	if err != nil {
		return "", err
	}
	defer agent.Close()
	path := operator.SandboxPath(mesos.FrameworkID{Value: st.FrameworkID}, ID.Value) + "/stdout"
	b, err := agent.ReadAll(ctx, path, 1<<20)
	if err != nil {
		return "", fmt.Errorf("read the executor's stdout (%s) from agent %s: %w", path, agentID.Value, err)
	}
	if len(words) == 0 {
		return string(b), nil
	}
	var out strings.Builder
	for line := range strings.Lines(string(b)) {
		for _, w := range words {
			if strings.Contains(line, w) {
				out.WriteString(line)
				break
			}
		}
	}
	return out.String(), nil
}
