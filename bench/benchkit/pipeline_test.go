package benchkit

import (
	"context"

	tea "charm.land/bubbletea/v2"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	"github.com/mqdeck/mqdeck/tui"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/pump"
	"github.com/mqdeck/mqdeck/views/fixture"
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
// network and the screen: route, decode and refine (the pump's share), then
// apply to the store (the UI goroutine's share), on the compare flood
// (80% datapoints, 10% events, 10% event states, 280-byte JSON) over 10k
// systems, in batches of 1024.
//
//	go test ./bench/benchkit -run '^$' -bench Pipeline -benchmem
func BenchmarkPipeline(b *testing.B) {
	msgs := floodMessages(b, 50_000, 10_000, 280)
	scheme := drivrScheme(b)
	dec := pump.DefaultDecode(decode.DefaultLimits())
	item := func(m *mqttconn.Message) fleet.Item {
		r := scheme.Route(m.Topic, m.Props)
		v := dec(m, r)
		return fleet.Item{Msg: *m, Route: platform.Refine(r, &v), Value: v}
	}
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
		s := fleet.New(cfg)
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
		s := fleet.New(fleet.DefaultConfig())
		s.Apply(items) // the fleet exists: measure steady state
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += 1024 {
			k := i % len(items)
			s.Apply(items[k:min(k+1024, len(items))])
		}
	})
}

// TestHeapAfterMillion feeds 1M flood messages over 10k systems through a
// real pump into a store with the default caps (no broker, no screen) and
// reports the live heap and this process's RSS. Heavy: it runs only with
// MQDECK_BENCH=1.
//
//	MQDECK_BENCH=1 go test ./bench/benchkit -run HeapAfterMillion -v
func TestHeapAfterMillion(t *testing.T) {
	if os.Getenv("MQDECK_BENCH") != "1" {
		t.Skip("heavy: set MQDECK_BENCH=1")
	}
	const n, topics = 1_000_000, 10_000
	msgs := floodMessages(t, 100_000, topics, 280)
	in := make(chan mqttconn.Message, 65536)
	store := fleet.New(fleet.DefaultConfig())
	p := pump.New(pump.Config{Messages: in, Scheme: drivrScheme(t), Refine: platform.Refine})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	go func(msgs []mqttconn.Message) {
		defer close(in)
		for i := 0; i < n; i++ {
			m := msgs[i%len(msgs)]
			if i >= len(msgs) {
				// Same systems, new payload bytes: as a broker delivers.
				m.Payload = append([]byte(nil), m.Payload...)
			}
			select {
			case in <- m:
			case <-ctx.Done():
				return
			}
		}
	}(msgs)
	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	start := time.Now()
	profiled := false
	p.Run(ctx, func(b pump.BatchMsg) {
		store.Apply(b.Items)
		if path := os.Getenv("MQDECK_BENCH_HEAP"); path != "" && !profiled && store.Totals().Messages >= n/2 {
			// The live set in the middle of the flood, backlog included.
			profiled = true
			runtime.GC()
			if f, err := os.Create(path); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
	})
	el := time.Since(start)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st, err := ProcStatus(0, "VmRSS", "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	tot := store.Totals()
	t.Logf("%d messages in %v (%.0f msg/s): live heap %.1f MiB (%.1f before), RSS %.1f MiB, peak RSS %.1f MiB, GC cycles %d",
		tot.Messages, el.Round(time.Millisecond), float64(tot.Messages)/el.Seconds(),
		float64(ms.HeapAlloc)/(1<<20), float64(base.HeapAlloc)/(1<<20),
		float64(st["VmRSS"])/1024, float64(st["VmHWM"])/1024, ms.NumGC-base.NumGC)
	t.Logf("held: %s", fmt.Sprintf("%+v", tot))
	if tot.Messages != n {
		t.Fatalf("applied %d of %d", tot.Messages, n)
	}
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
	dec := pump.DefaultDecode(decode.DefaultLimits())
	items := make([]fleet.Item, len(msgs))
	for i := range msgs {
		r := scheme.Route(msgs[i].Topic, nil)
		v := dec(&msgs[i], r)
		items[i] = fleet.Item{Msg: msgs[i], Route: platform.Refine(r, &v), Value: v}
	}
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("systems=%d", n), func(b *testing.B) {
			m := tui.New(tui.Config{Store: fixture.Large(n)})
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			// As the program does: the model applies a batch in slices,
			// each an Update (asked for by the previous one's command)
			// followed by a View.
			feed := func(batch []fleet.Item) {
				_, cmd := m.Update(pump.BatchMsg{Items: batch})
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
