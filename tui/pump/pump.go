// Package pump moves received messages from the transport to the console:
// it routes and decodes them off the UI goroutine and hands them over in
// batches, at most about 30 per second, never one Program.Send per message.
// Its input is only a channel of mqttconn.Message, so a live client and a
// replay file feed it the same way.
package pump

import (
	"context"
	"sync"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
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
	// previous batch; past it the pump waits for the UI (and the transport's
	// bounded buffer counts the drops). Kept small: a decoded item costs
	// ~1.8 KB against ~0.5 KB for a raw message waiting in the transport,
	// and a key press waits behind at most one batch (issue 8: x8 peaked at
	// 1.7 GB RSS in a 1M flood, x2 at 1.1 GB, and ran the 200k flood faster).
	hardCapFactor = 2
)

// BatchMsg is what the program receives: the items of one interval and the
// connection news since the previous batch.
type BatchMsg struct {
	Items   []fleet.Item
	Dropped uint64 // transport drops so far (a running total, not a delta)
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

// DecodeFunc decodes one message; route carries the topic's encoding hint.
type DecodeFunc func(m *mqttconn.Message, route platform.Route) decode.Value

// RefineFunc completes a route from the decoded value (Drogue's CloudEvent
// type, for one); platform.Refine has this shape.
type RefineFunc func(r platform.Route, v *decode.Value) platform.Route

// Config wires a pump.
type Config struct {
	Messages <-chan mqttconn.Message // closed at the end of input
	Scheme   platform.Scheme         // nil: every message routes as raw
	Decode   DecodeFunc              // nil: DefaultDecode(decode.DefaultLimits())
	Refine   RefineFunc              // optional
	Dropped  func() uint64           // transport drop counter, optional
	Hooks    *Hooks                  // connection states and SUBACKs, optional

	Interval time.Duration // default DefaultInterval
	MaxBatch int           // default DefaultMaxBatch

	// Paced: the next batch waits for the receiver's BatchMsg.Release, not
	// only for send to return. The console applies a batch in slices
	// between key presses, so it takes a batch at once and paces the pump
	// this way instead.
	Paced bool
}

// Pump turns messages into batches. Run it once.
type Pump struct {
	cfg Config
}

// New checks cfg and fills defaults.
func New(cfg Config) *Pump {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.Decode == nil {
		cfg.Decode = DefaultDecode(decode.DefaultLimits())
	}
	return &Pump{cfg: cfg}
}

// Run routes, decodes and batches until ctx ends or the input is closed
// (then it sends a final batch with Done set). send is called from a
// goroutine of the pump's own, one batch at a time: with a Bubble Tea
// program it is Program.Send, which blocks while the UI is busy; the pump
// keeps decoding meanwhile and sends the accumulated batch next.
func (p *Pump) Run(ctx context.Context, send func(BatchMsg)) {
	out := make(chan BatchMsg, 1)
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
	p.loop(ctx, out)
	close(out)
	<-sent
}

// loop is the decoding side; it owns the batch under construction.
func (p *Pump) loop(ctx context.Context, out chan<- BatchMsg) {
	cfg := p.cfg
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	var states <-chan mqttconn.State
	var subs <-chan []mqttconn.SubResult
	if cfg.Hooks != nil {
		states, subs = cfg.Hooks.states, cfg.Hooks.subs
	}
	in := cfg.Messages
	b := BatchMsg{Items: make([]fleet.Item, 0, cfg.MaxBatch)}
	hardCap := cfg.MaxBatch * hardCapFactor
	pending := func() bool { return len(b.Items) > 0 || b.State != nil || len(b.Subs) > 0 }

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
		b = BatchMsg{Items: make([]fleet.Item, 0, cfg.MaxBatch)}
		return true
	}
	lastDropped := p.dropped()

	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-in:
			if !ok {
				// Drain the connection news, then say the input ended.
				b.Done = true
				p.takeHooks(&b, states, subs)
				offer(true)
				return
			}
			b.Items = append(b.Items, p.item(m))
			// Take what is already waiting without going back to select:
			// cheaper per message under a flood. Every MaxBatch items the
			// batch is offered to the UI; while the UI is busy it grows
			// up to the hard cap, then the pump waits.
			for {
				if n := len(b.Items); n >= hardCap {
					if !offer(true) {
						return
					}
				} else if n >= cfg.MaxBatch && n%cfg.MaxBatch == 0 {
					offer(false)
				}
				select {
				case m, ok = <-in:
				default:
					ok = false
				}
				if !ok {
					break
				}
				b.Items = append(b.Items, p.item(m))
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

// takeHooks moves whatever the hooks hold into b without waiting.
func (p *Pump) takeHooks(b *BatchMsg, states <-chan mqttconn.State, subs <-chan []mqttconn.SubResult) {
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

func (p *Pump) dropped() uint64 {
	if p.cfg.Dropped == nil {
		return 0
	}
	return p.cfg.Dropped()
}

// item routes and decodes one message. Route never fails; decoding never
// panics by contract, and a raw route is used without a scheme.
func (p *Pump) item(m mqttconn.Message) fleet.Item {
	var r platform.Route
	if p.cfg.Scheme != nil {
		r = p.cfg.Scheme.Route(m.Topic, m.Props)
	} else {
		r = platform.Route{Platform: platform.Generic, Kind: platform.KindRaw}
	}
	v := p.cfg.Decode(&m, r)
	if p.cfg.Refine != nil {
		r = p.cfg.Refine(r, &v)
	}
	return fleet.Item{Msg: m, Route: r, Value: v}
}

// DefaultDecode decodes with decode's Decoder (one per pump: it is used
// from the pump's goroutine only), hinted by the content type, the user
// properties and the topic's encoding suffix.
func DefaultDecode(lim decode.Limits) DecodeFunc {
	d := decode.NewDecoder(lim)
	return func(m *mqttconn.Message, r platform.Route) decode.Value {
		return d.Decode(m.Payload, decode.HintsFrom(*m, r.Encoding))
	}
}
