package sim

import (
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// TestDefaultRate: the demo fleet is lively but readable: a few dozen
// messages a second, every platform present.
func TestDefaultRate(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	mark := bus.mark()
	run(s, t0, t0.Add(5*time.Minute), 100*time.Millisecond)
	msgs := bus.since(mark, "#")
	perSec := float64(len(msgs)) / 300
	per := map[string]int{}
	for _, m := range msgs {
		switch {
		case m.Topic[:6] == "drivr/":
			per["drivr"]++
		case m.Topic[:4] == "app/":
			per["drogue"]++
		case m.Topic[:3] == "v1/":
			per["devapi"]++
		default:
			per["smartworks"]++
		}
	}
	t.Logf("default settings: %.1f msg/s over 5 simulated minutes (%v per 5 min), %d retained at start", perSec, per, mark)
	if perSec < 10 || perSec > 100 {
		t.Fatalf("%.1f msg/s at default settings", perSec)
	}
	for _, p := range []string{"drivr", "drogue", "devapi", "smartworks"} {
		if per[p] == 0 {
			t.Errorf("no %s traffic", p)
		}
	}
}

// TestScaleRate: Systems and Rate scale the traffic to load-test levels.
func TestScaleRate(t *testing.T) {
	if testing.Short() {
		t.Skip("scale run")
	}
	bus := &countBus{}
	s := New(Config{Systems: 2000, Rate: 10}, bus)
	if err := s.Start(t0); err != nil {
		t.Fatal(err)
	}
	retained := bus.n
	start := time.Now()
	run(s, t0, t0.Add(2*time.Second), time.Millisecond)
	elapsed := time.Since(start)
	perSimSec := float64(bus.n-retained) / 2
	t.Logf("2000 systems at rate 10: %.0f msg per simulated second, %d retained at start; simulating 2 s took %v (%.0f msg/s of CPU)",
		perSimSec, retained, elapsed, float64(bus.n-retained)/elapsed.Seconds())
	if perSimSec < 20000 {
		t.Fatalf("only %.0f msg/s at 2000 systems x10", perSimSec)
	}
}

type countBus struct{ n int }

func (c *countBus) Publish(string, []byte, byte, bool, *mqttconn.Props) error { c.n++; return nil }
func (c *countBus) Subscribe(string, func(mqttconn.Message)) error            { return nil }
