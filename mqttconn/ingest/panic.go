package ingest

import (
	"fmt"
	"runtime/debug"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// A bug that panics on one message (in a platform's Route or Refine, in
// the decoder, in the log's encoder) costs that message's understanding
// only: the message still becomes an item, in its place, with an error
// saying so, and the panic travels beside the items (Chunk.Panics,
// Batch.Panics) for the consumer to report. Nothing stops the stream.

// MaxPanicReports is how many panics a consumer reports in full (value,
// stack, topic); past it ReportPanic asks for a count now and then only.
const MaxPanicReports = 5

// maxStacks bounds the stacks one worker captures: a bug hitting every
// message of a flood would otherwise pay a debug.Stack (a few KB) per
// message. Past it a Panic comes without its stack. Per worker, not per
// stream: a worker takes its jobs in receive order, so the first
// MaxPanicReports panics of the stream are among the first of their
// workers and all have their stacks.
const maxStacks = MaxPanicReports

// Understood is the start of the error an item carries when understanding
// it panicked; the panic itself (value, stack) is reported apart, where
// secrets can be redacted: a careless panic value may hold anything.
const Understood = "mqdeck could not understand this message: a bug in mqdeck panicked on it (reported with its stack)"

// Panic is a panic caught on an ingest worker (a bug): understanding one
// message (Chunk.Panics), or, last resort, a whole chunk (Chunk.Panic).
type Panic struct {
	Value any
	Stack []byte // nil past the first few of a stream
	Topic string // the message's topic, decode.Safe'd; "" for a chunk
}

func (p *Panic) String() string { return fmt.Sprint(p.Value) }

// ReportPanic says how a consumer reports its n-th panic (from 1): in
// full for the first MaxPanicReports; then as a count, once just past
// them and at each power of ten, so a bug that hits every message writes
// a handful of lines, not one per message.
func ReportPanic(n uint64) (full, count bool) {
	if n <= MaxPanicReports {
		return true, false
	}
	if n == MaxPanicReports+1 {
		return false, true
	}
	for p := uint64(10); ; p *= 10 {
		if p == n {
			return false, true
		}
		if p > n/10 {
			return false, false
		}
	}
}

// understand is s.Item with a panic caught: the message becomes a fault
// item and the stage gets a new decoder (its reused buffers may be
// half-written). stacks is what is left of the worker's maxStacks.
func (s *Stage) understand(m mqttconn.Message, stacks *int) (it Item, p *Panic) {
	defer func() {
		if r := recover(); r != nil {
			p = newPanic(r, m.Topic, stacks)
			it = faultItem(m, len(m.Payload), s.routed)
			s.dec = decode.NewDecoder(s.lim)
		}
	}()
	return s.Item(m), nil
}

// encode is enc(dst, it) with a panic caught: it then becomes a fault
// item without its payload (what upset the encoder is unknown) and is
// encoded again. If that panics too, its line is left out (the panic is
// reported all the same).
func encode(enc func([]byte, *Item) []byte, dst []byte, it *Item, stacks *int) (out []byte, p *Panic) {
	n := len(dst)
	defer func() {
		if r := recover(); r != nil {
			p = newPanic(r, it.Msg.Topic, stacks)
			size := len(it.Msg.Payload)
			if it.Route.Secret {
				size = it.Value.Size
			}
			*it = faultItem(it.Msg, size, false)
			out = encodeOnce(enc, dst[:n], it)
		}
	}()
	return enc(dst, it), nil
}

func encodeOnce(enc func([]byte, *Item) []byte, dst []byte, it *Item) (out []byte) {
	n := len(dst)
	defer func() {
		if recover() != nil {
			out = dst[:n]
		}
	}()
	return enc(dst, it)
}

func newPanic(r any, topic string, stacks *int) *Panic {
	p := &Panic{Value: r, Topic: decode.Safe(topic)}
	if stacks == nil || *stacks > 0 {
		p.Stack = debug.Stack()
		if stacks != nil {
			*stacks--
		}
	}
	return p
}

// faultItem is what m becomes when understanding it panicked: raw generic,
// not decoded, with the error. keep: the route was known and not secret,
// so the payload stays, raw. Otherwise the route is unknown and the topic
// may be a secret one: the payload goes as a secret's does (only its size
// stays) and the item is flagged Secret, which every consumer honours.
func faultItem(m mqttconn.Message, size int, keep bool) Item {
	r := platform.Route{Platform: platform.Generic, Kind: platform.KindRaw}
	if !keep {
		r.Secret = true
		m.Payload = nil
		return Item{Msg: m, Route: r, Value: decode.Value{Size: size,
			Warnings: []string{Understood + "; its route is unknown, so only its size was kept, not its payload"}}}
	}
	v := decode.Raw(m.Payload)
	v.Warnings = []string{Understood + "; its payload is shown as it came, not decoded"}
	return Item{Msg: m, Route: r, Value: v}
}
