package fleet

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// fleetItems builds the traffic of a fleet of n systems: DRIVR system info
// with two components each, ten events per system (with states and some
// acks), and device API telemetry. Routing and decoding happen here, as in
// the pump, outside the timed part.
func fleetItems(b testing.TB, clk *clock, n int) (snapshot, live []Item) {
	dr := newFeeder(b, platform.DRIVR, platform.Params{Slug: "acme"}, clk)
	dev := newFeeder(b, platform.DevAPI, platform.Params{}, clk)
	levels := []string{"ERROR", "WARNING", "INFO", "SUCCESS"}
	for i := 0; i < n; i++ {
		sys := fmt.Sprintf("sys-%05d", i)
		base := "drivr/v1/acme/systems/" + sys
		snapshot = append(snapshot,
			dr.msg(base, fmt.Sprintf(`{"uuid":%q,"code":"c%05d","name":"System %05d","connectionState":"CONNECTED","status":"ACTIVATED"}`, sys, i, (i*7919)%n), true, nil),
			dr.msg(base+"/components/meter", `{"uuid":"u-`+sys+`","code":"meter","name":"Meter"}`, true, nil),
			dr.msg(base+"/components/hvac", `{"uuid":"h-`+sys+`","code":"hvac","name":"HVAC"}`, true, nil))
		for e := 0; e < 10; e++ {
			id := fmt.Sprintf("ev-%05d-%d", i, e)
			state := `"RESOLVED"`
			if e%4 == 0 {
				state = `"ACTIVE"`
			}
			snapshot = append(snapshot, dr.item(base+"/events/"+id, fmt.Sprintf(
				`{"uuid":%q,"time":"2025-05-%02dT%02d:00:00Z","status":%s,"acknowledged":%v,"eventModel":{"uuid":"m%d","eventLevel":%q,"eventType":"RANGED","code":"model-%d"}}`,
				id, 1+e, i%24, state, e%3 == 0, e%4, levels[e%4], e%4)))
		}
		snapshot = append(snapshot, dev.item(fmt.Sprintf("v1/device/dev-%05d/telemetry", i),
			`{"status":"online","telemetries":{"fan_speed":100.1,"connection":"4g","usbc":true}}`))
	}
	// The live mix: telemetry, datapoints, event state changes and new
	// events, acks, a system update now and then.
	for k := 0; k < 4096; k++ {
		i := (k * 7919) % n
		sys := fmt.Sprintf("sys-%05d", i)
		base := "drivr/v1/acme/systems/" + sys
		var it Item
		switch k % 8 {
		case 0, 1, 2:
			it = dev.item(fmt.Sprintf("v1/device/dev-%05d/telemetry", i),
				fmt.Sprintf(`{"status":"online","timestamp":"2025-05-12T09:00:00Z","telemetries":{"fan_speed":%d.5,"temp":%d}}`, k%200, k%40))
		case 3, 4:
			it = dr.item(base+"/components/meter/datapoints/voltage", fmt.Sprintf(`{"value":%d.1,"unit":"V"}`, 220+k%20))
		case 5:
			it = dr.item(fmt.Sprintf("%s/events/ev-%05d-%d/state", base, i, k%10), []string{"ACTIVE", "RESOLVED"}[k%2])
		case 6:
			id := fmt.Sprintf("new-%d", k)
			it = dr.item(base+"/events/"+id, fmt.Sprintf(
				`{"uuid":%q,"time":"2025-05-12T09:00:00Z","status":"ACTIVE","acknowledged":false,"eventModel":{"uuid":"m1","eventLevel":"ERROR","eventType":"RANGED","code":"model-1"}}`, id))
		default:
			it = dr.item(fmt.Sprintf("%s/events/ev-%05d-%d/ack", base, i, k%10), `{"time":"2025-05-12T09:00:00Z","userUuid":"u"}`)
		}
		live = append(live, it)
	}
	return snapshot, live
}

func benchStore(b *testing.B, n int) (*Store, *clock, []Item) {
	b.Helper()
	clk := &clock{now: t0}
	snap, live := fleetItems(b, clk, n)
	s := newTestStore(clk, nil)
	for i := 0; i < len(snap); i += 512 {
		s.Apply(snap[i:min(i+512, len(snap))])
	}
	runtime.GC() // the set-up's garbage is not the timed part's
	return s, clk, live
}

// BenchmarkApply is the cost per message of the live mix on a store holding
// a 10k-system fleet with 100k events (batches of 256, like the pump's).
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("systems=%d", n), func(b *testing.B) {
			s, clk, live := benchStore(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += 256 {
				k := i % len(live)
				end := min(k+256, len(live))
				clk.advance(10 * time.Millisecond)
				s.Apply(live[k:end])
			}
		})
	}
}

// BenchmarkQueries measures what a view asks per frame for a window of 40
// rows; the figures at 100 and 10k systems (1k and 100k events) should be
// about the same.
func BenchmarkQueries(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		s, clk, live := benchStore(b, n)
		s.Apply(live[:256])
		var sysRows []*System
		var evRows []*Event
		var seRows []*Series
		var logRows []*LogEntry
		ref := Ref{Platform: platform.DRIVR, Fleet: "acme", System: "sys-00042"}
		queries := []struct {
			name string
			fn   func()
		}{
			{"SystemsByName/top", func() { sysRows, _ = s.SystemsWindow(SystemQuery{}, 0, 40, sysRows[:0]) }},
			{"SystemsByName/middle", func() { sysRows, _ = s.SystemsWindow(SystemQuery{}, n/2, 40, sysRows[:0]) }},
			{"SystemsByState/top", func() { sysRows, _ = s.SystemsWindow(SystemQuery{Sort: SortByState}, 0, 40, sysRows[:0]) }},
			{"EventsNewest/top", func() { evRows, _ = s.EventsWindow(EventQuery{}, 0, 40, evRows[:0]) }},
			{"EventsBySeverity/top", func() { evRows, _ = s.EventsWindow(EventQuery{Order: BySeverity}, 0, 40, evRows[:0]) }},
			{"EventsActiveUnackedErrors", func() {
				evRows, _ = s.EventsWindow(EventQuery{Levels: Levels(LevelError), States: States(StateActive), Ack: AckNo}, 0, 40, evRows[:0])
			}},
			{"EventsOfSystem", func() { evRows, _ = s.EventsWindow(EventQuery{Entity: ref}, 0, 40, evRows[:0]) }},
			{"EventCounts", func() { _ = s.EventCounts(EventQuery{}) }},
			{"Components", func() { _ = s.Components(ref, nil) }},
			{"SeriesOfSystem", func() { seRows, _ = s.SeriesWindow(SeriesQuery{Entity: ref}, 0, 40, seRows[:0]) }},
			{"SeriesAll/middle", func() { seRows, _ = s.SeriesWindow(SeriesQuery{}, s.seriesIdx.Len()/2, 40, seRows[:0]) }},
			{"LogAll", func() { logRows, _ = s.LogWindow(LogFilter{}, 0, 40, logRows[:0]) }},
			{"Totals", func() { _ = s.Totals() }},
		}
		for _, q := range queries {
			b.Run(fmt.Sprintf("%s/systems=%d", q.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					q.fn()
				}
			})
		}
		// One frame at 10k msg/s and 30 Hz: a batch of ~330 messages, then
		// the fleet, events and log panes and the status bar.
		b.Run(fmt.Sprintf("Frame/systems=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				k := (i * 330) % (len(live) - 330)
				clk.advance(33 * time.Millisecond)
				s.Apply(live[k : k+330])
				sysRows, _ = s.SystemsWindow(SystemQuery{Sort: SortByState}, 0, 40, sysRows[:0])
				evRows, _ = s.EventsWindow(EventQuery{}, 0, 40, evRows[:0])
				_ = s.EventCounts(EventQuery{})
				logRows, _ = s.LogWindow(LogFilter{Topic: "v1/device/+/telemetry"}, 0, 40, logRows[:0])
				_ = s.Totals()
			}
		})
	}
}
