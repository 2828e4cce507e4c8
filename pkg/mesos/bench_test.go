package mesos_test

import (
	"encoding/json"
	"testing"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// BenchmarkEventDecode decodes the events a busy stream carries, in the
// mix the reference shapes give: it reports events/s, the figure that
// says whether decoding could ever hold up a subscription.
func BenchmarkEventDecode(b *testing.B) {
	mix := []mesos.EventType{mesos.EventHeartbeat, mesos.EventUpdate, mesos.EventUpdate, mesos.EventOffers, mesos.EventRescind}
	var raw [][]byte
	for _, t := range mix {
		raw = append(raw, []byte(events[t]))
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		var ev mesos.Event
		if err := json.Unmarshal(raw[n%len(raw)], &ev); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
