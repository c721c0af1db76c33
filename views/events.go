package views

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// EventsPane lists events newest first or by severity: level, model code,
// entity, state, acknowledgement (by whom and when, or "not yet") and age,
// with the counts of active and unacknowledged events in its title.
type EventsPane struct {
	list
	store   *fleet.Store
	order   fleet.EventOrder
	scope   fleet.Ref // narrow to one system (the fleet selection) when set
	scoped  bool
	sel     eventKey // selected event, kept by identity
	matched int      // matches at the last sync, to follow insertions

	buf  []*fleet.Event
	cols eventCols
	now  time.Time
}

type eventKey struct{ platform, fleet, id string }

func keyOf(e *fleet.Event) eventKey { return eventKey{e.Ref.Platform, e.Ref.Fleet, e.ID} }

// NewEventsPane draws the store's events.
func NewEventsPane(st themes.Styles, keys Keys, store *fleet.Store) *EventsPane {
	p := &EventsPane{store: store}
	p.list = newList(st, keys, "2 Events", "text  level:error,warning  state:active  ack:no", p)
	return p
}

// SetScope narrows the list to one system's events when the scope toggle
// is on (the fleet pane's selection).
func (p *EventsPane) SetScope(ref fleet.Ref) { p.scope = ref.SystemRef() }

// ShortHelp is the footer while the pane has focus.
func (p *EventsPane) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Enter, p.keys.Filter, p.keys.Order, p.keys.Scope, p.keys.Ack}
}

// FullHelp lists the pane's keys.
func (p *EventsPane) FullHelp() [][]key.Binding {
	return [][]key.Binding{p.keys.nav(), {p.keys.Enter, p.keys.Filter, p.keys.Order, p.keys.Scope, p.keys.Ack}}
}

// ParseEventFilter turns the filter text into a query: level:, state: and
// ack: terms (comma lists allowed), the rest is free text.
func ParseEventFilter(s string) fleet.EventQuery {
	var q fleet.EventQuery
	var text []string
	for _, tok := range strings.Fields(s) {
		name, val, ok := strings.Cut(tok, ":")
		if !ok {
			text = append(text, tok)
			continue
		}
		switch strings.ToLower(name) {
		case "level", "l":
			var ls []fleet.Level
			for _, v := range strings.Split(strings.ToLower(val), ",") {
				switch v {
				case "error", "err", "e":
					ls = append(ls, fleet.LevelError)
				case "warning", "warn", "w":
					ls = append(ls, fleet.LevelWarning)
				case "info", "i":
					ls = append(ls, fleet.LevelInfo)
				case "success", "ok", "s":
					ls = append(ls, fleet.LevelSuccess)
				case "none":
					ls = append(ls, fleet.LevelNone)
				}
			}
			q.Levels = fleet.Levels(ls...)
		case "state", "s":
			var ss []fleet.EventState
			for _, v := range strings.Split(strings.ToLower(val), ",") {
				switch v {
				case "active", "a":
					ss = append(ss, fleet.StateActive)
				case "resolved", "r":
					ss = append(ss, fleet.StateResolved)
				case "none", "n", "-":
					ss = append(ss, fleet.StateNone)
				}
			}
			q.States = fleet.States(ss...)
		case "ack":
			switch strings.ToLower(val) {
			case "no", "n", "false", "not":
				q.Ack = fleet.AckNo
			case "yes", "y", "true":
				q.Ack = fleet.AckYes
			}
		default:
			text = append(text, tok)
		}
	}
	q.Text = strings.Join(text, " ")
	return q
}

func (p *EventsPane) query() fleet.EventQuery {
	q := ParseEventFilter(p.filter.value)
	q.Order = p.order
	if p.scoped {
		q.Entity = p.scope
	}
	return q
}

// Selection is the selected event.
func (p *EventsPane) Selection() Subject {
	p.sync()
	if p.sel.id == "" {
		return Subject{}
	}
	return Subject{Kind: SubjectEvent, Ref: fleet.Ref{Platform: p.sel.platform, Fleet: p.sel.fleet}, EventID: p.sel.id}
}

// paneKey handles the order and the scope.
func (p *EventsPane) paneKey(m tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(m, p.keys.Order):
		if p.order == fleet.NewestFirst {
			p.order = fleet.BySeverity
		} else {
			p.order = fleet.NewestFirst
		}
		p.reset()
	case key.Matches(m, p.keys.Scope):
		p.scoped = !p.scoped
		p.reset()
	}
	return nil
}

func (p *EventsPane) filterChanged() { p.reset() }

func (p *EventsPane) selectRow(int) { p.pick() }

func (p *EventsPane) reset() {
	p.cur.pos, p.cur.top = 0, 0
	p.sel = eventKey{}
	p.matched = -1
}

// pick makes the event under the cursor the selection.
func (p *EventsPane) pick() {
	p.buf, _ = p.store.EventsWindow(p.query(), p.cur.pos, 1, p.buf[:0])
	if len(p.buf) == 1 {
		p.sel = keyOf(p.buf[0])
	} else {
		p.sel = eventKey{}
	}
}

// anchorSpan is how far around its expected row the selection is looked
// for after insertions.
const anchorSpan = 32

// syncRows follows the newest event when the cursor is on the first row
// and the view is live; otherwise it keeps the selected event under the
// cursor as events arrive above it.
func (p *EventsPane) syncRows() {
	q := p.query()
	_, n := p.store.EventsWindow(q, 0, 0, p.buf[:0])
	p.cur.total = n
	follow := !p.paused && p.cur.pos == 0
	if !follow && p.sel.id != "" && p.matched >= 0 {
		delta := n - p.matched
		expect := p.cur.pos + max(delta, 0)
		from := max(expect-anchorSpan, 0)
		p.buf, _ = p.store.EventsWindow(q, from, 2*anchorSpan+1, p.buf[:0])
		for i, e := range p.buf {
			if keyOf(e) == p.sel {
				p.cur.shift(from + i - p.cur.pos)
				if from+i < p.cur.pos { // moved up (order change)
					p.cur.pos = from + i
				}
				break
			}
		}
	}
	p.matched = n
	p.cur.clamp()
	if follow || p.sel.id == "" {
		p.pick()
	}
}

// LevelWords is the glyph and word of a level.
func LevelWords(l fleet.Level, text string) (glyph, word string) {
	switch l {
	case fleet.LevelError:
		return "✖", "ERROR"
	case fleet.LevelWarning:
		return "▲", "WARN"
	case fleet.LevelInfo:
		return "•", "INFO"
	case fleet.LevelSuccess:
		return "✓", "OK"
	}
	if text != "" {
		return "·", strings.ToUpper(safe(text))
	}
	return "·", "-"
}

func (p *EventsPane) levelPaint(l fleet.Level) themes.Paint {
	switch l {
	case fleet.LevelError:
		return p.st.Error
	case fleet.LevelWarning:
		return p.st.Warn
	case fleet.LevelInfo:
		return p.st.Info
	case fleet.LevelSuccess:
		return p.st.OK
	}
	return p.st.Subtle
}

type eventCols struct{ level, model, entity, state, ack, age int }

// eventColumns lays out an events row. The model code is what tells
// events apart, so it comes first: it takes the width left by the fixed
// columns up to maxCode, keeping entityMin for the entity, which is the
// first to shrink (the detail names it in full). ack is as wide as its
// longest text ("✓ 3348037a 47h").
func eventColumns(inner int) eventCols {
	const maxCode, entityMin = 32, 8
	c := eventCols{level: 7, state: 8, ack: 15, age: 4}
	if inner < 70 {
		c.ack = 11
	}
	flex := inner - (1 + c.level + 1 + 1 + c.state + 1 + c.ack + 1 + c.age + 1 + 1)
	c.model = max(min(flex-entityMin, maxCode), 6)
	c.entity = max(flex-c.model, 6)
	return c
}

// fitRows moves the cells the visible codes leave unused (they need
// modelW) to the entity while it needs more (entityW): "Cold … 1" was cut
// beside a code column 21 cells wider than "overheat".
func (c eventCols) fitRows(modelW, entityW int) eventCols {
	spare := c.model - max(modelW, 6)
	if d := min(spare, entityW-c.entity); d > 0 {
		c.model -= d
		c.entity += d
	}
	return c
}

// fitMiddle fits a model code into w cells, eliding its middle: codes
// often share a prefix ("hvac-filter-clogged", "hvac-filter-replaced") and
// differ at the end, which a cut at the end would hide. The head keeps the
// larger part: it is what the eye reads and searches for.
func fitMiddle(s string, w int) string {
	s = safe(s)
	n := width(s)
	if n <= w || w < 5 {
		return fit(s, w)
	}
	tail := (w - 1) * 2 / 5
	head := w - 1 - tail
	if isPlainASCII(s) {
		return s[:head] + ellipsis + s[len(s)-tail:]
	}
	h := ansi.Truncate(s, head, "")
	t := ansi.TruncateLeft(s, n-tail, "")
	return fit(h+ellipsis+t, w)
}

// AckText says who acknowledged an event and when, or "not yet".
func AckText(e *fleet.Event, now time.Time) (string, bool) {
	switch {
	case e.Acked && e.AckUser != "":
		return "✓ " + shortID(e.AckUser, 8) + " " + Age(now, e.AckTime()), true
	case e.Acked:
		return "✓ acked " + Age(now, e.AckTime()), true
	case e.CanAck():
		return "not yet", false
	}
	return "-", false
}

// appendAck appends fit(AckText(e, now), w), the acknowledger's short id
// and the age written in place when the id is printable ASCII.
func appendAck(b []byte, e *fleet.Event, now time.Time, w int) []byte {
	who := ""
	if e.Acked && e.AckUser != "" {
		who = shortID(e.AckUser, 8)
	}
	if !e.Acked || !isPlainASCII(who) {
		ack, _ := AckText(e, now) // a constant, or the rare id to measure
		return appendFit(b, ack, w)
	}
	var tmp [48]byte
	a := append(tmp[:0], "✓ "...)
	if who != "" {
		a = append(append(a, who...), ' ')
	} else {
		a = append(a, "acked "...)
	}
	a = appendAge(a, now, e.AckTime())
	// ✓ is three bytes and one cell; the rest is ASCII.
	if n := len(a) - len("✓") + 1; n <= w {
		return appendSpaces(append(b, a...), w-n)
	}
	return appendFit(b, string(a), w)
}

// entityLabel is "system/component" by label, for an event's row.
func entityLabel(store *fleet.Store, ref fleet.Ref) string {
	sys, comp := entityParts(store, ref)
	if comp != "" {
		return sys + "/" + comp
	}
	return sys
}

// entityParts are the system's and the component's labels (terminal-safe;
// comp is "" for a system).
func entityParts(store *fleet.Store, ref fleet.Ref) (sys, comp string) {
	sys = ref.System
	if s := store.System(ref); s != nil {
		sys = s.Label()
	}
	if ref.Component != "" {
		comp = ref.Component
		if c := store.Component(ref); c != nil {
			comp = c.Label()
		}
	}
	return safe(sys), safe(comp)
}

// appendEventRow appends one event's row to b. A pure function of its
// arguments.
func appendEventRow(b []byte, st themes.Styles, c eventCols, inner int, e *fleet.Event, sys, comp string, now time.Time, selected bool, lp themes.Paint) []byte {
	glyph, word := LevelWords(e.Level, e.LevelText)
	state := e.StateText
	if e.State != fleet.StateNone {
		state = e.State.String()
	}
	if state == "" {
		state = "-"
	}
	when := e.Time()
	if when.IsZero() {
		when = e.FirstSeen()
	}
	statePaint, ackPaint := themes.Paint{}, themes.Paint{}
	switch e.State {
	case fleet.StateActive:
		statePaint = st.Warn
	case fleet.StateResolved:
		statePaint = st.OK
	}
	// AckText's cases: acknowledged, or "not yet" where it can be.
	if e.Acked {
		ackPaint = st.OK
	} else if e.CanAck() {
		ackPaint = st.Warn
	}
	r := newRow(b)
	r.lead(" ", 1)
	r.glyphCell(pick(lp, selected), glyph, word, c.level)
	r.midCell(themes.Paint{}, e.ModelCode, c.model)
	// The entity cell is fitEntity's, exactly c.entity wide.
	r.open(pick(st.Subtle, selected), c.entity)
	r.b = appendFitEntity(r.b, sys, comp, c.entity)
	r.close(pick(st.Subtle, selected))
	r.fitCell(pick(statePaint, selected), safe(state), c.state)
	r.open(pick(ackPaint, selected), c.ack)
	r.b = appendAck(r.b, e, now, c.ack)
	r.close(pick(ackPaint, selected))
	r.ageCell(themes.Paint{}, now, when, c.age)
	return r.line(inner)
}

func (p *EventsPane) head(b []byte, inner int) []byte {
	c := eventColumns(inner)
	// The columns fit the rows on screen, fetched here: the header is
	// drawn before them.
	modelW, entityW := 0, 0
	p.buf, _ = p.store.EventsWindow(p.query(), p.cur.top, p.cur.rows, p.buf[:0])
	for _, e := range p.buf {
		modelW = max(modelW, width(safe(e.ModelCode)))
		entityW = max(entityW, width(entityLabel(p.store, e.Ref)))
	}
	c = c.fitRows(modelW, entityW)
	p.cols, p.now = c, p.store.Now()
	r := newRow(b)
	r.lead(" ", 1)
	r.fitCell(themes.Paint{}, "level", c.level)
	r.fitCell(themes.Paint{}, "event", c.model)
	r.fitCell(themes.Paint{}, "entity", c.entity)
	r.fitCell(themes.Paint{}, "state", c.state)
	r.fitCell(themes.Paint{}, "ack", c.ack)
	r.rightCell(themes.Paint{}, "age", c.age)
	return r.line(inner)
}

func (p *EventsPane) window(top, n int) int {
	p.buf, _ = p.store.EventsWindow(p.query(), top, n, p.buf[:0])
	return len(p.buf)
}

func (p *EventsPane) row(b []byte, j, inner int, sel bool) []byte {
	e := p.buf[j]
	sys, comp := entityParts(p.store, e.Ref)
	return appendEventRow(b, p.st, p.cols, inner, e, sys, comp, p.now, sel, p.levelPaint(e.Level))
}

func (p *EventsPane) empty() string {
	if p.filter.value != "" || p.scoped {
		return "no event matches the filter"
	}
	return "no events yet"
}

func (p *EventsPane) info() string {
	cnt := p.store.EventCounts(p.query())
	s := fmt.Sprintf("%d active · %d unacked · %d", cnt.Active, cnt.Unacked, cnt.Matched)
	if p.order == fleet.BySeverity {
		s += " · by severity"
	}
	if p.scoped {
		s += " · " + entityLabel(p.store, p.scope)
	}
	return s + p.filterInfo()
}
