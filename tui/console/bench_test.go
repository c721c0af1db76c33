package console

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// BenchmarkFrame is the cost of one full frame (View) at 120x40 with all
// six panes on screen, for fleets of 100, 1k and 10k systems (5 components,
// 10 events and 10 series each). The target (issue 8) is under 2 ms, the
// same at 10k as at 100.
//
//	go test ./tui -run '^$' -bench Frame -benchmem
func BenchmarkFrame(b *testing.B) {
	for _, n := range []int{100, 1_000, 10_000} {
		store := fixture.Large(n)
		for _, focus := range []Pane{PaneFleet, PaneLog} {
			b.Run(fmt.Sprintf("systems=%d/focus=%s", n, focus), func(b *testing.B) {
				m := New(Config{Now: fixture.Clock, Store: store})
				m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
				m.Update(press(fmt.Sprint(int(focus) + 1)))
				m.Update(press("down")) // a selection, so detail has a subject
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					m.stale = true
					_ = m.View()
				}
			})
		}
	}
}
