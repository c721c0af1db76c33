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

// frame draws a box of exactly w x h cells around body lines (each already
// fitted to w-2 cells; missing lines are blank). The title sits in the top
// border, info (counts, filter) at its right.
func frame(st themes.Styles, focused bool, w, h int, title, info string, body []string) string {
	if w < 2 || h < 2 {
		return ""
	}
	b := borderFor(focused)
	bp, tp := st.Border, st.Title
	if focused {
		bp, tp = st.BorderFocus, st.TitleFocused
	}
	inner := w - 2
	var sb strings.Builder
	sb.Grow((w + 16) * h)

	// Top: ┏━ Title ━━━━━ info ━┓, exactly w cells.
	sb.WriteString(bp.Render(b.tl))
	avail := inner - 2 // one border cell kept at each end
	if avail < 3 {
		sb.WriteString(bp.Render(strings.Repeat(b.h, max(inner, 0))))
	} else {
		seg1, seg2 := "", ""
		if title != "" {
			seg1 = " " + trunc(title, avail-2) + " "
		}
		rest := avail - width(seg1)
		if info != "" && rest >= 6 {
			seg2 = " " + trunc(info, rest-3) + " "
		}
		fill := avail - width(seg1) - width(seg2)
		sb.WriteString(bp.Render(b.h))
		sb.WriteString(tp.Render(seg1))
		sb.WriteString(bp.Render(strings.Repeat(b.h, fill)))
		sb.WriteString(st.Subtle.Render(seg2))
		sb.WriteString(bp.Render(b.h))
	}
	sb.WriteString(bp.Render(b.tr))

	side := bp.Render(b.v)
	blank := spaces(inner)
	for i := 0; i < h-2; i++ {
		sb.WriteByte('\n')
		sb.WriteString(side)
		if i < len(body) {
			sb.WriteString(body[i])
		} else {
			sb.WriteString(blank)
		}
		sb.WriteString(side)
	}
	sb.WriteByte('\n')
	sb.WriteString(bp.Render(b.bl + strings.Repeat(b.h, inner) + b.br))
	return sb.String()
}

// rowBuilder assembles a table row from cells whose widths are known, so a
// row is never measured again after painting (measuring styled text costs
// more than drawing it).
type rowBuilder struct {
	b     []byte
	w     int
	cells int
}

// lead writes s of width w with no separator (before the first cell).
func (r *rowBuilder) lead(s string, w int) {
	r.b = append(r.b, s...)
	r.w += w
}

// cell writes a space, then s, which is exactly w cells wide.
func (r *rowBuilder) cell(s string, w int) {
	if r.cells > 0 {
		r.b = append(r.b, ' ')
		r.w++
	}
	r.cells++
	r.b = append(r.b, s...)
	r.w += w
}

// line pads the row to inner cells (or cuts it, should the columns ever
// add up to more).
func (r *rowBuilder) line(inner int) string {
	switch {
	case r.w == inner:
		return string(r.b)
	case r.w < inner:
		return string(r.b) + spaces(inner-r.w)
	}
	return fit(string(r.b), inner)
}

// padKnown pads s, whose width is have, to w cells; it measures only when
// s is too wide.
func padKnown(s string, have, w int) string {
	if have <= w {
		return s + spaces(w-have)
	}
	return fit(s, w)
}
