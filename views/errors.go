package views

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// ErrorsPane lists error reports newest first: the platform's error topics
// (DRIVR's SOME_DATA_INVALID with stats and per-item errors), decode
// failures, refused subscriptions and failed publishes, each with the input
// topic it answers.
type ErrorsPane struct {
	list
	store *fleet.Store

	buf    []*fleet.ErrorReport
	one    []*fleet.ErrorReport
	cols   errorCols
	now    time.Time
	unseen uint64 // errors the operator has not looked at (SetUnseen)
}

// SetUnseen is how many errors arrived since the operator last looked at
// the pane; the title says so (glyph and number: no colour needed).
func (p *ErrorsPane) SetUnseen(n uint64) { p.unseen = n }

// NewErrorsPane draws the store's error reports.
func NewErrorsPane(st themes.Styles, keys Keys, store *fleet.Store) *ErrorsPane {
	p := &ErrorsPane{store: store}
	p.list = newList(st, keys, "4 Errors", "", p)
	return p
}

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

func (p *ErrorsPane) syncRows() {
	_, n := p.store.ErrorsWindow(0, 0, p.one[:0])
	p.anchor.sync(&p.cur, n, p.paused, p.at)
}

func (p *ErrorsPane) selectRow(i int) { p.anchor.seq = p.at(i) }

// Selection is the selected report (a copy: it stays readable if evicted).
func (p *ErrorsPane) Selection() Subject {
	p.sync()
	p.one, _ = p.store.ErrorsWindow(p.cur.pos, 1, p.one[:0])
	if len(p.one) == 0 {
		return Subject{}
	}
	return Subject{Kind: SubjectError, Ref: p.one[0].Ref, Error: *p.one[0]}
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

// appendTailFit appends tailFit(s, w); printable ASCII in place.
func appendTailFit(b []byte, s string, w int) []byte {
	s = safe(s)
	switch {
	case !isPlainASCII(s):
		return append(b, tailFit(s, w)...)
	case len(s) <= w:
		return appendFit(b, s, w)
	case w > 1:
		return append(append(b, ellipsis...), s[len(s)-(w-1):]...)
	}
	return append(b, tailFit(s, w)...)
}

// appendTopicFit appends topicFit(topic, w); printable ASCII in place.
func appendTopicFit(b []byte, topic string, w int) []byte {
	topic = safe(topic)
	if !isPlainASCII(topic) {
		return append(b, topicFit(topic, w)...)
	}
	if len(topic) <= w {
		return appendFit(b, topic, w)
	}
	first, _, ok := strings.Cut(topic, "/")
	if !ok || len(first)+8 > w {
		return appendTailFit(b, topic, w)
	}
	return appendTailFit(append(append(b, first...), '/'), topic, w-len(first)-1)
}

// appendErrorRow appends one report's row to b. A pure function of its
// arguments.
func appendErrorRow(b []byte, st themes.Styles, c errorCols, inner int, e *fleet.ErrorReport, now time.Time, selected bool) []byte {
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
	r := newRow(b)
	r.lead(" ", 1)
	r.ageCell(pick(st.Subtle, selected), now, e.Time, c.age)
	if c.source > 0 {
		r.fitCell(themes.Paint{}, string(e.Source), c.source)
	}
	r.fitCell(pick(st.Error, selected), "✖ "+safe(code), c.code)
	r.open(pick(st.Subtle, selected), c.input)
	r.b = appendTailFit(r.b, topic, c.input)
	r.close(pick(st.Subtle, selected))
	r.fitCell(themes.Paint{}, safe(strings.TrimSpace(msg)), c.msg)
	return r.line(inner)
}

func (p *ErrorsPane) head(b []byte, inner int) []byte {
	c := errorColumns(inner)
	p.cols, p.now = c, p.store.Now()
	r := newRow(b)
	r.lead(" ", 1)
	r.rightCell(themes.Paint{}, "age", c.age)
	if c.source > 0 {
		r.fitCell(themes.Paint{}, "source", c.source)
	}
	r.fitCell(themes.Paint{}, "code", c.code)
	r.fitCell(themes.Paint{}, "input topic", c.input)
	r.fitCell(themes.Paint{}, "message", c.msg)
	return r.line(inner)
}

func (p *ErrorsPane) window(top, n int) int {
	p.buf, _ = p.store.ErrorsWindow(top, n, p.buf[:0])
	return len(p.buf)
}

func (p *ErrorsPane) row(b []byte, j, inner int, sel bool) []byte {
	return appendErrorRow(b, p.st, p.cols, inner, p.buf[j], p.now, sel)
}

func (p *ErrorsPane) empty() string { return "no errors" }

func (p *ErrorsPane) info() string {
	if p.unseen > 0 {
		return fmt.Sprintf("✖%s unseen · %d", Count(p.unseen), p.cur.total)
	}
	return fmt.Sprintf("%d", p.cur.total)
}
