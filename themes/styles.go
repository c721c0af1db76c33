package themes

import (
	"image/color"

	"github.com/charmbracelet/x/ansi"
)

// Paint is a precomputed SGR sequence. Rendering is a string concatenation,
// cheap enough to use for every cell of every frame (Lip Gloss styles cost
// microseconds per call; a 120x40 frame has hundreds of cells).
type Paint struct {
	seq string
}

// Render wraps s in the paint and a reset. The zero Paint returns s as is.
func (p Paint) Render(s string) string {
	if p.seq == "" || s == "" {
		return s
	}
	return p.seq + s + ansi.ResetStyle
}

// Append writes what Render(s) returns onto b, without building a string:
// panes write their frame into one reusable buffer.
func (p Paint) Append(b []byte, s string) []byte {
	if p.seq == "" || s == "" {
		return append(b, s...)
	}
	b = append(b, p.seq...)
	b = append(b, s...)
	return append(b, ansi.ResetStyle...)
}

// Seq is the opening SGR sequence ("" for none).
func (p Paint) Seq() string { return p.seq }

// IsZero reports whether the paint does nothing.
func (p Paint) IsZero() bool { return p.seq == "" }

// attrs describes one paint before it becomes a sequence.
type attrs struct {
	fg, bg                   color.Color
	bold, underline, reverse bool
	italic, faint            bool
}

func (a attrs) paint() Paint {
	var s ansi.Style
	if a.bold {
		s = s.Bold()
	}
	if a.italic {
		s = s.Italic(true)
	}
	if a.faint {
		s = s.Faint()
	}
	if a.underline {
		s = s.Underline(true)
	}
	if a.reverse {
		s = s.Reverse(true)
	}
	if a.fg != nil {
		s = s.ForegroundColor(a.fg)
	}
	if a.bg != nil {
		s = s.BackgroundColor(a.bg)
	}
	if len(s) == 0 {
		return Paint{}
	}
	return Paint{seq: s.String()}
}

// Styles are the paints the panes use, built from one Theme.
type Styles struct {
	Theme Theme

	Text   Paint
	Subtle Paint
	// Ghost is text the operator did not type: placeholders, completions,
	// "(optional)". Italic and faint in every theme, so it differs from
	// typed text without colour too (NO_COLOR, mono).
	Ghost  Paint
	Accent Paint
	Header Paint // table header row

	Title        Paint // pane title, unfocused
	TitleFocused Paint
	Border       Paint // pane border, unfocused
	BorderFocus  Paint

	Selected     Paint // selected row of the focused pane
	SelectedBlur Paint // selected row of an unfocused pane

	OK      Paint
	Warn    Paint
	Error   Paint
	Offline Paint
	Stale   Paint
	Unknown Paint
	Info    Paint

	Status      Paint // status bar base
	StatusKey   Paint // status bar labels and values that stand out
	StatusOK    Paint
	StatusWarn  Paint // PAUSED, READ-ONLY, drops
	StatusAlert Paint // INSECURE TLS, stopped, refused

	HelpKey  Paint
	HelpDesc Paint
	Prompt   Paint // filter prompt
	Spark    Paint // sparklines
}

// Name is the theme's name.
func (s Styles) Name() string { return s.Theme.Name }

// New builds the styles of the named theme (dark for an unknown name).
func New(name string) Styles {
	t, _ := Lookup(name)
	return FromTheme(t)
}

// FromTheme builds the styles of any theme, e.g. one from a config file.
func FromTheme(t Theme) Styles {
	if t.Mono {
		return monoStyles(t)
	}
	return Styles{
		Theme:        t,
		Text:         attrs{fg: t.Text}.paint(),
		Subtle:       attrs{fg: t.Subtle}.paint(),
		Ghost:        attrs{fg: t.Subtle, italic: true, faint: true}.paint(),
		Accent:       attrs{fg: t.Accent}.paint(),
		Header:       attrs{fg: t.Header, bold: true}.paint(),
		Title:        attrs{fg: t.Subtle, bold: true}.paint(),
		TitleFocused: attrs{fg: t.Focus, bold: true}.paint(),
		Border:       attrs{fg: t.Border}.paint(),
		BorderFocus:  attrs{fg: t.Focus}.paint(),
		Selected:     attrs{fg: t.SelFg, bg: t.Selection, bold: true}.paint(),
		SelectedBlur: attrs{fg: t.SelFg, bg: t.Selection}.paint(),
		OK:           attrs{fg: t.OK}.paint(),
		Warn:         attrs{fg: t.Warn, bold: true}.paint(),
		Error:        attrs{fg: t.Error, bold: true}.paint(),
		Offline:      attrs{fg: t.Offline, bold: true}.paint(),
		Stale:        attrs{fg: t.Stale}.paint(),
		Unknown:      attrs{fg: t.Unknown}.paint(),
		Info:         attrs{fg: t.Info}.paint(),
		Status:       attrs{fg: t.StatusFg, bg: t.StatusBg}.paint(),
		StatusKey:    attrs{fg: t.StatusFg, bg: t.StatusBg, bold: true}.paint(),
		StatusOK:     attrs{fg: t.OK, bg: t.StatusBg, bold: true}.paint(),
		StatusWarn:   attrs{fg: t.Warn, bg: t.StatusBg, bold: true}.paint(),
		StatusAlert:  attrs{fg: t.StatusBg, bg: t.Error, bold: true}.paint(),
		HelpKey:      attrs{fg: t.Accent, bold: true}.paint(),
		HelpDesc:     attrs{fg: t.Subtle}.paint(),
		Prompt:       attrs{fg: t.Focus, bold: true}.paint(),
		Spark:        attrs{fg: t.Info}.paint(),
	}
}

// monoStyles carry every distinction with bold, underline and reverse video,
// which NO_COLOR terminals still show.
func monoStyles(t Theme) Styles {
	bold := attrs{bold: true}.paint()
	rev := attrs{reverse: true}.paint()
	return Styles{
		Theme:        t,
		Ghost:        attrs{italic: true, faint: true}.paint(),
		Header:       attrs{bold: true, underline: true}.paint(),
		Title:        Paint{},
		TitleFocused: attrs{bold: true, reverse: true}.paint(),
		BorderFocus:  bold,
		Selected:     attrs{reverse: true, bold: true}.paint(),
		SelectedBlur: attrs{underline: true}.paint(),
		Warn:         bold,
		Error:        bold,
		Offline:      bold,
		Status:       rev,
		StatusKey:    attrs{reverse: true, bold: true}.paint(),
		StatusOK:     rev,
		StatusWarn:   attrs{reverse: true, bold: true}.paint(),
		StatusAlert:  attrs{bold: true, underline: true}.paint(),
		HelpKey:      bold,
		Prompt:       bold,
	}
}
