package console

import (
	"fmt"
	"testing"
)

// cover counts how often each cell is covered by the drawn rects.
func cover(t *testing.T, w, h int, r Rects) []int {
	t.Helper()
	cells := make([]int, w*h)
	add := func(name string, rc Rect) {
		if rc.Empty() {
			return
		}
		if rc.X < 0 || rc.Y < 0 || rc.X+rc.W > w || rc.Y+rc.H > h {
			t.Fatalf("%s %+v leaves the %dx%d terminal", name, rc, w, h)
		}
		for y := rc.Y; y < rc.Y+rc.H; y++ {
			for x := rc.X; x < rc.X+rc.W; x++ {
				cells[y*w+x]++
			}
		}
	}
	add("status", r.Status)
	add("tabs", r.Tabs)
	add("footer", r.Footer)
	for p := Pane(0); p < paneCount; p++ {
		add(p.String(), r.Panes[p])
	}
	return cells
}

func TestLayoutTilesTheScreen(t *testing.T) {
	sizes := [][2]int{{60, 16}, {61, 17}, {80, 24}, {100, 30}, {109, 40}, {110, 31}, {110, 32}, {120, 40}, {200, 60}, {400, 120}}
	for _, sz := range sizes {
		for focus := Pane(0); focus < paneCount; focus++ {
			for _, zoom := range []bool{false, true} {
				w, h := sz[0], sz[1]
				t.Run(fmt.Sprintf("%dx%d/%s/zoom=%v", w, h, focus, zoom), func(t *testing.T) {
					r := Layout(w, h, focus, zoom)
					if r.TooSmall {
						t.Fatal("reported too small")
					}
					for i, n := range cover(t, w, h, r) {
						if n != 1 {
							t.Fatalf("cell (%d,%d) covered %d times", i%w, i/w, n)
						}
					}
					if r.Panes[focus].Empty() {
						t.Fatal("focused pane is not drawn")
					}
					for p := Pane(0); p < paneCount; p++ {
						rc := r.Panes[p]
						if !rc.Empty() && (rc.H < 4 || rc.W < 20) {
							t.Errorf("%s gets %dx%d, too small to show a row", p, rc.W, rc.H)
						}
					}
				})
			}
		}
	}
}

func TestLayoutTooSmall(t *testing.T) {
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {-5, 10}, {59, 40}, {200, 15}, {MinWidth - 1, MinHeight - 1}} {
		r := Layout(sz[0], sz[1], PaneFleet, false)
		if !r.TooSmall {
			t.Errorf("%dx%d should be too small", sz[0], sz[1])
		}
		for p := Pane(0); p < paneCount; p++ {
			if !r.Panes[p].Empty() {
				t.Errorf("%dx%d: %s drawn although too small", sz[0], sz[1], p)
			}
		}
	}
}

func TestLayoutModes(t *testing.T) {
	// 80x24: compact; the focused list on top with the detail below.
	r := Layout(80, 24, PaneEvents, false)
	if r.Grid || r.Tabs.Empty() {
		t.Fatalf("80x24 should be compact with tabs: %+v", r)
	}
	if got, want := r.Panes[PaneEvents], (Rect{0, 2, 80, 12}); got != want {
		t.Errorf("events at 80x24 = %+v, want %+v", got, want)
	}
	if got, want := r.Panes[PaneDetail], (Rect{0, 14, 80, 9}); got != want {
		t.Errorf("detail at 80x24 = %+v, want %+v", got, want)
	}
	for _, p := range []Pane{PaneFleet, PaneTelemetry, PaneErrors, PaneLog} {
		if !r.Panes[p].Empty() {
			t.Errorf("%s drawn in compact mode while events has focus", p)
		}
	}
	// Focus on detail in compact mode: detail alone.
	r = Layout(80, 24, PaneDetail, false)
	if got, want := r.Panes[PaneDetail], (Rect{0, 2, 80, 21}); got != want {
		t.Errorf("detail focused at 80x24 = %+v, want %+v", got, want)
	}
	// 120x40: the grid shows everything, whatever has focus.
	r = Layout(120, 40, PaneLog, false)
	if !r.Grid || !r.Tabs.Empty() {
		t.Fatal("120x40 should be the grid")
	}
	if got, want := r.Panes[PaneFleet], (Rect{0, 1, 48, 19}); got != want {
		t.Errorf("fleet at 120x40 = %+v, want %+v", got, want)
	}
	if got, want := r.Panes[PaneEvents], (Rect{48, 1, 72, 11}); got != want {
		t.Errorf("events at 120x40 = %+v, want %+v", got, want)
	}
	// The actions under the events, on the wide side: the platform's
	// answers need width.
	if got, want := r.Panes[PaneActions], (Rect{48, 12, 72, 8}); got != want {
		t.Errorf("actions at 120x40 = %+v, want %+v", got, want)
	}
	// Zoom: the focused pane takes the whole body.
	r = Layout(120, 40, PaneLog, true)
	if got, want := r.Panes[PaneLog], (Rect{0, 1, 120, 38}); got != want {
		t.Errorf("zoomed log = %+v, want %+v", got, want)
	}
	// An out-of-range focus falls back to the fleet instead of panicking.
	r = Layout(80, 24, Pane(42), false)
	if r.Panes[PaneFleet].Empty() {
		t.Error("bad focus did not fall back to fleet")
	}
}

func TestSplitSums(t *testing.T) {
	for n := 0; n < 200; n++ {
		parts := split(n, 5, 3, 2)
		if parts[0]+parts[1]+parts[2] != n {
			t.Fatalf("split(%d) = %v", n, parts)
		}
	}
}

// The grid gives the rows to panes with content: an empty pane shrinks to
// its title line (unless focused), a short list gets what it shows, and
// the screen stays tiled whatever the fill (the Log got 5 rows at 120x40
// while empty Errors and Actions kept theirs).
func TestLayoutFillGivesRowsToContent(t *testing.T) {
	fill := NoFill()
	fill[PaneErrors], fill[PaneActions], fill[PaneEvents], fill[PaneTelemetry] = 0, 0, 1, 4
	r := LayoutFill(120, 40, PaneFleet, false, fill)
	if got := r.Panes[PaneErrors].H; got != 1 {
		t.Errorf("empty Errors gets %d lines, want its title line", got)
	}
	if got := r.Panes[PaneActions].H; got != 1 {
		t.Errorf("empty Actions gets %d lines", got)
	}
	if got := r.Panes[PaneEvents].H; got != 1+listChrome {
		t.Errorf("one event gets %d lines, want %d", got, 1+listChrome)
	}
	old := Layout(120, 40, PaneFleet, false)
	if r.Panes[PaneLog].H <= old.Panes[PaneLog].H+5 {
		t.Errorf("the log gets %d lines, %d before: the empty panes' rows did not reach it", r.Panes[PaneLog].H, old.Panes[PaneLog].H)
	}
	// Focused, an empty pane keeps room for its header and empty text.
	r = LayoutFill(120, 40, PaneErrors, false, fill)
	if got := r.Panes[PaneErrors].H; got < 4 {
		t.Errorf("focused empty Errors gets %d lines", got)
	}
	// Any fill tiles the screen exactly.
	for seed := 0; seed < 200; seed++ {
		var f Fill
		for i := range f {
			f[i] = (seed*7+i*13)%9 - 1 // -1 .. 7
			if (seed+i)%5 == 0 {
				f[i] = 500
			}
		}
		for _, sz := range [][2]int{{110, 32}, {120, 40}, {200, 60}} {
			r := LayoutFill(sz[0], sz[1], Pane(seed%int(paneCount)), false, f)
			for i, n := range cover(t, sz[0], sz[1], r) {
				if n != 1 {
					t.Fatalf("fill %v %dx%d: cell (%d,%d) covered %d times", f, sz[0], sz[1], i%sz[0], i/sz[0], n)
				}
			}
		}
	}
}
