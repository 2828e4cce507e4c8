// Package mesostest runs a real Apache Mesos 1.11 master and agent for
// tests, the way net/http/httptest runs a real HTTP server and
// pkg/zktest a real ZooKeeper: one call starts them on free loopback
// ports, and they are stopped when the test ends.
//
//	func TestLaunch(t *testing.T) {
//		c := mesostest.Start(t, mesostest.Options{}) // skipped (failed under CI) without Mesos
//		s, _ := scheduler.New(scheduler.Config{Master: c.URL()})
//		...
//	}
//
// # Where Mesos comes from
//
// Find looks in MESOS_HOME (a folder with sbin/mesos-master), then on
// PATH (AVENTER's aventer-mesos package puts mesos-master and mesos-agent
// there), then in DefaultHome, where `make mesos` unpacks the build in
// ../shared/mesos after checking its sha256 and installing its run-time
// packages. The agent's --launcher_dir and the master's --webui_dir are
// found beside the binaries in either layout.
//
// # What runs
//
// Options{} gives one master with the in-memory registry and one agent
// with the project's resources and attributes (cpus:4;mem:4096, a range
// of free ports, rack:r2d2;pod:demo,dev), and Mesos' Docker containerizer
// when a Docker engine answers (DockerRequired insists, DockerOff never
// uses it). Tasks can only use images built on the machine: there is no
// registry. With Options.ZK two masters elect a leader in ZooKeeper and
// keep their registry in the replicated log (--quorum=1, each in its own
// work folder), so a test can stop the leader and watch the other take
// over.
//
// Each daemon has a folder and a log under Cluster.Dir (Process.WorkDir,
// Process.LogFile). When a test fails, the end of every log is printed
// and the logs are copied to the test's artifact folder (go test
// -artifacts keeps them). At the end the agents are stopped with
// SIGUSR1, which makes them kill their executors and unregister; then
// the masters; then anything an agent left (executor processes in its
// folder, Docker containers, named mesos-*, that mount its sandboxes) is
// removed. The agents never touch other containers: they run with
// --no-docker_kill_orphans, as an agent otherwise stops every mesos-*
// container on the machine when it starts.
// An agent counts as started once it has registered. With the Docker
// containerizer its recovery lists the mesos-* containers and inspects
// each; when another agent removes one in between, Mesos 1.11 fails the
// recovery and the agent exits, even in a fresh folder, so such a start
// is tried again (a few times at most).
//
// A test package that needs Mesos in many tests shares one cluster
// through Shared (one start, a few seconds, per package). Programs (the
// benchmarks, notebook tools) use StartProcess, which takes a folder
// instead of a test and returns an error instead of skipping:
//
//	c, err := mesostest.StartProcess(ctx, dir, mesostest.Options{ZK: "zk://127.0.0.1:2181/mesos"})
//	defer c.Stop()
//	leader, err := c.Leader(ctx) // then leader.Stop(): the other master takes over
//
// Tests of deployment files start a daemon with exactly the MESOS_*
// variables a file gives it with StartDaemon; RemoveLeftovers cleans up
// after agents this package did not start; NeedDemoImage builds the demo
// site image Docker tasks run.
//
// When Mesos is missing, a test is skipped with the command that gets it
// (InstallCommand), except when the CI environment variable is set: then
// it fails, so CI cannot pass without having run real Mesos.
//
// Never send a scheduler call of type UNKNOWN to a real 1.11.0 master: it
// aborts (a CHECK in its call metrics), and every later test fails.
package mesostest
