package serve

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// BenchmarkSharedFrame is one session's frame (StoreChangedMsg, then View,
// each under the store's lock) at 120x40, with 20 consoles on one store of
// 500 systems while a writer applies 10k msg/s beside them. ns/op is the
// frame; the target is under 5 ms.
//
//	go test ./tui/serve -run '^$' -bench SharedFrame -benchtime 200x
func BenchmarkSharedFrame(b *testing.B) {
	cfg := fleet.DefaultConfig()
	cfg.Now = fixture.Clock
	h := NewHub(fleet.New(cfg, platforms.Fleet()))
	items := traffic(500, 20000)
	for i := 0; i < len(items); i += 1000 {
		h.Apply(ingestBatch(items[i:min(i+1000, len(items))]))
	}
	models := make([]*console.Model, 20)
	for i := range models {
		models[i] = console.New(console.Config{Now: fixture.Clock, Store: h.Store(), Shared: h.Shared(nil)})
		models[i].Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		models[i].Update(tea.KeyPressMsg{Code: rune('1' + i%6), Text: fmt.Sprint(1 + i%6)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &feeder{items: items}
	go f.run(ctx, h, 10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := models[i%len(models)]
		m.Update(console.StoreChangedMsg{})
		_ = m.View()
	}
	b.StopTimer()
	cancel()
	time.Sleep(50 * time.Millisecond)
}

func ingestBatch(items []fleet.Item) ingest.Batch { return ingest.Batch{Items: items} }
