// Package mesos holds the Go structs that mirror the JSON of the Mesos v1
// HTTP APIs: the messages of mesos.proto, the scheduler API's Call and Event,
// and the operator API's calls, responses and events.
package mesos
