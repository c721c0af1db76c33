package fleet

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Memory policy for the console's process. The store is bounded by its
// caps, but Go's collector lets the heap grow to twice the live set before
// it collects (GOGC=100), and during a flood the live set also holds the
// backlog, so RSS reached 3-4x the retained data and stayed there long
// after the burst. See docs/PERFORMANCE.md, "Memory", for the figures: a
// lower GOGC or a soft memory limit bounds the peak but costs throughput
// during the burst, so the default is to give the memory back after it.

// burstTracker notices the end of a burst of allocation (a flood, a
// replay): busy while the process allocates fast, over once it has been
// quiet for a few samples.
type burstTracker struct {
	busyRate  float64 // bytes/s that count as busy
	quietRate float64 // bytes/s that count as quiet
	quietFor  int     // quiet samples in a row that end a burst

	last  uint64
	init  bool
	busy  bool
	quiet int
}

func newBurstTracker() burstTracker {
	return burstTracker{busyRate: 32 << 20, quietRate: 4 << 20, quietFor: 3}
}

// observe takes the total bytes allocated so far and the time since the
// previous sample; it reports true once per burst, when the burst is over.
func (b *burstTracker) observe(allocated uint64, dt time.Duration) bool {
	if !b.init || dt <= 0 || allocated < b.last {
		b.last, b.init = allocated, true
		return false
	}
	rate := float64(allocated-b.last) / dt.Seconds()
	b.last = allocated
	switch {
	case rate >= b.busyRate:
		b.busy, b.quiet = true, 0
	case rate < b.quietRate && b.busy:
		b.quiet++
		if b.quiet >= b.quietFor {
			b.busy, b.quiet = false, 0
			return true
		}
	default:
		b.quiet = 0
	}
	return false
}

// ReleaseAfterBursts samples the process's allocation every interval until
// ctx ends, and when a burst is over returns the heap's headroom to the OS
// (debug.FreeOSMemory: one collection, then the free pages go back).
// Without it the pages the collector needed during the burst stay
// resident until the runtime's own scavenger gets to them, minutes later.
// It costs one collection per burst and nothing while traffic is steady.
func ReleaseAfterBursts(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Second
	}
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	tr := newBurstTracker()
	t := time.NewTicker(interval)
	defer t.Stop()
	prev := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return // not supported by this runtime
			}
			if tr.observe(sample[0].Value.Uint64(), now.Sub(prev)) {
				debug.FreeOSMemory()
			}
			prev = now
		}
	}
}
