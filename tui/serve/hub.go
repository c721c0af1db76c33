package serve

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// applyChunk is how many items the hub applies per hold of the store's
// lock: a session waiting to draw waits for one chunk, not a whole batch
// (the console's own applySlice uses the same size).
const applyChunk = 128

// maxPendingItems bounds the items a session has not taken yet for its
// action matching. A session whose client stopped reading takes none; past
// this its oldest batches are let go (counted). The store has them all:
// only that session's answer matching misses them.
const maxPendingItems = 8192

// Hub is the one writer: it applies the ingest's batches to the one store
// and tells every session that the store moved on. It never waits for a
// session.
type Hub struct {
	mu    sync.Mutex // the store's lock (see console.Shared)
	store *fleet.Store

	smu  sync.Mutex
	subs map[*Sub]struct{}

	state   atomic.Pointer[mqttconn.State]
	dropped atomic.Uint64
	applied atomic.Uint64
}

// NewHub makes the hub of store.
func NewHub(store *fleet.Store) *Hub {
	return &Hub{store: store, subs: map[*Sub]struct{}{}}
}

// Store is the shared store; read it only under Shared().Lock.
func (h *Hub) Store() *fleet.Store { return h.store }

// Shared is what a session's console needs to draw the hub's store.
func (h *Hub) Shared(sub *Sub) *console.Shared {
	sh := &console.Shared{Lock: &h.mu, AddError: h.AddError}
	if sub != nil {
		sh.Items = sub.take
	}
	return sh
}

// AddError records an error report in the store.
func (h *Hub) AddError(r fleet.ErrorReport) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.store.AddError(r)
}

// Applied is the number of items applied so far.
func (h *Hub) Applied() uint64 { return h.applied.Load() }

// Changed is the message a session's program gets when the store moved on.
func (h *Hub) Changed() console.StoreChangedMsg {
	return console.StoreChangedMsg{Dropped: h.dropped.Load(), State: h.state.Load()}
}

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
// stage understands, the batcher batches, the hub applies. Applying
// happens on the batcher's sending goroutine, so a store that falls behind
// holds ingest back (backpressure to the transport), never a drop here.
func (h *Hub) Run(ctx context.Context, src Source) {
	go fleet.ReleaseAfterBursts(ctx, time.Second)
	ingest.NewBatcher(ingest.BatchConfig{
		Messages: src.Messages,
		Ingest:   ingest.Config{Scheme: src.Scheme, Limits: src.Limits},
		Dropped:  src.Dropped,
		Hooks:    src.Hooks,
		Tap:      src.Tap,
	}).Run(ctx, h.Apply)
}

// Apply folds one batch into the store, a chunk per hold of the lock, then
// tells the sessions.
func (h *Hub) Apply(b ingest.Batch) {
	for at := (ingest.Pos{}); ; {
		items, next := b.Take(at, applyChunk)
		if len(items) == 0 {
			break
		}
		h.mu.Lock()
		h.store.Apply(items)
		h.mu.Unlock()
		at = next
	}
	h.applied.Add(uint64(b.Len()))
	for _, subs := range b.Subs {
		for _, r := range subs {
			if r.Err != nil {
				h.AddError(fleet.ErrorReport{
					Source:  fleet.ErrSubscribe,
					Topic:   r.Filter,
					Code:    "SUBSCRIBE_REFUSED",
					Message: fmt.Sprintf("subscription to %s refused: %v", r.Filter, r.Err),
				})
			}
		}
	}
	if b.State != nil {
		st := *b.State
		h.state.Store(&st)
	}
	h.dropped.Store(b.Dropped)
	h.smu.Lock()
	for s := range h.subs {
		for items := range b.All() {
			s.offer(items)
		}
	}
	h.smu.Unlock()
	if b.Release != nil {
		b.Release()
	}
}

// Sub is one session's line from the hub: a wake-up that never blocks the
// hub (one pending at most), and the items it has not matched yet.
type Sub struct {
	notify chan struct{}
	mu     sync.Mutex
	items  [][]fleet.Item
	n      int
	lost   uint64 // items let go unmatched (a session that stopped reading)
}

// Subscribe adds a session; Unsubscribe when it ends.
func (h *Hub) Subscribe() *Sub {
	s := &Sub{notify: make(chan struct{}, 1)}
	h.smu.Lock()
	h.subs[s] = struct{}{}
	h.smu.Unlock()
	return s
}

// Unsubscribe removes a session.
func (h *Hub) Unsubscribe(s *Sub) {
	h.smu.Lock()
	delete(h.subs, s)
	h.smu.Unlock()
}

// Notify fires when the store moved on since the last receive.
func (s *Sub) Notify() <-chan struct{} { return s.notify }

// Lost is how many items this session let go unmatched.
func (s *Sub) Lost() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lost
}

func (s *Sub) offer(items []fleet.Item) {
	if len(items) > 0 {
		s.mu.Lock()
		s.items = append(s.items, items)
		s.n += len(items)
		for s.n > maxPendingItems && len(s.items) > 1 {
			s.n -= len(s.items[0])
			s.lost += uint64(len(s.items[0]))
			s.items[0] = nil
			s.items = s.items[1:]
		}
		s.mu.Unlock()
	}
	select {
	case s.notify <- struct{}{}:
	default: // one wake-up is pending already: it will see this too
	}
}

// take returns and forgets the items not matched yet.
func (s *Sub) take() [][]fleet.Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.items
	s.items, s.n = nil, 0
	return out
}
