package fleet

import (
	"runtime"
	"testing"
	"time"
)

// At a steady fleet size, memory does not grow with the number of
// messages: every collection, ring and history is bounded.
func TestMemoryFlatAtSteadyFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap over 60k messages")
	}
	clk := &clock{now: t0}
	s := newTestStore(clk, func(c *Config) {
		smallConfig(c)
		c.MaxSystems, c.MaxEvents, c.MaxSeries, c.MaxComponents = 40, 200, 200, 100
		c.MaxLog, c.MaxErrors, c.MaxLogBytes = 500, 200, 200_000
	})
	g := newGen(t, clk, 7)
	items := make([]Item, 4000) // a fixed pool, so the test's own garbage is flat
	for i := range items {
		clk.advance(50 * time.Millisecond)
		items[i] = g.item()
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	run := func(n int) {
		for i := 0; i < n; i += 50 {
			batch := make([]Item, 50)
			for j := range batch {
				clk.advance(10 * time.Millisecond)
				batch[j] = items[(i+j)%len(items)]
				batch[j].Msg.Received = clk.now
			}
			s.Apply(batch)
			s.SystemsWindow(SystemQuery{Sort: SortByState, Text: "sys"}, 0, 40, nil)
			s.EventsWindow(EventQuery{Levels: Levels(LevelError)}, 0, 40, nil)
			s.LogWindow(LogFilter{Topic: "drivr/#"}, 0, 40, nil)
		}
	}
	run(20_000)
	before := heap()
	run(60_000)
	after := heap()
	checkInvariants(t, s)
	t.Logf("heap after 20k messages %d KiB, after 80k %d KiB", before>>10, after>>10)
	if after > before+before/4+256<<10 {
		t.Errorf("heap grew from %d to %d KiB at a steady fleet size", before>>10, after>>10)
	}
}
