package views

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// FormSubmitMsg asks the root to build the action from the filled form and,
// if it builds, open the confirmation. On a build error the root calls
// ActionForm.SetError and keeps the form open.
type FormSubmitMsg struct{ Form actions.Form }

// FormCancelMsg closes the form without doing anything.
type FormCancelMsg struct{}

// FormKeys are the form's own keys. Typing goes to the focused input.
type FormKeys struct {
	Next, Prev     key.Binding // move between fields (tab also accepts a suggestion)
	Submit, Cancel key.Binding
	Cycle          key.Binding // closed choices: json/msgpack, QoS, retain
}

// DefaultFormKeys: tab/↓ next, shift+tab/↑ previous, enter review, esc cancel.
func DefaultFormKeys() FormKeys {
	return FormKeys{
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "review")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Cycle:  key.NewBinding(key.WithKeys("space", "left", "right"), key.WithHelp("space", "change choice")),
	}
}

// ActionForm is the modal form of one action: a text input per field,
// prefilled from the selection, with the event models seen as suggestions.
type ActionForm struct {
	st      themes.Styles
	keys    FormKeys
	form    actions.Form
	inputs  []textinput.Model
	focus   int
	errs    map[string]string // field key -> message
	general string            // an error not tied to a field
	w, h    int
	focused bool
	offset  int // first body line shown
	// sent: enter or esc produced its message and the root has not
	// answered yet (SetError, or Focus when the form is shown again). Keys
	// typed meanwhile were meant for the confirmation, not for a field.
	sent bool
	// whole[i]: field i still holds its prefilled value, untouched. It is
	// drawn selected, and typing replaces it rather than appending to it.
	whole []bool
	// initial values, to tell whether esc would throw typing away
	initial []string
	// discard: esc was pressed with typed input; a second esc cancels,
	// any other key goes back to editing.
	discard bool
}

// NewActionForm builds the form for f. Call Focus to start typing.
func NewActionForm(st themes.Styles, f actions.Form) *ActionForm {
	a := &ActionForm{st: st, keys: DefaultFormKeys(), form: f, errs: map[string]string{}}
	a.inputs = make([]textinput.Model, len(f.Fields))
	a.whole = make([]bool, len(f.Fields))
	for i, fl := range f.Fields {
		a.whole[i] = len(fl.Choices) == 0 && fl.Value != ""
		in := textinput.New()
		in.Prompt = ""
		in.Placeholder = fl.Placeholder
		in.CharLimit = 65535
		// Prefills and suggestions come from the network (ids, model
		// codes, names): terminal-safe, as shown and as sent. The input
		// drops controls itself but draws suggestions as given.
		in.SetValue(safe(fl.Value))
		if len(fl.Suggest) > 0 {
			sugg := make([]string, len(fl.Suggest))
			for j, x := range fl.Suggest {
				sugg[j] = safe(x)
			}
			in.ShowSuggestions = true
			in.SetSuggestions(sugg)
			// tab is handled here; ctrl+n/ctrl+p cycle, ↑/↓ move fields.
			in.KeyMap.NextSuggestion = key.NewBinding(key.WithKeys("ctrl+n"))
			in.KeyMap.PrevSuggestion = key.NewBinding(key.WithKeys("ctrl+p"))
		}
		a.inputs[i] = in
	}
	a.focus = toFill(f.Fields)
	a.initial = a.values()
	a.applyStyles()
	return a
}

// values is every field's current value, in order.
func (a *ActionForm) values() []string {
	out := make([]string, len(a.form.Fields))
	for i, f := range a.form.Fields {
		out[i] = f.Value
		if len(f.Choices) == 0 {
			out[i] = a.inputs[i].Value()
		}
	}
	return out
}

// Typed reports whether any field differs from what the form opened with.
func (a *ActionForm) Typed() bool {
	for i, v := range a.values() {
		if v != a.initial[i] {
			return true
		}
	}
	return false
}

// Discarding reports whether the form asks before throwing typing away.
func (a *ActionForm) Discarding() bool { return a.discard }

// toFill is the field the operator most likely types first: the first
// required text field still empty, else the command, setpoint or action
// name (the target is prefilled from the selection), else the first field.
// Starting on a prefilled device id would append what is typed to it.
func toFill(fs []actions.Field) int {
	name := -1
	for i, f := range fs {
		if !f.Optional && len(f.Choices) == 0 && strings.TrimSpace(f.Value) == "" {
			return i
		}
		if f.Key == actions.FName && name < 0 {
			name = i
		}
	}
	return max(name, 0)
}

// Form returns the form with the values typed so far.
func (a *ActionForm) Form() actions.Form {
	f := a.form
	f.Fields = append([]actions.Field(nil), a.form.Fields...)
	for i := range f.Fields {
		if len(f.Fields[i].Choices) == 0 {
			f.Fields[i].Value = a.inputs[i].Value()
		}
	}
	return f
}

// FocusedKey is the key of the field being edited.
func (a *ActionForm) FocusedKey() string {
	if a.focus < len(a.form.Fields) {
		return a.form.Fields[a.focus].Key
	}
	return ""
}

// SetError shows a build error under its field (an actions.FieldError) and
// moves the focus there; other errors show at the bottom.
func (a *ActionForm) SetError(err error) {
	a.errs = map[string]string{}
	a.general = ""
	a.sent = false
	if err == nil {
		return
	}
	var fe *actions.FieldError
	if errors.As(err, &fe) {
		for i, f := range a.form.Fields {
			if f.Key == fe.Field {
				a.errs[f.Key] = fe.Err.Error()
				a.setFocus(i)
				return
			}
		}
	}
	a.general = err.Error()
}

// SetStyles switches the theme.
func (a *ActionForm) SetStyles(st themes.Styles) { a.st = st; a.applyStyles() }

// SetSize sets the outer size, border included.
func (a *ActionForm) SetSize(w, h int) {
	a.w, a.h = w, h
	for i := range a.inputs {
		a.inputs[i].SetWidth(max(a.valueWidth()-1, 1))
	}
}

// Focus starts editing the focused field (again, after e on the
// confirmation).
func (a *ActionForm) Focus() tea.Cmd {
	a.focused, a.sent = true, false
	return a.setFocus(a.focus)
}

// Blur stops editing.
func (a *ActionForm) Blur() {
	a.focused = false
	for i := range a.inputs {
		a.inputs[i].Blur()
	}
}

// ShortHelp is the footer while the form is open.
func (a *ActionForm) ShortHelp() []key.Binding {
	return []key.Binding{a.keys.Submit, a.keys.Next, a.keys.Cycle, a.keys.Cancel}
}

// FullHelp lists every form key.
func (a *ActionForm) FullHelp() [][]key.Binding {
	return [][]key.Binding{{a.keys.Next, a.keys.Prev, a.keys.Cycle, a.keys.Submit, a.keys.Cancel}}
}

func (a *ActionForm) setFocus(i int) tea.Cmd {
	if len(a.inputs) == 0 {
		return nil
	}
	a.focus = (i + len(a.inputs)) % len(a.inputs)
	var cmd tea.Cmd
	for j := range a.inputs {
		if j == a.focus && a.focused {
			cmd = a.inputs[j].Focus()
		} else {
			a.inputs[j].Blur()
		}
	}
	return cmd
}

// Update handles keys while the form is open.
func (a *ActionForm) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || len(a.inputs) == 0 {
		if _, paste := msg.(tea.PasteMsg); paste && len(a.inputs) > 0 && a.whole[a.focus] && !a.sent {
			a.whole[a.focus] = false
			a.inputs[a.focus].SetValue("") // a paste replaces the selected prefill
		}
		if len(a.inputs) > 0 && a.focus < len(a.inputs) {
			var cmd tea.Cmd
			a.inputs[a.focus], cmd = a.inputs[a.focus].Update(msg)
			return cmd
		}
		return nil
	}
	if a.sent {
		return nil // decided: the answer is on its way
	}
	field := &a.form.Fields[a.focus]
	if a.discard {
		a.discard = false
		if key.Matches(k, a.keys.Cancel) {
			a.sent = true
			return func() tea.Msg { return FormCancelMsg{} }
		}
		return nil // any other key: back to editing, the key is not typed
	}
	switch {
	case key.Matches(k, a.keys.Cancel):
		if a.Typed() {
			a.discard = true
			return nil
		}
		a.sent = true
		return func() tea.Msg { return FormCancelMsg{} }
	case key.Matches(k, a.keys.Submit):
		a.sent = true
		f := a.Form()
		return func() tea.Msg { return FormSubmitMsg{Form: f} }
	case len(field.Choices) > 0 && key.Matches(k, a.keys.Cycle):
		step := 1
		if k.String() == "left" {
			step = -1
		}
		field.Value = cycle(field.Choices, field.Value, step)
		delete(a.errs, field.Key)
		return nil
	case k.String() == "tab" && a.canComplete():
		// Fall through to the input: it accepts the suggestion.
	case key.Matches(k, a.keys.Next):
		return a.setFocus(a.focus + 1)
	case key.Matches(k, a.keys.Prev):
		return a.setFocus(a.focus - 1)
	}
	if len(field.Choices) > 0 {
		return nil // closed set: typing does nothing
	}
	if a.whole[a.focus] {
		a.whole[a.focus] = false
		switch {
		case k.Text != "":
			a.inputs[a.focus].SetValue("") // typing replaces the selection
		case k.Code == tea.KeyBackspace || k.Code == tea.KeyDelete:
			before := a.inputs[a.focus].Value()
			a.inputs[a.focus].SetValue("")
			delete(a.errs, field.Key)
			if field.Key == actions.FName {
				a.followValue(before, "")
			}
			return nil
		}
	}
	var cmd tea.Cmd
	before := a.inputs[a.focus].Value()
	a.inputs[a.focus], cmd = a.inputs[a.focus].Update(msg)
	if after := a.inputs[a.focus].Value(); after != before {
		delete(a.errs, field.Key)
		a.general = ""
		if field.Key == actions.FName {
			a.followValue(before, after)
		}
	}
	return cmd
}

// followValue: the setpoint's name changed; if the value still holds what
// was last seen for the old name, show the new name's last value instead
// (or nothing), so a value is never sent to the wrong setpoint unnoticed.
func (a *ActionForm) followValue(oldName, newName string) {
	if a.form.Values == nil {
		return
	}
	for i, f := range a.form.Fields {
		if f.Key != actions.FPayload || len(f.Choices) > 0 {
			continue
		}
		if a.inputs[i].Value() == safe(a.form.Values[oldName]) {
			a.inputs[i].SetValue(safe(a.form.Values[newName]))
		}
		return
	}
}

// canComplete reports whether tab would add text from a suggestion.
func (a *ActionForm) canComplete() bool {
	in := &a.inputs[a.focus]
	s := in.CurrentSuggestion()
	return s != "" && s != in.Value()
}

func cycle(choices []string, cur string, step int) string {
	for i, c := range choices {
		if c == cur {
			return choices[(i+step+len(choices))%len(choices)]
		}
	}
	return choices[0]
}

func (a *ActionForm) labelWidth() int {
	w := 0
	for _, f := range a.form.Fields {
		w = max(w, width(f.Label))
	}
	return min(w+2, max((a.w-2)/3, 8))
}

func (a *ActionForm) valueWidth() int { return max(a.w-2-1-a.labelWidth()-2, 4) }

func (a *ActionForm) applyStyles() {
	t := a.st.Theme
	s := textinput.DefaultStyles(true)
	base := lipgloss.NewStyle()
	if t.Text != nil {
		base = base.Foreground(t.Text)
	}
	// Placeholders and completions are ghost text: italic and faint in
	// every theme, so they differ from typed text without colour.
	sub := lipgloss.NewStyle().Italic(true).Faint(true)
	if t.Subtle != nil {
		sub = sub.Foreground(t.Subtle)
	}
	s.Focused.Text, s.Blurred.Text = base, base
	s.Focused.Placeholder, s.Blurred.Placeholder = sub, sub
	s.Focused.Suggestion, s.Blurred.Suggestion = sub, sub
	s.Cursor.Color = t.Focus
	s.Cursor.Blink = false
	for i := range a.inputs {
		a.inputs[i].SetStyles(s)
	}
}

// body lays out every line and the index of the focused field's first line.
func (a *ActionForm) body() ([]string, int) {
	inner := a.w - 2
	lw, vw := a.labelWidth(), a.valueWidth()
	var lines []string
	at := 0
	for i, f := range a.form.Fields {
		if i == a.focus {
			at = len(lines)
		}
		mark := " "
		label := a.st.Subtle.Render(fit(f.Label, lw))
		if i == a.focus {
			mark = a.st.Prompt.Render("›")
			label = a.st.Accent.Render(fit(f.Label, lw))
		}
		var val string
		switch {
		case len(f.Choices) > 0:
			parts := make([]string, len(f.Choices))
			for j, c := range f.Choices {
				if c == f.Value {
					parts[j] = a.st.Selected.Render("[" + c + "]")
				} else {
					parts[j] = a.st.Subtle.Render(" " + c + " ")
				}
			}
			val = strings.Join(parts, " ")
		case a.whole[i] && i == a.focus:
			// Selected: the next key typed replaces it.
			val = a.st.Selected.Render(trunc(a.inputs[i].Value(), vw))
		default:
			// The input pads its value to its width but draws a completion
			// beyond it: cut (no ellipsis) rather than mark a phantom overflow.
			val = ansi.Truncate(a.inputs[i].View(), vw, "")
		}
		if f.Optional && f.Value == "" && a.inputs[i].Value() == "" && i != a.focus {
			val = a.st.Ghost.Render("(optional)")
		}
		lines = append(lines, fit(mark+label+" "+fit(val, vw), inner))
		indent := spaces(1 + lw + 1)
		if msg, bad := a.errs[f.Key]; bad {
			lines = append(lines, fit(indent+a.st.Error.Render("✗ "+safe(msg)), inner))
		}
		if i == a.focus {
			if len(f.Suggest) > 0 {
				seen := make([]string, 0, len(f.Suggest))
				for _, s := range f.Suggest {
					seen = append(seen, safe(s))
				}
				lines = append(lines, fit(indent+a.st.Subtle.Render("seen: "+strings.Join(seen, ", ")), inner))
			}
			if f.Hint != "" {
				lines = append(lines, fit(indent+a.st.Subtle.Render(f.Hint), inner))
			}
		}
	}
	if a.general != "" {
		lines = append(lines, fit(" "+a.st.Error.Render("✗ "+safe(a.general)), inner))
	}
	if a.discard {
		at = len(lines) // keep the question in view
		lines = append(lines, fit(" "+a.st.Warn.Render("Discard what you typed? esc discards · any other key keeps editing"), inner))
	}
	return lines, at
}

// View draws the form box at its size.
func (a *ActionForm) View() string {
	if a.w < 4 || a.h < 3 {
		return ""
	}
	lines, at := a.body()
	rows := a.h - 2
	if at < a.offset {
		a.offset = at
	}
	if at >= a.offset+rows-1 {
		a.offset = at - rows + 2
	}
	a.offset = clamp(a.offset, 0, max(len(lines)-rows, 0))
	title := a.form.Title
	if title == "" {
		title = a.form.Kind.Title()
	}
	title += " · " + a.form.Platform
	if a.form.Template != "" {
		title += " · " + a.form.Template
	}
	info := "enter review · esc cancel"
	if a.discard {
		info = "esc again discards"
	}
	return frame(a.st, true, a.w, a.h, title, info, lines[a.offset:])
}
