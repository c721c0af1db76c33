package views

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// LogPane is the raw message log, newest first: time, QoS, retain flag,
// format, topic, size and a one-line summary of the payload. The filter is
// an MQTT topic filter (with + or #, or after "t:") and/or free text.
type LogPane struct {
	list
	store *fleet.Store
	lf    fleet.LogFilter
	lfFor string // the filter text lf was parsed from
	bad   string // why the topic filter is invalid, shown in the title

	buf  []*fleet.LogEntry
	one  []*fleet.LogEntry
	cols logCols
}

// NewLogPane draws the store's raw log.
func NewLogPane(st themes.Styles, keys Keys, store *fleet.Store) *LogPane {
	p := &LogPane{store: store}
	p.list = newList(st, keys, "5 Log", "text, or a topic filter: t:drivr/+/systems/#", p)
	return p
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

// logFilter is the filter in force, parsed once per change of its text.
func (p *LogPane) logFilter() fleet.LogFilter {
	if v := p.filter.value; v != p.lfFor {
		p.lf, p.lfFor, p.bad = ParseLogFilter(v), v, ""
		if p.lf.Topic != "" {
			if err := fleet.ValidTopicFilter(p.lf.Topic); err != nil {
				p.bad = "invalid topic filter"
			}
		}
	}
	return p.lf
}

func (p *LogPane) at(i int) uint64 {
	p.one, _ = p.store.LogWindow(p.logFilter(), i, 1, p.one[:0])
	if len(p.one) == 0 {
		return 0
	}
	return p.one[0].Seq
}

func (p *LogPane) syncRows() {
	_, n := p.store.LogWindow(p.logFilter(), 0, 0, p.one[:0])
	p.anchor.sync(&p.cur, n, p.paused, p.at)
}

func (p *LogPane) selectRow(i int) { p.anchor.seq = p.at(i) }

// Selection is the selected entry (a copy: it stays readable if evicted).
func (p *LogPane) Selection() Subject {
	p.sync()
	p.one, _ = p.store.LogWindow(p.logFilter(), p.cur.pos, 1, p.one[:0])
	if len(p.one) == 0 {
		return Subject{}
	}
	e := *p.one[0]
	r := e.Item.Route
	return Subject{Kind: SubjectLog, Ref: fleet.Ref{Platform: r.Platform, Fleet: r.Fleet, System: r.System, Component: r.Component}, Log: e}
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
func Size(n int) string { return string(appendSize(nil, n)) }

// appendSize appends Size(n).
func appendSize(b []byte, n int) []byte {
	switch {
	case n < 10_000:
		return strconv.AppendInt(b, int64(n), 10)
	case n < 1_000_000:
		return append(strconv.AppendFloat(b, float64(n)/1e3, 'f', 1, 64), 'k')
	}
	return append(strconv.AppendFloat(b, float64(n)/1e6, 'f', 1, 64), 'M')
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

// appendLogRow appends one entry's row to b. A pure function of the entry.
func appendLogRow(b []byte, st themes.Styles, c logCols, inner int, e *fleet.LogEntry, selected bool) []byte {
	m := &e.Item.Msg
	flags := [3]byte{'0' + m.QoS%3, ' ', ' '}
	if m.Retain {
		flags[1] = 'R'
	}
	if m.Dup {
		flags[2] = 'D'
	}
	var summary string
	switch {
	case e.Redacted && len(e.Item.Value.Warnings) > 0:
		summary = "(not understood, a bug: payload not kept)" // ingest.Understood
	case e.Redacted:
		summary = "(credentials: payload not kept)"
	case e.Dropped:
		summary = "(payload dropped: log memory cap)"
	default:
		summary = decode.Summary(e.Item.Value, c.summary)
	}
	r := newRow(b)
	r.lead(" ", 1)
	sp := pick(st.Subtle, selected)
	r.open(sp, 8)
	r.b = m.Received.AppendFormat(r.b, "15:04:05")
	r.close(sp)
	r.open(themes.Paint{}, 3)
	r.b = append(r.b, flags[:]...)
	r.close(themes.Paint{})
	if c.format > 0 {
		r.fitCell(pick(st.Accent, selected), formatTag(e.Item.Value.Format), c.format)
	}
	r.open(themes.Paint{}, c.topic)
	r.b = appendTopicFit(r.b, m.Topic, c.topic)
	var tmp [24]byte
	r.open(sp, c.size)
	if c.size > 0 {
		r.b = appendRightASCII(r.b, appendSize(tmp[:0], e.Item.Value.Size), c.size)
	}
	r.close(sp)
	r.fitCell(themes.Paint{}, summary, c.summary)
	return r.line(inner)
}

func (p *LogPane) head(b []byte, inner int) []byte {
	c := logColumns(inner)
	p.cols = c
	r := newRow(b)
	r.lead(" ", 1)
	r.fitCell(themes.Paint{}, "time", c.time)
	r.fitCell(themes.Paint{}, "qrd", c.flags)
	if c.format > 0 {
		r.fitCell(themes.Paint{}, "fmt", c.format)
	}
	r.fitCell(themes.Paint{}, "topic", c.topic)
	r.rightCell(themes.Paint{}, "size", c.size)
	r.fitCell(themes.Paint{}, "payload", c.summary)
	return r.line(inner)
}

func (p *LogPane) window(top, n int) int {
	p.buf, _ = p.store.LogWindow(p.logFilter(), top, n, p.buf[:0])
	return len(p.buf)
}

func (p *LogPane) row(b []byte, j, inner int, sel bool) []byte {
	return appendLogRow(b, p.st, p.cols, inner, p.buf[j], sel)
}

func (p *LogPane) empty() string {
	if p.filter.value != "" {
		return "no message matches the filter"
	}
	return "no messages yet"
}

func (p *LogPane) info() string {
	info := fmt.Sprintf("%d", p.cur.total) + p.filterInfo()
	if p.bad != "" {
		info += " · " + p.bad
	}
	return info
}
