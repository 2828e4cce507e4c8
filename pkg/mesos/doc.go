// Package mesos holds Go structs that mirror the JSON of the Mesos v1 HTTP
// APIs exactly: the messages of mesos.proto, the scheduler API's Call and
// Event, the executor API's ExecutorCall and ExecutorEvent, the operator
// API's calls, responses and events, and the legacy /state documents.
// Durations in Mesos' own notation ("5secs", "15mins") are read and written
// by ParseDuration and FormatDuration.
//
// The encoding rules are Mesos' own (stout's protobuf.hpp), not proto3 JSON:
//
//   - keys are the proto field names in snake_case: framework_id, task_infos;
//   - enums are their name strings: "type": "LAUNCH";
//   - every ID is an object, {"value": "..."}, never a bare string;
//   - bytes fields, such as TaskStatus.uuid, are standard base64 (Go's
//     []byte encoding already is);
//   - fields whose Mesos default is not Go's zero value are pointers, so that
//     leaving them nil keeps the default: CommandInfo.Shell (default true),
//     CommandURI.Extract (default true), the HealthCheck timings.
//
// Decoding ignores keys the structs do not know, as Mesos does, so a newer
// master's extra fields do no harm.
//
// Building a task for an offer:
//
//	task := mesos.TaskInfo{
//		Name:      "web",
//		TaskID:    mesos.TaskID{Value: "web-1"},
//		AgentID:   offer.AgentID,
//		Resources: mesos.TaskResources(0.2, 100, 9000), // cpus, mem MB, host port
//		Command:   &mesos.CommandInfo{Shell: new(false)},
//		Container: &mesos.ContainerInfo{
//			Type: mesos.ContainerDocker,
//			Docker: &mesos.DockerInfo{
//				Image:        "nginx:1.27-alpine",
//				Network:      mesos.NetworkBridge,
//				PortMappings: []mesos.PortMapping{{HostPort: 9000, ContainerPort: 80}},
//			},
//		},
//	}
//	op := mesos.LaunchOp(task)
//
// Where the upstream documentation and the Mesos source disagree on a shape
// (OFFERS nests its list as {"offers":{"offers":[...]}}, ERROR carries
// {"error":{"message":...}}, REVIVE and SUPPRESS take "roles"), these types
// follow the source.
package mesos
