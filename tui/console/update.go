package console

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/views"
)

// Update routes in a fixed order (ARCHITECTURE.md, The panes): size and colour to
// everyone; data batches to the store whatever has focus; then keys: an
// open filter input first, then the help screen, then global keys, then the
// focused pane.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.cfg.Shared != nil {
		return m.sharedUpdate(msg)
	}
	return m.update(msg)
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		if m.detect {
			m.detect = false
			if name := themes.ForBackground(msg.IsDark()); name != m.styles.Name() {
				m.setTheme(name)
			}
		}
		return m, nil
	case ingest.Batch:
		// Only a console without a writer goroutine gets batches (tests,
		// benchmarks): its own writer applies them here, the same code
		// Run's writer runs on its goroutine.
		if m.local == nil {
			return m, nil
		}
		m.local.Apply(msg)
		return m, m.storeChanged(m.local.Changed())
	case StoreChangedMsg:
		return m, m.storeChanged(msg)
	case tickMsg:
		if !m.noticeAt.IsZero() && m.now().Sub(m.noticeAt) > noticeFor {
			m.noticeText = ""
			m.noticeAt = time.Time{}
		}
		if m.local != nil {
			m.local.Refresh() // Run's writer does it on its own goroutine
		}
		m.refreshStatus()
		if !m.paused {
			m.stale = true
		}
		return m, tickCmd()
	case tea.KeyPressMsg:
		m.stale = true
		return m, m.key(msg)
	case tea.MouseClickMsg:
		m.stale = true
		m.click(msg)
		return m, nil
	case tea.MouseWheelMsg:
		m.stale = true
		if p, ok := m.paneAt(msg.X, msg.Y); ok {
			cmd := m.panes[p].Update(msg)
			if p == m.focus {
				m.follow()
			}
			return m, cmd
		}
		return m, nil
	}
	if cmd, ok := m.plotMsg(msg); ok {
		m.stale = true
		return m, cmd
	}
	if cmd, ok := m.clearMsg(msg); ok {
		m.stale = true
		return m, cmd
	}
	if cmd, ok := m.actionMsg(msg); ok {
		m.stale = true
		return m, cmd
	}
	// Anything else (cursor blinks, ...) goes to the open form, else to
	// the focused pane.
	if m.modal != nil {
		return m, m.modal.Update(msg)
	}
	return m, m.panes[m.focus].Update(msg)
}

// setConn shows the connection's state in the status bar.
func (m *Model) setConn(st mqttconn.State) {
	rk := ""
	if m.keys.Retry.Enabled() {
		rk = m.keys.Retry.Help().Key
	}
	m.status.SetConn(connState(st, m.now(), rk))
}

// unrecorded is how many of the store's messages are missing from the
// recording once it stopped early: counted against the store the console
// draws, under its lock, so the bar agrees with its message count.
func (m *Model) unrecorded(messages uint64) (missing uint64, stopped bool) {
	var kept uint64
	switch {
	case m.cfg.Shared != nil && m.cfg.Shared.RecordKept != nil:
		kept, stopped = m.cfg.Shared.RecordKept()
	case m.local != nil:
		kept, stopped = m.local.RecordKept()
	}
	return pastKept(messages, kept, stopped), stopped
}

// refreshStatus hands the current figures to the status bar.
func (m *Model) refreshStatus() {
	t := m.store.Totals()
	c := views.Counters{
		Total:   t.Messages,
		Rate:    t.PerSecond,
		Dropped: m.dropped,
		Evicted: t.Evicted.Total(),
		Paused:  m.paused,
	}
	c.Unrecorded, c.RecordStopped = m.unrecorded(t.Messages)
	if m.paused {
		c.New = t.Messages - m.pausedAt
	}
	m.status.SetCounters(c)
	m.status.SetNow(m.now())
	m.refill()
	if m.cfg.SourceState != nil {
		m.status.SetNoState(m.cfg.SourceState())
	}
	m.markSeen()
	if m.act.confirm != nil {
		m.act.confirm.SetNow(m.now())
	}
}

// key handles one key press in routing order.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	// 1. An open form or confirmation takes every key; ctrl+c still quits.
	if m.modal != nil {
		if k.String() == "ctrl+c" {
			m.quitting = true
			return tea.Quit
		}
		return m.modal.Update(k)
	}
	focused := m.panes[m.focus]
	// An open filter input takes every key too.
	if c, ok := focused.(views.Capturer); ok && c.Capturing() {
		cmd := focused.Update(k)
		m.follow()
		return cmd
	}
	// 2. The help screen: close it, scroll it, or quit.
	if m.showHelp {
		switch {
		case key.Matches(k, m.keys.Help), key.Matches(k, m.keys.Esc):
			m.showHelp = false
		case key.Matches(k, m.keys.Quit):
			m.quitting = true
			return tea.Quit
		default:
			m.help.Update(k)
		}
		return nil
	}
	// 3. Global keys.
	switch {
	case key.Matches(k, m.keys.Quit):
		m.quitting = true
		return tea.Quit
	case key.Matches(k, m.keys.Help):
		m.openHelp()
		return nil
	case key.Matches(k, m.keys.NextPane):
		m.setFocus((m.focus + 1) % paneCount)
		return nil
	case key.Matches(k, m.keys.PrevPane):
		m.setFocus((m.focus + paneCount - 1) % paneCount)
		return nil
	case key.Matches(k, m.keys.Zoom):
		m.zoomed = !m.zoomed
		m.resize()
		return nil
	case key.Matches(k, m.keys.Pause):
		m.setPaused(!m.paused)
		m.refreshStatus()
		return nil
	case key.Matches(k, m.keys.Retry):
		if m.cfg.RetryNow == nil {
			m.notice(m.cfg.RetryRefused)
			return nil
		}
		if m.cfg.RetryNow() {
			m.notice("reconnecting now")
		} else {
			m.notice("not waiting to reconnect: nothing to retry")
		}
		return nil
	case key.Matches(k, m.keys.Theme):
		m.setTheme(themes.Next(m.styles.Name()))
		m.notice("theme " + m.styles.Name())
		return nil
	case key.Matches(k, m.keys.Esc):
		m.escape()
		return nil
	case key.Matches(k, m.keys.Pane.Enter) && m.focus != PaneDetail && m.focus != PaneActions:
		m.follow()
		m.setFocus(PaneDetail)
		return nil
	}
	for i, b := range m.keys.Focus {
		if key.Matches(k, b) {
			m.setFocus(Pane(i))
			return nil
		}
	}
	// The topic tree's own actions: clear retained, copy, plot.
	if cmd, ok := m.topicsKey(k); ok {
		return cmd
	}
	// Operator actions: t c s r P, templates, a.
	if cmd, ok := m.actionKey(k); ok {
		return cmd
	}
	// 4. The focused pane.
	cmd := focused.Update(k)
	m.follow()
	return cmd
}

// escape backs out one level: the detail to its list, a zoom, a filter.
func (m *Model) escape() {
	if c, ok := m.panes[m.focus].(views.Capturer); ok && c.ClearFilter() {
		return
	}
	switch {
	case m.focus == PaneDetail:
		m.setFocus(m.back)
	case m.zoomed:
		m.zoomed = false
		m.resize()
	case m.paused:
		m.setPaused(false)
		m.refreshStatus()
	}
}

// openHelp builds the help from the key map and the focused pane.
func (m *Model) openHelp() {
	groups := []views.HelpGroup{}
	for i, g := range m.panes[m.focus].FullHelp() {
		title := m.focus.String()
		if i > 0 {
			title = ""
		}
		groups = append(groups, views.HelpGroup{Title: title, Keys: g})
	}
	titles := m.keys.FullHelpTitles()
	for i, g := range m.keys.FullHelp() {
		groups = append(groups, views.HelpGroup{Title: titles[i], Keys: g})
	}
	m.help.SetGroups(groups)
	m.showHelp = true
}

// paneAt finds the drawn pane under a screen cell.
func (m *Model) paneAt(x, y int) (Pane, bool) {
	if m.showHelp || m.modal != nil || m.rects.TooSmall {
		return 0, false
	}
	for i, r := range m.rects.Panes {
		if !r.Empty() && x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H {
			return Pane(i), true
		}
	}
	return 0, false
}

// click focuses the pane under the pointer and selects the row clicked;
// in compact mode a click on the tab strip switches panes.
func (m *Model) click(c tea.MouseClickMsg) {
	if c.Button != tea.MouseLeft {
		return
	}
	if r := m.rects.Tabs; !r.Empty() && c.Y == r.Y {
		if p, ok := tabAt(c.X, r.W, m.badges()); ok {
			m.setFocus(p)
		}
		return
	}
	p, ok := m.paneAt(c.X, c.Y)
	if !ok {
		return
	}
	m.setFocus(p)
	if cl, ok := m.panes[p].(views.Clicker); ok {
		r := m.rects.Panes[p]
		cl.Click(c.X-r.X, c.Y-r.Y) // the pane knows which row is there
	}
	m.follow()
}
