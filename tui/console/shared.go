package console

import (
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// Shared makes the console one of several that draw a store another
// goroutine writes (mqdeck serve: one ingest, many SSH sessions). Such a
// console applies no batches: the writer does, and tells it with
// StoreChangedMsg. The store's queries keep scratch buffers and lazy
// caches (stale systems, filtered lists), so a read is not safe beside
// another read: the console holds Lock around each Update and View, a
// short section per frame, and the writer holds it per slice it applies.
type Shared struct {
	Lock sync.Locker
	// AddError records a report in the store. The console calls it after
	// releasing Lock (it takes Lock itself).
	AddError func(fleet.ErrorReport)
	// Items returns, and forgets, the items applied since the last call,
	// for the action tracker's matching; nil: nothing to match.
	Items func() [][]fleet.Item
}

// StoreChangedMsg tells a shared console that the store moved on. The
// writer coalesces them: a console that is slow to take one misses none
// of the data, only frames.
type StoreChangedMsg struct {
	Dropped uint64          // transport drops so far
	State   *mqttconn.State // the connection's latest state, if known
}

// sharedUpdate runs update under the store's lock and records the errors
// it produced after releasing it.
func (m *Model) sharedUpdate(msg tea.Msg) (tea.Model, tea.Cmd) {
	sh := m.cfg.Shared
	sh.Lock.Lock()
	mm, cmd := m.update(msg)
	errs := m.pendingErrs
	m.pendingErrs = nil
	sh.Lock.Unlock()
	for _, r := range errs {
		sh.AddError(r)
	}
	return mm, cmd
}

// storeChanged is a shared console's share of what applySlice does.
func (m *Model) storeChanged(msg StoreChangedMsg) {
	m.dropped = msg.Dropped
	if msg.State != nil {
		m.setConn(*msg.State)
	}
	if m.cfg.Shared.Items != nil {
		for _, items := range m.cfg.Shared.Items() {
			m.observe(items)
		}
	}
	m.refreshStatus()
	if !m.paused {
		m.stale = true
		m.follow()
	}
}

// addError records a report: at once in a store of its own, after the
// lock is released in a shared one.
func (m *Model) addError(r fleet.ErrorReport) {
	if m.cfg.Shared != nil {
		m.pendingErrs = append(m.pendingErrs, r)
		return
	}
	m.store.AddError(r)
}
