package sim

import (
	"context"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// TestRunOnManualClock: Run follows the injected clock, not the wall clock:
// ten simulated seconds bring the EMS's first overload (due at 4 s) and
// its malfunction (9 s) however fast they pass.
func TestRunOnManualClock(t *testing.T) {
	clock := NewManualClock(t0)
	bus := &memBus{}
	s := New(Config{Clock: clock}, bus)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	// Run starts the fleet at the clock's time (it publishes the retained
	// systems first); advancing before that would shift every due time.
	for i := 0; i < 2000 && s.Stats().Published == 0; i++ {
		time.Sleep(time.Millisecond)
	}
	deadline := time.Now().Add(10 * time.Second)
	for clock.Now().Before(t0.Add(10*time.Second)) && time.Now().Before(deadline) {
		clock.Advance(100 * time.Millisecond)
		time.Sleep(2 * time.Millisecond)
	}
	// Let the loop finish the last step.
	for i := 0; i < 200 && len(bus.since(0, meterTopic+"/events/+")) == 0; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(bus.since(0, emsTopic+"/events/+")) == 0 || len(bus.since(0, meterTopic+"/events/+")) == 0 {
		t.Fatalf("no EMS events after 10 simulated seconds (%d published)", s.Stats().Published)
	}
	// Payload times are simulated times: the overload is due at t0+4 s and
	// the device saw it 20-59 ms before (drivrSim.raise).
	for _, m := range bus.since(0, emsTopic+"/events/+") {
		if tm := asMap(t, m.Payload)["time"].(string); tm < "2025-05-09T13:28:45.94" || tm > "2025-05-09T13:28:53" {
			t.Fatalf("event time %s is not simulated time", tm)
		}
	}
}

func TestConfigValidateAndSubscriptions(t *testing.T) {
	if err := (Config{Platforms: []string{"drivr", "mqtt"}}).Validate(); err == nil {
		t.Fatal("unknown platform accepted")
	}
	subs := Subscriptions(Config{Platforms: []string{PlatformDRIVR, PlatformSmartWorks}, Slug: "acme"})
	var filters []string
	for _, s := range subs {
		filters = append(filters, s.Filter)
		if err := platform.CheckFilter(s.Filter); err != nil {
			t.Errorf("%s: %v", s.Filter, err)
		}
	}
	if len(filters) != 2 || filters[0] != "drivr/v1/acme/input/#" || filters[1] != "set/demo-account/things/#" {
		t.Fatalf("filters %v", filters)
	}
	// Only the chosen platforms publish.
	s, bus := newTestSim(t, Config{Platforms: []string{PlatformDrogue}})
	run(s, t0, t0.Add(5*time.Second), 100*time.Millisecond)
	for _, m := range bus.since(0, "#") {
		if m.Topic != "app/demo-app" {
			t.Fatalf("drogue-only simulator published %s", m.Topic)
		}
	}
}
