package topics

import (
	"fmt"
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

// BenchmarkApply: one message to an existing topic, at 100 and 100k
// topics. The cost must not grow with the tree (O(depth)).
func BenchmarkApply(b *testing.B) {
	payload := []byte(`{"temp": 21.5, "fan_speed": 1200, "state": "ok"}`)
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("topics=%d", n), func(b *testing.B) {
			tr := New(Config{})
			names := benchNames(n)
			at := time.Unix(1_700_000_000, 0)
			for _, t := range names {
				tr.Apply(Msg{Topic: t, Payload: payload, At: at})
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
