// Package zktest runs a real ZooKeeper server for tests, the way
// net/http/httptest runs a real HTTP server: one call starts it on a free
// loopback port, and it is stopped when the test ends.
//
//	func TestDiscovery(t *testing.T) {
//		zk := zktest.Start(t)        // skipped (or failed under CI) if ZooKeeper is missing
//		master := zk.URL("/mesos")   // "zk://127.0.0.1:41234/mesos"
//		...
//		if err := zk.Restart(t.Context()); err != nil { // same port, same data
//			t.Fatal(err)
//		}
//	}
//
// The server is Debian's zookeeper package (apt-get install zookeeper),
// started directly with java and a generated zoo.cfg: no systemd, no root,
// no files outside the server's directory. That directory (Server.Dir) holds
// zoo.cfg, the data and zookeeper.log, the server's output across restarts;
// when a start fails, the error quotes the end of that log.
//
// Programs such as benchmarks and chaos tools use StartProcess, which takes
// a directory instead of a test and returns an error instead of skipping.
//
// When the CI environment variable is set, a missing java or ZooKeeper fails
// the test instead of skipping it, so a CI run cannot pass without having
// exercised ZooKeeper.
//
// The server is tuned for tests: a 200 ms tick, so sessions may be as short
// as 400 ms; no fsync; a small heap and a JVM set up for a quick start (about
// a second); the admin server off; only the ruok, srvr and stat four-letter
// words enabled.
package zktest
