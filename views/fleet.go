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
	list
	store     *fleet.Store
	sort      fleet.SystemSort
	expanded  map[fleet.Ref]bool
	sel       fleet.Ref // selected system or component, kept by identity
	noSystems string    // the empty text where no message makes a system (generic)

	// reused per frame
	sysBuf  []*fleet.System
	compBuf []*fleet.Component
	rateBuf []float64
	vis     []treeRow
	cols    fleetCols
	now     time.Time
}

// treeRow is one visible row of the tree: a system, or one of its
// components when comp is set.
type treeRow struct {
	sys      *fleet.System
	comp     *fleet.Component
	last     bool // the system's last component
	expanded bool
}

// NewFleetPane draws the store's systems.
func NewFleetPane(st themes.Styles, keys Keys, store *fleet.Store) *FleetPane {
	p := &FleetPane{store: store, expanded: map[fleet.Ref]bool{}}
	p.list = newList(st, keys, "1 Fleet", "name, id, component, gateway or state", p)
	return p
}

// ShortHelp is the footer while the pane has focus.
func (p *FleetPane) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Expand, p.keys.Enter, p.keys.Filter, p.keys.Order}
}

// FullHelp lists the pane's keys.
func (p *FleetPane) FullHelp() [][]key.Binding {
	return [][]key.Binding{p.keys.nav(), {p.keys.Expand, p.keys.Collapse, p.keys.Enter, p.keys.Filter, p.keys.Order}}
}

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

func (p *FleetPane) filterChanged() { p.sel = fleet.Ref{} }

func (p *FleetPane) selectRow(i int) { p.sel = p.refAt(i) }

// paneKey handles the order and the tree keys.
func (p *FleetPane) paneKey(m tea.KeyPressMsg) tea.Cmd {
	switch {
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
	return nil
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

// syncRows recomputes the row count and puts the cursor back on the
// selected entity wherever the order has moved it.
func (p *FleetPane) syncRows() {
	q := p.query()
	_, n := p.store.SystemsWindow(q, 0, 0, p.sysBuf[:0])
	exp := p.expandedList(q)
	total := n
	for _, e := range exp {
		total += e.comps
	}
	p.cur.total = total
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

// appendSystemRow appends one system's row to b. A pure function of its
// arguments.
func appendSystemRow(b []byte, st themes.Styles, c fleetCols, inner int, sys *fleet.System, pr fleet.Presence, now time.Time, rate []float64, expanded, selected bool, presence themes.Paint) []byte {
	mark := " "
	if sys.Components > 0 {
		mark = "▸"
		if expanded {
			mark = "▾"
		}
	}
	r := newRow(b)
	r.cell(mark, 1)
	glyph, word := PresenceWords(pr)
	r.glyphCell(pick(presence, selected), glyph, word, c.state)
	r.midCell(themes.Paint{}, sys.Label(), c.label)
	if c.id > 0 {
		r.fitCell(pick(st.Subtle, selected), idCell(sys.Ref.System, sys.Label(), c.id), c.id)
	}
	r.ageCell(themes.Paint{}, now, sys.LastSeen, c.seen)
	if sys.ActiveEvents > 0 {
		r.numCell(pick(st.Warn, selected), int64(sys.ActiveEvents), c.events)
	} else {
		r.cell(spaces(c.events), c.events)
	}
	r.sparkCell(pick(st.Spark, selected), rate, c.spark)
	return r.line(inner)
}

// appendComponentRow appends one component's row under its system.
func appendComponentRow(b []byte, st themes.Styles, c fleetCols, inner int, comp *fleet.Component, now time.Time, last, selected bool, presence themes.Paint) []byte {
	branch := "├ "
	if last {
		branch = "└ "
	}
	r := newRow(b)
	r.cell(" ", 1)
	glyph, word := PresenceWords(connPresence(comp.Conn))
	r.glyphCell(pick(presence, selected), glyph, word, c.state)
	r.fitCell(themes.Paint{}, branch+safe(comp.Label()), c.label)
	if c.id > 0 {
		r.fitCell(pick(st.Subtle, selected), idCell(comp.UUID, comp.Label(), c.id), c.id)
	}
	r.ageCell(themes.Paint{}, now, comp.LastSeen, c.seen)
	r.cell(spaces(c.events), c.events)
	r.cell(spaces(c.spark), c.spark)
	return r.line(inner)
}

// idCell is the id column's text: blank when the entity has no name of
// its own (its label is its id, as Drogue's device names are), so that a
// cut copy of the name does not stand beside it.
func idCell(id, label string, w int) string {
	if id == label {
		return ""
	}
	return shortID(id, w)
}

func (p *FleetPane) head(b []byte, inner int) []byte {
	c := fleetColumns(inner)
	p.cols, p.now = c, p.store.Now()
	r := newRow(b)
	r.cell(" ", 1)
	r.fitCell(themes.Paint{}, "state", c.state)
	r.fitCell(themes.Paint{}, "system", c.label)
	if c.id > 0 {
		r.fitCell(themes.Paint{}, "id", c.id)
	}
	r.rightCell(themes.Paint{}, "seen", c.seen)
	r.rightCell(themes.Paint{}, "evts", c.events)
	r.fitCell(themes.Paint{}, "msg/s", c.spark)
	return r.line(inner)
}

// window lays out the visible part of the tree: systems from the store's
// window, the components of the expanded ones below them.
func (p *FleetPane) window(top, n int) int {
	q := p.query()
	rank, comp := locate(top, p.expandedList(q))
	p.sysBuf, _ = p.store.SystemsWindow(q, rank, n, p.sysBuf[:0])
	p.vis = p.vis[:0]
	for _, sys := range p.sysBuf {
		if len(p.vis) >= n {
			break
		}
		isExp := p.expanded[sys.Ref]
		if comp < 0 {
			p.vis = append(p.vis, treeRow{sys: sys, expanded: isExp})
		}
		if isExp && sys.Components > 0 {
			p.compBuf = p.store.Components(sys.Ref, p.compBuf[:0])
			for i := max(comp, 0); i < len(p.compBuf) && len(p.vis) < n; i++ {
				p.vis = append(p.vis, treeRow{sys: sys, comp: p.compBuf[i], last: i == len(p.compBuf)-1})
			}
		}
		comp = -1
	}
	return len(p.vis)
}

func (p *FleetPane) row(b []byte, j, inner int, sel bool) []byte {
	r := p.vis[j]
	if r.comp != nil {
		return appendComponentRow(b, p.st, p.cols, inner, r.comp, p.now, r.last, sel, p.presencePaint(connPresence(r.comp.Conn)))
	}
	pr := p.store.PresenceOf(r.sys)
	p.rateBuf = r.sys.Rate(p.now, p.rateBuf[:0])
	return appendSystemRow(b, p.st, p.cols, inner, r.sys, pr, p.now, p.rateBuf, r.expanded, sel, p.presencePaint(pr))
}

func (p *FleetPane) empty() string {
	if p.filter.value != "" {
		return "no system matches the filter"
	}
	if p.noSystems != "" {
		return p.noSystems
	}
	return "no systems yet: waiting for messages"
}

// SetNoSystems is what the empty fleet says instead of waiting for
// messages: on a generic broker no message ever makes a system.
func (p *FleetPane) SetNoSystems(text string) { p.noSystems = text }

// info is the title's right side: counts, order, filter.
func (p *FleetPane) info() string {
	_, n := p.store.SystemsWindow(p.query(), 0, 0, p.sysBuf[:0])
	s := fmt.Sprintf("%d systems", n)
	if n == 1 {
		s = "1 system"
	}
	if p.sort == fleet.SortByState {
		s += " · by state"
	}
	return s + p.filterInfo()
}
