package views

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// FleetPane is the systems tree: each system with its presence (glyph and
// word), label, short id, last seen, active events and a message-rate
// sparkline; expanded systems show their components below them.
type FleetPane struct {
	st       themes.Styles
	keys     Keys
	store    *fleet.Store
	w, h     int
	focused  bool
	filter   filterBox
	sort     fleet.SystemSort
	expanded map[fleet.Ref]bool
	sel      fleet.Ref // selected system or component, kept by identity
	cur      cursor

	// reused per frame
	sysBuf  []*fleet.System
	compBuf []*fleet.Component
	rateBuf []float64
}

// NewFleetPane draws the store's systems.
func NewFleetPane(st themes.Styles, keys Keys, store *fleet.Store) *FleetPane {
	return &FleetPane{
		st: st, keys: keys, store: store,
		filter:   newFilterBox(st, "name, code or id"),
		expanded: map[fleet.Ref]bool{},
	}
}

// SetStyles switches the theme.
func (p *FleetPane) SetStyles(st themes.Styles) { p.st = st; p.filter.setStyles(st) }

// SetSize sets the outer size, border included.
func (p *FleetPane) SetSize(w, h int) { p.w, p.h = w, h; p.cur.rows = p.bodyRows() }

// Focus marks the pane focused.
func (p *FleetPane) Focus() { p.focused = true }

// Blur marks the pane unfocused.
func (p *FleetPane) Blur() { p.focused = false }

// Capturing reports whether the filter input takes the keys.
func (p *FleetPane) Capturing() bool { return p.filter.active }

// InputView is the filter input line.
func (p *FleetPane) InputView(w int) string { return p.filter.view(w) }

// ClearFilter drops the filter; it reports whether there was one.
func (p *FleetPane) ClearFilter() bool { return p.filter.clear() }

// ShortHelp is the footer while the pane has focus.
func (p *FleetPane) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Expand, p.keys.Enter, p.keys.Filter, p.keys.Order}
}

// FullHelp lists the pane's keys.
func (p *FleetPane) FullHelp() [][]key.Binding {
	return [][]key.Binding{p.keys.nav(), {p.keys.Expand, p.keys.Collapse, p.keys.Enter, p.keys.Filter, p.keys.Order}}
}

func (p *FleetPane) bodyRows() int { return max(p.h-3, 0) } // border and header

func (p *FleetPane) query() fleet.SystemQuery {
	return fleet.SystemQuery{Sort: p.sort, Text: p.filter.value}
}

// Selection is the selected system or component.
func (p *FleetPane) Selection() Subject {
	p.sync()
	switch {
	case p.sel.System == "":
		return Subject{}
	case p.sel.Component != "":
		return Subject{Kind: SubjectComponent, Ref: p.sel}
	}
	return Subject{Kind: SubjectSystem, Ref: p.sel}
}

// SelectedSystem is the system of the selection (zero Ref when none).
func (p *FleetPane) SelectedSystem() fleet.Ref {
	p.sync()
	return p.sel.SystemRef()
}

// Update handles keys and the mouse wheel.
func (p *FleetPane) Update(msg tea.Msg) tea.Cmd {
	if p.filter.active {
		changed, cmd := p.filter.update(msg)
		if changed {
			p.cur.pos, p.cur.top = 0, 0
			p.sel = fleet.Ref{}
		}
		return cmd
	}
	p.sync()
	switch m := msg.(type) {
	case tea.MouseWheelMsg:
		if m.Button == tea.MouseWheelDown {
			p.cur.wheel(3)
		} else if m.Button == tea.MouseWheelUp {
			p.cur.wheel(-3)
		}
		p.sel = p.refAt(p.cur.pos)
	case tea.KeyPressMsg:
		switch {
		case p.cur.move(m, p.keys):
			p.sel = p.refAt(p.cur.pos)
		case key.Matches(m, p.keys.Filter):
			return p.filter.start()
		case key.Matches(m, p.keys.Order):
			if p.sort == fleet.SortByName {
				p.sort = fleet.SortByState
			} else {
				p.sort = fleet.SortByName
			}
		case key.Matches(m, p.keys.Expand):
			if p.sel.System != "" && p.sel.Component == "" {
				p.expanded[p.sel.SystemRef()] = true
			}
		case key.Matches(m, p.keys.Collapse):
			if p.sel.System != "" {
				delete(p.expanded, p.sel.SystemRef())
				p.sel = p.sel.SystemRef()
			}
		}
	}
	return nil
}

// ClickRow selects the row at body line y (mouse click).
func (p *FleetPane) ClickRow(y int) {
	p.sync()
	p.cur.pos = p.cur.top + y
	p.cur.clamp()
	p.sel = p.refAt(p.cur.pos)
}

// expandedRanks lists the expanded systems present under the query with
// their rank and component count, in rank order. There are few of them.
type expandedSys struct {
	rank, comps int
}

func (p *FleetPane) expandedList(q fleet.SystemQuery) []expandedSys {
	if len(p.expanded) == 0 {
		return nil
	}
	out := make([]expandedSys, 0, len(p.expanded))
	for ref := range p.expanded {
		sys := p.store.System(ref)
		if sys == nil {
			delete(p.expanded, ref)
			continue
		}
		if rank, ok := p.store.SystemIndex(q, ref); ok && sys.Components > 0 {
			out = append(out, expandedSys{rank, sys.Components})
		}
	}
	// insertion sort: a handful of entries
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].rank < out[j-1].rank; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// locate maps a tree row to (system rank, component index or -1).
func locate(row int, exp []expandedSys) (rank, comp int) {
	acc := 0
	for _, e := range exp {
		sysRow := e.rank + acc
		if row <= sysRow {
			return row - acc, -1
		}
		if row <= sysRow+e.comps {
			return e.rank, row - sysRow - 1
		}
		acc += e.comps
	}
	return row - acc, -1
}

// rowOf maps (rank, comp) back to a tree row.
func rowOf(rank, comp int, exp []expandedSys) int {
	row := rank
	for _, e := range exp {
		if e.rank < rank {
			row += e.comps
		}
	}
	if comp >= 0 {
		row += comp + 1
	}
	return row
}

// sync recomputes the row count and puts the cursor back on the selected
// entity wherever the order has moved it.
func (p *FleetPane) sync() {
	q := p.query()
	_, n := p.store.SystemsWindow(q, 0, 0, p.sysBuf[:0])
	exp := p.expandedList(q)
	total := n
	for _, e := range exp {
		total += e.comps
	}
	p.cur.total, p.cur.rows = total, p.bodyRows()
	if p.sel.System != "" {
		if rank, ok := p.store.SystemIndex(q, p.sel); ok {
			comp := -1
			if p.sel.Component != "" && p.expanded[p.sel.SystemRef()] {
				p.compBuf = p.store.Components(p.sel, p.compBuf[:0])
				for i, c := range p.compBuf {
					if c.Ref == p.sel {
						comp = i
						break
					}
				}
			}
			if comp < 0 {
				p.sel = p.sel.SystemRef()
			}
			p.cur.pos = rowOf(rank, comp, exp)
		}
	}
	p.cur.clamp()
	if p.sel.System == "" && total > 0 {
		p.sel = p.refAt(p.cur.pos)
	}
}

// refAt names the entity on a tree row.
func (p *FleetPane) refAt(row int) fleet.Ref {
	q := p.query()
	rank, comp := locate(row, p.expandedList(q))
	p.sysBuf, _ = p.store.SystemsWindow(q, rank, 1, p.sysBuf[:0])
	if len(p.sysBuf) == 0 {
		return fleet.Ref{}
	}
	sys := p.sysBuf[0]
	if comp < 0 {
		return sys.Ref
	}
	p.compBuf = p.store.Components(sys.Ref, p.compBuf[:0])
	if comp < len(p.compBuf) {
		return p.compBuf[comp].Ref
	}
	return sys.Ref
}

// fleetCols are the column widths for an inner width.
type fleetCols struct {
	state, label, id, seen, events, spark int
}

func fleetColumns(inner int) fleetCols {
	c := fleetCols{state: 10, id: 8, seen: 5, events: 4, spark: 12}
	if inner < 70 {
		c.spark, c.id = 6, 0
	}
	c.label = inner - (1 + c.state + 1 + 1 + c.seen + 1 + c.events + 1 + c.spark + 1)
	if c.id > 0 {
		c.label -= c.id + 1
	}
	if c.label < 8 {
		c.spark = max(c.spark-(8-c.label), 0)
		c.label = 8
	}
	return c
}

// PresenceWords is the glyph and word of a presence: never colour alone.
func PresenceWords(pr fleet.Presence) (glyph, word string) {
	switch pr {
	case fleet.PresenceOnline:
		return "●", "online"
	case fleet.PresenceOffline:
		return "✕", "offline"
	case fleet.PresenceStale:
		return "◌", "stale"
	}
	return "?", "unknown"
}

func (p *FleetPane) presencePaint(pr fleet.Presence) themes.Paint {
	switch pr {
	case fleet.PresenceOnline:
		return p.st.OK
	case fleet.PresenceOffline:
		return p.st.Offline
	case fleet.PresenceStale:
		return p.st.Stale
	}
	return p.st.Unknown
}

func connPresence(c fleet.ConnState) fleet.Presence {
	switch c {
	case fleet.ConnOnline:
		return fleet.PresenceOnline
	case fleet.ConnOffline:
		return fleet.PresenceOffline
	}
	return fleet.PresenceUnknown
}

// paintIf paints s unless the row is selected (a selected row is one
// paint, so its highlight is not broken by resets).
func paintIf(p themes.Paint, s string, selected bool) string {
	if selected {
		return s
	}
	return p.Render(s)
}

// presenceCell is "● online" padded to w: the glyph is one cell.
func presenceCell(pr fleet.Presence, w int) string {
	glyph, word := PresenceWords(pr)
	return padKnown(glyph+" "+word, 2+len(word), w)
}

// systemRow renders one system. A pure function of its arguments.
func systemRow(st themes.Styles, c fleetCols, inner int, sys *fleet.System, pr fleet.Presence, now time.Time, rate []float64, expanded, selected bool, presence themes.Paint) string {
	mark := " "
	if sys.Components > 0 {
		mark = "▸"
		if expanded {
			mark = "▾"
		}
	}
	ev := ""
	if sys.ActiveEvents > 0 {
		ev = fmt.Sprint(sys.ActiveEvents)
	}
	var r rowBuilder
	r.cell(mark, 1)
	r.cell(paintIf(presence, presenceCell(pr, c.state), selected), c.state)
	r.cell(safeFit(sys.Label(), c.label), c.label)
	if c.id > 0 {
		r.cell(paintIf(st.Subtle, fit(shortID(sys.Ref.System, c.id), c.id), selected), c.id)
	}
	r.cell(fitRight(Age(now, sys.LastSeen), c.seen), c.seen)
	r.cell(paintIf(st.Warn, fitRight(ev, c.events), selected || ev == ""), c.events)
	r.cell(paintIf(st.Spark, Sparkline(rate, c.spark), selected), c.spark)
	return r.line(inner)
}

// componentRow renders one component under its system.
func componentRow(st themes.Styles, c fleetCols, inner int, comp *fleet.Component, now time.Time, last, selected bool, presence themes.Paint) string {
	branch := "├ "
	if last {
		branch = "└ "
	}
	var r rowBuilder
	r.cell(" ", 1)
	r.cell(paintIf(presence, presenceCell(connPresence(comp.Conn), c.state), selected), c.state)
	r.cell(fit(branch+safe(comp.Label()), c.label), c.label)
	if c.id > 0 {
		r.cell(paintIf(st.Subtle, fit(shortID(comp.UUID, c.id), c.id), selected), c.id)
	}
	r.cell(fitRight(Age(now, comp.LastSeen), c.seen), c.seen)
	r.cell(spaces(c.events), c.events)
	r.cell(spaces(c.spark), c.spark)
	return r.line(inner)
}

// joinCells joins cells with one space.
func joinCells(cells []string) string {
	n := 0
	for _, c := range cells {
		n += len(c) + 1
	}
	b := make([]byte, 0, n)
	for i, c := range cells {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, c...)
	}
	return string(b)
}

// View draws the visible rows only.
func (p *FleetPane) View() string {
	if p.w < 4 || p.h < 3 {
		return ""
	}
	p.sync()
	inner := p.w - 2
	c := fleetColumns(inner)
	now := p.store.Now()
	q := p.query()
	exp := p.expandedList(q)

	head := []string{" ", fit("state", c.state), fit("system", c.label)}
	if c.id > 0 {
		head = append(head, fit("id", c.id))
	}
	head = append(head, fitRight("seen", c.seen), fitRight("evts", c.events), fit("msg/s", c.spark))
	lines := make([]string, 0, p.h)
	lines = append(lines, p.st.Header.Render(fit(joinCells(head), inner)))

	rows := p.bodyRows()
	rank, comp := locate(p.cur.top, exp)
	p.sysBuf, _ = p.store.SystemsWindow(q, rank, rows, p.sysBuf[:0])
	row := p.cur.top
	for _, sys := range p.sysBuf {
		if len(lines) > rows {
			break
		}
		isExp := p.expanded[sys.Ref]
		if comp < 0 {
			pr := p.store.PresenceOf(sys)
			p.rateBuf = sys.Rate(now, p.rateBuf[:0])
			sel := row == p.cur.pos
			line := systemRow(p.st, c, inner, sys, pr, now, p.rateBuf, isExp, sel, p.presencePaint(pr))
			lines = append(lines, selPaint(p.st, line, sel, p.focused))
			row++
		}
		if isExp && sys.Components > 0 {
			p.compBuf = p.store.Components(sys.Ref, p.compBuf[:0])
			for i := max(comp, 0); i < len(p.compBuf) && len(lines) <= rows; i++ {
				cp := p.compBuf[i]
				sel := row == p.cur.pos
				line := componentRow(p.st, c, inner, cp, now, i == len(p.compBuf)-1, sel, p.presencePaint(connPresence(cp.Conn)))
				lines = append(lines, selPaint(p.st, line, sel, p.focused))
				row++
			}
		}
		comp = -1
	}
	if p.cur.total == 0 {
		msg := "no systems yet: waiting for messages"
		if p.filter.value != "" {
			msg = "no system matches the filter"
		}
		lines = append(lines, placeholder(p.st, msg, inner))
	}
	return frame(p.st, p.focused, p.w, p.h, "1 Fleet", p.info(), lines)
}

// info is the title's right side: counts, order, filter.
func (p *FleetPane) info() string {
	_, n := p.store.SystemsWindow(p.query(), 0, 0, p.sysBuf[:0])
	s := fmt.Sprintf("%d systems", n)
	if p.sort == fleet.SortByState {
		s += " · by state"
	}
	if p.filter.value != "" {
		s += " · /" + safe(p.filter.value)
	}
	return s
}
