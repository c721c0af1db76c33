package views

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// TelemetryPane lists the datapoints, setpoints, telemetry and properties
// of the selected system (or of all systems): name, last value, unit, age
// and a sparkline of recent numeric values.
type TelemetryPane struct {
	st      themes.Styles
	keys    Keys
	store   *fleet.Store
	w, h    int
	focused bool
	filter  filterBox
	system  fleet.Ref // the fleet pane's selected system
	all     bool      // ignore the selection: every series
	cur     cursor
	sel     seriesKey

	buf []*fleet.Series
	pts []float64
}

type seriesKey struct {
	ref  fleet.Ref
	kind fleet.SeriesKind
	name string
}

// NewTelemetryPane draws the store's series.
func NewTelemetryPane(st themes.Styles, keys Keys, store *fleet.Store) *TelemetryPane {
	return &TelemetryPane{st: st, keys: keys, store: store, filter: newFilterBox(st, "name")}
}

// SetStyles switches the theme.
func (p *TelemetryPane) SetStyles(st themes.Styles) { p.st = st; p.filter.setStyles(st) }

// SetSize sets the outer size, border included.
func (p *TelemetryPane) SetSize(w, h int) { p.w, p.h = w, h; p.cur.rows = max(h-3, 0) }

// Focus marks the pane focused.
func (p *TelemetryPane) Focus() { p.focused = true }

// Blur marks the pane unfocused.
func (p *TelemetryPane) Blur() { p.focused = false }

// SetSystem follows the fleet pane's selection.
func (p *TelemetryPane) SetSystem(ref fleet.Ref) {
	ref = ref.SystemRef()
	if ref != p.system {
		p.system = ref
		if !p.all {
			p.cur.pos, p.cur.top = 0, 0
			p.sel = seriesKey{}
		}
	}
}

// Capturing reports whether the filter input takes the keys.
func (p *TelemetryPane) Capturing() bool { return p.filter.active }

// InputView is the filter input line.
func (p *TelemetryPane) InputView(w int) string { return p.filter.view(w) }

// ClearFilter drops the filter; it reports whether there was one.
func (p *TelemetryPane) ClearFilter() bool { return p.filter.clear() }

// ShortHelp is the footer while the pane has focus.
func (p *TelemetryPane) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Enter, p.keys.Filter, p.keys.Scope}
}

// FullHelp lists the pane's keys.
func (p *TelemetryPane) FullHelp() [][]key.Binding {
	return [][]key.Binding{p.keys.nav(), {p.keys.Enter, p.keys.Filter, p.keys.Scope}}
}

func (p *TelemetryPane) query() fleet.SeriesQuery {
	q := fleet.SeriesQuery{Text: p.filter.value}
	if !p.all {
		q.Entity = p.system
	}
	return q
}

// Selection is the selected series.
func (p *TelemetryPane) Selection() Subject {
	p.sync()
	if p.sel.name == "" && p.cur.total > 0 {
		p.pick()
	}
	if p.sel.name == "" {
		return Subject{}
	}
	return Subject{Kind: SubjectSeries, Ref: p.sel.ref, Series: p.sel.name, SeriesKind: p.sel.kind}
}

// Update handles keys and the mouse wheel.
func (p *TelemetryPane) Update(msg tea.Msg) tea.Cmd {
	if p.filter.active {
		changed, cmd := p.filter.update(msg)
		if changed {
			p.cur.pos, p.cur.top = 0, 0
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
	case tea.KeyPressMsg:
		switch {
		case p.cur.move(m, p.keys):
		case key.Matches(m, p.keys.Filter):
			return p.filter.start()
		case key.Matches(m, p.keys.Scope):
			p.all = !p.all
			p.cur.pos, p.cur.top = 0, 0
		}
	}
	p.pick()
	return nil
}

// ClickRow selects the row at body line y.
func (p *TelemetryPane) ClickRow(y int) {
	p.sync()
	p.cur.pos = p.cur.top + y
	p.cur.clamp()
	p.pick()
}

func (p *TelemetryPane) pick() {
	p.buf, _ = p.store.SeriesWindow(p.query(), p.cur.pos, 1, p.buf[:0])
	if len(p.buf) == 1 {
		s := p.buf[0]
		p.sel = seriesKey{s.Ref, s.Kind, s.Name}
	} else {
		p.sel = seriesKey{}
	}
}

// sync counts the rows; the order (entity, kind, name) is stable, so the
// cursor stays put.
func (p *TelemetryPane) sync() {
	_, n := p.store.SeriesWindow(p.query(), 0, 0, p.buf[:0])
	p.cur.total, p.cur.rows = n, max(p.h-3, 0)
	p.cur.clamp()
}

type seriesCols struct{ entity, name, value, unit, age, spark, kind int }

func seriesColumns(inner int, all bool) seriesCols {
	c := seriesCols{value: 12, unit: 5, age: 4, spark: 16, kind: 3}
	switch {
	case inner < 60:
		c.spark, c.value, c.unit, c.age = 6, 8, 4, 3
	case inner < 70:
		c.spark, c.value, c.unit = 8, 9, 4
	}
	flex := inner - (1 + c.value + 1 + c.unit + 1 + c.age + 1 + c.spark + 1 + c.kind + 1 + 1)
	if all && flex >= 24 {
		c.entity = flex * 2 / 5
		flex -= c.entity + 1
	} else if all && flex < 24 {
		c.spark = max(c.spark-(24-flex), 4)
		flex = inner - (1 + c.value + 1 + c.unit + 1 + c.age + 1 + c.spark + 1 + c.kind + 1 + 1)
	}
	c.name = max(flex, 6)
	return c
}

// kindTag is a three-letter tag of a series kind.
func kindTag(k fleet.SeriesKind) string {
	switch k {
	case fleet.SeriesDatapoint:
		return "dp"
	case fleet.SeriesTelemetry:
		return "tel"
	case fleet.SeriesSetpoint:
		return "set"
	case fleet.SeriesConfig:
		return "cfg"
	}
	return "prp"
}

// seriesRow renders one series. A pure function of its arguments.
func seriesRow(st themes.Styles, c seriesCols, inner int, s *fleet.Series, entity string, pts []float64, now time.Time, selected bool) string {
	val := s.Text
	if val == "" {
		val = s.Last.Text()
	}
	name := s.Name
	if s.Ref.Component != "" {
		name = s.Ref.Component + "." + name
	}
	var r rowBuilder
	r.lead(" ", 1)
	r.cell(paintIf(st.Subtle, fit(kindTag(s.Kind), c.kind), selected), c.kind)
	if c.entity > 0 {
		r.cell(fit(entity, c.entity), c.entity)
	}
	r.cell(safeFit(name, c.name), c.name)
	r.cell(fitRight(safe(val), c.value), c.value)
	r.cell(safeFit(s.Unit, c.unit), c.unit)
	r.cell(paintIf(st.Subtle, fitRight(Age(now, s.LastSeen), c.age), selected), c.age)
	r.cell(paintIf(st.Spark, Sparkline(pts, c.spark), selected), c.spark)
	return r.line(inner)
}

// View draws the visible rows only.
func (p *TelemetryPane) View() string {
	if p.w < 4 || p.h < 3 {
		return ""
	}
	p.sync()
	inner := p.w - 2
	c := seriesColumns(inner, p.all || p.system.System == "")
	now := p.store.Now()
	head := []string{fit("", c.kind)}
	if c.entity > 0 {
		head = append(head, fit("entity", c.entity))
	}
	head = append(head, fit("name", c.name), fitRight("value", c.value), fit("unit", c.unit), fitRight("age", c.age), fit("recent", c.spark))
	lines := []string{p.st.Header.Render(fit(" "+joinCells(head), inner))}
	p.buf, _ = p.store.SeriesWindow(p.query(), p.cur.top, p.cur.rows, p.buf[:0])
	for i, s := range p.buf {
		sel := p.cur.top+i == p.cur.pos
		p.pts = s.Points(p.pts[:0])
		ent := ""
		if c.entity > 0 {
			ent = entityLabel(p.store, s.Ref.SystemRef())
		}
		lines = append(lines, selPaint(p.st, seriesRow(p.st, c, inner, s, ent, p.pts, now, sel), sel, p.focused))
	}
	if p.cur.total == 0 {
		msg := "no telemetry yet"
		switch {
		case p.filter.value != "":
			msg = "no series matches the filter"
		case !p.all && p.system.System != "":
			msg = "nothing from this system yet (A: all systems)"
		}
		lines = append(lines, placeholder(p.st, msg, inner))
	}
	return frame(p.st, p.focused, p.w, p.h, "3 Telemetry", p.info(), lines)
}

func (p *TelemetryPane) info() string {
	s := fmt.Sprintf("%d", p.cur.total)
	if p.all || p.system.System == "" {
		s += " · all systems"
	} else {
		s += " · " + entityLabel(p.store, p.system)
	}
	if p.filter.value != "" {
		s += " · /" + safe(p.filter.value)
	}
	return s
}
