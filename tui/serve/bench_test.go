package serve

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// BenchmarkSharedFrame is serve's drawing as it runs: 20 consoles at
// 120x40 on one store of 500 systems, each on its own goroutine drawing a
// frame (StoreChangedMsg, then View, each under the read lock) every
// 100 ms as a woken session does, while a writer applies 10k msg/s beside
// them in 33 ms batches. Each iteration is one second of that; the frame
// figures (lock wait included) are reported as metrics. Target: frame
// under 5 ms.
//
//	go test ./tui/serve -run '^$' -bench SharedFrame -benchtime 5x
func BenchmarkSharedFrame(b *testing.B) {
	cfg := fleet.DefaultConfig()
	cfg.Now = fixture.Clock
	h := NewHub(fleet.New(cfg, platforms.Fleet()))
	items := traffic(500, 20000)
	for i := 0; i < len(items); i += 1000 {
		h.Apply(ingestBatch(items[i:min(i+1000, len(items))]))
	}
	const sessions = 20
	models := make([]*console.Model, sessions)
	for i := range models {
		models[i] = console.New(console.Config{Now: fixture.Clock, Store: h.Store(), Shared: h.Shared(nil)})
		models[i].Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		models[i].Update(tea.KeyPressMsg{Code: rune('1' + i%6), Text: fmt.Sprint(1 + i%6)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &feeder{items: items}
	go f.run(ctx, h, 10000)
	var mu sync.Mutex
	var frames []time.Duration
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		var wg sync.WaitGroup
		for i := range models {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := models[i]
				time.Sleep(time.Duration(i) * 5 * time.Millisecond) // sessions not in step
				var mine []time.Duration
				for k := 0; k < 10; k++ {
					start := time.Now()
					m.Update(h.Changed())
					_ = m.View()
					mine = append(mine, time.Since(start))
					time.Sleep(100*time.Millisecond - time.Since(start))
				}
				mu.Lock()
				frames = append(frames, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	cancel()
	sort.Slice(frames, func(i, j int) bool { return frames[i] < frames[j] })
	q := func(p float64) float64 { return float64(frames[int(p*float64(len(frames)-1))]) / 1e6 }
	b.ReportMetric(q(0.5), "frame-p50-ms")
	b.ReportMetric(q(0.99), "frame-p99-ms")
	b.ReportMetric(q(1), "frame-max-ms")
	med, worst, _ := f.applyStats(0)
	b.ReportMetric(float64(med)/1e6, "apply-p50-ms")
	b.ReportMetric(float64(worst)/1e6, "apply-max-ms")
	b.ReportMetric(float64(f.total())/b.Elapsed().Seconds(), "applied/s")
	time.Sleep(50 * time.Millisecond)
}

func ingestBatch(items []fleet.Item) ingest.Batch { return ingest.Batch{Items: items} }
