package topics

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// names builds n topics three levels deep: site/device/sensor.
func benchNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("site-%02d/dev-%04d/sensor-%d", i%50, (i/50)%1000, i/50000)
	}
	return out
}

// BenchmarkApply: one message to an existing topic, at 100, 10k and 100k
// topics, each history ring already full (the steady state). The work is
// O(depth) whatever the size; what differs is whether the tree fits in
// the CPU caches.
func BenchmarkApply(b *testing.B) {
	payload := []byte(`{"temp": 21.5, "fan_speed": 1200, "state": "ok"}`)
	for _, n := range []int{100, 10_000, 100_000} {
		b.Run(fmt.Sprintf("topics=%d", n), func(b *testing.B) {
			tr := New(Config{})
			names := benchNames(n)
			at := time.Unix(1_700_000_000, 0)
			for i := 0; i < tr.cfg.HistoryLen; i++ {
				for _, t := range names {
					tr.Apply(Msg{Topic: t, Payload: payload, At: at})
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tr.Apply(Msg{Topic: names[i%n], Payload: payload, At: at.Add(time.Duration(i) * time.Microsecond)})
			}
		})
	}
}

// BenchmarkApplyNewTopics: every message a new topic at the cap, so each
// one also evicts the least recently updated topic.
func BenchmarkApplyNewTopics(b *testing.B) {
	tr := New(Config{MaxTopics: 100_000})
	payload := []byte(`{"v":1}`)
	at := time.Unix(1_700_000_000, 0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tr.Apply(Msg{Topic: fmt.Sprintf("s/%d/%d", i%100, i), Payload: payload, At: at})
	}
}

// BenchmarkTreeMemory reports the live heap of a tree of 100k topics,
// three levels deep, each with a full history of 16 payloads of 48 bytes
// (each payload its own allocation, as the transport delivers them). Over
// the 64 MiB budget the oldest payloads go, so it also shows the budget
// holding.
func BenchmarkTreeMemory(b *testing.B) {
	var before, after runtime.MemStats
	for i := 0; i < b.N; i++ {
		runtime.GC()
		runtime.ReadMemStats(&before)
		tr := New(Config{})
		names := benchNames(100_000)
		at := time.Unix(1_700_000_000, 0)
		for r := 0; r < 16; r++ {
			for _, t := range names {
				tr.Apply(Msg{Topic: t, Payload: []byte(`{"temp": 21.5, "fan_speed": 1200, "state": "ok"}`), At: at})
			}
		}
		names = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		s := tr.Stats()
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB")
		b.ReportMetric(float64(s.HeldBytes)/(1<<20), "payload-MiB")
		b.ReportMetric(float64(s.PayloadsDropped), "dropped")
		runtime.KeepAlive(tr)
	}
}
