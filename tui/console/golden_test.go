package console

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/themes"
)

// TestScreenGoldens draws the whole console on the fixed fleet and clock:
// at 80x24 with each pane focused (compact mode) and at 120x40 (all panes),
// dark and light. The paints are fixed SGR sequences, so the goldens do not
// depend on the terminal running the tests. Update with -update.
func TestScreenGoldens(t *testing.T) {
	connected := mqttconn.State{Kind: mqttconn.StateConnected, Protocol: "5"}
	for _, theme := range []string{themes.Dark, themes.Light} {
		for p := Pane(0); p < paneCount; p++ {
			for _, sz := range [][2]int{{80, 24}, {120, 40}} {
				if sz[0] == 120 && p != PaneFleet && p != PaneEvents {
					continue // the grid looks the same whatever has focus
				}
				t.Run(fmt.Sprintf("%dx%d_%s_%s", sz[0], sz[1], p, theme), func(t *testing.T) {
					m := newTestModel(t, sz[0], sz[1], theme)
					send(m, ingest.Batch{State: &connected})
					send(m, press(fmt.Sprint(int(p)+1)))
					out := m.View().Content
					checkScreen(t, out, sz[0], sz[1])
					golden.RequireEqual(t, out)
				})
			}
		}
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%dx%d_help_%s", sz[0], sz[1], theme), func(t *testing.T) {
				m := newTestModel(t, sz[0], sz[1], theme)
				send(m, press("?"))
				out := m.View().Content
				checkScreen(t, out, sz[0], sz[1])
				golden.RequireEqual(t, out)
			})
			t.Run(fmt.Sprintf("%dx%d_zoomed_detail_%s", sz[0], sz[1], theme), func(t *testing.T) {
				m := newTestModel(t, sz[0], sz[1], theme)
				send(m, press("2"), press("enter"), press("z"))
				out := m.View().Content
				checkScreen(t, out, sz[0], sz[1])
				golden.RequireEqual(t, out)
			})
		}
	}
	t.Run("too_small", func(t *testing.T) {
		m := newTestModel(t, 58, 12, themes.Dark)
		send(m, tea.WindowSizeMsg{Width: 58, Height: 12})
		out := m.View().Content
		checkScreen(t, out, 58, 12)
		golden.RequireEqual(t, out)
	})
}
