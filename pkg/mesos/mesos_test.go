package mesos_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// events are shaped as the reference (§1.7, §1.12) says the master writes
// them, including the fields upstream docs get wrong, plus a key no version
// of our structs knows (newer masters add fields).
var events = map[mesos.EventType]string{
	mesos.EventSubscribed:            `{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"fw-0000"},"heartbeat_interval_seconds":15.0,"master_info":{"id":"m1","ip":16777343,"port":5050,"pid":"master@127.0.0.1:5050","hostname":"localhost","version":"1.11.0","address":{"hostname":"localhost","ip":"127.0.0.1","port":5050},"capabilities":[{"type":"AGENT_UPDATE"}],"brand_new":1}}}`,
	mesos.EventOffers:                `{"type":"OFFERS","offers":{"offers":[{"id":{"value":"m1-O17"},"framework_id":{"value":"fw-0000"},"agent_id":{"value":"m1-S0"},"hostname":"agent1","url":{"scheme":"http","address":{"hostname":"agent1","ip":"10.0.0.11","port":5051},"path":"/slave(1)"},"allocation_info":{"role":"*"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":2.0},"role":"*","allocation_info":{"role":"*"}},{"name":"mem","type":"SCALAR","scalar":{"value":1000.0},"role":"*"},{"name":"disk","type":"SCALAR","scalar":{"value":5000.0},"role":"*"},{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]},"role":"*"}],"attributes":[{"name":"rack","type":"TEXT","text":{"value":"r2d2"}}]}]}}`,
	mesos.EventInverseOffers:         `{"type":"INVERSE_OFFERS","inverse_offers":{"inverse_offers":[{"id":{"value":"m1-O18"},"framework_id":{"value":"fw-0000"},"agent_id":{"value":"m1-S0"},"unavailability":{"start":{"nanoseconds":1470000000000000000},"duration":{"nanoseconds":3600000000000}},"resources":[]}]}}`,
	mesos.EventRescind:               `{"type":"RESCIND","rescind":{"offer_id":{"value":"m1-O17"}}}`,
	mesos.EventRescindInverseOffer:   `{"type":"RESCIND_INVERSE_OFFER","rescind_inverse_offer":{"inverse_offer_id":{"value":"m1-O18"}}}`,
	mesos.EventUpdate:                `{"type":"UPDATE","update":{"status":{"task_id":{"value":"web-1"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR","agent_id":{"value":"m1-S0"},"executor_id":{"value":"web-1"},"timestamp":1470000000.5,"uuid":"D2pMLpsdTzqMLR4vOktcbQ==","healthy":true,"container_status":{"network_infos":[{"ip_addresses":[{"ip_address":"172.17.0.2"}]}]},"data":"aGk="}}}`,
	mesos.EventUpdateOperationStatus: `{"type":"UPDATE_OPERATION_STATUS","update_operation_status":{"status":{"operation_id":{"value":"op1"},"state":"OPERATION_FINISHED","uuid":{"value":"D2pMLpsdTzqMLR4vOktcbQ=="},"agent_id":{"value":"m1-S0"}}}}`,
	mesos.EventMessage:               `{"type":"MESSAGE","message":{"agent_id":{"value":"m1-S0"},"executor_id":{"value":"e1"},"data":"aGVsbG8="}}`,
	mesos.EventFailure:               `{"type":"FAILURE","failure":{"agent_id":{"value":"m1-S0"},"executor_id":{"value":"e1"},"status":256}}`,
	mesos.EventError:                 `{"type":"ERROR","error":{"message":"Framework failed over"}}`,
	mesos.EventHeartbeat:             `{"type":"HEARTBEAT"}`,
}

func TestDecodeEveryEvent(t *testing.T) {
	t.Parallel()
	for typ, js := range events {
		var ev mesos.Event
		if err := json.Unmarshal([]byte(js), &ev); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if ev.Type != typ {
			t.Errorf("%s: decoded type %q", typ, ev.Type)
		}
		var ok bool
		switch typ {
		case mesos.EventSubscribed:
			s := ev.Subscribed
			ok = s.FrameworkID.Value == "fw-0000" && s.HeartbeatIntervalSeconds == 15 && s.MasterInfo.HostPort() == "127.0.0.1:5050"
		case mesos.EventOffers:
			o := ev.Offers.Offers[0]
			ok = o.ID.Value == "m1-O17" && o.Resources.CPUs() == 2 && o.Resources.Mem() == 1000 && o.Resources.Disk() == 5000 &&
				o.Resources.Ports().String() == "[31000-32000]" && o.Attributes[0].String() == "rack:r2d2" && o.URL.Address.Port == 5051
		case mesos.EventInverseOffers:
			ok = ev.InverseOffers.InverseOffers[0].Unavailability.Duration.Nanoseconds == 3600000000000
		case mesos.EventRescind:
			ok = ev.Rescind.OfferID.Value == "m1-O17"
		case mesos.EventRescindInverseOffer:
			ok = ev.RescindInverseOffer.InverseOfferID.Value == "m1-O18"
		case mesos.EventUpdate:
			st := ev.Update.Status
			ok = st.State == mesos.TaskRunning && len(st.UUID) == 16 && base64.StdEncoding.EncodeToString(st.UUID) == "D2pMLpsdTzqMLR4vOktcbQ==" &&
				*st.Healthy && string(st.Data) == "hi" && st.ContainerStatus.NetworkInfos[0].IPAddresses[0].IPAddress == "172.17.0.2"
		case mesos.EventUpdateOperationStatus:
			ok = len(ev.UpdateOperationStatus.Status.UUID.Value) == 16
		case mesos.EventMessage:
			ok = string(ev.Message.Data) == "hello"
		case mesos.EventFailure:
			ok = *ev.Failure.Status == 256
		case mesos.EventError:
			ok = ev.Error.Message == "Framework failed over"
		case mesos.EventHeartbeat:
			ok = true
		}
		if !ok {
			t.Errorf("%s: decoded %+v", typ, ev)
		}
	}
}

// TestCallShapes checks the JSON our calls produce against the shapes the
// Mesos source reads (reference §1.5, §1.12), not the upstream docs.
func TestCallShapes(t *testing.T) {
	t.Parallel()
	fw := &mesos.FrameworkID{Value: "fw-0000"}
	uuid, _ := base64.StdEncoding.DecodeString("D2pMLpsdTzqMLR4vOktcbQ==")
	cases := []struct {
		call mesos.Call
		want string
	}{
		{mesos.Call{Type: mesos.CallRevive, FrameworkID: fw, Revive: &mesos.Revive{Roles: []string{"*"}}},
			`{"type":"REVIVE","framework_id":{"value":"fw-0000"},"revive":{"roles":["*"]}}`},
		{mesos.Call{Type: mesos.CallAcknowledge, FrameworkID: fw, Acknowledge: &mesos.Acknowledge{AgentID: mesos.AgentID{Value: "S0"}, TaskID: mesos.TaskID{Value: "t"}, UUID: uuid}},
			`{"type":"ACKNOWLEDGE","framework_id":{"value":"fw-0000"},"acknowledge":{"agent_id":{"value":"S0"},"task_id":{"value":"t"},"uuid":"D2pMLpsdTzqMLR4vOktcbQ=="}}`},
		{mesos.Call{Type: mesos.CallReconcile, FrameworkID: fw, Reconcile: &mesos.Reconcile{}},
			`{"type":"RECONCILE","framework_id":{"value":"fw-0000"},"reconcile":{"tasks":null}}`},
		{mesos.Call{Type: mesos.CallDecline, FrameworkID: fw, Decline: &mesos.Decline{OfferIDs: []mesos.OfferID{{Value: "O1"}}, Filters: mesos.RefuseFor(60)}},
			`{"type":"DECLINE","framework_id":{"value":"fw-0000"},"decline":{"offer_ids":[{"value":"O1"}],"filters":{"refuse_seconds":60}}}`},
		{mesos.Call{Type: mesos.CallTeardown, FrameworkID: fw}, `{"type":"TEARDOWN","framework_id":{"value":"fw-0000"}}`},
		{mesos.Call{Type: mesos.CallRequest, FrameworkID: fw, Request: &mesos.Request{Requests: []mesos.ResourceRequest{{Resources: mesos.TaskResources(1, 64)}}}},
			`{"type":"REQUEST","framework_id":{"value":"fw-0000"},"request":{"requests":[{"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}},{"name":"mem","type":"SCALAR","scalar":{"value":64}}]}]}}`},
	}
	for _, c := range cases {
		got, err := json.Marshal(c.call)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.call.Type, got, c.want)
		}
	}
}

// TestShellFalseIsSent: CommandInfo.shell defaults to true in Mesos, so a
// false must reach the wire, and an unset one must not.
func TestShellFalseIsSent(t *testing.T) {
	t.Parallel()
	b, _ := json.Marshal(mesos.CommandInfo{Shell: new(false)})
	if string(b) != `{"shell":false}` {
		t.Fatalf("got %s", b)
	}
	b, _ = json.Marshal(mesos.CommandInfo{Value: "echo hi"})
	if strings.Contains(string(b), "shell") {
		t.Fatalf("unset shell sent: %s", b)
	}
}

func TestMasterInfoIP(t *testing.T) {
	t.Parallel()
	for ip, dotted := range map[uint32]string{16842879: "127.0.1.1", 169978048: "192.168.33.10", 16777343: "127.0.0.1"} {
		m := mesos.MasterInfo{IP: ip, Port: 5050}
		if m.IPString() != dotted || mesos.PackIP(dotted) != ip {
			t.Errorf("%d: IPString %s, PackIP %d; want %s", ip, m.IPString(), mesos.PackIP(dotted), dotted)
		}
		if m.HostPort() != dotted+":5050" {
			t.Errorf("%d: HostPort %s", ip, m.HostPort())
		}
	}
	if mesos.PackIP("::1") != 0 {
		t.Error("PackIP of an IPv6 address is not 0")
	}
}

func TestTerminalStates(t *testing.T) {
	t.Parallel()
	for _, s := range []mesos.TaskState{mesos.TaskFinished, mesos.TaskFailed, mesos.TaskKilled, mesos.TaskError, mesos.TaskLost, mesos.TaskDropped, mesos.TaskGone} {
		if !s.Terminal() {
			t.Errorf("%s is not terminal", s)
		}
	}
	for _, s := range []mesos.TaskState{mesos.TaskStaging, mesos.TaskStarting, mesos.TaskRunning, mesos.TaskKilling, mesos.TaskUnreachable} {
		if s.Terminal() {
			t.Errorf("%s is terminal", s)
		}
	}
}

func ExampleTaskResources() {
	rs := mesos.TaskResources(0.2, 100, 9000)
	fmt.Println(rs)
	fmt.Println(rs.CPUs(), rs.Mem(), rs.Ports().Contains(9000))
	// Output:
	// cpus:0.2;mem:100;ports:[9000-9000]
	// 0.2 100 true
}

func ExampleMasterInfo_IPString() {
	// The ip field of a 2016 Vagrant master, as its ZooKeeper node held it.
	m := mesos.MasterInfo{IP: 169978048, Port: 5050}
	fmt.Println(m.IPString())
	// Output: 192.168.33.10
}

func TestGetTasksFind(t *testing.T) {
	r := mesos.GetTasksResponse{Tasks: []mesos.Task{{TaskID: mesos.TaskID{Value: "a"}, State: mesos.TaskRunning}},
		CompletedTasks: []mesos.Task{{TaskID: mesos.TaskID{Value: "b"}, State: mesos.TaskFailed}, {TaskID: mesos.TaskID{Value: "b"}, State: mesos.TaskFinished}}}
	if got, ok := r.Find("a"); !ok || got.State != mesos.TaskRunning {
		t.Errorf("Find(a) = %v %v", got, ok)
	}
	if got, ok := r.Find("b"); !ok || got.State != mesos.TaskFinished {
		t.Errorf("Find(b) = %v %v, want the latest", got, ok)
	}
	if _, ok := r.Find("c"); ok {
		t.Error("Find(c) found a task")
	}
}
