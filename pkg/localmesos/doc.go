// Package localmesos is a local stand-in for an Apache Mesos 1.11 master
// and its agents: one Go program that speaks Mesos' v1 scheduler and
// operator HTTP APIs on loopback the way a real cluster does, for tests,
// CI and workshops on machines that cannot run the Vagrant VMs. It is not
// Apache Mesos, and says so: in /version, in its logs, and in every status
// update of a simulated task.
//
// # Starting one
//
// In a test, start one as you would an httptest.Server, and point the
// project's clients at its URL:
//
//	srv, err := localmesos.New(localmesos.Config{Runner: "simulated"})
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer srv.Close()
//	c, err := scheduler.New(scheduler.Config{Master: srv.URL})
//
// New returns once the master and its agents answer. By default the master
// listens on a free loopback port with one agent, offers come every
// second, heartbeats every 15 seconds and unacknowledged status updates
// are re-sent after 10 seconds, as in Mesos; Config shortens all of these
// for fast tests, adds agents, sets their resources and attributes in
// mesos-agent's syntax, turns on HTTP basic authentication, and joins a
// ZooKeeper group for leader election. Close kills the tasks, leaves
// ZooKeeper and waits for everything to stop.
//
// On the command line, cmd/localmesos serves the same on 127.0.0.1:5050
// (master) and 127.0.0.1:5051 (agent).
//
// Tasks run through a Runner: "process" runs command tasks as local
// processes in a sandbox of their own, "docker" runs container tasks with
// the Docker Engine API, "simulated" walks tasks through their states without
// running anything, and "auto" picks per task.
//
// # What is faithful
//
// A scheduler written against a real Mesos 1.11 master should see no
// difference in what it relies on:
//
//   - status codes and message texts are Mesos' own, byte for byte, and
//     come in Mesos' order of checks: a call wrong in several ways gets the
//     answer Mesos would give ("Expecting 'Content-Type' to be present",
//     "Failed to parse body into JSON: syntax error at line 1 near: ...",
//     "Framework cannot be found", the ERROR events of a refused
//     SUBSCRIBE, the TASK_ERROR messages of invalid tasks);
//   - JSON bodies are read as Mesos reads them (picojson's parser, stout's
//     conversion to protobuf): numbers as strings, single values for lists
//     and unknown keys are accepted; wrong types, unknown required enums
//     and missing required fields are refused in Mesos' words;
//   - subscriptions, heartbeats, offers with Mesos-style ids, filters,
//     rescinds, failover with failover_timeout, status updates with
//     uuids re-sent until acknowledged one at a time, reconciliation,
//     UPDATE_FRAMEWORK, the legacy /state, /redirect, /health, /version
//     and /metrics/snapshot endpoints, and leader election through
//     ZooKeeper with Mesos' node format and 307 redirects;
//   - the operator API, master and agents alike: every call of
//     master.proto and agent.proto is read and validated as Mesos does,
//     in its words; flags, metrics that follow what happens, logging
//     level, roles, weights, quota (limits enforced by the allocator,
//     roles below their guarantees served first), maintenance windows
//     with unavailability on offers and inverse offers, START and
//     STOP_MAINTENANCE, DRAIN_AGENT, DEACTIVATE_AGENT, REACTIVATE_AGENT,
//     MARK_AGENT_GONE (TASK_GONE_BY_OPERATOR), dynamic reservations for a
//     role, and the agent's health, flags, state, containers, frameworks,
//     executors and tasks;
//   - sandboxes: every task has one on its agent, laid out as under a
//     Mesos agent's work_dir, with its stdout and stderr (a simulated
//     task's stdout says nothing ran); the agent serves them through
//     /files/browse, /files/read, /files/download and LIST_FILES /
//     READ_FILE, at the directory /state gives and at the virtual
//     /frameworks/<fw>/executors/<executor>/runs/latest, with
//     libprocess' offsets, 64 KiB reads and answers for unknown paths and
//     escapes; /master/log and /slave/log are the stand-in's log;
//   - custom executors (executor_*.go): a task with an ExecutorInfo has
//     its executor started as a local process with the environment a
//     Mesos agent gives (MESOS_FRAMEWORK_ID, MESOS_AGENT_ENDPOINT...),
//     and the agent's /api/v1/executor (SUBSCRIBE, UPDATE, MESSAGE,
//     LAUNCH, KILL, ACKNOWLEDGED, SHUTDOWN, registration timeouts,
//     FAILURE events) answers as a real 1.11.0 agent does, step by step
//     (executor_realagent_test.go compares them); StopAgent and StartAgent
//     restart an agent in-process, and executors of checkpointing
//     frameworks subscribe again with what was not acknowledged.
//
// The master also serves a page of its own at /: frameworks, agents,
// tasks with their sandboxes' stdout and stderr, outstanding offers,
// refreshed every two seconds. It is not Mesos' web UI, and says so.
//
// # What is not
//
// Every known difference from a real Mesos 1.11.0 master is in
// Differences, with its reason: a differential test runs the same call
// sequences against both (status codes, texts, Content-Type, events in
// order, JSON key sets) and fails on any difference not listed there.
//
//   - It speaks JSON only: application/x-protobuf is refused (415, or 406 for
//     Accept) with a message that says so.
//   - There are no persistent volumes, nested or standalone containers,
//     resource providers, offer constraints or authorization: those operator
//     calls are validated as Mesos validates them, then refused (501) with a
//     message that says what the stand-in does not do. Reservations have one
//     level (no refinement); quota guarantees are served first but nothing is
//     held back for them.
//   - Its agents all run on one machine: maintenance of it takes them all;
//     taken down, they register again with new ids when it comes back up.
//   - Custom executors run as local processes only, with the process or auto
//     runner: an ExecutorInfo with a container image, or any custom executor
//     under the docker or simulated runner, fails its tasks with a message
//     that says so.
//   - A framework gets offers for one role: its first one.
//   - Each allocation visits the agents in the order they registered, where
//     Mesos shuffles them; who gets an agent follows Mesos: the smallest DRF
//     share, then the framework offered least often, then the smaller
//     framework id.
//   - All state is in memory: a restarted stand-in remembers nothing, and its
//     agents leave only when an operator removes them (an agent marked gone or
//     taken down goes on answering on its port, its tasks killed, where a
//     Mesos agent would have shut down).
//   - REMOVE_QUOTA for a role without quota answers 400 where a real 1.11.0
//     master aborts.
//   - Its JSON output means what Mesos' means but is not byte-identical: a
//     number such as 15.0 prints as 15. Status codes and message texts, by
//     contrast, are exact.
//   - Its metrics are those a learner meets (tasks, frameworks, agents,
//     offers, resources, the machine), not the counters of Mesos' allocator,
//     registrar, messages and operations.
//   - Fields Mesos writes with their default values, such as a framework's
//     checkpoint false, are left out when unset.
//   - A scheduler call of type UNKNOWN from a known framework gets 501 Not
//     Implemented; a real 1.11.0 master aborts on it, so none is ever sent to
//     one.
//   - Its /version and GET_VERSION carry git_tag 1.11.0 and no git_branch
//     (their git_sha is its own commit, when its binary recorded one): it is
//     not a build of Mesos.
//   - The flags in /state and /master/state are its own few, with stand_in
//     saying what it is, not mesos-master's.
package localmesos
