package leader_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mesosnb/mesosnb/pkg/leader"
	"github.com/mesosnb/mesosnb/pkg/mesos"
)

func ExampleParse() {
	for _, s := range []string{
		"10.0.0.5:5050",
		"zk://mesos:hunter2@zk1:2181,zk2/mesos",
	} {
		m, err := leader.Parse(s)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s zookeeper=%v hosts=%v\n", m, m.IsZooKeeper(), m.Hosts)
	}
	_, err := leader.Parse("zk://zk1:2181")
	fmt.Println(err)
	// Output:
	// http://10.0.0.5:5050 zookeeper=false hosts=[10.0.0.5:5050]
	// zk://mesos:xxxxx@zk1:2181,zk2:2181/mesos zookeeper=true hosts=[zk1:2181 zk2:2181]
	// leader: invalid master address "zk://zk1:2181": no ZooKeeper path after the servers (Mesos uses /mesos); want http://host:port, https://host:port, host:port or zk://[user:password@]host:port[,host:port...]/path
}

// Two masters register in ZooKeeper; a Detector follows the leadership as
// the first one steps down.
func ExampleDetector_Watch() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// zkServer is the ZooKeeper that TestMain started with zktest. Outside
	// a test this comes from the user, e.g. "zk://zk1:2181,zk2:2181/mesos".
	m, err := leader.Parse(zkServer.URL("/example/mesos"))
	if err != nil {
		log.Fatal(err)
	}

	a, err := leader.Register(ctx, m, mesos.MasterInfo{ID: "master-a", Address: &mesos.Address{IP: "127.0.0.1", Port: 5050}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := leader.Register(ctx, m, mesos.MasterInfo{ID: "master-b", Address: &mesos.Address{IP: "127.0.0.1", Port: 5051}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	d, err := leader.Connect(ctx, m, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	seen := 0
	for info, err := range d.Watch(ctx) {
		if err != nil {
			fmt.Println("no leader:", err)
			continue
		}
		fmt.Println("leader:", info.ID, "at", info.HostPort())
		if seen++; seen == 2 {
			break
		}
		a.Close() // the leader steps down; master-b takes over
	}
	// Output:
	// leader: master-a at 127.0.0.1:5050
	// leader: master-b at 127.0.0.1:5051
}
