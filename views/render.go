// Package views holds mqdeck's panes, one per file: fleet, events,
// telemetry, errors, log, detail, help and the status bar. Each pane has
// Update, View, SetSize, Focus/Blur and its own help; only the root in tui is
// a tea.Model. Rendering a row is a pure function of the data it shows, and
// panes ask the fleet store for the visible rows only.
package views

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/themes"
)

// ellipsis marks text cut to fit.
const ellipsis = "…"

// isPlainASCII reports whether every byte of s is printable ASCII, where the
// width in cells is the length in bytes (the common case: topics, ids).
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// width is the width of s in cells; ANSI sequences count zero.
func width(s string) int {
	if isPlainASCII(s) {
		return len(s)
	}
	return ansi.StringWidth(s)
}

// trunc cuts s to at most w cells, marking the cut with an ellipsis.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if isPlainASCII(s) {
		if len(s) <= w {
			return s
		}
		return s[:w-1] + ellipsis
	}
	return ansi.Truncate(s, w, ellipsis)
}

// fit cuts or pads s to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if isPlainASCII(s) {
		switch {
		case len(s) == w:
			return s
		case len(s) < w:
			return s + spaces(w-len(s))
		default:
			return s[:w-1] + ellipsis
		}
	}
	s = ansi.Truncate(s, w, ellipsis)
	if n := ansi.StringWidth(s); n < w {
		s += spaces(w - n)
	}
	return s
}

// fitRight right-aligns s in exactly w cells (numbers, ages).
func fitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) > w {
		s = trunc(s, w)
	}
	return spaces(w-width(s)) + s
}

// spaceRun is sliced for padding without allocating per call.
const spaceRun = "                                                                                                                                                                                                                                                                "

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	if n <= len(spaceRun) {
		return spaceRun[:n]
	}
	return strings.Repeat(" ", n)
}

// border is one set of box-drawing characters.
type border struct {
	tl, tr, bl, br, h, v string
}

// Focused panes get a heavy border, so focus shows without colour.
func borderFor(focused bool) border {
	if focused {
		return border{"┏", "┓", "┗", "┛", "━", "┃"}
	}
	return border{"╭", "╮", "╰", "╯", "─", "│"}
}

// box is the border and paints of a pane's frame, written line by line
// into the pane's buffer.
type box struct {
	b      border
	bp, tp themes.Paint
	st     themes.Styles
}

func boxFor(st themes.Styles, focused bool) box {
	if focused {
		return box{borderFor(true), st.BorderFocus, st.TitleFocused, st}
	}
	return box{borderFor(false), st.Border, st.Title, st}
}

// top appends the top border, ┏━ Title ━━━━━ info ━┓, exactly w cells
// (w >= 2) with the corners tl and tr. The title sits at the left, info
// (counts, filter) at the right.
func (x box) top(dst []byte, w int, title, info, tl, tr string) []byte {
	bp := x.bp
	inner := w - 2
	dst = bp.Append(dst, tl)
	avail := inner - 2 // one border cell kept at each end
	if avail < 3 {
		var mark int
		dst, mark = openPaint(dst, bp)
		dst = appendRepeat(dst, x.b.h, max(inner, 0))
		dst = closePaint(dst, bp, mark)
	} else {
		t, seg1W := "", 0
		if title != "" {
			t = trunc(title, avail-2)
			seg1W = padWidth(t)
		}
		rest := avail - seg1W
		n, seg2W := "", 0
		if info != "" && rest >= 6 {
			n = trunc(info, rest-3)
			seg2W = padWidth(n)
		}
		fill := avail - seg1W - seg2W
		dst = bp.Append(dst, x.b.h)
		if title != "" {
			dst = append(dst, x.tp.Seq()...)
			dst = append(append(append(dst, ' '), t...), ' ')
			if !x.tp.IsZero() {
				dst = append(dst, ansi.ResetStyle...)
			}
		}
		var mark int
		dst, mark = openPaint(dst, bp)
		dst = appendRepeat(dst, x.b.h, fill)
		dst = closePaint(dst, bp, mark)
		if seg2W > 0 {
			sp := x.st.Subtle
			dst = append(dst, sp.Seq()...)
			dst = append(append(append(dst, ' '), n...), ' ')
			if !sp.IsZero() {
				dst = append(dst, ansi.ResetStyle...)
			}
		}
		dst = bp.Append(dst, x.b.h)
	}
	return bp.Append(dst, tr)
}

// padWidth is the width of " "+s+" ", measured as one string as the
// title's segments always were (a mark at the start of s joins the space).
func padWidth(s string) int {
	if isPlainASCII(s) {
		return len(s) + 2
	}
	return width(" " + s + " ")
}

// open starts a body line: the newline and the left side.
func (x box) open(dst []byte) []byte { return x.bp.Append(append(dst, '\n'), x.b.v) }

// close ends a body line with the right side.
func (x box) close(dst []byte) []byte { return x.bp.Append(dst, x.b.v) }

// bottom appends the newline and the bottom border of a box inner cells
// wide inside.
func (x box) bottom(dst []byte, inner int) []byte {
	dst = append(dst, '\n')
	dst = append(dst, x.bp.Seq()...)
	dst = append(dst, x.b.bl...)
	dst = appendRepeat(dst, x.b.h, inner)
	dst = append(dst, x.b.br...)
	if !x.bp.IsZero() {
		dst = append(dst, ansi.ResetStyle...)
	}
	return dst
}

// appendFrame appends a box of exactly w x h cells around body lines (each
// already fitted to w-2 cells; missing lines are blank). The title sits in
// the top border, info (counts, filter) at its right.
func appendFrame(dst []byte, st themes.Styles, focused bool, w, h int, title, info string, body []string) []byte {
	if w < 2 || h < 2 {
		return dst
	}
	x := boxFor(st, focused)
	inner := w - 2
	dst = x.top(dst, w, title, info, x.b.tl, x.b.tr)
	for i := 0; i < h-2; i++ {
		dst = x.open(dst)
		if i < len(body) {
			dst = append(dst, body[i]...)
		} else {
			dst = appendSpaces(dst, inner)
		}
		dst = x.close(dst)
	}
	return x.bottom(dst, inner)
}

// frame is appendFrame as a new string, for the boxes drawn seldom
// (forms, confirmations, help); the panes drawn every frame keep a buffer.
func frame(st themes.Styles, focused bool, w, h int, title, info string, body []string) string {
	if w < 2 || h < 2 {
		return ""
	}
	return string(appendFrame(make([]byte, 0, (w+16)*h), st, focused, w, h, title, info, body))
}
