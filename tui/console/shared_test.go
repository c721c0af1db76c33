package console

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// Two consoles draw one store that a third goroutine writes: each reads
// only under the lock (run with -race), a StoreChangedMsg brings the new
// data into a frame, and an error a console records goes through the
// writer's AddError, not straight into the store.
func TestSharedStoreManyConsoles(t *testing.T) {
	store := fixture.Store()
	var mu sync.Mutex
	var added []fleet.ErrorReport
	sh := &Shared{
		Lock: &mu,
		AddError: func(r fleet.ErrorReport) {
			mu.Lock()
			defer mu.Unlock()
			added = append(added, r)
			store.AddError(r)
		},
	}
	a := New(Config{Now: fixture.Clock, Store: store, Shared: sh})
	b := New(Config{Now: fixture.Clock, Store: store, Shared: sh})
	for _, m := range []*Model{a, b} {
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if !strings.Contains(ansi.Strip(m.View().Content), " 0 msgs") {
			t.Fatal("the fleet is drawn before it was applied")
		}
	}

	items := fixture.FleetItems()
	done := make(chan struct{})
	go func() { // the writer: short slices under the lock, like serve's hub
		defer close(done)
		for i := 0; i < len(items); i += 4 {
			mu.Lock()
			store.Apply(items[i:min(i+4, len(items))])
			mu.Unlock()
		}
	}()
	var wg sync.WaitGroup
	for _, m := range []*Model{a, b} {
		wg.Add(1)
		go func() { // each console on its own goroutine, as each session's program is
			defer wg.Done()
			for i := 0; i < 50; i++ {
				m.Update(StoreChangedMsg{})
				_ = m.View()
				m.Update(press("j"))
			}
		}()
	}
	<-done
	wg.Wait()
	for i, m := range []*Model{a, b} {
		m.Update(StoreChangedMsg{Dropped: 7})
		v := ansi.Strip(m.View().Content)
		if !strings.Contains(v, fmt.Sprintf(" %d msgs", len(items))) || !strings.Contains(v, "dropped 7") {
			t.Fatalf("console %d does not show the applied fleet:\n%s", i, v)
		}
	}

	before := store.Totals().Errors
	a.addError(fleet.ErrorReport{Source: fleet.ErrPublish, Code: "X_TEST", Message: "from a session"})
	if len(added) != 0 || store.Totals().Errors != before {
		t.Fatal("addError outside an Update wrote the store at once")
	}
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40}) // flushes after unlocking
	if len(added) != 1 || added[0].Code != "X_TEST" || store.Totals().Errors != before+1 {
		t.Fatalf("the error did not go through Shared.AddError: %v", added)
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
