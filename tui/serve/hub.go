package serve

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// maxPendingItems bounds the items a session has not taken yet for its
// action matching. A session whose client stopped reading takes none; past
// this its oldest batches are let go (counted). The store has them all:
// only that session's answer matching misses them.
const maxPendingItems = 8192

// Hub is the one writer (console.Writer: the same design the plain console
// runs with its one reader) with the server's ingest in front of it: it
// applies the batches to the one store a chunk per hold of the write lock
// and wakes every session; sessions draw under the read lock, concurrently.
// It never waits for a session.
type Hub struct {
	*console.Writer
	// log, when set, gets the hub's own reports (a recovered panic).
	log atomic.Pointer[func(string)]
	// restarts counts the ingest's restarts (a panic outside the
	// per-message path: the last resort).
	restarts atomic.Uint64
}

// NewHub makes the hub of store.
func NewHub(store *fleet.Store) *Hub {
	h := &Hub{Writer: console.NewWriter(store)}
	h.Writer.OnPanic = func(r console.PanicReport) {
		switch {
		case !r.Full:
			h.report(fmt.Sprintf("%d internal errors so far on messages (a bug); only the first %d are logged with their stacks", r.N, ingest.MaxPanicReports), nil,
				fmt.Sprintf("%d internal errors so far on messages, see the Errors pane", r.N))
		case r.Applying:
			h.report(fmt.Sprintf("internal error applying a message on %s: %s", r.Topic, fmt.Sprint(r.Value)), r.Stack,
				"internal error applying a message on "+decode.Truncate(r.Topic, 40)+": skipped, see the Errors pane")
		default:
			h.report(fmt.Sprintf("internal error understanding a message on %s: %s", r.Topic, fmt.Sprint(r.Value)), r.Stack,
				"internal error understanding a message on "+decode.Truncate(r.Topic, 40)+": not decoded, see the Errors pane")
		}
	}
	h.Writer.OnRecordStop = func(r console.RecordStop) {
		h.report(r.Text, stackOf(r.Panic), r.Notice) // Text has the panic's value
	}
	return h
}

func stackOf(p *ingest.Panic) []byte {
	if p == nil {
		return nil
	}
	return p.Stack
}

// setLog sends the hub's reports to the server's log.
func (h *Hub) setLog(f func(string)) { h.log.Store(&f) }

// report logs a recovered panic with its stack and tells every session.
func (h *Hub) report(what string, stack []byte, notice string) {
	if f := h.log.Load(); f != nil {
		tail := "; mqdeck keeps serving (a bug: please report it with this stack)"
		if stack == nil {
			tail = "; mqdeck keeps serving"
		}
		clean := cleaner(h.Redact) // a panic's text may hold a secret
		logWithStack(*f, clean, decode.Truncate(clean(what), 300)+tail, stack)
	}
	h.Notify(notice)
}

// cleaner makes a line of a report fit for the log: secrets blanked
// (redact may be nil), terminal-safe.
func cleaner(redact func(string) string) func(string) string {
	if redact == nil {
		return decode.Safe
	}
	return func(s string) string { return decode.Safe(redact(s)) }
}

// logWithStack logs line, then each line of a panic's stack indented,
// cleaned as line was.
func logWithStack(log func(string), clean func(string) string, line string, stack []byte) {
	log(line)
	for _, l := range strings.Split(strings.TrimSpace(string(stack)), "\n") {
		if l != "" {
			log("  " + clean(l))
		}
	}
}

// Subscribe adds a session, its unmatched items bounded.
func (h *Hub) Subscribe() *console.Sub { return h.Writer.Subscribe(maxPendingItems) }

// Source is where the hub's messages come from.
type Source struct {
	Messages <-chan mqttconn.Message
	Scheme   platform.Scheme
	Dropped  func() uint64
	Hooks    *ingest.Hooks
	Limits   decode.Limits // zero fields: decode's defaults
	// Tap sees every item once, in order (--record), until it fails;
	// Recorded says how many messages its recording holds (see
	// console.Source).
	Tap      func([]ingest.Item) error
	Recorded func() uint64
}

// Run ingests src until ctx ends or the input closes: the one ingest
// stage understands, the batcher batches, the writer applies. Applying
// happens on the batcher's sending goroutine, so a store that falls behind
// holds ingest back (backpressure to the transport), never a drop here.
//
// A panic on one message (a bug in a platform's routing, in the decoder,
// or applying it to the store) costs that message only: ingest keeps it,
// undecoded, with an error, or the writer skips it; either way it is filed
// in the Errors pane, logged with its stack (the first few; then counts)
// and every session is told. Nothing restarts.
//
// --record's Tap failing (a write error, or a panic: a recorder bug on
// odd network text) stops the recording only: the batcher calls it no
// more and goes on; the writer files it in the Errors pane, the log says
// what the recording holds (a panic with its stack) and every session is
// told and counts what the recording misses. Nothing restarts.
//
// The restart below is the last resort for a panic outside those paths,
// in ingest's own bookkeeping. The server does not go down for it (every
// operator would lose their console); it logs, tells every session and
// starts the ingest again on the same input, and the messages in the stage
// at that moment are lost.
func (h *Hub) Run(ctx context.Context, src Source) {
	h.Recorded = src.Recorded // before the first Apply
	go fleet.ReleaseAfterBursts(ctx, time.Second)
	go h.RefreshEvery(ctx, time.Second)
	for ctx.Err() == nil {
		if h.runOnce(ctx, src) {
			return
		}
	}
}

// runOnce runs the batcher; it reports true when it ended normally.
func (h *Hub) runOnce(ctx context.Context, src Source) (ended bool) {
	defer func() {
		if r := recover(); r != nil {
			v, stack := r, debug.Stack()
			if p, ok := r.(*ingest.Panic); ok {
				v, stack = p.Value, p.Stack // where it happened
			}
			h.restarts.Add(1)
			h.report(fmt.Sprintf("internal error in the ingest: %v", v), stack,
				"internal error in the ingest: messages being batched were lost; ingest restarted")
			ended = false
		}
	}()
	ingest.NewBatcher(ingest.BatchConfig{
		Messages: src.Messages,
		Ingest:   ingest.Config{Scheme: src.Scheme, Limits: src.Limits},
		Dropped:  src.Dropped,
		Hooks:    src.Hooks,
		Tap:      src.Tap,
	}).Run(ctx, h.Apply)
	return true
}
