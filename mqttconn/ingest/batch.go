package ingest

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// Defaults: a frame every 33 ms is 30 per second; a batch of 4096 is sent
// early so a flood does not build one huge batch between ticks. Smaller
// batches shorten the wait of a key press behind the batch being applied
// (1024 halved it in bench/latency) but cost throughput at fleet scale
// (bench/memory, 25k msg/s over 10k systems: 19% dropped with 1024, under
// 1% with 4096), so 4096 stays.
const (
	DefaultInterval = 33 * time.Millisecond
	DefaultMaxBatch = 4096
	// hardCap bounds what piles up while the UI is still busy with the
	// previous batch; past it the batcher waits for the UI (and so, through
	// its bounded buffer, does the transport). Kept small: a decoded item costs
	// ~1.8 KB against ~0.5 KB for a raw message waiting in the transport,
	// and a key press waits behind at most one batch (issue 8: x8 peaked at
	// 1.7 GB RSS in a 1M flood, x2 at 1.1 GB, and ran the 200k flood faster).
	hardCapFactor = 2
)

// Batch is what the console receives: the items of one interval and the
// connection news since the previous batch.
type Batch struct {
	// The items, in receive order: Items first, then each run of Runs. The
	// batcher fills only Runs, with the ingest workers' chunks handed on
	// whole: copying them into one slice was ~8% of the console's CPU in a
	// flood (docs/PERFORMANCE.md). Items is for a batch built by hand.
	Items   []Item
	Runs    [][]Item
	Dropped uint64 // transport drops so far (a running total, not a delta)
	// Panics are those caught understanding this batch's items (bugs; the
	// items are there, each with its error): the receiver reports them.
	Panics []Panic
	// TapStop is set on the batch whose items the Tap failed on: it is
	// called no more (BatchConfig.Tap). Set once per Batcher.
	TapStop *TapStop
	// State is the latest connection state since the previous batch, if any
	// (intermediate ones are coalesced: the bar shows the current one).
	State *mqttconn.State
	// Subs are the SUBACK results since the previous batch, oldest first.
	Subs [][]mqttconn.SubResult
	// Done: the input channel was closed (end of a replay, client closed).
	Done bool
	// Release is set when the pump is Paced: the receiver calls it once it
	// has applied the whole batch, and only then does the pump send the
	// next one. Safe to call more than once.
	Release func()
}

// BatchConfig wires a Batcher.
type BatchConfig struct {
	Messages <-chan mqttconn.Message // closed at the end of input
	Ingest   Config                  // how messages are understood
	Dropped  func() uint64           // transport drop counter, optional
	Hooks    *Hooks                  // connection states and SUBACKs, optional

	// Tap, when set, sees each run of items once, in receive order, on the
	// batcher's goroutine before the run is batched (the console's
	// --record): one route for both. It must not keep or change the items,
	// and while it runs the batcher waits. When it returns an error or
	// panics (a bug), the batcher calls it no more and says why in the
	// batch (Batch.TapStop); the items are batched all the same.
	Tap func(items []Item) error

	Interval time.Duration // default DefaultInterval
	MaxBatch int           // default DefaultMaxBatch

	// Paced: the next batch waits for the receiver's Batch.Release, not
	// only for send to return. The console applies a batch in slices
	// between key presses, so it takes a batch at once and paces the pump
	// this way instead.
	Paced bool
}

// Batcher turns messages into batches for a consumer that wants them at
// frame rate (the console). Run it once.
type Batcher struct {
	cfg BatchConfig
}

// NewBatcher checks cfg and fills defaults.
func NewBatcher(cfg BatchConfig) *Batcher {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	return &Batcher{cfg: cfg}
}

// Run understands (Stream) and batches until ctx ends or the input is
// closed (then it sends a final batch with Done set). send is called from
// a goroutine of the batcher's own, one batch at a time: with a Bubble Tea
// program it is Program.Send, which blocks while the UI is busy; ingest
// keeps going meanwhile and the accumulated batch goes next.
func (p *Batcher) Run(ctx context.Context, send func(Batch)) {
	out := make(chan Batch, 1)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for b := range out {
			if !p.cfg.Paced {
				send(b)
				continue
			}
			released := make(chan struct{})
			b.Release = sync.OnceFunc(func() { close(released) })
			send(b)
			select {
			case <-released:
			case <-ctx.Done():
			}
		}
	}()
	func() {
		// Closed on a re-raised worker panic too, so the sender ends.
		defer close(out)
		p.loop(ctx, out)
	}()
	<-sent
}

// loop is the collecting side; it owns the batch under construction.
func (p *Batcher) loop(ctx context.Context, out chan<- Batch) {
	cfg := p.cfg
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	var states <-chan mqttconn.State
	var subs <-chan []mqttconn.SubResult
	if cfg.Hooks != nil {
		states, subs = cfg.Hooks.states, cfg.Hooks.subs
	}
	ictx, stop := context.WithCancel(ctx)
	defer stop()
	in := Stream(ictx, cfg.Messages, cfg.Ingest)
	// n counts the items of b (its runs hold them).
	var b Batch
	n := 0
	hardCap := cfg.MaxBatch * hardCapFactor
	pending := func() bool { return n > 0 || b.State != nil || len(b.Subs) > 0 }
	tap := cfg.Tap // nil once it failed

	// offer hands the batch over when the sender is free; with block it waits.
	offer := func(block bool) bool {
		b.Dropped = p.dropped()
		if block {
			select {
			case out <- b:
			case <-ctx.Done():
				return false
			}
		} else {
			select {
			case out <- b:
			default:
				return false
			}
		}
		b, n = Batch{Runs: make([][]Item, 0, len(b.Runs))}, 0
		return true
	}
	lastDropped := p.dropped()

	for {
		select {
		case <-ctx.Done():
			return
		case c, ok := <-in:
			if !ok {
				if ctx.Err() != nil {
					return
				}
				// Drain the connection news, then say the input ended.
				b.Done = true
				p.takeHooks(&b, states, subs)
				offer(true)
				return
			}
			// Take what is already waiting without going back to select:
			// cheaper per message under a flood. Every MaxBatch items the
			// batch is offered to the UI; while the UI is busy it grows
			// up to the hard cap, then the batcher waits.
			for {
				if c.Panic != nil {
					panic(c.Panic) // last resort: see understandJob
				}
				if n > 0 && n+len(c.Items) > hardCap {
					if !offer(true) {
						return
					}
				}
				if len(c.Items) > 0 {
					if tap != nil {
						if st := runTap(tap, c.Items); st != nil {
							b.TapStop, tap = st, nil
						}
					}
					b.Runs = append(b.Runs, c.Items)
					n += len(c.Items)
				}
				b.Panics = append(b.Panics, c.Panics...)
				// News that came before these messages is in the hooks
				// by now: the state shown is the one they came through.
				p.takeHooks(&b, states, subs)
				if n >= cfg.MaxBatch {
					offer(false)
				}
				select {
				case c, ok = <-in:
				default:
					ok = false
				}
				if !ok {
					break
				}
			}
		case s := <-states:
			b.State = &s
		case r := <-subs:
			b.Subs = append(b.Subs, r)
		case <-tick.C:
			d := p.dropped()
			if pending() || d != lastDropped {
				if offer(false) {
					lastDropped = d
				}
			}
		}
	}
}

// TapStop is why the batcher stopped calling BatchConfig.Tap: the error it
// returned, or the panic it raised (a bug: reported like the workers'
// panics, its Topic empty).
type TapStop struct {
	Err   error
	Panic *Panic
}

// runTap hands items to tap; a panic stops the tap, not the stream.
func runTap(tap func([]Item) error, items []Item) (stop *TapStop) {
	defer func() {
		if r := recover(); r != nil {
			stop = &TapStop{Panic: newPanic(r, "", nil)}
		}
	}()
	if err := tap(items); err != nil {
		return &TapStop{Err: err}
	}
	return nil
}

// Len is the number of items in b.
func (b *Batch) Len() int {
	n := len(b.Items)
	for _, r := range b.Runs {
		n += len(r)
	}
	return n
}

// All yields b's items in receive order, a run at a time (never an empty
// one). The runs are b's own: read them, do not keep or change them.
func (b *Batch) All() iter.Seq[[]Item] {
	return func(yield func([]Item) bool) {
		if len(b.Items) > 0 && !yield(b.Items) {
			return
		}
		for _, r := range b.Runs {
			if len(r) > 0 && !yield(r) {
				return
			}
		}
	}
}

// Pos is a place in a batch's items (the zero Pos is the first item).
type Pos struct{ run, off int }

// Take returns up to max consecutive items of b from at on, and the Pos
// after them; no items once at is past the last one. A run is never
// joined to the next: fewer than max come back at a run's end.
func (b *Batch) Take(at Pos, max int) ([]Item, Pos) {
	for {
		var r []Item
		switch {
		case at.run == 0:
			r = b.Items
		case at.run-1 < len(b.Runs):
			r = b.Runs[at.run-1]
		default:
			return nil, at
		}
		if at.off < len(r) {
			end := min(at.off+max, len(r))
			return r[at.off:end], Pos{at.run, end}
		}
		at = Pos{at.run + 1, 0}
	}
}

// takeHooks moves whatever the hooks hold into b without waiting.
func (p *Batcher) takeHooks(b *Batch, states <-chan mqttconn.State, subs <-chan []mqttconn.SubResult) {
	for i := 0; i < 2*hookBuffer; i++ {
		select {
		case s := <-states:
			b.State = &s
		case r := <-subs:
			b.Subs = append(b.Subs, r)
		default:
			return
		}
	}
}

func (p *Batcher) dropped() uint64 {
	if p.cfg.Dropped == nil {
		return 0
	}
	return p.cfg.Dropped()
}
