package bus_test

import (
	"encoding/binary"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/bus"
)

// BenchmarkPublish measures one publisher fanning out to 100 subscribers with
// 128-byte messages; for NATS the subscribers are on a second connection (a
// second node). "flood" publishes as fast as Publish returns, so it measures
// throughput and what full queues drop, and its latency is queueing delay;
// "paced" publishes the next message once all 100 have the previous one, so
// its latency is the fan-out itself. Reported: messages published per second,
// deliveries per second, the share dropped, and the publish-to-handler latency
// (p50, p99) over a sample of messages.
func BenchmarkPublish(b *testing.B) {
	for _, im := range impls {
		for _, paced := range []bool{false, true} {
			name := im.name + "/flood"
			if paced {
				name = im.name + "/paced"
			}
			b.Run(name, func(b *testing.B) {
				pub, sub := im.open(b)
				benchFanOut(b, pub, sub, paced)
			})
		}
	}
}

func benchFanOut(b *testing.B, pub, sub bus.Bus, paced bool) {
	const subscribers, size, samples = 100, 128, 10_000
	stride := uint64(max(1, b.N/samples))
	var total atomic.Int64
	round := make(chan struct{}, 1) // paced: all subscribers have the message
	lats := make([][]time.Duration, subscribers)
	for i := range lats {
		_, err := sub.Subscribe("bench.conv.msg", func(m bus.Message) {
			if binary.BigEndian.Uint64(m.Data[8:])%stride == 0 {
				sent := int64(binary.BigEndian.Uint64(m.Data))
				lats[i] = append(lats[i], time.Duration(time.Now().UnixNano()-sent))
			}
			if total.Add(1)%subscribers == 0 && paced {
				round <- struct{}{}
			}
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	data := make([]byte, size)
	want := int64(subscribers) * int64(b.N)

	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		binary.BigEndian.PutUint64(data, uint64(time.Now().UnixNano()))
		binary.BigEndian.PutUint64(data[8:], uint64(i))
		if err := pub.Publish(b.Context(), "bench.conv.msg", data); err != nil {
			b.Fatal(err)
		}
		if paced {
			select {
			case <-round:
			case <-time.After(deadline):
				b.Fatalf("message %d did not reach all subscribers within %s", i, deadline)
			}
		}
	}
	// Wait until every delivery has happened or been dropped.
	for wait := time.Now(); time.Since(wait) < 30*time.Second; time.Sleep(time.Millisecond) {
		if total.Load()+int64(sub.(statser).Stats().Dropped) >= want {
			break
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()

	// Close waits for the handlers, so their samples can be read.
	delivered := total.Load()
	closeWithin(b, sub)
	var lat []time.Duration
	for _, l := range lats {
		lat = append(lat, l...)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(delivered)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(100*float64(want-delivered)/float64(want), "%dropped")
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}
