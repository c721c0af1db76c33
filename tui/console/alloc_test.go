package console

import (
	"runtime"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// A frame's garbage is work the collector charges to the goroutine that
// made it, inside the frame (issue 15: mark assists of 3-6 ms in serve's
// sessions when a frame allocated ~135 KB in ~950 objects). The screen
// string is the one allocation a frame must make; the panes draw into
// buffers they keep. A cell, row or pane that builds strings again shows
// here: a grid frame at 120x40 allocates less than twice the screen and a
// few dozen objects (64 when this was written; fmt's pools may add a few
// under the race detector).
func TestFrameAllocatesLittle(t *testing.T) {
	m := New(Config{Now: fixture.Clock, Store: fixture.Large(1000)})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(press("1"))
	m.Update(press("down"))
	frame := func() string { m.stale = true; return m.View().Content }
	screen := frame()
	for i := 0; i < 3; i++ { // buffers grown
		frame()
	}
	const runs = 50
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		frame()
	}
	runtime.ReadMemStats(&after)
	bytes := (after.TotalAlloc - before.TotalAlloc) / runs
	objects := (after.Mallocs - before.Mallocs) / runs
	t.Logf("a frame: %d bytes in %d objects; the screen is %d bytes", bytes, objects, len(screen))
	if bytes > uint64(2*len(screen)) {
		t.Errorf("a frame allocates %d bytes, more than twice its %d-byte screen", bytes, len(screen))
	}
	if objects > 150 {
		t.Errorf("a frame allocates %d objects, want under 150", objects)
	}
}
