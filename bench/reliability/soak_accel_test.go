package reliability

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// memoryBus collects what the simulator publishes, stamped with the
// simulated clock.
type memoryBus struct {
	now  *time.Time
	msgs []mqttconn.Message
}

func (b *memoryBus) Publish(topic string, payload []byte, qos byte, retain bool, props *mqttconn.Props) error {
	b.msgs = append(b.msgs, mqttconn.Message{Topic: topic, Payload: append([]byte(nil), payload...), QoS: qos,
		Retain: retain, Props: props, Received: *b.now})
	return nil
}

func (b *memoryBus) Subscribe(string, func(mqttconn.Message)) error { return nil }

// The plateau the wall-clock soak cannot reach in 30 minutes (issue 9,
// item 9): the same DRIVR fleet at the same scale (1000 systems, rate 3,
// about 4k msg/s and 24 events/s), run on a simulated clock through the
// console's own route, decode and store with the DEFAULT caps, for two
// simulated hours. The heap climbs while the event store fills towards its
// cap of 100k events, then must stay flat while events keep being evicted.
// With MQDECK_SOAK set (minutes of CPU; bench/reliability/soak.sh) it runs
// that scale; without, CI runs the same machinery on a small fleet with a
// small event cap: 30 systems, an event cap of 300, half a simulated hour.
func TestSoakAcceleratedPlateau(t *testing.T) {
	systems, minutes, every, maxEvents := 30, 30, 5, 300
	if os.Getenv("MQDECK_SOAK") != "" {
		systems, minutes, every, maxEvents = 1000, 120, 10, 0 // 0: the default cap
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bus := &memoryBus{now: &now}
	s := sim.New(sim.Config{Systems: systems, Rate: 3, Platforms: []string{sim.PlatformDRIVR}}, bus)
	if err := s.Start(now); err != nil {
		t.Fatal(err)
	}
	caps := fleet.DefaultConfig()
	if maxEvents > 0 {
		caps.MaxEvents = maxEvents
		// The topic tree counts every topic, and DRIVR names topics after
		// events (about 3 each, beside ~1000 of the systems): its cap shrinks
		// with the event cap, so it is full before the events are too.
		caps.Topics.MaxTopics = 1500
	}
	caps.Now = func() time.Time { return now }
	store := fleet.New(caps, platforms.Fleet())
	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: sim.DefaultSlug})
	if err != nil {
		t.Fatal(err)
	}
	dec := decode.NewDecoder(decode.DefaultLimits())
	heap := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / (1 << 20)
	}
	var atCap, last float64
	msgs := 0
	for minute := 1; minute <= minutes; minute++ {
		end := now.Add(time.Minute)
		for now.Before(end) {
			now = now.Add(100 * time.Millisecond)
			s.Step(now)
			if len(bus.msgs) == 0 {
				continue
			}
			items := make([]fleet.Item, len(bus.msgs))
			for i, m := range bus.msgs {
				r := scheme.Route(m.Topic, m.Props)
				v := dec.Decode(m.Payload, ingest.Hints(&m, r.Encoding))
				items[i] = fleet.Item{Msg: m, Route: platform.Refine(r, &v), Value: v}
			}
			msgs += len(items)
			store.Apply(items)
			bus.msgs = bus.msgs[:0]
		}
		if minute%every != 0 {
			continue
		}
		h, tot := heap(), store.Totals()
		ts := store.Topics().Stats()
		t.Logf("simulated %3d min: %9d messages, heap %6.1f MiB; held: %d systems, %d components, %d series, %d events (%d evicted), %d log entries, %d topics (%d evicted)",
			minute, msgs, h, tot.Systems, tot.Components, tot.Series, tot.Events, tot.Evicted.Events, tot.Log, ts.Topics, ts.Evicted)
		if tot.Evicted.Events > 0 && atCap == 0 {
			atCap = h
		}
		last = h
	}
	if atCap == 0 {
		t.Fatalf("the event store never reached its cap in %d simulated minutes", minutes)
	}
	t.Logf("heap %.1f MiB when the event cap was first reached, %.1f MiB at the end (%+.1f%%)", atCap, last, 100*(last-atCap)/atCap)
	if last > atCap*1.05 {
		t.Errorf("the heap kept growing after every cap was reached: %.1f -> %.1f MiB", atCap, last)
	}
}
