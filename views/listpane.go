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
	// head lays out the columns for inner cells and appends the header
	// line to b, exactly inner cells wide.
	head(b []byte, inner int) []byte
	// window loads the rows top..top+n-1 and says how many there are.
	window(top, n int) int
	// row appends loaded row j (0 is row top) to b, exactly inner cells
	// wide; a selected row is left unpainted for the highlight.
	row(b []byte, j, inner int, selected bool) []byte
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

	// The frame is written into these: a session's panes are its own, so
	// their buffers are reused frame after frame.
	body, out []byte
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
	l.out = l.appendView(l.out[:0])
	return string(l.out)
}

// appendView appends what View returns to dst.
func (l *list) appendView(dst []byte) []byte {
	if l.w < 4 || l.h < 3 || l.draw == nil {
		return dst
	}
	l.sync()
	inner := l.w - 2
	x := boxFor(l.st, l.focused)
	lines := l.h - 2
	// The body first: the title's info is asked for after the rows, as
	// it always was.
	body := x.open(l.body[:0])
	var mark int
	body, mark = openPaint(body, l.st.Header)
	body = l.draw.head(body, inner)
	body = x.close(closePaint(body, l.st.Header, mark))
	used := 1
	n := l.draw.window(l.cur.top, l.cur.rows)
	for j := 0; j < n; j++ {
		sel := l.cur.top+j == l.cur.pos
		if used >= lines {
			continue
		}
		p := selectedPaint(l.st, sel, l.focused)
		body = x.open(body)
		body, mark = openPaint(body, p)
		body = l.draw.row(body, j, inner, sel)
		body = x.close(closePaint(body, p, mark))
		used++
	}
	if l.cur.total == 0 && used < lines {
		body = append(x.open(body), placeholder(l.st, l.draw.empty(), inner)...)
		body = x.close(body)
		used++
	}
	for ; used < lines; used++ {
		body = x.close(appendSpaces(x.open(body), inner))
	}
	dst = x.top(dst, l.w, l.title, l.draw.info(), x.b.tl, x.b.tr)
	l.body = body
	return x.bottom(append(dst, body...), inner)
}

// AppendView appends what View returns to dst: the root keeps one buffer
// per pane instead of a new string each frame. Each pane says so itself;
// a method promoted from list would also answer for the panes that draw
// themselves (Actions).
func (p *FleetPane) AppendView(dst []byte) []byte { return p.appendView(dst) }

// AppendView appends what View returns to dst.
func (p *EventsPane) AppendView(dst []byte) []byte { return p.appendView(dst) }

// AppendView appends what View returns to dst.
func (p *TelemetryPane) AppendView(dst []byte) []byte { return p.appendView(dst) }

// AppendView appends what View returns to dst.
func (p *ErrorsPane) AppendView(dst []byte) []byte { return p.appendView(dst) }

// AppendView appends what View returns to dst.
func (p *LogPane) AppendView(dst []byte) []byte { return p.appendView(dst) }

// filterInfo is the title's note of the filter in force, "" for none.
func (l *list) filterInfo() string {
	if l.filter.value == "" {
		return ""
	}
	return " · /" + safe(l.filter.value)
}

// selectedPaint highlights the selected row: bold reverse when focused, a
// softer style when not.
func selectedPaint(st themes.Styles, sel, focused bool) themes.Paint {
	switch {
	case !sel:
		return themes.Paint{}
	case focused:
		return st.Selected
	}
	return st.SelectedBlur
}
