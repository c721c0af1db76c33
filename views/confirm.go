package views

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/themes"
)

// ConfirmSendMsg: the operator said yes to the action with this id. The
// root publishes it (actions.Tracker.Add, then Client.Publish in a command).
type ConfirmSendMsg struct{ ID string }

// ConfirmEditMsg: back to the form with the same values.
type ConfirmEditMsg struct{ ID string }

// ConfirmCancelMsg: nothing is sent.
type ConfirmCancelMsg struct{}

// ConfirmModel is what the confirmation shows, built by the root from the
// action: exactly what will leave, with secrets already masked. Strings
// may come from the network; the view makes them terminal-safe.
type ConfirmModel struct {
	ID    string // the action's id: y and e answer for this one
	Title string // "Confirm trigger event"

	Topic    string
	QoS      byte
	Retain   bool
	Payload  []byte
	Encoding string // "json", "msgpack" or "" (raw)
	Target   string // platform and entity, "" when none

	// Props: the request carries MQTT 5 properties; the fields below are
	// read only then.
	Props         bool
	ContentType   string
	ResponseTopic string
	Correlation   []byte
	User          [][2]string // key, value; secret values masked

	// Stamped is the time the payload itself carries (a DRIVR event's
	// time), zero when none: its age is shown, so a confirmation left
	// open says how old the time it would send is.
	Stamped time.Time
}

// ConfirmKeys are the confirmation's keys.
type ConfirmKeys struct {
	Send, Edit, Cancel key.Binding
	Up, Down           key.Binding
	PageUp, PageDown   key.Binding
}

// DefaultConfirmKeys: y sends, e edits, esc or n cancels, arrows scroll.
func DefaultConfirmKeys() ConfirmKeys {
	return ConfirmKeys{
		Send:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "send")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Cancel:   key.NewBinding(key.WithKeys("esc", "n"), key.WithHelp("esc", "cancel")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("pgdn", "page down")),
	}
}

// Confirm shows exactly what will leave: topic, QoS, retain, properties
// (secrets masked) and the payload pretty-printed. Nothing is sent until y.
type Confirm struct {
	st      themes.Styles
	keys    ConfirmKeys
	model   ConfirmModel
	now     time.Time
	w, h    int
	offset  int
	lines   []string // laid out for the current width
	focused bool
	// decided: y, e or esc was pressed. Later keys are ignored, so a key
	// pressed after y (esc to close something, say) cannot overtake the
	// send while its message is on its way, and y twice sends once.
	decided bool
}

// NewConfirm builds the confirmation of an action; now is the clock the
// ages are taken against (SetNow moves it).
func NewConfirm(st themes.Styles, m ConfirmModel, now time.Time) *Confirm {
	return &Confirm{st: st, keys: DefaultConfirmKeys(), model: m, now: now}
}

// ID is the id of the action being confirmed.
func (c *Confirm) ID() string { return c.model.ID }

// SetNow moves the clock: the age of the payload's time follows it.
func (c *Confirm) SetNow(t time.Time) {
	if c.model.Stamped.IsZero() {
		return
	}
	c.now = t
	c.layout()
}

// SetStyles switches the theme.
func (c *Confirm) SetStyles(st themes.Styles) { c.st = st; c.layout() }

// SetSize sets the outer size, border included.
func (c *Confirm) SetSize(w, h int) { c.w, c.h = w, h; c.layout() }

// Focus takes the keys again; a decision not acted on is forgotten.
func (c *Confirm) Focus() { c.focused, c.decided = true, false }

// Blur marks the box unfocused.
func (c *Confirm) Blur() { c.focused = false }

// ShortHelp is the footer while confirming.
func (c *Confirm) ShortHelp() []key.Binding {
	return []key.Binding{c.keys.Send, c.keys.Edit, c.keys.Cancel, c.keys.Down}
}

// FullHelp lists every key of the confirmation.
func (c *Confirm) FullHelp() [][]key.Binding {
	return [][]key.Binding{{c.keys.Send, c.keys.Edit, c.keys.Cancel}, {c.keys.Up, c.keys.Down, c.keys.PageUp, c.keys.PageDown}}
}

// Update handles y, e, esc and scrolling.
func (c *Confirm) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if c.decided {
		return nil
	}
	id := c.model.ID
	page := max(c.h-3, 1)
	switch {
	case key.Matches(k, c.keys.Send):
		c.decided = true
		return func() tea.Msg { return ConfirmSendMsg{ID: id} }
	case key.Matches(k, c.keys.Edit):
		c.decided = true
		return func() tea.Msg { return ConfirmEditMsg{ID: id} }
	case key.Matches(k, c.keys.Cancel):
		c.decided = true
		return func() tea.Msg { return ConfirmCancelMsg{} }
	case key.Matches(k, c.keys.Down):
		c.offset++
	case key.Matches(k, c.keys.Up):
		c.offset--
	case key.Matches(k, c.keys.PageDown):
		c.offset += page
	case key.Matches(k, c.keys.PageUp):
		c.offset -= page
	}
	c.offset = clamp(c.offset, 0, max(len(c.lines)-(c.h-2), 0))
	return nil
}

// wrapText cuts s into lines of at most w cells; an exact topic is never
// shortened with an ellipsis.
func wrapText(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for width(s) > w {
		cut, used := 0, 0
		for i, r := range s {
			rw := width(string(r))
			if used+rw > w {
				cut = i
				break
			}
			used += rw
		}
		if cut == 0 {
			_, size := utf8.DecodeRuneInString(s)
			cut = size
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}

// correlationText shows correlation data as text when printable, else hex.
func correlationText(b []byte) string {
	if utf8.Valid(b) && decode.Safe(string(b)) == string(b) {
		return string(b)
	}
	return fmt.Sprintf("0x%x", b)
}

func (c *Confirm) layout() {
	c.lines = c.lines[:0]
	inner := c.w - 2
	if inner < 8 {
		return
	}
	m := &c.model
	const lw = 10
	vw := inner - 1 - lw
	add := func(label, value string, p themes.Paint) {
		for i, part := range wrapText(decode.Safe(value), vw) {
			l := ""
			if i == 0 {
				l = label
			}
			c.lines = append(c.lines, fit(" "+c.st.Subtle.Render(fit(l, lw))+p.Render(part), inner))
		}
	}
	add("Topic", m.Topic, c.st.Accent)
	retain := "no"
	if m.Retain {
		retain = "YES (retained)"
	}
	size := fmt.Sprintf("%d bytes", len(m.Payload))
	if m.Encoding != "" {
		size += " " + m.Encoding
	}
	add("QoS", fmt.Sprintf("%d · retain %s · %s", m.QoS, retain, size), c.st.Text)
	if m.Target != "" {
		add("Target", m.Target, c.st.Text)
	}
	if !m.Stamped.IsZero() {
		ago := Age(c.now, m.Stamped)
		if ago == "now" {
			ago = "just now"
		} else {
			ago += " ago"
		}
		add("Time", m.Stamped.UTC().Format("15:04:05")+" UTC · taken "+ago+" · sent as shown", c.st.Warn)
	}
	if m.Props {
		if m.ContentType != "" {
			add("Content", m.ContentType, c.st.Text)
		}
		if m.ResponseTopic != "" {
			add("Response", m.ResponseTopic, c.st.Text)
			if len(m.Correlation) > 0 {
				add("Correl.", correlationText(m.Correlation), c.st.Text)
			}
		}
		for i, u := range m.User {
			l := ""
			if i == 0 {
				l = "User"
			}
			add(l, u[0]+"="+u[1], c.st.Text)
		}
	} else {
		add("Props", "none", c.st.Subtle)
	}
	c.lines = append(c.lines, fit(" "+c.st.Header.Render("Payload"), inner))
	if len(m.Payload) == 0 {
		c.lines = append(c.lines, fit("   "+c.st.Subtle.Render("(empty)"), inner))
		return
	}
	v := decode.Decode(m.Payload, decode.Hints{Encoding: m.Encoding, ContentType: m.ContentType}, decode.DefaultLimits())
	for _, l := range decode.Pretty(v, max(inner-3, 1)) {
		c.lines = append(c.lines, fit("   "+l, inner))
	}
}

// View draws the box; y/e/esc are in the title so they never scroll away.
func (c *Confirm) View() string {
	if c.w < 4 || c.h < 3 {
		return ""
	}
	if len(c.lines) == 0 {
		c.layout()
	}
	body := c.lines
	if c.offset < len(body) {
		body = body[c.offset:]
	}
	return frame(c.st, true, c.w, c.h, c.model.Title, "y send · e edit · esc cancel", body)
}

// wrapWords wraps prose at spaces; a word longer than w is cut.
func wrapWords(s string, w int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case width(line)+1+width(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
		for width(line) > w {
			parts := wrapText(line, w)
			out = append(out, parts[:len(parts)-1]...)
			line = parts[len(parts)-1]
		}
	}
	if line != "" || len(out) == 0 {
		out = append(out, line)
	}
	return out
}
