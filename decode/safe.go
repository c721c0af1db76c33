package decode

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Replacement glyphs. C0 controls become their Unicode control pictures
// (ESC shows as ␛, BEL as ␇, LF as ␊), DEL as ␡; everything else that a
// terminal could act on or that hides itself becomes U+FFFD.
const (
	controlPictures = 0x2400 // U+2400 + C0 code
	delPicture      = '\u2421'
	hidden          = utf8.RuneError
)

// Safe returns s made safe to print on a terminal: no byte or rune that a
// terminal interprets as a control, no bidi control that could reorder what
// the operator reads, valid UTF-8. Tab becomes a space so columns stay
// aligned; other C0 controls, ESC and DEL become visible control pictures;
// C1 controls, bidi controls, invisible characters and invalid bytes become
// U+FFFD. ZWJ and ZWNJ stay after a non-ASCII character (emoji sequences,
// Indic and Persian script) and are made visible elsewhere.
//
// Already safe strings (the common case) are returned unchanged without
// allocating.
func Safe(s string) string {
	prevWide := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return safeSlow(s, i)
			}
			prevWide = false
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size, prevWide) {
			return safeSlow(s, i)
		}
		prevWide = true
		i += size
	}
	return s
}

// SafeBytes is Safe for a byte slice; it always returns a new string.
func SafeBytes(b []byte) string {
	return Safe(string(b))
}

// unsafeRune reports whether a non-ASCII rune must be replaced.
// prevNonASCII says whether the previous rune was a kept non-ASCII rune.
func unsafeRune(r rune, size int, prevNonASCII bool) bool {
	switch {
	case r == utf8.RuneError && size == 1: // invalid byte
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls (CSI is U+009B)
		return true
	case r < 0x061c:
		return r == 0x00ad // soft hyphen: width differs between terminals
	case r == 0x061c: // Arabic letter mark
		return true
	case r == 0x180e: // Mongolian vowel separator, invisible
		return true
	case r >= 0x200b && r <= 0x200f:
		// ZWSP, ZWNJ, ZWJ, LRM, RLM
		if (r == 0x200c || r == 0x200d) && prevNonASCII {
			return false
		}
		return true
	case r >= 0x2028 && r <= 0x202e: // line/paragraph separators, bidi embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x206f: // word joiner, invisible operators, bidi isolates, deprecated format
		return true
	case r == 0xfeff: // BOM / zero-width no-break space
		return true
	case r >= 0xfff9 && r <= 0xfffb: // interlinear annotation controls
		return true
	}
	return false
}

func safeSlow(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	prevWide := false
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		prevWide = r >= utf8.RuneSelf
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\t':
				b.WriteByte(' ')
			case c < 0x20:
				b.WriteRune(controlPictures + rune(c))
			case c == 0x7f:
				b.WriteRune(delPicture)
			default:
				b.WriteByte(c)
			}
			prevWide = false
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size, prevWide) {
			b.WriteRune(hidden)
			prevWide = false
		} else {
			b.WriteString(s[i : i+size])
			prevWide = true
		}
		i += size
	}
	return b.String()
}

// isPlainASCII reports whether s is printable ASCII only, where width is
// the byte count and Safe is the identity.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// Width is the number of terminal cells Safe(s) occupies, counting wide
// (CJK, emoji) graphemes as two and combining marks as zero, the way the
// renderer (lipgloss, through charmbracelet/x/ansi) counts them.
func Width(s string) int {
	if isPlainASCII(s) {
		return len(s)
	}
	return ansi.StringWidth(Safe(s))
}

// ellipsis marks a cut.
const ellipsis = "…"

// truncBytesPerCell bounds how many bytes of input Truncate looks at per
// cell of output (generous: combining marks take bytes and no cells).
const truncBytesPerCell = 16

// Truncate returns Safe(s) cut to at most width cells, ending in "…" when
// something was cut. Graphemes (a base with its combining marks, an emoji
// sequence) are never split.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if isPlainASCII(s) {
		if len(s) <= width {
			return s
		}
		return s[:width-1] + ellipsis
	}
	// The work is bounded by the width, not by len(s): a huge payload line
	// is cut to a prefix before it is made safe and measured.
	long := false
	if limit := width*truncBytesPerCell + 64; len(s) > limit {
		for limit > 0 && !utf8.RuneStart(s[limit]) {
			limit--
		}
		s, long = s[:limit], true
	}
	s = Safe(s)
	head := cutWidth(s, width-1)
	if rest := s[len(head):]; !long && (rest == "" || cutWidth(rest, 1) == rest) {
		return s
	}
	return head + ellipsis
}

// cutWidth returns the longest prefix of the safe string s whose width is at
// most width, ending on a grapheme boundary.
func cutWidth(s string, width int) string {
	used, end := 0, 0
	for end < len(s) {
		if c := s[end]; c < utf8.RuneSelf && c >= 0x20 && (end+1 == len(s) || s[end+1] < utf8.RuneSelf) {
			// An ASCII character followed by ASCII is a grapheme of width 1.
			if used+1 > width {
				break
			}
			used++
			end++
			continue
		}
		g, w := ansi.FirstGraphemeCluster(s[end:], ansi.GraphemeWidth)
		if g == "" || used+w > width {
			break
		}
		used += w
		end += len(g)
	}
	return s[:end]
}

// splitWidth cuts a safe string into pieces of at most width cells each
// (for wrapping); a grapheme wider than width gets a piece of its own.
func splitWidth(s string, width int) []string {
	if width < 1 {
		width = 1
	}
	var out []string
	for s != "" {
		head := cutWidth(s, width)
		if head == "" { // a single grapheme wider than width
			g, _ := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
			head = g
			if head == "" {
				head = s
			}
		}
		out = append(out, head)
		s = s[len(head):]
	}
	return out
}
