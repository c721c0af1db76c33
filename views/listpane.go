package views

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
)

// listRows is what a list pane supplies to the list base it embeds: how
// many rows there are and which one is selected. Everything else, the
// size, focus, pause, cursor and paging, filter, mouse wheel and clicks,
// is the base's.
type listRows interface {
	// syncRows recounts the rows under the pane's filter and scope, sets
	// cur.total and puts the cursor back on the selection.
	syncRows()
	// selectRow makes row i the selection: the operator moved there.
	selectRow(i int)
}

// listDrawer is a list pane whose rows are one line each: the base draws
// the frame, the header and the visible rows.
type listDrawer interface {
	listRows
	// head lays out the columns for inner cells and is the header line.
	head(inner int) string
	// window loads the rows top..top+n-1 and says how many there are.
	window(top, n int) int
	// row draws loaded row j (0 is row top), exactly inner cells wide;
	// a selected row is left unpainted for the highlight.
	row(j, inner int, selected bool) string
	// empty is what the list says when it has no rows.
	empty() string
	// info is the right side of the title: counts, order, filter.
	info() string
}

// listKeyer is a list pane with keys of its own (order, scope, expand).
type listKeyer interface {
	paneKey(k tea.KeyPressMsg) tea.Cmd
}

// filterResetter is a list pane that forgets its selection when the
// filter text changes (the rows are another set then).
type filterResetter interface {
	filterChanged()
}

// listBodyTop is the pane line of the first row: the border and the
// header are above it.
const listBodyTop = 2

// wheelRows is how far one mouse wheel step scrolls a list.
const wheelRows = 3

// list is the base every list pane embeds.
type list struct {
	st      themes.Styles
	keys    Keys
	w, h    int
	focused bool
	paused  bool
	filter  filterBox
	filters bool // the pane has a filter input
	cur     cursor
	anchor  seqAnchor // newest-first lists keyed by sequence number
	title   string
	rows    listRows
	draw    listDrawer // nil: the pane draws itself
}

// newList is the base of a list pane titled title; placeholder is the
// filter input's hint, "" for a pane without a filter.
func newList(st themes.Styles, keys Keys, title, placeholder string, rows listRows) list {
	l := list{st: st, keys: keys, title: title, rows: rows, filters: placeholder != ""}
	l.draw, _ = rows.(listDrawer)
	if l.filters {
		l.filter = newFilterBox(st, placeholder)
	}
	return l
}

// SetStyles switches the theme.
func (l *list) SetStyles(st themes.Styles) {
	l.st = st
	if l.filters {
		l.filter.setStyles(st)
	}
}

// SetSize sets the outer size, border included.
func (l *list) SetSize(w, h int) { l.w, l.h = w, h; l.cur.rows = l.bodyRows() }

// Focus marks the pane focused (heavy border).
func (l *list) Focus() { l.focused = true }

// Blur marks the pane unfocused.
func (l *list) Blur() { l.focused = false }

// SetPaused freezes the list's position while new rows arrive.
func (l *list) SetPaused(v bool) { l.paused = v }

// Capturing reports whether the filter input takes the keys.
func (l *list) Capturing() bool { return l.filter.active }

// InputView is the filter input line.
func (l *list) InputView(w int) string { return l.filter.view(w) }

// ClearFilter drops the filter; it reports whether there was one. The
// selection stays: the operator filtered to find it.
func (l *list) ClearFilter() bool { return l.filter.clear() }

// bodyRows is how many rows fit below the border and the header.
func (l *list) bodyRows() int { return max(l.h-3, 0) }

// sync recounts the rows and keeps the cursor inside them.
func (l *list) sync() {
	l.cur.rows = l.bodyRows()
	l.rows.syncRows()
	l.cur.clamp()
}

// Update handles the filter input, movement keys, the mouse wheel and the
// pane's own keys.
func (l *list) Update(msg tea.Msg) tea.Cmd {
	if l.filter.active {
		changed, cmd := l.filter.update(msg)
		if changed {
			l.cur.pos, l.cur.top = 0, 0
			l.anchor.seq = 0
			if r, ok := l.rows.(filterResetter); ok {
				r.filterChanged()
			}
		}
		return cmd
	}
	l.sync()
	switch m := msg.(type) {
	case tea.MouseWheelMsg:
		switch m.Button {
		case tea.MouseWheelDown:
			l.cur.wheel(wheelRows)
		case tea.MouseWheelUp:
			l.cur.wheel(-wheelRows)
		default:
			return nil
		}
		l.rows.selectRow(l.cur.pos)
	case tea.KeyPressMsg:
		switch {
		case l.cur.move(m, l.keys):
			l.rows.selectRow(l.cur.pos)
		case l.filters && key.Matches(m, l.keys.Filter):
			return l.filter.start()
		default:
			if k, ok := l.rows.(listKeyer); ok {
				return k.paneKey(m)
			}
		}
	}
	return nil
}

// Click selects the row under a click at (x, y) inside the pane.
func (l *list) Click(_, y int) {
	if y < listBodyTop {
		return
	}
	l.sync()
	l.cur.pos = l.cur.top + y - listBodyTop
	l.cur.clamp()
	l.rows.selectRow(l.cur.pos)
}

// View draws the frame, the header and the visible rows only.
func (l *list) View() string {
	if l.w < 4 || l.h < 3 || l.draw == nil {
		return ""
	}
	l.sync()
	inner := l.w - 2
	lines := make([]string, 0, l.cur.rows+1)
	lines = append(lines, l.st.Header.Render(fit(l.draw.head(inner), inner)))
	n := l.draw.window(l.cur.top, l.cur.rows)
	for j := 0; j < n; j++ {
		sel := l.cur.top+j == l.cur.pos
		lines = append(lines, selPaint(l.st, l.draw.row(j, inner, sel), sel, l.focused))
	}
	if l.cur.total == 0 {
		lines = append(lines, placeholder(l.st, l.draw.empty(), inner))
	}
	return frame(l.st, l.focused, l.w, l.h, l.title, l.draw.info(), lines)
}

// filterInfo is the title's note of the filter in force, "" for none.
func (l *list) filterInfo() string {
	if l.filter.value == "" {
		return ""
	}
	return " · /" + safe(l.filter.value)
}

// selPaint highlights the selected row: bold reverse when focused, a
// softer style when not.
func selPaint(st themes.Styles, line string, sel, focused bool) string {
	switch {
	case !sel:
		return line
	case focused:
		return st.Selected.Render(line)
	}
	return st.SelectedBlur.Render(line)
}
