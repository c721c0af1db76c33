package views

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// ErrorsPane lists error reports newest first: the platform's error topics
// (DRIVR's SOME_DATA_INVALID with stats and per-item errors), decode
// failures, refused subscriptions and failed publishes, each with the input
// topic it answers.
type ErrorsPane struct {
	st      themes.Styles
	keys    Keys
	store   *fleet.Store
	w, h    int
	focused bool
	paused  bool
	cur     cursor
	anchor  seqAnchor

	buf []*fleet.ErrorReport
	one []*fleet.ErrorReport
}

// NewErrorsPane draws the store's error reports.
func NewErrorsPane(st themes.Styles, keys Keys, store *fleet.Store) *ErrorsPane {
	return &ErrorsPane{st: st, keys: keys, store: store}
}

// SetStyles switches the theme.
func (p *ErrorsPane) SetStyles(st themes.Styles) { p.st = st }

// SetSize sets the outer size, border included.
func (p *ErrorsPane) SetSize(w, h int) { p.w, p.h = w, h; p.cur.rows = max(h-3, 0) }

// Focus marks the pane focused.
func (p *ErrorsPane) Focus() { p.focused = true }

// Blur marks the pane unfocused.
func (p *ErrorsPane) Blur() { p.focused = false }

// SetPaused freezes the list's position while reports arrive.
func (p *ErrorsPane) SetPaused(v bool) { p.paused = v }

// ShortHelp is the footer while the pane has focus.
func (p *ErrorsPane) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Enter}
}

// FullHelp lists the pane's keys.
func (p *ErrorsPane) FullHelp() [][]key.Binding {
	return [][]key.Binding{p.keys.nav(), {p.keys.Enter}}
}

func (p *ErrorsPane) at(i int) uint64 {
	p.one, _ = p.store.ErrorsWindow(i, 1, p.one[:0])
	if len(p.one) == 0 {
		return 0
	}
	return p.one[0].Seq
}

func (p *ErrorsPane) sync() {
	_, n := p.store.ErrorsWindow(0, 0, p.one[:0])
	p.cur.rows = max(p.h-3, 0)
	p.anchor.sync(&p.cur, n, p.paused, p.at)
}

// Selection is the selected report (a copy: it stays readable if evicted).
func (p *ErrorsPane) Selection() Subject {
	p.sync()
	p.one, _ = p.store.ErrorsWindow(p.cur.pos, 1, p.one[:0])
	if len(p.one) == 0 {
		return Subject{}
	}
	return Subject{Kind: SubjectError, Ref: p.one[0].Ref, Error: *p.one[0]}
}

// Update handles keys and the mouse wheel.
func (p *ErrorsPane) Update(msg tea.Msg) tea.Cmd {
	p.sync()
	switch m := msg.(type) {
	case tea.MouseWheelMsg:
		if m.Button == tea.MouseWheelDown {
			p.cur.wheel(3)
		} else if m.Button == tea.MouseWheelUp {
			p.cur.wheel(-3)
		}
	case tea.KeyPressMsg:
		p.cur.move(m, p.keys)
	}
	p.anchor.seq = p.at(p.cur.pos)
	return nil
}

// ClickRow selects the row at body line y.
func (p *ErrorsPane) ClickRow(y int) {
	p.sync()
	p.cur.pos = p.cur.top + y
	p.cur.clamp()
	p.anchor.seq = p.at(p.cur.pos)
}

type errorCols struct{ age, source, code, input, msg int }

func errorColumns(inner int) errorCols {
	c := errorCols{age: 4, source: 9, code: 18}
	if inner < 70 {
		c.source, c.code = 0, 14
	}
	flex := inner - (1 + c.age + 1 + c.code + 1 + 1)
	if c.source > 0 {
		flex -= c.source + 1
	}
	c.input = max(flex*9/20, 8)
	c.msg = max(flex-c.input-1, 6)
	return c
}

// tailFit keeps the end of a topic, which says most: "…/s/792b…/json/error".
func tailFit(s string, w int) string {
	s = safe(s)
	if width(s) <= w {
		return fit(s, w)
	}
	if isPlainASCII(s) && w > 1 {
		return ellipsis + s[len(s)-(w-1):]
	}
	r := []rune(s)
	for len(r) > 0 && width(string(r))+1 > w {
		r = r[1:]
	}
	return fit(ellipsis+string(r), w)
}

// topicFit shows a long topic's first level and as much of its end as
// fits: "drivr/…/events/5c39a4e0-9813-4e7e-90dd-ac621ae8c6dd".
func topicFit(topic string, w int) string {
	topic = safe(topic)
	if width(topic) <= w {
		return fit(topic, w)
	}
	first, _, ok := strings.Cut(topic, "/")
	if !ok || width(first)+8 > w {
		return tailFit(topic, w)
	}
	return first + "/" + tailFit(topic, w-width(first)-1)
}

// errorRow renders one report. A pure function of its arguments.
func errorRow(st themes.Styles, c errorCols, inner int, e *fleet.ErrorReport, now time.Time, selected bool) string {
	topic := e.Input
	if topic == "" {
		topic = e.Topic
	}
	msg := e.Message
	if e.Stats != nil {
		msg = fmt.Sprintf("%s (%d of %d failed)", msg, e.Stats.Errors, e.Stats.Total)
	}
	if len(e.Lines) > 0 {
		msg += " · " + e.Lines[0]
	}
	if e.Count > 1 {
		msg = fmt.Sprintf("×%d %s", e.Count, msg)
	}
	code := e.Code
	if code == "" {
		code = string(e.Source)
	}
	var r rowBuilder
	r.lead(" ", 1)
	r.cell(paintIf(st.Subtle, fitRight(Age(now, e.Time), c.age), selected), c.age)
	if c.source > 0 {
		r.cell(fit(string(e.Source), c.source), c.source)
	}
	r.cell(paintIf(st.Error, fit("✖ "+safe(code), c.code), selected), c.code)
	r.cell(paintIf(st.Subtle, tailFit(topic, c.input), selected), c.input)
	r.cell(fit(safe(strings.TrimSpace(msg)), c.msg), c.msg)
	return r.line(inner)
}

// View draws the visible rows only.
func (p *ErrorsPane) View() string {
	if p.w < 4 || p.h < 3 {
		return ""
	}
	p.sync()
	inner := p.w - 2
	c := errorColumns(inner)
	now := p.store.Now()
	head := []string{fitRight("age", c.age)}
	if c.source > 0 {
		head = append(head, fit("source", c.source))
	}
	head = append(head, fit("code", c.code), fit("input topic", c.input), fit("message", c.msg))
	lines := []string{p.st.Header.Render(fit(" "+joinCells(head), inner))}
	p.buf, _ = p.store.ErrorsWindow(p.cur.top, p.cur.rows, p.buf[:0])
	for i, e := range p.buf {
		sel := p.cur.top+i == p.cur.pos
		lines = append(lines, selPaint(p.st, errorRow(p.st, c, inner, e, now, sel), sel, p.focused))
	}
	if p.cur.total == 0 {
		lines = append(lines, placeholder(p.st, "no errors", inner))
	}
	return frame(p.st, p.focused, p.w, p.h, "4 Errors", fmt.Sprintf("%d", p.cur.total), lines)
}
