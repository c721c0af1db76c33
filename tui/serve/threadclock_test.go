package serve

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestHoldTellsWorkFromWaiting: a hold that computes is counted as CPU, a
// hold that waits is counted as wall time only.
func TestHoldTellsWorkFromWaiting(t *testing.T) {
	if _, ok := threadCPU(); !ok {
		t.Skip("no thread CPU clock on " + runtime.GOOS)
	}
	hold := func(body func()) Info {
		e := &entry{}
		l := &timedLock{mu: &sync.RWMutex{}, e: e, clock: true}
		l.RLock()
		body()
		l.RUnlock()
		return Info{HoldMax: time.Duration(e.hMax.Load()), HoldCPUMax: time.Duration(e.cMax.Load()), HoldsClocked: e.cHolds.Load(),
			HoldsCPUOver5ms: e.cSlow.Load(), HoldsOver5ms: e.slow.Load(), HoldHist: e.histogram(), HoldCPUHist: histOf(&e.cHist)}
	}
	work := hold(func() {
		start, _ := threadCPU()
		deadline := time.Now().Add(5 * time.Second)
		for n := 0; time.Now().Before(deadline); n++ {
			if n%1024 != 0 {
				continue // mostly computing, not reading the clock
			}
			if now, _ := threadCPU(); now-start >= 6*time.Millisecond {
				return
			}
		}
		t.Fatal("6 ms of CPU not reached in 5 s")
	})
	if work.HoldsClocked != 1 || work.HoldCPUMax < 6*time.Millisecond || work.HoldsCPUOver5ms != 1 || work.HoldCPUHist.Total() != 1 {
		t.Errorf("computing hold: %d clocked, CPU %s, %d over 5 ms; want 1, >= 6 ms, 1", work.HoldsClocked, work.HoldCPUMax, work.HoldsCPUOver5ms)
	}
	wait := hold(func() { time.Sleep(30 * time.Millisecond) })
	e := &entry{}
	off := &timedLock{mu: &sync.RWMutex{}, e: e}
	off.RLock()
	time.Sleep(time.Millisecond) // a hold of some length
	off.RUnlock()
	if e.cHolds.Load() != 0 || e.holds.Load() != 1 {
		t.Errorf("without clock: %d clocked of %d holds; want 0 of 1", e.cHolds.Load(), e.holds.Load())
	}
	if wait.HoldMax < 30*time.Millisecond || wait.HoldsOver5ms != 1 || wait.HoldHist.Total() != 1 || wait.HoldHist.Quantile(1) != histBuckets*histStep {
		t.Errorf("waiting hold: wall %s, %d over 5 ms, histogram %v; want >= 30 ms in the last bucket", wait.HoldMax, wait.HoldsOver5ms, wait.HoldHist)
	}
	if wait.HoldsClocked != 1 || wait.HoldCPUMax >= 5*time.Millisecond || wait.HoldsCPUOver5ms != 0 {
		t.Errorf("waiting hold: %d clocked, CPU %s, %d CPU over 5 ms; want 1, < 5 ms, 0", wait.HoldsClocked, wait.HoldCPUMax, wait.HoldsCPUOver5ms)
	}
}

func TestHoldHistQuantile(t *testing.T) {
	var h HoldHist
	if h.Quantile(0.99) != 0 {
		t.Fatalf("empty histogram: %s", h.Quantile(0.99))
	}
	h[0] = 990 // < 250 µs
	h[3] = 9   // 750 µs .. 1 ms
	h[40] = 1  // 10 ms or more
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 250 * time.Microsecond}, {0.99, 250 * time.Microsecond}, {0.995, time.Millisecond}, {0.999, time.Millisecond}, {1, 41 * histStep}} {
		if got := h.Quantile(c.q); got != c.want {
			t.Errorf("Quantile(%v) = %s, want %s", c.q, got, c.want)
		}
	}
	var sum HoldHist
	sum.Add(h)
	sum.Add(h)
	if sum.Total() != 2000 || sum[40] != 2 {
		t.Errorf("Add: total %d, last %d", sum.Total(), sum[40])
	}
}
