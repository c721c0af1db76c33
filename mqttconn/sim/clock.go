package sim

import (
	"container/heap"
	"math/rand/v2"
	"sync"
	"time"
)

// Clock is where the simulator reads the time and waits. Tests use a
// ManualClock, or drive the simulator with Step and no clock at all.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// ManualClock is a Clock that moves only when Advance is called.
type ManualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []manualWaiter
}

type manualWaiter struct {
	at time.Time
	ch chan time.Time
}

// NewManualClock starts at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now is the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After fires once Advance has moved the clock d past the moment of the call.
func (c *ManualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	at := c.now.Add(d)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, manualWaiter{at: at, ch: ch})
	return ch
}

// Advance moves the clock and fires the waiters that are due.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
		} else {
			w.ch <- c.now
		}
	}
	c.waiters = kept
}

// task is one scheduled piece of simulation. Periodic tasks are pushed
// again (the same value) rather than reallocated.
type task struct {
	at  time.Time
	key int64 // at in Unix nanoseconds: the heap compares it millions of times
	seq uint64
	fn  func(at time.Time)
}

// schedule is a min-heap of tasks by time, then by insertion order, so the
// same seed gives the same sequence.
type schedule []*task

func (q schedule) Len() int { return len(q) }
func (q schedule) Less(i, j int) bool {
	if q[i].key != q[j].key {
		return q[i].key < q[j].key
	}
	return q[i].seq < q[j].seq
}
func (q schedule) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *schedule) Push(x any)   { *q = append(*q, x.(*task)) }
func (q *schedule) Pop() any {
	old := *q
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return t
}

// at schedules fn at time t.
func (s *Sim) at(t time.Time, fn func(at time.Time)) {
	s.seq++
	heap.Push(&s.queue, &task{at: t, key: t.UnixNano(), seq: s.seq, fn: fn})
}

// after schedules fn d after now (the simulated moment being processed).
func (s *Sim) after(d time.Duration, fn func(at time.Time)) {
	s.at(s.now.Add(d), fn)
}

// every runs fn first after `first`, then about every period (±20 %,
// divided by the rate multiplier) for as long as the simulation runs.
func (s *Sim) every(first, period time.Duration, fn func(at time.Time)) {
	s.seq++
	at := s.now.Add(s.scale(first))
	t := &task{at: at, key: at.UnixNano(), seq: s.seq}
	t.fn = func(at time.Time) {
		fn(at)
		next := at.Add(s.jitter(period))
		// A simulator that fell more than a second behind (a slow broker)
		// skips ahead instead of bursting to catch up.
		if next.Before(s.now.Add(-time.Second)) {
			next = s.now.Add(s.jitter(period))
		}
		s.seq++
		t.at, t.key, t.seq = next, next.UnixNano(), s.seq
		heap.Push(&s.queue, t)
	}
	heap.Push(&s.queue, t)
}

// scale divides a duration by the rate multiplier.
func (s *Sim) scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.cfg.Rate)
}

// jitter is scale(d) varied by ±20 %.
func (s *Sim) jitter(d time.Duration) time.Duration {
	return time.Duration(float64(s.scale(d)) * (0.8 + 0.4*s.rng.Float64()))
}

// between is a random duration in [lo, hi), scaled.
func (s *Sim) between(lo, hi time.Duration) time.Duration {
	return s.scale(lo + time.Duration(s.rng.Int64N(int64(hi-lo)+1)))
}

// expo is an exponentially distributed gap with the given mean, scaled:
// events that happen "now and then" without a visible rhythm.
func (s *Sim) expo(mean time.Duration) time.Duration {
	return s.scale(time.Duration(s.rng.ExpFloat64() * float64(mean)))
}

// newRand gives independent deterministic streams from one seed.
func newRand(seed uint64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}
