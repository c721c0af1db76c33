package fleet_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// The read API is read-only: many readers, each through its own Reader,
// run every query at once under a read lock while one writer applies and
// refreshes under the write lock. Under -race any read that writes shared
// state (a cache, a scratch buffer, a stale mark) is reported; without it
// the test still checks each reader sees a consistent, growing store.
func TestManyReadersOneWriter(t *testing.T) {
	var mu sync.RWMutex
	var clock atomic.Int64
	clock.Store(fixture.Now.UnixNano())
	cfg := fleet.DefaultConfig()
	cfg.StaleAfter = 30 * time.Second
	cfg.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	store := fleet.New(cfg, platforms.Fleet())

	f := fixture.NewFeeder()
	for i := 0; i < 60; i++ {
		f.Add(platform.DRIVR, fmt.Sprintf("drivr/v1/%s/systems/sys-%03d", fixture.Slug, i),
			fmt.Sprintf(`{"uuid":"sys-%03d","code":"c%03d","name":"System %03d","connectionState":"CONNECTED"}`, i, i, i), 0, true, nil)
	}
	for k := 0; k < 3000; k++ {
		i := k % 60
		f.Add(platform.DRIVR, fmt.Sprintf("drivr/v1/%s/systems/sys-%03d/components/meter/datapoints/dp%d", fixture.Slug, i, k%4),
			fmt.Sprintf(`{"value":%d.5,"unit":"V"}`, k%97), 0, false, nil)
	}
	items := append(fixture.FleetItems(), f.Items()...)

	done := make(chan struct{})
	go func() { // the writer: chunks, a clock that moves, Refresh between
		defer close(done)
		for i := 0; i < len(items); i += 64 {
			mu.Lock()
			store.Apply(items[i:min(i+64, len(items))])
			clock.Add(int64(time.Second))
			if i%512 == 0 {
				store.Refresh()
				store.AddError(fleet.ErrorReport{Source: fleet.ErrOther, Message: fmt.Sprint("from the writer ", i)})
			}
			mu.Unlock()
		}
	}()

	const readers = 8
	var wg sync.WaitGroup
	errs := make(chan string, readers)
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rd := store.Reader()
			texts := []string{"", "system 0", "meter", "c01", "error"}
			var last uint64
			for k := 0; ; k++ {
				select {
				case <-done:
					if k > 10 {
						return
					}
				default:
				}
				mu.RLock()
				text := texts[(r+k)%len(texts)]
				tot := rd.Totals()
				if tot.Messages < last {
					errs <- fmt.Sprintf("reader %d saw the count go back: %d after %d", r, tot.Messages, last)
					mu.RUnlock()
					return
				}
				last = tot.Messages
				for _, sort := range []fleet.SystemSort{fleet.SortByName, fleet.SortByState} {
					q := fleet.SystemQuery{Sort: sort, Text: text}
					rows, n := rd.SystemsWindow(q, 0, 40, nil)
					if len(rows) > n {
						errs <- fmt.Sprintf("reader %d: %d rows of %d", r, len(rows), n)
					}
					for _, sys := range rows {
						_ = rd.PresenceOf(sys)
						_, _ = rd.SystemIndex(q, sys.Ref)
						_ = rd.Components(sys.Ref, nil)
						_ = rd.System(sys.Ref)
					}
				}
				_, _ = rd.EventsWindow(fleet.EventQuery{Text: text}, 0, 40, nil)
				_, _ = rd.EventsWindow(fleet.EventQuery{Order: fleet.BySeverity, Levels: fleet.Levels(fleet.LevelError)}, 0, 40, nil)
				_ = rd.EventCounts(fleet.EventQuery{Text: text})
				_, _ = rd.SeriesWindow(fleet.SeriesQuery{}, 0, 40, nil)
				_, _ = rd.SeriesWindow(fleet.SeriesQuery{Text: text}, 0, 40, nil)
				_, _ = rd.LogWindow(fleet.LogFilter{Text: text}, 0, 40, nil)
				_, _ = rd.LogWindow(fleet.LogFilter{Topic: "drivr/v1/+/systems/#"}, 0, 40, nil)
				_, _ = rd.ErrorsWindow(0, 40, nil)
				_, _ = rd.CommandsWindow(fleet.CommandQuery{}, 0, 40, nil)
				_ = rd.GlobalRate(nil)
				_ = rd.Topics().Find("drivr/v1/" + fixture.Slug + "/systems/sys-001")
				mu.RUnlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := store.Totals().Messages; got != uint64(len(items)) {
		t.Fatalf("applied %d of %d", got, len(items))
	}
	// Two readers, different caches, one truth: the same systems in the
	// same order with the same presence.
	a, b := store.Reader(), store.Reader()
	_, _ = b.SystemsWindow(fleet.SystemQuery{Sort: fleet.SortByState, Text: "sys"}, 0, 5, nil) // b's cache first
	ra, na := a.SystemsWindow(fleet.SystemQuery{Sort: fleet.SortByState, Text: "system"}, 0, 100, nil)
	rb, nb := b.SystemsWindow(fleet.SystemQuery{Sort: fleet.SortByState, Text: "system"}, 0, 100, nil)
	if na != nb || na < 60 || len(ra) != len(rb) {
		t.Fatalf("readers disagree: %d and %d systems", na, nb)
	}
	for i := range ra {
		if ra[i] != rb[i] || a.PresenceOf(ra[i]) != b.PresenceOf(rb[i]) {
			t.Fatalf("readers disagree at row %d", i)
		}
	}
}
