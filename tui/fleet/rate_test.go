package fleet

import (
	"testing"
	"time"
)

// The status bar's msg/s is what the store applied in the last complete
// second of its own clock, whatever the messages' receive times: during a
// flood the console applies a backlog received earlier, and a replay
// applies messages received long ago. Counting by receive time read 0/s in
// both cases.
func TestPerSecondCountsWhatWasApplied(t *testing.T) {
	clk := &clock{now: t0.Add(500 * time.Millisecond)}
	s := newTestStore(clk, nil)
	f := drivrFeeder(t, clk)
	batch := func(n int, received time.Time) []Item {
		out := make([]Item, n)
		for i := range out {
			out[i] = f.item(seedSysEventTopic+"/state", "ACTIVE")
			out[i].Msg.Received = received
		}
		return out
	}
	// A replay: received an hour ago. A backlog: received 3 s ago.
	s.Apply(batch(300, t0.Add(-time.Hour)))
	clk.advance(200 * time.Millisecond)
	s.Apply(batch(200, t0.Add(-3*time.Second)))
	if got := s.Totals().PerSecond; got != 0 {
		t.Errorf("within the first second: %v msg/s, want 0 (no complete second yet)", got)
	}
	clk.advance(time.Second) // t0+1.7s: second t0 is complete
	s.Apply(batch(40, t0.Add(-2*time.Second)))
	tot := s.Totals()
	if tot.PerSecond != 500 || tot.Messages != 540 {
		t.Errorf("after a second: %v msg/s of %d messages, want 500 of 540", tot.PerSecond, tot.Messages)
	}
	rates := s.GlobalRate(nil)
	if n := len(rates); n != s.Config().RatePoints || rates[n-1] != 40 || rates[n-2] != 500 || rates[n-3] != 0 {
		t.Errorf("global rate ends %v, want ... 0 500 40", rates[max(0, n-3):])
	}
	clk.advance(2 * time.Second)
	if got := s.Totals().PerSecond; got != 0 {
		t.Errorf("after two idle seconds: %v msg/s, want 0", got)
	}
}
