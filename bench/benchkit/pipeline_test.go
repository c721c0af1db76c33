package benchkit

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// floodMessages is the compare flood as received messages.
func floodMessages(tb testing.TB, n, topics, size int) []mqttconn.Message {
	tb.Helper()
	msgs, err := Generate(sim.FloodConfig{N: n, Platform: sim.PlatformDRIVR, Size: size, Topics: topics})
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]mqttconn.Message, len(msgs))
	now := time.Now()
	for i, m := range msgs {
		out[i] = mqttconn.Message{Topic: m.Topic, Payload: m.Payload, Received: now}
	}
	return out
}

func drivrScheme(tb testing.TB) platform.Scheme {
	tb.Helper()
	s, err := platform.New(platform.DRIVR, platform.Params{Slug: "company-example"})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkPipeline is the console's whole per-message cost without the
// network and the screen: route, decode and refine (the ingest stage's share), then
// apply to the store (the UI goroutine's share), on the compare flood
// (80% datapoints, 10% events, 10% event states, 280-byte JSON) over 10k
// systems, in batches of 1024.
//
//	go test ./bench/benchkit -run '^$' -bench Pipeline -benchmem
func BenchmarkPipeline(b *testing.B) {
	msgs := floodMessages(b, 50_000, 10_000, 280)
	scheme := drivrScheme(b)
	st := ingest.NewStage(scheme, decode.DefaultLimits())
	item := func(m *mqttconn.Message) fleet.Item { return st.Item(*m) }
	b.Run("route+decode", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = item(&msgs[i%len(msgs)])
		}
	})
	// At the event cap every new event evicts one: the steady state of a
	// long flood (10% of the flood's messages are new events).
	b.Run("apply-at-event-cap", func(b *testing.B) {
		items := make([]fleet.Item, len(msgs))
		for i := range msgs {
			items[i] = item(&msgs[i])
		}
		cfg := fleet.DefaultConfig()
		cfg.MaxEvents = 2_000
		s := fleet.New(cfg, platforms.Fleet())
		s.Apply(items)
		if s.Totals().Evicted.Events == 0 {
			b.Fatal("the cap was not reached")
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += 1024 {
			k := i % len(items)
			s.Apply(items[k:min(k+1024, len(items))])
		}
	})
	b.Run("apply", func(b *testing.B) {
		items := make([]fleet.Item, len(msgs))
		for i := range msgs {
			items[i] = item(&msgs[i])
		}
		s := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
		s.Apply(items) // the fleet exists: measure steady state
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += 1024 {
			k := i % len(items)
			s.Apply(items[k:min(k+1024, len(items))])
		}
	})
}

// BenchmarkUpdateBatch is what the UI goroutine does per batch under a
// flood: the root model's Update with a batch of 4096 flood items (store
// apply, status, follow) and the frame after it, on a 10k-system fleet at
// 120x40. A key press waits behind at most one of these.
//
//	go test ./bench/benchkit -run '^$' -bench UpdateBatch -benchmem
func BenchmarkUpdateBatch(b *testing.B) {
	msgs := floodMessages(b, 40_960, 10_000, 280)
	scheme := drivrScheme(b)
	st := ingest.NewStage(scheme, decode.DefaultLimits())
	items := make([]fleet.Item, len(msgs))
	for i := range msgs {
		items[i] = st.Item(msgs[i])
	}
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("systems=%d", n), func(b *testing.B) {
			m := console.New(console.Config{Store: fixture.Large(n)})
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			// As the program does: the model applies a batch in slices,
			// each an Update (asked for by the previous one's command)
			// followed by a View.
			feed := func(batch []fleet.Item) {
				_, cmd := m.Update(ingest.Batch{Items: batch})
				_ = m.View()
				for n := 0; cmd != nil && n < 100_000; n++ {
					_, cmd = m.Update(cmd())
					_ = m.View()
				}
			}
			feed(items[:4096]) // warm: the flood's systems exist
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := (i % 10) * 4096
				feed(items[k : k+4096])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4096, "ns/msg")
		})
	}
}
