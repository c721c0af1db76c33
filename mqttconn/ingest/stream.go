package ingest

import (
	"context"
	"runtime"
	"runtime/debug"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// maxChunk bounds the messages one worker takes at a time: large enough
// that the hand-over costs little per message in a flood, small enough
// that the workers share a burst.
const maxChunk = 256

// Config says how messages are understood.
type Config struct {
	Scheme  platform.Scheme // nil: every message routes as raw generic
	Limits  decode.Limits   // zero fields: decode's defaults
	Workers int             // goroutines that route and decode; 0: GOMAXPROCS
	// Encode, when set, also runs on the workers: it appends what the
	// consumer will write for one item (mqdeck log: its JSON line) to dst.
	Encode func(dst []byte, it *Item) []byte
}

// Chunk is a run of consecutive items, in receive order.
type Chunk struct {
	Items []Item
	// Text holds the encoded items back to back (with Config.Encode);
	// item i is Text[Ends[i-1]:Ends[i]] (from 0 for the first).
	Text []byte
	Ends []int
	// Panics are the panics caught understanding single messages of the
	// chunk (bugs): each such message is an item all the same, in its
	// place, with an error (see Understood). The consumer reports them.
	Panics []Panic
	// Panic is set when a worker panicked outside the per-message path (a
	// bug in ingest itself; last resort): the chunk has no items, and the
	// consumer re-panics with it in its own goroutine.
	Panic *Panic
}

// Line returns the encoded form of item i.
func (c *Chunk) Line(i int) []byte {
	start := 0
	if i > 0 {
		start = c.Ends[i-1]
	}
	return c.Text[start:c.Ends[i]]
}

type job struct {
	msgs  []mqttconn.Message
	out   Chunk
	ready chan struct{}
}

// Stream understands every message of msgs on cfg.Workers goroutines and
// sends the items in exactly the receive order, in chunks. The channel is
// closed once msgs is closed and everything before is sent, or when ctx
// ends. A slow consumer holds the whole pipeline back, and so the transport
// (its handler waits): nothing is dropped here.
func Stream(ctx context.Context, msgs <-chan mqttconn.Message, cfg Config) <-chan Chunk {
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	work := make(chan *job, workers)
	order := make(chan *job, 2*workers)
	out := make(chan Chunk, 1)
	for range workers {
		go understand(cfg, work)
	}
	go read(ctx, msgs, work, order)
	go func() {
		defer close(out)
		for j := range order {
			select {
			case <-j.ready:
			case <-ctx.Done():
				return
			}
			select {
			case out <- j.out:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// read cuts the input into jobs: whatever is waiting, up to maxChunk, so a
// quiet link gets each message through at once and a flood in large runs.
// order gets each job before any worker does, which keeps the order.
func read(ctx context.Context, msgs <-chan mqttconn.Message, work, order chan<- *job) {
	defer close(order)
	defer close(work)
	for {
		var m mqttconn.Message
		var ok bool
		select {
		case m, ok = <-msgs:
		case <-ctx.Done():
			return
		}
		if !ok {
			return
		}
		// Sized to what is waiting: at a steady rate a job is often one
		// message, and a maxChunk array for each (20 KB) was half of what
		// a console allocated at 10k msg/s.
		j := &job{msgs: make([]mqttconn.Message, 1, min(1+len(msgs), maxChunk)), ready: make(chan struct{})}
		j.msgs[0] = m
	take:
		for len(j.msgs) < maxChunk {
			select {
			case m, ok := <-msgs:
				if !ok {
					break take // the next receive sees the close
				}
				j.msgs = append(j.msgs, m)
			default:
				break take
			}
		}
		select {
		case order <- j:
		case <-ctx.Done():
			return
		}
		select {
		case work <- j:
		case <-ctx.Done():
			return
		}
	}
}

func understand(cfg Config, work <-chan *job) {
	st := NewStage(cfg.Scheme, cfg.Limits)
	var text []byte
	stacks := maxStacks
	for j := range work {
		text = understandJob(st, cfg, j, text, &stacks)
	}
}

// understandJob fills j.out. A panic on one message (a bug in a scheme,
// the decoder or the encoder) costs that message's understanding only
// (Stage.understand, encode); the recover here is the last resort for the
// rest, which is ingest's own bookkeeping.
func understandJob(st *Stage, cfg Config, j *job, text []byte, stacks *int) []byte {
	defer close(j.ready)
	defer func() {
		if r := recover(); r != nil {
			j.out = Chunk{Panic: &Panic{Value: r, Stack: debug.Stack()}}
		}
	}()
	items := make([]Item, len(j.msgs))
	var panics []Panic
	for i := range j.msgs {
		var p *Panic
		if items[i], p = st.understand(j.msgs[i], stacks); p != nil {
			panics = append(panics, *p)
		}
	}
	j.msgs = nil
	j.out.Items = items
	j.out.Panics = panics
	if cfg.Encode == nil {
		return text
	}
	text = text[:0]
	ends := make([]int, len(items))
	for i := range items {
		var p *Panic
		if text, p = encode(cfg.Encode, text, &items[i], stacks); p != nil {
			j.out.Panics = append(j.out.Panics, *p)
		}
		ends[i] = len(text)
	}
	j.out.Text = append([]byte(nil), text...)
	j.out.Ends = ends
	return text
}
