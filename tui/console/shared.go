package console

import (
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// RWLocker is the store's lock (a *sync.RWMutex, or serve's timed one).
type RWLocker interface {
	RLock()
	RUnlock()
	Lock()
	Unlock()
}

// Shared makes the console a reader of a store another goroutine writes
// (a Writer: the plain console's own, or mqdeck serve's one for every
// session). Such a console applies no batches: the writer does, and wakes
// it with StoreChangedMsg. The store's reads are read-only (tui/fleet's
// package comment), so the console holds the read lock around each Update
// and View, concurrently with other consoles, and the writer holds the
// write lock per chunk it applies. What the console writes itself (an error
// report, a plotted field) waits until the read lock is released.
type Shared struct {
	Lock RWLocker
	// Take returns, and forgets, the news since the last call: the items
	// applied (for the action tracker's matching), refused subscriptions,
	// the end of input. nil: nothing to take.
	Take func() News
	// RecordKept says how many messages --record's recording kept once it
	// stopped early (Writer.RecordKept); nil: no such news.
	RecordKept func() (kept uint64, stopped bool)
}

// StoreChangedMsg tells a shared console that the store moved on. The
// writer coalesces them: a console that is slow to take one misses none
// of the data, only frames.
type StoreChangedMsg struct {
	Dropped uint64          // transport drops so far
	State   *mqttconn.State // the connection's latest state, if known
}

// sharedUpdate runs update under the read lock, then the writes it asked
// for under the write lock. The locks are let go by defer: a panic (a bug)
// must not leave the store locked for the writer and every other reader
// (mqdeck serve recovers a session's panic and goes on).
func (m *Model) sharedUpdate(msg tea.Msg) (tea.Model, tea.Cmd) {
	mm, cmd, writes := m.readUpdate(msg)
	if len(writes) > 0 {
		m.applyWrites(writes)
	}
	return mm, cmd
}

func (m *Model) readUpdate(msg tea.Msg) (tea.Model, tea.Cmd, []func(*fleet.Store)) {
	m.cfg.Shared.Lock.RLock()
	defer m.cfg.Shared.Lock.RUnlock()
	mm, cmd := m.update(msg)
	writes := m.pendingWrites
	m.pendingWrites = nil
	return mm, cmd, writes
}

func (m *Model) applyWrites(writes []func(*fleet.Store)) {
	m.cfg.Shared.Lock.Lock()
	defer m.cfg.Shared.Lock.Unlock()
	for _, w := range writes {
		w(m.store)
	}
}

// storeChanged takes the writer's news into the console: what the plain
// console's finish did for each batch, for whatever was applied since.
func (m *Model) storeChanged(msg StoreChangedMsg) tea.Cmd {
	m.dropped = msg.Dropped
	if msg.State != nil {
		m.setConn(*msg.State)
	}
	var news News
	if m.cfg.Shared != nil && m.cfg.Shared.Take != nil {
		news = m.cfg.Shared.Take()
	} else if m.local != nil {
		news = m.localSub.take()
	}
	for _, items := range news.Items {
		m.observe(items)
	}
	for _, r := range news.Refused {
		m.notice("subscription " + r.Outcome() + ": " + decode.Truncate(decode.Safe(r.Filter), 40))
	}
	for _, n := range news.Notices {
		m.notice(n)
	}
	if news.Done && !m.done {
		m.done = true
		m.notice("input ended")
	}
	if m.cfg.ExitAfter > 0 && m.store.Totals().Messages >= m.cfg.ExitAfter {
		m.quitting = true
		return tea.Quit
	}
	m.refreshStatus()
	if !m.paused {
		m.stale = true
		m.follow()
	}
	return nil
}

// write runs fn on the store: at once in a store of the console's own,
// after the read lock is released in a shared one.
func (m *Model) write(fn func(*fleet.Store)) {
	if m.cfg.Shared != nil {
		m.pendingWrites = append(m.pendingWrites, fn)
		return
	}
	fn(m.store)
}

// addError records a report in the store (see write).
func (m *Model) addError(r fleet.ErrorReport) {
	m.write(func(s *fleet.Store) { s.AddError(r) })
}
