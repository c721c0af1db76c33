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
	list
	store  *fleet.Store
	system fleet.Ref // the fleet pane's selected system
	all    bool      // ignore the selection: every series
	sel    seriesKey

	buf  []*fleet.Series
	pts  []float64
	cols seriesCols
	now  time.Time
}

type seriesKey struct {
	ref  fleet.Ref
	kind fleet.SeriesKind
	name string
}

// NewTelemetryPane draws the store's series.
func NewTelemetryPane(st themes.Styles, keys Keys, store *fleet.Store) *TelemetryPane {
	p := &TelemetryPane{store: store}
	p.list = newList(st, keys, "3 Telemetry", "name, component or (all systems) system", p)
	return p
}

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

// paneKey handles the scope; any key re-reads the row under the cursor.
func (p *TelemetryPane) paneKey(m tea.KeyPressMsg) tea.Cmd {
	if key.Matches(m, p.keys.Scope) {
		p.all = !p.all
		p.cur.pos, p.cur.top = 0, 0
	}
	p.pick()
	return nil
}

func (p *TelemetryPane) selectRow(int) { p.pick() }

func (p *TelemetryPane) pick() {
	p.buf, _ = p.store.SeriesWindow(p.query(), p.cur.pos, 1, p.buf[:0])
	if len(p.buf) == 1 {
		s := p.buf[0]
		p.sel = seriesKey{s.Ref, s.Kind, s.Name}
	} else {
		p.sel = seriesKey{}
	}
}

// syncRows counts the rows; the order (entity, kind, name) is stable, so
// the cursor stays put.
func (p *TelemetryPane) syncRows() {
	_, n := p.store.SeriesWindow(p.query(), 0, 0, p.buf[:0])
	p.cur.total = n
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
	fixed := func() int {
		n := 1 + c.value + 1 + c.unit + 1 + c.age + 1 + c.kind + 1 + 1
		if c.spark > 0 {
			n += c.spark + 1
		}
		return n
	}
	flex := inner - fixed()
	if all {
		// All systems: the entity tells rows apart (every system has an
		// hvac-1.target-temperature), so the sparkline gives way first.
		if flex < 24 {
			c.spark = max(c.spark-(24-flex), 4)
			if flex = inner - fixed(); flex < 20 {
				c.spark = 0
				flex = inner - fixed()
			}
		}
		c.entity = max(flex*2/5, 6)
		flex -= c.entity + 1
	}
	c.name = max(flex, 6)
	return c
}

// minNameCols is what a series name keeps when the value or the unit needs
// more room: elided in the middle (fitDotted) it still tells rows apart.
const minNameCols = 10

// fitFacts widens the unit, then the value, to what the visible rows need
// (up to maxUnitCols, maxValueCols): the value and its unit are the fact a
// row states ("5 people", not "5 peo…"). The cells come from the
// sparkline, then from the name down to minNameCols (its middle is what
// elision can spare), then from the entity down to its minimum.
func (c seriesCols) fitFacts(valueW, unitW int) seriesCols {
	const maxUnitCols, maxValueCols, minEntityCols = 10, 20, 8
	take := func(need int) int {
		got := 0
		if d := min(need, c.spark); d > 0 {
			c.spark -= d
			got += d
			if c.spark == 0 { // its separator is free too
				c.name++
			}
		}
		if d := min(need-got, c.name-minNameCols); d > 0 {
			c.name -= d
			got += d
		}
		if d := min(need-got, c.entity-minEntityCols); c.entity > 0 && d > 0 {
			c.entity -= d
			got += d
		}
		return got
	}
	if d := min(unitW, maxUnitCols) - c.unit; d > 0 {
		c.unit += take(d)
	}
	if d := min(valueW, maxValueCols) - c.value; d > 0 {
		c.value += take(d)
	}
	if c.spark > 0 && c.spark < minSparkCols { // says nothing: give it to the name
		c.name += c.spark + 1
		c.spark = 0
	}
	return c
}

// minSparkCols is the narrowest sparkline worth its column ("recent").
const minSparkCols = 4

// seriesValue is the value a row shows: the last as short text.
func seriesValue(s *fleet.Series) string {
	if s.Text != "" {
		return s.Text
	}
	return s.Last.Text()
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

// appendSeriesRow appends one series' row to b. A pure function of its
// arguments.
func appendSeriesRow(b []byte, st themes.Styles, c seriesCols, inner int, s *fleet.Series, entity string, pts []float64, now time.Time, selected bool) []byte {
	val := seriesValue(s)
	r := newRow(b)
	r.lead(" ", 1)
	r.fitCell(pick(st.Subtle, selected), kindTag(s.Kind), c.kind)
	if c.entity > 0 {
		r.midCell(themes.Paint{}, entity, c.entity)
	}
	r.open(themes.Paint{}, c.name)
	r.b = appendFitDotted(r.b, s.Ref.Component, s.Name, c.name)
	r.rightCell(themes.Paint{}, safe(val), c.value)
	r.fitCell(themes.Paint{}, safe(s.Unit), c.unit)
	r.ageCell(pick(st.Subtle, selected), now, s.LastSeen, c.age)
	if c.spark > 0 {
		r.sparkCell(pick(st.Spark, selected), pts, c.spark)
	}
	return r.line(inner)
}

func (p *TelemetryPane) head(b []byte, inner int) []byte {
	c := seriesColumns(inner, p.all || p.system.System == "")
	// The columns fit the rows on screen, fetched here: the header is
	// drawn before them.
	valueW, unitW := 0, 0
	p.buf, _ = p.store.SeriesWindow(p.query(), p.cur.top, p.cur.rows, p.buf[:0])
	for _, s := range p.buf {
		// A number cut is a different number; text and lists are cut
		// visibly ("…") and may not take the names' room.
		if _, ok := s.Number(); ok {
			valueW = max(valueW, width(safe(seriesValue(s))))
		}
		unitW = max(unitW, width(safe(s.Unit)))
	}
	c = c.fitFacts(valueW, unitW)
	p.cols, p.now = c, p.store.Now()
	r := newRow(b)
	r.lead(" ", 1)
	r.fitCell(themes.Paint{}, "", c.kind)
	if c.entity > 0 {
		r.fitCell(themes.Paint{}, "entity", c.entity)
	}
	r.fitCell(themes.Paint{}, "name", c.name)
	r.rightCell(themes.Paint{}, "value", c.value)
	r.fitCell(themes.Paint{}, "unit", c.unit)
	r.rightCell(themes.Paint{}, "age", c.age)
	if c.spark > 0 {
		r.fitCell(themes.Paint{}, "recent", c.spark)
	}
	return r.line(inner)
}

func (p *TelemetryPane) window(top, n int) int {
	p.buf, _ = p.store.SeriesWindow(p.query(), top, n, p.buf[:0])
	return len(p.buf)
}

func (p *TelemetryPane) row(b []byte, j, inner int, sel bool) []byte {
	s := p.buf[j]
	p.pts = s.Points(p.pts[:0])
	ent := ""
	if p.cols.entity > 0 {
		ent = entityLabel(p.store, s.Ref.SystemRef())
	}
	return appendSeriesRow(b, p.st, p.cols, inner, s, ent, p.pts, p.now, sel)
}

func (p *TelemetryPane) empty() string {
	switch {
	case p.filter.value != "":
		return "no series matches the filter"
	case !p.all && p.system.System != "":
		return "nothing from this system yet (A: all systems)"
	}
	return "no telemetry yet"
}

func (p *TelemetryPane) info() string {
	s := fmt.Sprintf("%d", p.cur.total)
	if p.all || p.system.System == "" {
		s += " · all systems"
	} else {
		s += " · " + entityLabel(p.store, p.system)
	}
	return s + p.filterInfo()
}
