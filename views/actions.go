package views

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// ActionsPane lists the operator's actions, newest first, each with its
// lifecycle as a glyph and a word: sending, acked, refused 0x87, timed out,
// offline, read-only, then the platform's answer (event created / ACTIVE,
// error SOME_DATA_INVALID with its message on the line below, reply,
// command done). It reads the tracker every frame and draws visible rows only.
type ActionsPane struct {
	list
	tr       *actions.Tracker
	offset   int    // first visible entry
	expanded bool   // enter: show every answer of the selected action
	off      string // why actions are off (read-only, replay); "" when on
	hint     string // the action keys the platform enables, for the empty pane
	lineOf   []int  // entry drawn on each body line of the last frame
}

// NewActionsPane draws the tracker's entries.
func NewActionsPane(st themes.Styles, keys Keys, tr *actions.Tracker) *ActionsPane {
	p := &ActionsPane{tr: tr}
	p.list = newList(st, keys, actionsTitle, "", p)
	return p
}

// SetOff says why no action can be taken (read-only, replay); the empty
// pane shows it instead of the keys. "" when actions are on.
func (p *ActionsPane) SetOff(why string) { p.off = why }

// SetHint names the action keys that work here ("t trigger event · P
// publish"), for the empty pane: the root knows which the platform enables.
func (p *ActionsPane) SetHint(keys string) { p.hint = keys }

// expandKey is enter as this pane uses it: the answers, not the detail.
func (p *ActionsPane) expandKey() key.Binding {
	b := p.keys.Enter
	b.SetHelp(b.Help().Key, "answers")
	return b
}

// ShortHelp is the footer while the pane has focus.
func (p *ActionsPane) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.expandKey(), p.keys.Ack}
}

// FullHelp lists the pane's keys.
func (p *ActionsPane) FullHelp() [][]key.Binding {
	return [][]key.Binding{p.keys.nav(), {p.expandKey(), p.keys.Ack}}
}

// Selected is the entry under the cursor.
func (p *ActionsPane) Selected() (*actions.Entry, bool) {
	es := p.tr.Entries()
	if len(es) == 0 {
		return nil, false
	}
	return es[clamp(p.cur.pos, 0, len(es)-1)], true
}

// syncRows counts the entries. An entry takes two lines or more (the
// platform's answer below it), so a page moves half the rows.
func (p *ActionsPane) syncRows() {
	p.cur.total = p.tr.Len()
	p.cur.rows = max(p.h-3, 1)/2 + 1
}

// The cursor is the selection: an index into the newest-first entries.
func (p *ActionsPane) selectRow(int) {}

// paneKey: enter expands the selected action.
func (p *ActionsPane) paneKey(k tea.KeyPressMsg) tea.Cmd {
	if key.Matches(k, p.keys.Enter) {
		p.expanded = !p.expanded
	}
	return nil
}

// Click selects the entry drawn on the clicked line.
func (p *ActionsPane) Click(_, y int) {
	if i := y - listBodyTop; i >= 0 && i < len(p.lineOf) {
		p.cur.pos = p.lineOf[i]
		p.sync()
	}
}

// kindWord is the short column text of a kind.
func kindWord(k actions.Kind) string {
	switch k {
	case actions.KindTriggerEvent:
		return "event"
	case actions.KindSendCommand:
		return "command"
	case actions.KindSetSetpoint:
		return "set"
	case actions.KindRequestSnapshot:
		return "snapshot"
	case actions.KindPublish:
		return "publish"
	}
	return string(k)
}

func (p *ActionsPane) tonePaint(t actions.Tone) themes.Paint {
	switch t {
	case actions.ToneOK:
		return p.st.OK
	case actions.ToneWarn:
		return p.st.Warn
	case actions.ToneError:
		return p.st.Error
	}
	return p.st.Subtle
}

// actionCols are the widths of seq, time, kind and status; what takes the rest.
func actionCols(inner int) (seq, at, kind, status, what int) {
	seq, at, kind, status = 4, 8, 8, 26 // "✗ error SOME_DATA_INVALID" fits
	if inner < 90 {
		kind = 7
	}
	if inner < 64 {
		status = 24
	}
	what = inner - (1 + seq + 1 + at + 1 + kind + 1 + 1 + status + 1)
	if what < 8 {
		at, what = 0, what+9
	}
	return seq, at, kind, status, max(what, 1)
}

// row renders one entry's main line. Pure function of the entry.
func (p *ActionsPane) row(e *actions.Entry, inner int, selected bool) string {
	seq, at, kw, sw, what := actionCols(inner)
	st := e.Status()
	line := " " + fitRight(fmt.Sprint(e.Seq), seq) + " "
	if at > 0 {
		line += p.st.Subtle.Render(fit(e.SentAt.Format("15:04:05"), at)) + " "
	}
	desc := e.Action.Summary
	if desc == "" {
		desc = e.Action.Request.Topic
	}
	if who, _, _ := strings.Cut(e.Action.By, " "); who != "" {
		desc = who + ": " + desc // serve: who sent it (the key is in the detail)
	}
	line += fit(kindWord(e.Action.Kind), kw) + " " + fit(decode.Safe(desc), what) + " "
	line += p.tonePaint(st.Tone).Render(fit(st.Glyph+" "+decode.Safe(st.Word), sw)) + " "
	line = fit(line, inner)
	if selected {
		if p.focused {
			return p.st.Selected.Render(line)
		}
		return p.st.SelectedBlur.Render(line)
	}
	return line
}

// detail lines shown under an entry: the platform error always (the answer
// belongs beside the action), everything when expanded.
func (p *ActionsPane) detail(e *actions.Entry, inner int, expanded bool) []string {
	ind := "      ↳ "
	var out []string
	// Expanded lines wrap (the exact topic at any cell, prose at words,
	// three lines at most) instead of losing their ends.
	addl := func(paint themes.Paint, s string) {
		parts := wrapWords(decode.Safe(s), max(inner-width(ind), 8))
		if len(parts) > 3 {
			parts = parts[:3]
			parts[2] = trunc(parts[2]+ellipsis, width(parts[2]))
		}
		for i, part := range parts {
			lead := ind
			if i > 0 {
				lead = spaces(width(ind))
			}
			out = append(out, fit(lead+paint.Render(part), inner))
		}
	}
	if expanded {
		if e.Action.By != "" {
			addl(p.st.Subtle, "by "+e.Action.By)
		}
		for i, part := range wrapText(decode.Safe("topic "+e.Action.Request.Topic), max(inner-width(ind), 8)) {
			lead := ind
			if i > 0 {
				lead = spaces(width(ind))
			}
			out = append(out, fit(lead+p.st.Subtle.Render(part), inner))
		}
		if e.Result.Reason != "" {
			addl(p.st.Subtle, "broker: "+e.Result.Reason)
		}
		for _, a := range e.Answers {
			s := a.At.Format("15:04:05") + " " + string(a.Kind)
			for _, part := range []string{a.State, a.Code, a.Message, a.EventUUID} {
				if part != "" {
					s += " " + part
				}
			}
			addl(p.st.Text, s)
		}
		if e.DroppedAnswers > 0 {
			addl(p.st.Subtle, fmt.Sprintf("(%d older answers dropped)", e.DroppedAnswers))
		}
		return out
	}
	msg, paint := "", p.st.Error
	a, ok := e.LastAnswer()
	switch {
	case ok && a.Kind == actions.AnswerPlatformError:
		msg = a.Message
		if msg == "" {
			msg = a.Summary
		}
	case ok && a.Kind == actions.AnswerReported:
		// A report has no status word of its own: what it says is the
		// outcome (the Drogue device's state after the command).
		msg, paint = a.Summary, p.st.Text
	case e.Unanswered:
		msg, paint = e.NoAnswerText(), p.st.Subtle
	case e.Phase == actions.PhaseRefused && e.Result.Reason != "":
		msg = e.Result.Reason
	}
	if msg == "" {
		return nil
	}
	// The platform's words matter: wrap them (up to three lines) rather than cut.
	addl(paint, msg)
	return out
}

// View draws the pane.
func (p *ActionsPane) View() string {
	if p.w < 4 || p.h < 3 {
		return ""
	}
	inner, rows := p.w-2, p.h-2
	es := p.tr.Entries()
	info := fmt.Sprintf("%d", len(es))
	if ev := p.tr.Evicted(); ev > 0 {
		info += fmt.Sprintf(" · %d evicted", ev)
	}
	seq, at, kw, sw, what := actionCols(inner)
	head := " " + fitRight("#", seq) + " "
	if at > 0 {
		head += fit("sent", at) + " "
	}
	head += fit("kind", kw) + " " + fit("what", what) + " " + fit("status", sw)
	lines := []string{p.st.Header.Render(fit(head, inner))}
	p.lineOf = p.lineOf[:0]
	if len(es) == 0 {
		hint := "no actions yet"
		if p.hint != "" {
			hint += ": " + p.hint
		}
		if p.off != "" {
			hint = "actions are off: " + p.off
		}
		lines = append(lines, fit(" "+p.st.Subtle.Render(safe(hint)), inner))
		return frame(p.st, p.focused, p.w, p.h, actionsTitle, info, lines)
	}
	cur := clamp(p.cur.pos, 0, len(es)-1)
	p.cur.pos = cur
	// Lines per entry vary (details); lay out from the offset entry and keep
	// the cursor visible. Only entries that can be on screen are rendered.
	if cur < p.offset {
		p.offset = cur
	}
	for {
		used := 0
		for i := p.offset; i <= cur; i++ {
			used += 1 + len(p.detail(es[i], inner, p.expanded && i == cur))
		}
		if used <= rows-1 || p.offset >= cur {
			break
		}
		p.offset++
	}
	p.lineOf = p.lineOf[:0]
	for i := p.offset; i < len(es) && len(lines) < rows; i++ {
		lines = append(lines, p.row(es[i], inner, i == cur))
		lines = append(lines, p.detail(es[i], inner, p.expanded && i == cur)...)
		for len(p.lineOf) < len(lines)-1 {
			p.lineOf = append(p.lineOf, i)
		}
	}
	if len(lines) > rows {
		lines = lines[:rows]
	}
	return frame(p.st, p.focused, p.w, p.h, actionsTitle, info, lines)
}

// actionsTitle names the pane with its key, like the others.
const actionsTitle = "7 Actions"
