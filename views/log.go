package views

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// LogPane is the raw message log, newest first: time, QoS, retain flag,
// format, topic, size and a one-line summary of the payload. The filter is
// an MQTT topic filter (with + or #, or after "t:") and/or free text.
type LogPane struct {
	st      themes.Styles
	keys    Keys
	store   *fleet.Store
	w, h    int
	focused bool
	paused  bool
	filter  filterBox
	lf      fleet.LogFilter
	bad     string // why the topic filter is invalid, shown in the title
	cur     cursor
	anchor  seqAnchor

	buf []*fleet.LogEntry
	one []*fleet.LogEntry
}

// NewLogPane draws the store's raw log.
func NewLogPane(st themes.Styles, keys Keys, store *fleet.Store) *LogPane {
	return &LogPane{st: st, keys: keys, store: store,
		filter: newFilterBox(st, "text, or a topic filter: t:drivr/+/systems/#")}
}

// SetStyles switches the theme.
func (p *LogPane) SetStyles(st themes.Styles) { p.st = st; p.filter.setStyles(st) }

// SetSize sets the outer size, border included.
func (p *LogPane) SetSize(w, h int) { p.w, p.h = w, h; p.cur.rows = max(h-3, 0) }

// Focus marks the pane focused.
func (p *LogPane) Focus() { p.focused = true }

// Blur marks the pane unfocused.
func (p *LogPane) Blur() { p.focused = false }

// SetPaused freezes the list's position while messages arrive.
func (p *LogPane) SetPaused(v bool) { p.paused = v }

// Capturing reports whether the filter input takes the keys.
func (p *LogPane) Capturing() bool { return p.filter.active }

// InputView is the filter input line.
func (p *LogPane) InputView(w int) string { return p.filter.view(w) }

// ClearFilter drops the filter; it reports whether there was one.
func (p *LogPane) ClearFilter() bool {
	had := p.filter.clear()
	p.setFilter("")
	return had
}

// ShortHelp is the footer while the pane has focus.
func (p *LogPane) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Enter, p.keys.Filter}
}

// FullHelp lists the pane's keys.
func (p *LogPane) FullHelp() [][]key.Binding {
	return [][]key.Binding{p.keys.nav(), {p.keys.Enter, p.keys.Filter}}
}

// ParseLogFilter splits the filter text: a term after "t:" or "topic:", or
// one holding + or #, is the MQTT topic filter; the rest is free text.
func ParseLogFilter(s string) fleet.LogFilter {
	var f fleet.LogFilter
	var text []string
	for _, tok := range strings.Fields(s) {
		switch {
		case strings.HasPrefix(tok, "t:"):
			f.Topic = tok[2:]
		case strings.HasPrefix(tok, "topic:"):
			f.Topic = tok[6:]
		case strings.ContainsAny(tok, "+#") && f.Topic == "":
			f.Topic = tok
		default:
			text = append(text, tok)
		}
	}
	f.Text = strings.Join(text, " ")
	return f
}

func (p *LogPane) setFilter(v string) {
	p.lf = ParseLogFilter(v)
	p.bad = ""
	if p.lf.Topic != "" {
		if err := fleet.ValidTopicFilter(p.lf.Topic); err != nil {
			p.bad = "invalid topic filter"
		}
	}
	p.cur.pos, p.cur.top = 0, 0
	p.anchor.seq = 0
}

func (p *LogPane) at(i int) uint64 {
	p.one, _ = p.store.LogWindow(p.lf, i, 1, p.one[:0])
	if len(p.one) == 0 {
		return 0
	}
	return p.one[0].Seq
}

func (p *LogPane) sync() {
	_, n := p.store.LogWindow(p.lf, 0, 0, p.one[:0])
	p.cur.rows = max(p.h-3, 0)
	p.anchor.sync(&p.cur, n, p.paused, p.at)
}

// Selection is the selected entry (a copy: it stays readable if evicted).
func (p *LogPane) Selection() Subject {
	p.sync()
	p.one, _ = p.store.LogWindow(p.lf, p.cur.pos, 1, p.one[:0])
	if len(p.one) == 0 {
		return Subject{}
	}
	e := *p.one[0]
	r := e.Item.Route
	return Subject{Kind: SubjectLog, Ref: fleet.Ref{Platform: r.Platform, Fleet: r.Fleet, System: r.System, Component: r.Component}, Log: e}
}

// Update handles keys and the mouse wheel.
func (p *LogPane) Update(msg tea.Msg) tea.Cmd {
	if p.filter.active {
		changed, cmd := p.filter.update(msg)
		if changed {
			p.setFilter(p.filter.value)
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
		if key.Matches(m, p.keys.Filter) {
			return p.filter.start()
		}
		p.cur.move(m, p.keys)
	}
	p.anchor.seq = p.at(p.cur.pos)
	return nil
}

// ClickRow selects the row at body line y.
func (p *LogPane) ClickRow(y int) {
	p.sync()
	p.cur.pos = p.cur.top + y
	p.cur.clamp()
	p.anchor.seq = p.at(p.cur.pos)
}

type logCols struct{ time, flags, format, topic, size, summary int }

func logColumns(inner int) logCols {
	c := logCols{time: 8, flags: 3, format: 4, size: 5}
	if inner < 70 {
		c.format = 0
	}
	flex := inner - (1 + c.time + 1 + c.flags + 1 + c.size + 1 + 1)
	if c.format > 0 {
		flex -= c.format + 1
	}
	c.topic = max(flex/2, 10)
	c.summary = max(flex-c.topic-1, 6)
	return c
}

// Size formats a byte count: 312, 4.2k, 1.5M.
func Size(n int) string {
	switch {
	case n < 10_000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}

// formatTag is the short name of a payload format.
func formatTag(f decode.Format) string {
	switch f {
	case decode.FormatJSON:
		return "json"
	case decode.FormatMsgPack:
		return "mpk"
	case decode.FormatCloudEvents:
		return "ce"
	case decode.FormatText:
		return "text"
	case decode.FormatBinary:
		return "bin"
	}
	return string(f)
}

// logRow renders one entry. A pure function of the entry.
func logRow(st themes.Styles, c logCols, inner int, e *fleet.LogEntry, selected bool) string {
	m := &e.Item.Msg
	flags := []byte{'0' + m.QoS%3, ' ', ' '}
	if m.Retain {
		flags[1] = 'R'
	}
	if m.Dup {
		flags[2] = 'D'
	}
	var summary string
	switch {
	case e.Redacted:
		summary = "(credentials: payload not kept)"
	case e.Dropped:
		summary = "(payload dropped: log memory cap)"
	default:
		summary = decode.Summary(e.Item.Value, c.summary)
	}
	var r rowBuilder
	r.lead(" ", 1)
	r.cell(paintIf(st.Subtle, m.Received.Format("15:04:05"), selected), 8)
	r.cell(string(flags), 3)
	if c.format > 0 {
		r.cell(paintIf(st.Accent, fit(formatTag(e.Item.Value.Format), c.format), selected), c.format)
	}
	r.cell(topicFit(m.Topic, c.topic), c.topic)
	r.cell(paintIf(st.Subtle, fitRight(Size(e.Item.Value.Size), c.size), selected), c.size)
	r.cell(fit(summary, c.summary), c.summary)
	return r.line(inner)
}

// View draws the visible rows only.
func (p *LogPane) View() string {
	if p.w < 4 || p.h < 3 {
		return ""
	}
	p.sync()
	inner := p.w - 2
	c := logColumns(inner)
	head := []string{fit("time", c.time), fit("qrd", c.flags)}
	if c.format > 0 {
		head = append(head, fit("fmt", c.format))
	}
	head = append(head, fit("topic", c.topic), fitRight("size", c.size), fit("payload", c.summary))
	lines := []string{p.st.Header.Render(fit(" "+joinCells(head), inner))}
	p.buf, _ = p.store.LogWindow(p.lf, p.cur.top, p.cur.rows, p.buf[:0])
	for i, e := range p.buf {
		sel := p.cur.top+i == p.cur.pos
		lines = append(lines, selPaint(p.st, logRow(p.st, c, inner, e, sel), sel, p.focused))
	}
	if p.cur.total == 0 {
		msg := "no messages yet"
		if p.filter.value != "" {
			msg = "no message matches the filter"
		}
		lines = append(lines, placeholder(p.st, msg, inner))
	}
	info := fmt.Sprintf("%d", p.cur.total)
	if p.filter.value != "" {
		info += " · /" + safe(p.filter.value)
	}
	if p.bad != "" {
		info += " · " + p.bad
	}
	return frame(p.st, p.focused, p.w, p.h, "5 Log", info, lines)
}
