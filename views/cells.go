package views

import (
	"math"
	"strconv"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/themes"
)

// The append forms of the fitting helpers write into a pane's reusable
// buffer what the string forms return. A frame is drawn 30 times a second
// per session; every string built on the way used to be garbage, and under
// load the collector made the drawing goroutine pay for it (mark assists
// of milliseconds inside a frame). Each one below must write exactly the
// bytes of its string form: the goldens hold them to it.

// appendSpaces appends n blanks (none for n <= 0).
func appendSpaces(b []byte, n int) []byte {
	for n > 0 {
		k := min(n, len(spaceRun))
		b = append(b, spaceRun[:k]...)
		n -= k
	}
	return b
}

// appendRepeat appends s n times.
func appendRepeat(b []byte, s string, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, s...)
	}
	return b
}

// appendFit appends fit(s, w).
func appendFit(b []byte, s string, w int) []byte {
	if w <= 0 {
		return b
	}
	if isPlainASCII(s) {
		switch {
		case len(s) == w:
			return append(b, s...)
		case len(s) < w:
			return appendSpaces(append(b, s...), w-len(s))
		}
		return append(append(b, s[:w-1]...), ellipsis...)
	}
	if n := ansi.StringWidth(s); n <= w {
		// ansi.Truncate returns a string that fits unchanged.
		return appendSpaces(append(b, s...), w-n)
	}
	return append(b, fit(s, w)...)
}

// appendFitRight appends fitRight(s, w).
func appendFitRight(b []byte, s string, w int) []byte {
	if w <= 0 {
		return b
	}
	if width(s) > w {
		s = trunc(s, w)
	}
	return append(appendSpaces(b, w-width(s)), s...)
}

// appendRightASCII is appendFitRight for printable ASCII built on the
// stack (numbers, ages): no string is made unless it must be cut.
func appendRightASCII(b, s []byte, w int) []byte {
	if len(s) > w {
		return appendFitRight(b, string(s), w)
	}
	return append(appendSpaces(b, w-len(s)), s...)
}

// appendFitMiddle appends fitMiddle(s, w).
func appendFitMiddle(b []byte, s string, w int) []byte {
	s = safe(s)
	if !isPlainASCII(s) {
		return append(b, fitMiddle(s, w)...)
	}
	n := len(s)
	if n <= w || w < 5 {
		return appendFit(b, s, w)
	}
	tail := (w - 1) * 2 / 5
	head := w - 1 - tail
	b = append(b, s[:head]...)
	b = append(b, ellipsis...)
	return append(b, s[len(s)-tail:]...)
}

// appendGlyphWord appends a state as a one-cell glyph and its word, padded
// to w cells, or cut to them when they are too few.
func appendGlyphWord(b []byte, glyph, word string, w int) []byte {
	if have := 2 + width(word); have <= w {
		b = append(b, glyph...)
		b = append(b, ' ')
		b = append(b, word...)
		return appendSpaces(b, w-have)
	}
	return append(b, fit(glyph+" "+word, w)...)
}

// appendAge appends Age(now, t).
func appendAge(b []byte, now, t time.Time) []byte {
	if t.IsZero() {
		return append(b, '-')
	}
	d := now.Sub(t)
	switch {
	case d < time.Second:
		return append(b, "now"...)
	case d < time.Minute:
		return append(strconv.AppendInt(b, int64(d/time.Second), 10), 's')
	case d < time.Hour:
		return append(strconv.AppendInt(b, int64(d/time.Minute), 10), 'm')
	case d < 48*time.Hour:
		return append(strconv.AppendInt(b, int64(d/time.Hour), 10), 'h')
	}
	return append(strconv.AppendInt(b, int64(d/(24*time.Hour)), 10), 'd')
}

// appendSparkline appends Sparkline(vals, w).
func appendSparkline(b []byte, vals []float64, w int) []byte {
	if w <= 0 {
		return b
	}
	if len(vals) > w {
		vals = vals[len(vals)-w:]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	b = appendSpaces(b, w-len(vals))
	for _, v := range vals {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			b = append(b, ' ')
		case hi <= lo:
			if v == 0 {
				b = append(b, sparkBlocks[0]...)
			} else {
				b = append(b, sparkBlocks[3]...)
			}
		default:
			i := int((v - lo) / (hi - lo) * float64(len(sparkBlocks)-1))
			b = append(b, sparkBlocks[clamp(i, 0, len(sparkBlocks)-1)]...)
		}
	}
	return b
}

// pick is the paint of a cell: none on a selected row, which is one paint
// so its highlight is not broken by resets (paintIf's rule).
func pick(p themes.Paint, selected bool) themes.Paint {
	if selected {
		return themes.Paint{}
	}
	return p
}

// openPaint opens p at the end of b and says where the text starts;
// closePaint ends it. Together they write what p.Render does around what
// was appended between them: nothing at all when that was nothing.
func openPaint(b []byte, p themes.Paint) ([]byte, int) {
	b = append(b, p.Seq()...)
	return b, len(b)
}

func closePaint(b []byte, p themes.Paint, mark int) []byte {
	switch {
	case p.IsZero():
		return b
	case len(b) == mark:
		return b[:mark-len(p.Seq())]
	}
	return append(b, ansi.ResetStyle...)
}

// rowBuilder assembles a table row from cells whose widths are known, so a
// row is never measured again after painting (measuring styled text costs
// more than drawing it). It writes at the end of a pane's buffer; the row
// is b[start:].
type rowBuilder struct {
	b     []byte
	start int
	w     int
	cells int
	mark  int // where the open cell's text starts (one cell is open at a time)
}

// newRow starts a row at the end of b.
func newRow(b []byte) rowBuilder { return rowBuilder{b: b, start: len(b)} }

// lead writes s of width w with no separator (before the first cell).
func (r *rowBuilder) lead(s string, w int) {
	r.b = append(r.b, s...)
	r.w += w
}

// sep writes the space before every cell but the first.
func (r *rowBuilder) sep() {
	if r.cells > 0 {
		r.b = append(r.b, ' ')
		r.w++
	}
	r.cells++
}

// cell writes a space, then s, which is exactly w cells wide.
func (r *rowBuilder) cell(s string, w int) {
	r.sep()
	r.b = append(r.b, s...)
	r.w += w
}

// open starts a cell w cells wide in paint p; the caller appends its text
// to r.b and calls close.
func (r *rowBuilder) open(p themes.Paint, w int) {
	r.sep()
	r.b, r.mark = openPaint(r.b, p)
	r.w += w
}

func (r *rowBuilder) close(p themes.Paint) { r.b = closePaint(r.b, p, r.mark) }

// fitCell writes p.Render(fit(s, w)).
func (r *rowBuilder) fitCell(p themes.Paint, s string, w int) {
	r.open(p, w)
	r.b = appendFit(r.b, s, w)
	r.close(p)
}

// rightCell writes p.Render(fitRight(s, w)).
func (r *rowBuilder) rightCell(p themes.Paint, s string, w int) {
	r.open(p, w)
	r.b = appendFitRight(r.b, s, w)
	r.close(p)
}

// midCell writes p.Render(fitMiddle(s, w)).
func (r *rowBuilder) midCell(p themes.Paint, s string, w int) {
	r.open(p, w)
	r.b = appendFitMiddle(r.b, s, w)
	r.close(p)
}

// ageCell writes p.Render(fitRight(Age(now, t), w)).
func (r *rowBuilder) ageCell(p themes.Paint, now, t time.Time, w int) {
	var tmp [24]byte
	r.open(p, w)
	if w > 0 {
		r.b = appendRightASCII(r.b, appendAge(tmp[:0], now, t), w)
	}
	r.close(p)
}

// rightBytes writes p.Render(fitRight(string(s), w)) for printable ASCII
// s (numbers built on the stack).
func (r *rowBuilder) rightBytes(p themes.Paint, s []byte, w int) {
	r.open(p, w)
	if w > 0 {
		r.b = appendRightASCII(r.b, s, w)
	}
	r.close(p)
}

// numCell writes p.Render(fitRight(fmt.Sprint(n), w)).
func (r *rowBuilder) numCell(p themes.Paint, n int64, w int) {
	var tmp [24]byte
	r.open(p, w)
	if w > 0 {
		r.b = appendRightASCII(r.b, strconv.AppendInt(tmp[:0], n, 10), w)
	}
	r.close(p)
}

// glyphCell writes p.Render of appendGlyphWord's cell.
func (r *rowBuilder) glyphCell(p themes.Paint, glyph, word string, w int) {
	r.open(p, w)
	r.b = appendGlyphWord(r.b, glyph, word, w)
	r.close(p)
}

// sparkCell writes p.Render(Sparkline(vals, w)).
func (r *rowBuilder) sparkCell(p themes.Paint, vals []float64, w int) {
	r.open(p, w)
	r.b = appendSparkline(r.b, vals, w)
	r.close(p)
}

// line pads the row to inner cells (or cuts it, should the columns ever
// add up to more) and returns the buffer with the row at its end.
func (r *rowBuilder) line(inner int) []byte {
	switch {
	case r.w == inner:
	case r.w < inner:
		r.b = appendSpaces(r.b, inner-r.w)
	default:
		cut := fit(string(r.b[r.start:]), inner)
		r.b = append(r.b[:r.start], cut...)
	}
	return r.b
}
