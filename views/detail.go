package views

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// DetailPane shows the selection of the last list in full: the decoded
// payload pretty-printed with keys in wire order, MQTT 5 properties,
// CloudEvent attributes, the entity's recent history, and a hex view (x).
type DetailPane struct {
	st      themes.Styles
	keys    Keys
	store   *fleet.Store
	w, h    int
	focused bool
	subject Subject
	hex     bool
	offset  int

	// cache of the rendered content
	lines   []string
	cacheOK bool
	cacheV  uint64
	cacheW  int

	out     []byte // the frame, reused: the pane is one session's
	scratch []byte // the content's line being built, reused
}

// NewDetailPane shows nothing until a subject is set.
func NewDetailPane(st themes.Styles, keys Keys, store *fleet.Store) *DetailPane {
	return &DetailPane{st: st, keys: keys, store: store}
}

// SetStyles switches the theme.
func (p *DetailPane) SetStyles(st themes.Styles) { p.st = st; p.cacheOK = false }

// SetSize sets the outer size, border included.
func (p *DetailPane) SetSize(w, h int) { p.w, p.h = w, h }

// Focus marks the pane focused.
func (p *DetailPane) Focus() { p.focused = true }

// Blur marks the pane unfocused.
func (p *DetailPane) Blur() { p.focused = false }

// Subject is what the pane shows.
func (p *DetailPane) Subject() Subject { return p.subject }

// SetSubject shows another selection; the scroll position resets when it
// is a different one.
func (p *DetailPane) SetSubject(s Subject) {
	if !s.Same(p.subject) {
		p.offset = 0
	}
	p.subject = s
	p.cacheOK = false
}

// hasPayload reports whether the subject is a message, whose payload x
// shows in hex; systems, components, events and series have none.
func (p *DetailPane) hasPayload() bool {
	switch p.subject.Kind {
	case SubjectLog:
		return true
	case SubjectError:
		return p.subject.Error.Item != nil
	}
	return false
}

// ShortHelp is the footer while the pane has focus; x only with a payload.
func (p *DetailPane) ShortHelp() []key.Binding {
	if !p.hasPayload() {
		return []key.Binding{p.keys.Up, p.keys.Down, p.keys.PageDown}
	}
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.PageDown, p.keys.Hex}
}

// FullHelp lists the pane's keys.
func (p *DetailPane) FullHelp() [][]key.Binding {
	if !p.hasPayload() {
		return [][]key.Binding{p.keys.nav()}
	}
	return [][]key.Binding{p.keys.nav(), {p.keys.Hex}}
}

// Update scrolls and toggles the hex view.
func (p *DetailPane) Update(msg tea.Msg) tea.Cmd {
	page := max(p.h-3, 1)
	switch m := msg.(type) {
	case tea.MouseWheelMsg:
		if m.Button == tea.MouseWheelDown {
			p.offset += 3
		} else if m.Button == tea.MouseWheelUp {
			p.offset -= 3
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(m, p.keys.Down):
			p.offset++
		case key.Matches(m, p.keys.Up):
			p.offset--
		case key.Matches(m, p.keys.PageDown):
			p.offset += page
		case key.Matches(m, p.keys.PageUp):
			p.offset -= page
		case key.Matches(m, p.keys.Top):
			p.offset = 0
		case key.Matches(m, p.keys.Bottom):
			p.offset = 1 << 30
		case key.Matches(m, p.keys.Hex) && p.hasPayload():
			p.hex = !p.hex
			p.cacheOK = false
		}
	}
	p.offset = max(p.offset, 0) // the upper bound needs the content: View clamps
	return nil
}

// HexView reports whether the hex dump is on.
func (p *DetailPane) HexView() bool { return p.hex }

// content renders the subject, cached until it, the width or (for live
// entities) the store changes.
func (p *DetailPane) content(w int) []string {
	live := p.subject.Kind != SubjectLog && p.subject.Kind != SubjectError
	v := p.store.Version()
	if p.cacheOK && p.cacheW == w && (!live || p.cacheV == v) {
		return p.lines
	}
	// The rebuilt content reuses the last one's slice and scratch line:
	// a live subject is drawn again whenever the store moves.
	b := detailBuilder{st: p.st, w: w, now: p.store.Now(), lines: p.lines[:0], buf: p.scratch[:0]}
	switch p.subject.Kind {
	case SubjectSystem:
		b.system(p.store, p.subject.Ref)
	case SubjectComponent:
		b.component(p.store, p.subject.Ref)
	case SubjectEvent:
		b.event(p.store, p.subject)
	case SubjectSeries:
		b.series(p.store, p.subject)
	case SubjectLog:
		b.logEntry(&p.subject.Log, p.hex)
	case SubjectError:
		b.errorReport(&p.subject.Error, p.hex)
	case SubjectTopic:
		b.topic(p.store.Topics(), p.subject, p.hex) // topicdetail.go
	default:
		b.dim("Select a row in a list: its detail shows here.")
		b.dim("enter opens it full size; x toggles a hex dump of a payload.")
	}
	p.lines, p.cacheOK, p.cacheV, p.cacheW = b.lines, true, v, w
	p.scratch = b.buf
	return p.lines
}

// View draws the visible part of the content.
func (p *DetailPane) View() string {
	p.out = p.AppendView(p.out[:0])
	return string(p.out)
}

// AppendView appends what View returns to dst.
func (p *DetailPane) AppendView(dst []byte) []byte {
	if p.w < 4 || p.h < 3 {
		return dst
	}
	inner := p.w - 2
	lines := p.content(inner)
	rows := p.h - 2
	p.offset = clamp(p.offset, 0, max(len(lines)-rows, 0))
	body := lines[p.offset:min(p.offset+rows, len(lines))]
	info := ""
	if len(lines) > rows {
		info = fmt.Sprintf("%d-%d of %d", p.offset+1, min(p.offset+rows, len(lines)), len(lines))
	}
	if p.hex && p.hasPayload() {
		info = "hex · " + info
	}
	x := boxFor(p.st, p.focused)
	out := x.top(dst, p.w, "6 Detail", strings.TrimSuffix(info, " · "), x.b.tl, x.b.tr)
	for i := 0; i < rows; i++ {
		out = x.open(out)
		if i < len(body) {
			out = appendFit(out, body[i], inner)
		} else {
			out = appendSpaces(out, inner)
		}
		out = x.close(out)
	}
	return x.bottom(out, inner)
}

// detailBuilder accumulates the lines of one subject.
type detailBuilder struct {
	st    themes.Styles
	w     int
	now   time.Time
	lines []string
	buf   []byte // the line being built by paint and text, ended by end
}

func (b *detailBuilder) add(s string) { b.lines = append(b.lines, s) }

// paint and text append to the line being built, so a line of several
// paints is one string, made by end.
func (b *detailBuilder) paint(p themes.Paint, s string) { b.buf = p.Append(b.buf, s) }

func (b *detailBuilder) text(s string) { b.buf = append(b.buf, s...) }

func (b *detailBuilder) end() {
	b.add(string(b.buf))
	b.buf = b.buf[:0]
}

func (b *detailBuilder) dim(s string) { b.add(b.st.Subtle.Render(trunc(s, b.w))) }

// title is the subject's heading line.
func (b *detailBuilder) title(kind, name string) {
	b.paint(b.st.Accent, kind)
	b.text(" ")
	b.paint(b.st.Header, trunc(safe(name), max(b.w-width(kind)-1, 1)))
	b.end()
}

// kv is a "label  value" line; the value is network text, wrapped.
func (b *detailBuilder) kv(label, value string) {
	if value == "" {
		return
	}
	const lw = 11
	room := max(b.w-lw-1, 8)
	value = safe(value)
	if width(value) <= room { // one line: wrap's, without its slice
		b.kvLine(label, lw, value)
		return
	}
	for i, part := range wrap(value, room) {
		l := ""
		if i == 0 {
			l = label
		}
		b.kvLine(l, lw, part)
	}
}

// kvLine is Subtle.Render(fit(label, lw)) + " " + part.
func (b *detailBuilder) kvLine(label string, lw int, part string) {
	var mark int
	b.buf, mark = openPaint(b.buf, b.st.Subtle)
	b.buf = closePaint(appendFit(b.buf, label, lw), b.st.Subtle, mark)
	b.text(" ")
	b.text(part)
	b.end()
}

func (b *detailBuilder) section(name string) {
	rest := max(b.w-width(name)-4, 0)
	b.paint(b.st.Border, "── ")
	b.paint(b.st.Header, name)
	b.buf = append(b.buf, b.st.Border.Seq()...) // Border.Render(" "+"─"*rest)
	b.buf = appendRepeat(append(b.buf, ' '), "─", rest)
	if !b.st.Border.IsZero() {
		b.buf = append(b.buf, ansi.ResetStyle...)
	}
	b.end()
}

func (b *detailBuilder) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	ago := Age(b.now, t)
	if ago == "now" {
		ago = "just now"
	} else {
		ago += " ago"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000Z") + " (" + ago + ")"
}

// presence says the state and what it rests on: since when the platform
// has said so, or, when it says nothing (Drogue, SmartWorks), the last
// message seen; "unknown since" with nothing after was the old line.
func (b *detailBuilder) presence(glyph, word string, since, lastSeen time.Time) string {
	switch {
	case !since.IsZero():
		return glyph + " " + word + " since " + b.when(since)
	case lastSeen.IsZero():
		return glyph + " " + word
	case word == "unknown":
		return glyph + " unknown: the platform reports no connection state; last message " + b.when(lastSeen)
	}
	return glyph + " " + word + ", last message " + b.when(lastSeen)
}

func (b *detailBuilder) pretty(v decode.Value) {
	for _, l := range decode.Pretty(v, b.w) {
		b.add(l)
	}
}

func (b *detailBuilder) node(n decode.Node) {
	if n.Kind == decode.KindNull {
		b.dim("(none)")
		return
	}
	b.pretty(decode.Value{Format: decode.FormatJSON, Data: n})
}

func (b *detailBuilder) history(hs []fleet.Change) {
	if len(hs) == 0 {
		return
	}
	b.section("history")
	for i := len(hs) - 1; i >= 0; i-- { // newest first
		h := hs[i]
		var mark int
		b.buf, mark = openPaint(b.buf, b.st.Subtle)
		b.buf = h.Time.UTC().AppendFormat(b.buf, "01-02 15:04:05")
		b.buf = closePaint(b.buf, b.st.Subtle, mark)
		b.text(" ")
		b.text(safe(h.What))
		b.end()
	}
}

func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	if width(s) <= w {
		return []string{s}
	}
	return strings.Split(ansi.Hardwrap(s, w, true), "\n")
}

func (b *detailBuilder) system(store *fleet.Store, ref fleet.Ref) {
	sys := store.System(ref)
	if sys == nil {
		b.dim("This system is no longer in the store (evicted or deleted).")
		return
	}
	b.title("System", sys.Label())
	pr := store.PresenceOf(sys)
	glyph, word := PresenceWords(pr)
	b.kv("presence", b.presence(glyph, word, sys.ConnSince, sys.LastSeen))
	b.kv("said by", sys.ConnSource)
	b.kv("id", sys.Ref.System)
	b.kv("code", sys.Code)
	b.kv("platform", strings.TrimSpace(sys.Ref.Platform+" "+sys.Ref.Fleet))
	b.kv("lifecycle", sys.Lifecycle)
	b.kv("status", sys.Status)
	b.kv("note", sys.Note)
	b.kv("via", sys.Via)
	b.kv("last seen", b.when(sys.LastSeen))
	b.kv("first seen", b.when(sys.FirstSeen))
	b.kv("messages", fmt.Sprint(sys.Messages))
	b.kv("components", fmt.Sprint(sys.Components))
	b.kv("events", fmt.Sprintf("%d active · %d unacknowledged", sys.ActiveEvents, sys.UnackedEvents))
	b.kv("description", sys.Description)
	if sys.Info.Kind != decode.KindNull {
		b.section("info")
		b.node(sys.Info)
	}
	b.history(sys.History())
}

func (b *detailBuilder) component(store *fleet.Store, ref fleet.Ref) {
	c := store.Component(ref)
	if c == nil {
		b.dim("This component is no longer in the store.")
		return
	}
	b.title("Component", c.Label())
	glyph, word := PresenceWords(connPresence(c.Conn))
	b.kv("presence", b.presence(glyph, word, c.ConnSince, c.LastSeen))
	b.kv("system", entityLabel(store, ref.SystemRef()))
	b.kv("code", c.Code)
	b.kv("uuid", c.UUID)
	b.kv("model", c.Model)
	b.kv("lifecycle", c.Lifecycle)
	b.kv("last seen", b.when(c.LastSeen))
	b.kv("messages", fmt.Sprint(c.Messages))
	if c.Info.Kind != decode.KindNull {
		b.section("info")
		b.node(c.Info)
	}
}

func (b *detailBuilder) event(store *fleet.Store, s Subject) {
	e := store.Event(s.Ref.Platform, s.Ref.Fleet, s.EventID)
	if e == nil {
		b.dim("This event is no longer in the store.")
		return
	}
	glyph, word := LevelWords(e.Level, e.LevelText)
	b.title("Event", e.ModelCode)
	b.kv("level", glyph+" "+word)
	state := e.StateText
	if e.State != fleet.StateNone {
		state = e.State.String()
	}
	if state == "" {
		state = "none (single point)"
	}
	b.kv("state", state)
	ack, _ := AckText(e, b.now)
	if e.Acked {
		ack = "✓ acknowledged"
		if e.AckUser != "" {
			ack += " by " + e.AckUser
		}
		if !e.AckTime().IsZero() {
			ack += " at " + b.when(e.AckTime())
		}
	}
	b.kv("ack", ack)
	b.kv("entity", entityLabel(store, e.Ref))
	b.kv("id", e.ID)
	b.kv("type", e.Type)
	b.kv("message", e.Message)
	b.kv("time", b.when(e.Time()))
	b.kv("end", b.when(e.EndTime()))
	b.kv("created", b.when(e.Created()))
	b.kv("updated", b.when(e.Updated()))
	b.kv("model", e.ModelUUID)
	b.kv("source", e.Source)
	if e.Metadata().Kind != decode.KindNull && !(e.Metadata().Kind == decode.KindObject && len(e.Metadata().Fields) == 0) {
		b.section("metadata")
		b.node(e.Metadata())
	}
	b.history(e.History())
}

func (b *detailBuilder) series(store *fleet.Store, s Subject) {
	var found *fleet.Series
	buf, _ := store.SeriesWindow(fleet.SeriesQuery{Entity: s.Ref, Text: s.Series}, 0, 64, nil)
	for _, x := range buf {
		if x.Ref == s.Ref && x.Name == s.Series && x.Kind == s.SeriesKind {
			found = x
			break
		}
	}
	if found == nil {
		b.dim("This series is no longer in the store.")
		return
	}
	b.title(found.Kind.String(), found.Name)
	b.kv("entity", entityLabel(store, found.Ref))
	val := found.Text
	if val == "" {
		val = found.Last.Text()
	}
	b.kv("value", strings.TrimSpace(val+" "+found.Unit))
	b.kv("time", b.when(found.Time))
	b.kv("received", b.when(found.LastSeen))
	b.kv("updates", fmt.Sprint(found.Updates))
	pts := found.Points(nil)
	if len(pts) > 0 {
		b.section("recent values")
		b.add(b.st.Spark.Render(Sparkline(pts, min(len(pts), b.w))))
	}
	if found.Last.Kind == decode.KindObject || found.Last.Kind == decode.KindArray {
		b.section("last value")
		b.node(found.Last)
	}
}
