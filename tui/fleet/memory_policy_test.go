package fleet

import (
	"testing"
	"time"
)

// A burst is reported once, after it has been quiet for quietFor samples;
// steady traffic, a slow trickle and a short pause inside a burst are not.
func TestBurstTrackerReportsTheEndOfABurst(t *testing.T) {
	const mib = 1 << 20
	tr := newBurstTracker()
	var total uint64
	step := func(mibPerSecond uint64) bool {
		total += mibPerSecond * mib
		return tr.observe(total, time.Second)
	}
	if step(0) {
		t.Fatal("the first sample only sets the baseline")
	}
	for i := 0; i < 10; i++ {
		if step(2) {
			t.Fatalf("sample %d: a trickle of 2 MiB/s is not a burst", i)
		}
	}
	for i := 0; i < 5; i++ {
		if step(100) {
			t.Fatalf("sample %d: reported during the burst", i)
		}
	}
	// A pause of two samples, then more traffic: still the same burst.
	for _, r := range []uint64{1, 1, 100} {
		if step(r) {
			t.Fatal("reported a pause shorter than quietFor")
		}
	}
	// Moderate traffic (between the two rates) neither ends nor counts.
	for _, r := range []uint64{10, 1, 10} {
		if step(r) {
			t.Fatal("reported while traffic went on")
		}
	}
	got := 0
	for i := 0; i < 10; i++ {
		if step(1) {
			got++
			if i != tr.quietFor-1 {
				t.Errorf("reported after %d quiet samples, want %d", i+1, tr.quietFor)
			}
		}
	}
	if got != 1 {
		t.Errorf("the end of the burst reported %d times, want once", got)
	}
	// A counter that goes backwards (not expected) resets, never reports.
	if tr.observe(0, time.Second) || tr.observe(1, 0) {
		t.Error("reported on a reset")
	}
}
