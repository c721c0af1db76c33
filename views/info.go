package views

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
)

// InfoCloseMsg: the operator has read the box.
type InfoCloseMsg struct{}

// Info is a modal box of prose, for what does not fit the status bar: how
// to configure DRIVR's GraphQL acknowledgement, for instance. Lines are
// wrapped at words; a line starting with spaces is kept as typed (config
// examples) and cut at the border.
type Info struct {
	st     themes.Styles
	title  string
	text   []string
	close  key.Binding
	scroll [2]key.Binding
	w, h   int
	offset int
}

// NewInfo builds the box; text is plain and is made terminal-safe here.
func NewInfo(st themes.Styles, title string, text []string) *Info {
	return &Info{
		st: st, title: title, text: text,
		close: key.NewBinding(key.WithKeys("esc", "enter", "q"), key.WithHelp("esc", "close")),
		scroll: [2]key.Binding{
			key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
			key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		},
	}
}

// SetStyles switches the theme.
func (b *Info) SetStyles(st themes.Styles) { b.st = st }

// SetSize sets the outer size, border included.
func (b *Info) SetSize(w, h int) { b.w, b.h = w, h }

// ShortHelp is the footer while the box is open.
func (b *Info) ShortHelp() []key.Binding { return []key.Binding{b.close, b.scroll[1]} }

// Update closes on esc, enter or q, and scrolls.
func (b *Info) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, b.close):
		return func() tea.Msg { return InfoCloseMsg{} }
	case key.Matches(k, b.scroll[0]):
		b.offset--
	case key.Matches(k, b.scroll[1]):
		b.offset++
	}
	b.offset = clamp(b.offset, 0, max(len(b.lines())-(b.h-2), 0))
	return nil
}

// lines lays the text out for the current width.
func (b *Info) lines() []string {
	inner := b.w - 2
	if inner < 4 {
		return nil
	}
	var out []string
	for _, t := range b.text {
		t = safe(t)
		switch {
		case t == "":
			out = append(out, spaces(inner))
		case t[0] == ' ':
			out = append(out, fit(" "+b.st.Accent.Render(t), inner))
		default:
			for _, part := range wrapWords(t, inner-2) {
				out = append(out, fit(" "+b.st.Text.Render(part), inner))
			}
		}
	}
	return out
}

// View draws the box at its size.
func (b *Info) View() string {
	if b.w < 4 || b.h < 3 {
		return ""
	}
	ls := b.lines()
	if b.offset < len(ls) {
		ls = ls[b.offset:]
	}
	return frame(b.st, true, b.w, b.h, b.title, "esc close", ls)
}
