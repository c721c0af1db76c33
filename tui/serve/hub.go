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
	// ingestPanics counts recovered panics of the ingest stage.
	ingestPanics atomic.Uint64
}

// NewHub makes the hub of store.
func NewHub(store *fleet.Store) *Hub {
	h := &Hub{Writer: console.NewWriter(store)}
	h.Writer.OnPanic = func(v any, stack []byte, topic string) {
		h.report(fmt.Sprintf("internal error applying a message on %s: %s", topic, fmt.Sprint(v)), stack,
			"internal error applying a message on "+decode.Truncate(topic, 40)+": skipped, see the Errors pane")
	}
	return h
}

// setLog sends the hub's reports to the server's log.
func (h *Hub) setLog(f func(string)) { h.log.Store(&f) }

// report logs a recovered panic with its stack and tells every session.
func (h *Hub) report(what string, stack []byte, notice string) {
	if f := h.log.Load(); f != nil {
		(*f)(decode.Truncate(decode.Safe(what), 300) + "; mqdeck keeps serving (a bug: please report it with this stack)")
		for _, l := range strings.Split(strings.TrimSpace(string(stack)), "\n") {
			(*f)("  " + decode.Safe(l))
		}
	}
	h.Notify(notice)
}

// Subscribe adds a session, its unmatched items bounded.
func (h *Hub) Subscribe() *console.Sub { return h.Writer.Subscribe(maxPendingItems) }

// Source is where the hub's messages come from.
type Source struct {
	Messages <-chan mqttconn.Message
	Scheme   platform.Scheme
	Dropped  func() uint64
	Hooks    *ingest.Hooks
	Limits   decode.Limits       // zero fields: decode's defaults
	Tap      func([]ingest.Item) // sees every item once, in order (--record)
}

// Run ingests src until ctx ends or the input closes: the one ingest
// stage understands, the batcher batches, the writer applies. Applying
// happens on the batcher's sending goroutine, so a store that falls behind
// holds ingest back (backpressure to the transport), never a drop here.
//
// A panic in the ingest stage (a bug in a decoder or a platform's routing)
// does not take the server down: every session's operators would lose
// their consoles, and a retained message that triggers it would do it
// again at each restart. The panic is logged with its stack, every session
// is told, and the ingest starts again on the same input; the messages in
// the stage at that moment (up to a few thousand) are lost, and the notice
// says so. A panic applying one item to the store skips that item only
// (console.Writer).
func (h *Hub) Run(ctx context.Context, src Source) {
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
			h.ingestPanics.Add(1)
			h.report(fmt.Sprintf("internal error in the ingest: %v", v), stack,
				"internal error in the ingest: messages being decoded were lost; ingest restarted")
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
