package console

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// Four consoles draw one store that a writer applies beside them: each
// reads under the read lock, concurrently with the others (run with -race:
// a read that wrote anything shared would be reported), a StoreChangedMsg
// brings the new data into a frame, and an error a console records is
// written under the write lock after its read lock is released.
func TestSharedStoreManyConsoles(t *testing.T) {
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	w := NewWriter(store)
	var ms []*Model
	for i := 0; i < 4; i++ {
		m := New(Config{Now: fixture.Clock, Store: store, Shared: w.Shared(w.Subscribe(0))})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if !strings.Contains(ansi.Strip(m.View().Content), " 0 msgs") {
			t.Fatal("the fleet is drawn before it was applied")
		}
		ms = append(ms, m)
	}

	items := fixture.FleetItems()
	done := make(chan struct{})
	go func() { // the writer: small batches, like the ingest's
		defer close(done)
		for i := 0; i < len(items); i += 4 {
			w.Apply(ingest.Batch{Items: items[i:min(i+4, len(items))], Dropped: 7})
		}
	}()
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() { // each console on its own goroutine, as each session's program is
			defer wg.Done()
			for k := 0; k < 50; k++ {
				m.Update(w.Changed())
				_ = m.View()
				m.Update(press([]string{"j", "k", "1", "2", "3", "5", "8"}[(i+k)%7]))
				_ = m.View()
				if k%7 == 3 { // a text filter in the focused pane: the store's per-reader caches
					for _, msg := range append(append(keys("/"), typeText("sy")...), press("enter")) {
						m.Update(msg)
					}
					_ = m.View()
				}
			}
		}()
	}
	<-done
	wg.Wait()
	for i, m := range ms {
		m.Update(w.Changed())
		send(m, press("1"))
		v := ansi.Strip(m.View().Content)
		if !strings.Contains(v, fmt.Sprintf(" %d msgs", len(items))) || !strings.Contains(v, "dropped 7") {
			t.Fatalf("console %d does not show the applied fleet:\n%s", i, v)
		}
	}

	a := ms[0]
	before := store.Totals().Errors
	a.addError(fleet.ErrorReport{Source: fleet.ErrPublish, Code: "X_TEST", Message: "from a session"})
	if store.Totals().Errors != before {
		t.Fatal("addError outside an Update wrote the store at once")
	}
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40}) // writes after the read lock
	errs, _ := store.ErrorsWindow(0, 1, nil)
	if store.Totals().Errors != before+1 || errs[0].Code != "X_TEST" {
		t.Fatalf("the error was not written: %d errors", store.Totals().Errors)
	}
}

// Serve's viewer role: read-only with the role's own reason, said where the
// operator looks; an operator's action row names who sent it.
func TestRoleReasonAndActionBy(t *testing.T) {
	m, pub, _ := actionModel(t, 120, 40, Actions{ReadOnly: true, Off: "role viewer: only operators act"})
	if cmd := send(m, press("down"), press("t")); cmd != nil || m.Modal() != nil || len(pub.sent()) != 0 {
		t.Fatalf("a viewer's t opened %T", m.Modal())
	}
	if out := plain(m); !strings.Contains(out, "role viewer: only operators act") {
		t.Errorf("the role is not said:\n%s", out)
	}

	m, pub, _ = actionModel(t, 120, 40, Actions{By: "alice SHA256:abc"})
	openTrigger(t, m)
	confirmAndSend(t, m)
	if len(pub.sent()) != 1 {
		t.Fatal("the operator's trigger was not published")
	}
	e := m.Tracker().Entries()[0]
	if e.Action.By != "alice SHA256:abc" {
		t.Fatalf("entry by %q", e.Action.By)
	}
	send(m, press("7"))
	if out := plain(m); !strings.Contains(out, "alice: ") {
		t.Errorf("the action's row does not name alice:\n%s", out)
	}
}

// The plain console's design (Run): the writer applies a big batch on its
// own goroutine a chunk per hold of the write lock; a key pressed meanwhile
// is answered, and drawn, between two chunks (not after the batch); every
// item is applied once, reaches the tracker once, and the batch is released
// once, after its last item.
func TestKeyIsAnsweredBetweenChunksOfABatch(t *testing.T) {
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	w := NewWriter(store)
	sub := w.Subscribe(0)
	m := New(Config{Now: fixture.Clock, Store: store, Shared: w.Shared(sub)})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	one := fixture.FleetItems()
	var items []fleet.Item
	for len(items) < 40_000 {
		items = append(items, one...)
	}
	mid, resume := make(chan struct{}), make(chan struct{})
	w.between = func(chunk int) {
		if chunk == 3 {
			close(mid)
			<-resume
		}
	}
	released := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Apply(ingest.Batch{Runs: [][]fleet.Item{items[:20_000], items[20_000:]}, Release: func() { released++ }})
	}()
	select {
	case <-mid:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer never reached its third chunk")
	}
	applied := w.Applied()
	m.Update(press("?"))
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "esc or ? to close") {
		t.Fatalf("help not shown while the batch is being applied:\n%s", v)
	}
	if n := store.Reader().Totals().Messages; n != 3*applyChunk || applied != 0 || released != 0 {
		t.Fatalf("the key waited for more than the chunks before it: %d applied, counted %d, released %d", n, applied, released)
	}
	close(resume)
	<-done
	m.Update(w.Changed())
	seen := 0
	for _, b := range sub.take().Items {
		seen += len(b)
	}
	if got := store.Totals().Messages; got != uint64(len(items)) || released != 1 || w.Applied() != uint64(len(items)) {
		t.Fatalf("after the batch: %d of %d applied, released %d", got, len(items), released)
	}
	if seen != 0 {
		t.Fatalf("the console's wake-up left %d items untaken: the tracker must see each once", seen)
	}
}

// A panic applying one item (a bug in a platform's apply) skips that item
// only: the rest of the batch is applied, the errors pane says what was
// skipped, OnPanic is told, and the writer keeps working.
func TestWriterSkipsTheItemThatPanics(t *testing.T) {
	var boom atomic.Bool
	cfg := fleet.DefaultConfig()
	cfg.Now = func() time.Time {
		if boom.CompareAndSwap(true, false) {
			panic("clock exploded")
		}
		return fixture.Clock()
	}
	store := fleet.New(cfg, platforms.Fleet())
	w := NewWriter(store)
	sub := w.Subscribe(0)
	var told []string
	w.OnPanic = func(r PanicReport) {
		told = append(told, fmt.Sprint(r.Value)+" on "+r.Topic)
		if len(r.Stack) == 0 || !r.Full || !r.Applying {
			t.Error("no stack for the report")
		}
	}
	items := fixture.FleetItems()
	boom.Store(true) // Apply asks the clock first: the chunk's first item is the one skipped
	w.Apply(ingest.Batch{Items: items})
	if w.Panics() != 1 || len(told) != 1 || !strings.Contains(told[0], "clock exploded on "+items[0].Msg.Topic) {
		t.Fatalf("panics %d, told %v", w.Panics(), told)
	}
	if got := store.Totals().Messages; got != uint64(len(items)-1) {
		t.Fatalf("%d of the %d other items applied", got, len(items)-1)
	}
	errs, _ := store.ErrorsWindow(0, 100, nil)
	var internal []string
	for _, e := range errs {
		if e.Code == "INTERNAL_ERROR" {
			internal = append(internal, e.Topic)
		}
	}
	if len(internal) != 1 || internal[0] != items[0].Msg.Topic {
		t.Fatalf("the errors pane does not say what was skipped: %v", internal)
	}
	w.Apply(ingest.Batch{Items: items[:3]})
	if got := store.Totals().Messages; got != uint64(len(items)+2) {
		t.Fatalf("the writer stopped after the panic: %d", got)
	}
	if n := len(sub.take().Items); n != 2 {
		t.Fatalf("the console was offered %d batches", n)
	}
}

// The plain console's writer waits for its program past the bound instead
// of letting items go: memory stays bounded when the program stops (a
// stuck terminal), every item still reaches the tracker, and Close lets the
// writer end once the program has.
func TestHeldConsoleHoldsTheWriterBack(t *testing.T) {
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	w := NewWriter(store)
	sub := w.SubscribeHeld(100)
	items := fixture.FleetItems()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			w.Apply(ingest.Batch{Items: items})
		}
	}()
	waitFor := func(what string, cond func() bool) {
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s (applied %d)", what, w.Applied())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	per := uint64(len(items))
	waitFor("the writer did not reach the bound", func() bool { return w.Applied() >= 100 })
	time.Sleep(50 * time.Millisecond)
	if got := w.Applied(); got > 100+per {
		t.Fatalf("the writer went on to %d items with the console taking none (bound 100)", got)
	}
	taken := 0
	for _, b := range sub.take().Items {
		taken += len(b)
	}
	waitFor("the writer did not go on after a take", func() bool { return w.Applied() > uint64(taken) })
	sub.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not let the writer end")
	}
	if sub.Lost() != 0 {
		t.Fatalf("%d items let go", sub.Lost())
	}
}
