package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// collector records batches as a program would receive them.
type collector struct {
	mu      sync.Mutex
	batches []Batch
	delay   time.Duration // simulate a busy UI
}

func (c *collector) send(b Batch) {
	if c.delay > 0 {
		time.Sleep(c.delay)
	}
	c.mu.Lock()
	c.batches = append(c.batches, b)
	c.mu.Unlock()
}

func (c *collector) items() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, b := range c.batches {
		for _, it := range flat(b) {
			out = append(out, it.Msg.Topic)
		}
	}
	return out
}

// flat is b's items in order, in one slice.
func flat(b Batch) []Item {
	var out []Item
	for r := range b.All() {
		out = append(out, r...)
	}
	return out
}

func runPump(t *testing.T, cfg BatchConfig, c *collector) (cancel func(), done <-chan struct{}) {
	t.Helper()
	ctx, cancelCtx := context.WithTimeout(context.Background(), 20*time.Second)
	d := make(chan struct{})
	go func() {
		defer close(d)
		NewBatcher(cfg).Run(ctx, c.send)
	}()
	return cancelCtx, d
}

func wait(t *testing.T, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("batcher did not finish")
	}
}

func TestFloodArrivesInFewBatchesInOrder(t *testing.T) {
	const n = 50_000
	in := make(chan mqttconn.Message, n)
	for i := 0; i < n; i++ {
		in <- mqttconn.Message{Topic: fmt.Sprintf("t/%d", i), Payload: []byte("x")}
	}
	close(in)
	c := &collector{}
	start := time.Now()
	cancel, done := runPump(t, BatchConfig{Messages: in}, c)
	defer cancel()
	wait(t, done)
	elapsed := time.Since(start)

	got := c.items()
	if len(got) != n {
		t.Fatalf("got %d items, want %d", len(got), n)
	}
	for i, topic := range got {
		if want := fmt.Sprintf("t/%d", i); topic != want {
			t.Fatalf("item %d is %q, want %q: order lost", i, topic, want)
		}
	}
	// Never one send per message: a batch goes out on a tick or when it
	// holds thousands. Under -race and load the flood takes seconds, and
	// each tick may carry a partial batch: the bound counts the ticks.
	ticks := int(elapsed / DefaultInterval)
	if limit := n/1000 + ticks + 2; len(c.batches) > limit {
		t.Fatalf("%d batches for %d messages in %v (limit %d)", len(c.batches), n, elapsed, limit)
	}
	last := c.batches[len(c.batches)-1]
	if !last.Done {
		t.Fatal("last batch does not say the input ended")
	}
}

func TestTrickleIsBatchedAtAboutThirtyHertz(t *testing.T) {
	in := make(chan mqttconn.Message)
	c := &collector{}
	cancel, done := runPump(t, BatchConfig{Messages: in}, c)
	defer cancel()
	start := time.Now()
	sent := 0
	for time.Since(start) < 500*time.Millisecond {
		in <- mqttconn.Message{Topic: "a"}
		sent++
		time.Sleep(500 * time.Microsecond)
	}
	elapsed := time.Since(start)
	close(in)
	wait(t, done)
	if got := len(c.items()); got != sent {
		t.Fatalf("got %d items, sent %d", got, sent)
	}
	// At most one batch per interval, plus the final one and a tick of slack.
	limit := int(elapsed/DefaultInterval) + 3
	if len(c.batches) > limit {
		t.Fatalf("%d batches in %v for %d messages: more than ~30/s (limit %d)", len(c.batches), elapsed, sent, limit)
	}
	if len(c.batches) < 3 {
		t.Fatalf("only %d batches in %v: the pump is holding messages back", len(c.batches), elapsed)
	}
}

func TestBusyUIDoesNotLoseOrDeadlock(t *testing.T) {
	const n = 100_000
	in := make(chan mqttconn.Message, 1024)
	c := &collector{delay: 20 * time.Millisecond}
	cancel, done := runPump(t, BatchConfig{Messages: in, MaxBatch: 1000}, c)
	defer cancel()
	for i := 0; i < n; i++ {
		in <- mqttconn.Message{Topic: "x"}
	}
	close(in)
	wait(t, done)
	if got := len(c.items()); got != n {
		t.Fatalf("got %d items, want %d", got, n)
	}
	// While the UI was busy the pump kept collecting: batches grow past
	// MaxBatch instead of queueing many small ones.
	biggest := 0
	for _, b := range c.batches {
		biggest = max(biggest, b.Len())
	}
	if biggest <= 1000 {
		t.Fatalf("largest batch %d: the pump waited on the UI instead of accumulating", biggest)
	}
	if biggest > 1000*hardCapFactor {
		t.Fatalf("largest batch %d exceeds the hard cap", biggest)
	}
}

func TestHooksNeverBlockAndCoalesce(t *testing.T) {
	h := NewHooks()
	start := time.Now()
	for i := 0; i < 10_000; i++ {
		h.OnState(mqttconn.State{Kind: mqttconn.StateReconnecting, Attempt: i})
		h.OnSubscribe([]mqttconn.SubResult{{Filter: fmt.Sprint(i)}})
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("callbacks took %v with nobody reading", d)
	}
	in := make(chan mqttconn.Message)
	c := &collector{}
	cancel, done := runPump(t, BatchConfig{Messages: in, Hooks: h, Dropped: func() uint64 { return 7 }}, c)
	defer cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		var st *mqttconn.State
		var subs int
		var lastFilter string
		for _, b := range c.batches {
			if b.State != nil {
				st = b.State
			}
			for _, s := range b.Subs {
				subs++
				lastFilter = s[0].Filter
			}
		}
		c.mu.Unlock()
		if st != nil && lastFilter == "9999" {
			if st.Attempt != 9999 {
				t.Fatalf("latest state is attempt %d, want 9999", st.Attempt)
			}
			if subs > hookBuffer {
				t.Fatalf("%d SUBACK lists queued, buffer is %d", subs, hookBuffer)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("connection news never reached the program")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(in)
	wait(t, done)
	for _, b := range c.batches {
		if b.Dropped != 7 {
			t.Fatalf("batch carries Dropped=%d, want 7", b.Dropped)
		}
	}
}

type drogueScheme struct{}

func (drogueScheme) Name() string                     { return "test" }
func (drogueScheme) Filters() []mqttconn.Subscription { return nil }
func (drogueScheme) Route(topic string, _ *mqttconn.Props) platform.Route {
	return platform.Route{Platform: platform.Drogue, Kind: platform.KindCloudEvent, App: topic}
}

// Route, decode and refine happen once, in ingest: a structured CloudEvent
// names its device in the payload, and the item's route already says so.
func TestRoutesDecodesAndRefines(t *testing.T) {
	in := make(chan mqttconn.Message, 2)
	in <- mqttconn.Message{Topic: "app1", Payload: []byte(`{"specversion":"1.0","id":"1","source":"drogue://app1/dev7","type":"io.drogue.event.v1","subject":"temp","device":"dev7","data":{"t":21}}`)}
	close(in)
	c := &collector{}
	cancel, done := runPump(t, BatchConfig{Messages: in, Ingest: Config{Scheme: drogueScheme{}}}, c)
	defer cancel()
	wait(t, done)
	it := flat(c.batches[0])[0]
	if it.Value.Event == nil || it.Value.Format != decode.FormatCloudEvents {
		t.Fatalf("not decoded as a CloudEvent: %+v", it.Value)
	}
	if it.Route.App != "app1" || it.Route.Device != "dev7" || it.Route.Channel != "temp" {
		t.Errorf("route not refined from the event: %+v", it.Route)
	}
}

func TestNoSchemeRoutesRaw(t *testing.T) {
	in := make(chan mqttconn.Message, 1)
	in <- mqttconn.Message{Topic: "a/b"}
	close(in)
	c := &collector{}
	cancel, done := runPump(t, BatchConfig{Messages: in}, c)
	defer cancel()
	wait(t, done)
	if r := flat(c.batches[0])[0].Route; r.Kind != platform.KindRaw {
		t.Errorf("route without scheme = %+v", r)
	}
}

func TestCancelStops(t *testing.T) {
	in := make(chan mqttconn.Message)
	c := &collector{}
	cancel, done := runPump(t, BatchConfig{Messages: in}, c)
	cancel()
	wait(t, done)
}

// Paced: the pump offers the next batch only after the receiver released
// the previous one, however long send itself took to return; everything
// still arrives, in order, and an unreleased batch holds the pump until ctx
// ends.
func TestPacedWaitsForRelease(t *testing.T) {
	const n = 20_000
	in := make(chan mqttconn.Message, n)
	for i := 0; i < n; i++ {
		in <- mqttconn.Message{Topic: fmt.Sprintf("t/%d", i), Payload: []byte("x")}
	}
	close(in)
	got := make(chan Batch, 64)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		NewBatcher(BatchConfig{Messages: in, MaxBatch: 1000, Paced: true}).Run(ctx, func(b Batch) { got <- b })
	}()

	// Batches until the Done one (which may carry the last items too).
	var topics []string
	for last := false; !last; {
		var b Batch
		select {
		case b = <-got:
		case <-time.After(10 * time.Second):
			t.Fatalf("stalled after %d items", len(topics))
		}
		if b.Release == nil {
			t.Fatal("a paced batch without Release")
		}
		if !b.Done {
			// Held: no further batch while this one is not released.
			select {
			case extra := <-got:
				t.Fatalf("a batch of %d items arrived before the previous was released", extra.Len())
			case <-time.After(30 * time.Millisecond):
			}
		}
		for _, it := range flat(b) {
			topics = append(topics, it.Msg.Topic)
		}
		last = b.Done
		b.Release()
		b.Release() // twice is harmless
	}
	if len(topics) != n {
		t.Fatalf("%d items arrived, want %d", len(topics), n)
	}
	for i, tp := range topics {
		if want := fmt.Sprintf("t/%d", i); tp != want {
			t.Fatalf("item %d is %s, want %s", i, tp, want)
		}
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
}

// An unreleased batch does not keep Run alive once ctx ends.
func TestPacedEndsWithContext(t *testing.T) {
	in := make(chan mqttconn.Message, 1)
	in <- mqttconn.Message{Topic: "a", Payload: []byte("x")}
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan Batch, 4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		NewBatcher(BatchConfig{Messages: in, Paced: true}).Run(ctx, func(b Batch) { got <- b })
	}()
	select {
	case <-got: // never released
	case <-time.After(10 * time.Second):
		t.Fatal("no batch")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run still waits for a release after ctx ended")
	}
}

// A batch's items are Items, then each run in order; Take walks them
// without joining runs or skipping any, and All yields no empty run.
func TestBatchTakeWalksRunsInOrder(t *testing.T) {
	mk := func(names ...string) []Item {
		out := make([]Item, len(names))
		for i, n := range names {
			out[i].Msg.Topic = n
		}
		return out
	}
	b := Batch{Items: mk("a", "b", "c"), Runs: [][]Item{mk("d"), nil, mk("e", "f", "g", "h", "i")}}
	if b.Len() != 9 {
		t.Fatalf("Len = %d, want 9", b.Len())
	}
	var takes [][]string
	at := Pos{}
	for i := 0; i < 20; i++ {
		items, next := b.Take(at, 2)
		if len(items) == 0 {
			break
		}
		var names []string
		for _, it := range items {
			names = append(names, it.Msg.Topic)
		}
		takes = append(takes, names)
		at = next
	}
	want := [][]string{{"a", "b"}, {"c"}, {"d"}, {"e", "f"}, {"g", "h"}, {"i"}}
	if fmt.Sprint(takes) != fmt.Sprint(want) {
		t.Fatalf("takes %v, want %v", takes, want)
	}
	if items, _ := b.Take(at, 2); len(items) != 0 {
		t.Fatalf("past the end: %d items", len(items))
	}
	runs := 0
	for r := range b.All() {
		if len(r) == 0 {
			t.Fatal("All yielded an empty run")
		}
		runs++
	}
	if runs != 3 {
		t.Fatalf("All yielded %d runs, want 3", runs)
	}
	if empty := (Batch{}); empty.Len() != 0 {
		t.Fatal("empty batch has items")
	}
	if items, _ := (&Batch{}).Take(Pos{}, 5); items != nil {
		t.Fatal("empty batch gave items")
	}
}

// countingScheme routes everything raw and counts the routes.
type countingScheme struct{ n *atomic.Int64 }

func (countingScheme) Name() string                     { return "count" }
func (countingScheme) Filters() []mqttconn.Subscription { return nil }
func (s countingScheme) Route(string, *mqttconn.Props) platform.Route {
	s.n.Add(1)
	return platform.Route{Platform: platform.Generic, Kind: platform.KindRaw}
}

// The tap (--record) sees every item once, in receive order, the same
// items the batches carry, and no message is routed twice for it.
func TestTapSeesEveryItemOnceInOrder(t *testing.T) {
	const n = 20_000
	in := make(chan mqttconn.Message, n)
	for i := 0; i < n; i++ {
		in <- mqttconn.Message{Topic: fmt.Sprintf("t/%d", i)}
	}
	close(in)
	var routes atomic.Int64
	var tapped []string // written by the batcher's goroutine only; read after done
	c := &collector{}
	cancel, done := runPump(t, BatchConfig{
		Messages: in,
		Ingest:   Config{Scheme: countingScheme{&routes}},
		MaxBatch: 1000,
		Tap: func(items []Item) error {
			for _, it := range items {
				tapped = append(tapped, it.Msg.Topic)
			}
			return nil
		},
	}, c)
	defer cancel()
	wait(t, done)
	got := c.items()
	if len(tapped) != n || len(got) != n {
		t.Fatalf("tapped %d, batched %d, want %d each", len(tapped), len(got), n)
	}
	for i := range tapped {
		if want := fmt.Sprintf("t/%d", i); tapped[i] != want || got[i] != want {
			t.Fatalf("item %d: tapped %q, batched %q, want %q", i, tapped[i], got[i], want)
		}
	}
	if r := routes.Load(); r != n {
		t.Fatalf("%d routes for %d messages", r, n)
	}
}

// A tap that fails (an error: a recording's disk is full; a panic: a bug
// in the recorder) is called no more, the batch of the run it failed on
// says why, once, and the stream goes on: every item is batched once, in
// order. The panic is caught, not raised again from the batcher.
func TestFailingTapStopsAloneTheStreamGoesOn(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("panic %v", panics), func(t *testing.T) {
			const n, failAt = 20_000, 7_000
			in := make(chan mqttconn.Message, n)
			for i := 0; i < n; i++ {
				in <- mqttconn.Message{Topic: fmt.Sprintf("t/%d", i)}
			}
			close(in)
			var seen, calls int // the batcher's goroutine only; read after done
			diskFull := errors.New("disk full")
			c := &collector{}
			cancel, done := runPump(t, BatchConfig{
				Messages: in,
				MaxBatch: 1000,
				Tap: func(items []Item) error {
					calls++
					seen += len(items)
					if seen > failAt {
						if panics {
							panic("recorder bug")
						}
						return diskFull
					}
					return nil
				},
			}, c)
			defer cancel()
			wait(t, done)
			got := c.items()
			if len(got) != n {
				t.Fatalf("batched %d of %d", len(got), n)
			}
			for i := range got {
				if want := fmt.Sprintf("t/%d", i); got[i] != want {
					t.Fatalf("item %d is %q, want %q", i, got[i], want)
				}
			}
			var stops []*TapStop
			c.mu.Lock()
			for _, b := range c.batches {
				if b.TapStop != nil {
					stops = append(stops, b.TapStop)
				}
			}
			c.mu.Unlock()
			if len(stops) != 1 {
				t.Fatalf("%d batches say the tap stopped, want 1", len(stops))
			}
			st := stops[0]
			if panics {
				if st.Err != nil || st.Panic == nil || st.Panic.String() != "recorder bug" || !strings.Contains(string(st.Panic.Stack), "TestFailingTapStopsAloneTheStreamGoesOn") {
					t.Fatalf("stop %+v: want the panic with its stack", st)
				}
			} else if st.Panic != nil || !errors.Is(st.Err, diskFull) {
				t.Fatalf("stop %+v: want the tap's error", st)
			}
			if seen >= n || seen <= failAt {
				t.Fatalf("the tap saw %d items: it was called after it failed (or never failed)", seen)
			}
		})
	}
}
