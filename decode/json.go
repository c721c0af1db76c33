package decode

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// JSONError says where and why a JSON text was refused.
type JSONError struct {
	Offset int // byte offset of the problem
	Line   int // 1-based
	Column int // 1-based, in bytes
	Msg    string
	Depth  bool // refused only because it nests deeper than the limit
}

func (e *JSONError) Error() string {
	return fmt.Sprintf("json: offset %d (line %d, column %d): %s", e.Offset, e.Line, e.Column, e.Msg)
}

// parseJSONDepth bounds operator-typed JSON: the parser recurses, so a limit
// keeps even pasted garbage from growing the stack without end.
const parseJSONDepth = 1000

// ParseJSON parses operator-typed JSON strictly (RFC 8259, one value, no
// trailing data) into a Node with keys in the order written. Errors are
// *JSONError with the offset, line and column.
func ParseJSON(text string) (Node, error) {
	p := jsonParser{s: text, maxDepth: parseJSONDepth}
	n, ok := p.document()
	if !ok {
		return Node{}, p.err
	}
	return n, nil
}

// jsonParser is a recursive descent parser with an explicit depth bound.
// Finished objects and arrays are copied out of scratch stacks so each costs
// one allocation of exactly its size.
type jsonParser struct {
	s        string
	i        int
	maxDepth int
	maxStr   int // 0: no limit
	cut      int // strings shortened to maxStr
	fields   []Field
	items    []Node
	err      *JSONError
}

func (p *jsonParser) reset(s string) {
	p.s, p.i, p.cut, p.err = s, 0, 0, nil
	p.fields = p.fields[:0]
	p.items = p.items[:0]
}

func (p *jsonParser) document() (Node, bool) {
	n, ok := p.value(0)
	if !ok {
		return Node{}, false
	}
	p.skipWS()
	if p.i != len(p.s) {
		return p.fail("unexpected data after the top-level value")
	}
	return n, true
}

func (p *jsonParser) fail(msg string) (Node, bool) {
	if p.err == nil {
		p.err = p.errorAt(p.i, msg)
	}
	return Node{}, false
}

func (p *jsonParser) errorAt(off int, msg string) *JSONError {
	off = min(off, len(p.s))
	line := 1 + strings.Count(p.s[:off], "\n")
	col := off - strings.LastIndexByte(p.s[:off], '\n')
	return &JSONError{Offset: off, Line: line, Column: col, Msg: msg}
}

func (p *jsonParser) skipWS() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (Node, bool) {
	p.skipWS()
	if p.i >= len(p.s) {
		return p.fail("unexpected end of input, expected a value")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, ok := p.str()
		if !ok {
			return Node{}, false
		}
		return Node{Kind: KindString, Str: s}, true
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", Node{Kind: KindBool, Bool: true})
	case c == 'f':
		return p.literal("false", Node{Kind: KindBool})
	case c == 'n':
		return p.literal("null", Node{Kind: KindNull})
	default:
		return p.fail(fmt.Sprintf("invalid character %s, expected a value", quoteChar(p.s[p.i:])))
	}
}

func (p *jsonParser) literal(word string, n Node) (Node, bool) {
	if !strings.HasPrefix(p.s[p.i:], word) {
		return p.fail(fmt.Sprintf("invalid literal, expected %q", word))
	}
	p.i += len(word)
	return n, true
}

func (p *jsonParser) tooDeep() (Node, bool) {
	p.fail(fmt.Sprintf("nesting deeper than %d levels", p.maxDepth))
	p.err.Depth = true
	return Node{}, false
}

func (p *jsonParser) object(depth int) (Node, bool) {
	if depth > p.maxDepth {
		return p.tooDeep()
	}
	p.i++ // '{'
	p.skipWS()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return Node{Kind: KindObject}, true
	}
	if p.fields == nil {
		p.fields = make([]Field, 0, 16) // one allocation instead of doubling from one
	}
	start := len(p.fields)
	for {
		p.skipWS()
		if p.i >= len(p.s) {
			return p.fail("unexpected end of input in object")
		}
		if p.s[p.i] != '"' {
			return p.fail(fmt.Sprintf("invalid character %s, expected a string key", quoteChar(p.s[p.i:])))
		}
		key, ok := p.str()
		if !ok {
			return Node{}, false
		}
		p.skipWS()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return p.fail("expected ':' after object key")
		}
		p.i++
		v, ok := p.value(depth)
		if !ok {
			return Node{}, false
		}
		p.fields = append(p.fields, Field{Key: key, Value: v})
		p.skipWS()
		if p.i >= len(p.s) {
			return p.fail("unexpected end of input in object")
		}
		c := p.s[p.i]
		p.i++
		if c == ',' {
			continue
		}
		if c == '}' {
			break
		}
		p.i--
		return p.fail("expected ',' or '}' after object field")
	}
	fs := make([]Field, len(p.fields)-start)
	copy(fs, p.fields[start:])
	p.fields = p.fields[:start]
	return Node{Kind: KindObject, Fields: fs}, true
}

func (p *jsonParser) array(depth int) (Node, bool) {
	if depth > p.maxDepth {
		return p.tooDeep()
	}
	p.i++ // '['
	p.skipWS()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return Node{Kind: KindArray}, true
	}
	if p.items == nil {
		p.items = make([]Node, 0, 16)
	}
	start := len(p.items)
	for {
		v, ok := p.value(depth)
		if !ok {
			return Node{}, false
		}
		p.items = append(p.items, v)
		p.skipWS()
		if p.i >= len(p.s) {
			return p.fail("unexpected end of input in array")
		}
		c := p.s[p.i]
		p.i++
		if c == ',' {
			continue
		}
		if c == ']' {
			break
		}
		p.i--
		return p.fail("expected ',' or ']' after array element")
	}
	items := make([]Node, len(p.items)-start)
	copy(items, p.items[start:])
	p.items = p.items[:start]
	return Node{Kind: KindArray, Items: items}, true
}

func (p *jsonParser) number() (Node, bool) {
	s := p.s
	start := p.i
	i := p.i
	if s[i] == '-' {
		i++
	}
	digits := i
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		p.i = i
		return p.fail("invalid number: expected a digit")
	}
	intEnd := i
	isInt := true
	if i < len(s) && s[i] == '.' {
		isInt = false
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			p.i = i
			return p.fail("invalid number: expected a digit after '.'")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		isInt = false
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			p.i = i
			return p.fail("invalid number: expected a digit in the exponent")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	p.i = i
	if isInt {
		if nd := intEnd - digits; nd <= 18 {
			var v int64
			for j := digits; j < intEnd; j++ {
				v = v*10 + int64(s[j]-'0')
			}
			if s[start] == '-' {
				v = -v
			}
			return Node{Kind: KindInt, Int: v}, true
		}
		if v, err := strconv.ParseInt(s[start:i], 10, 64); err == nil {
			return Node{Kind: KindInt, Int: v}, true
		}
	}
	// The grammar is already checked: the only possible error is a range
	// error, and then f is ±Inf (or 0 for underflow), which is kept.
	f, _ := strconv.ParseFloat(s[start:i], 64)
	return Node{Kind: KindFloat, Float: f}, true
}

// str parses a string starting at the opening quote. Strings without escapes
// or non-ASCII bytes are substrings of the input (no allocation).
func (p *jsonParser) str() (string, bool) {
	s := p.s
	i := p.i + 1
	for i < len(s) {
		c := s[i]
		if c == '"' {
			out := s[p.i+1 : i]
			p.i = i + 1
			return p.limitStr(out), true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return p.strSlow(i)
		}
		i++
	}
	p.i = len(s)
	_, ok := p.fail("unexpected end of input in string")
	return "", ok
}

// strSlow continues a string from i, where an escape, a control byte or a
// non-ASCII byte was met. Valid UTF-8 passes through; each invalid byte and
// each unpaired surrogate escape becomes U+FFFD (as encoding/json does).
func (p *jsonParser) strSlow(i int) (string, bool) {
	s := p.s
	begin := p.i + 1
	var b []byte // nil while the output is still a substring of s
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			if b == nil {
				return p.limitStr(s[begin:i]), true
			}
			return p.limitStr(string(b)), true
		case c < 0x20:
			p.i = i
			_, ok := p.fail("control character in string (must be escaped)")
			return "", ok
		case c < utf8.RuneSelf && c != '\\':
			if b != nil {
				b = append(b, c)
			}
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				if b == nil {
					b = append(make([]byte, 0, i-begin+16), s[begin:i]...)
				}
				b = utf8.AppendRune(b, utf8.RuneError)
			} else if b != nil {
				b = append(b, s[i:i+size]...)
			}
			i += size
		default: // backslash
			if b == nil {
				b = append(make([]byte, 0, i-begin+16), s[begin:i]...)
			}
			var ok bool
			if b, i, ok = p.escape(b, i); !ok {
				return "", false
			}
		}
	}
	p.i = len(s)
	_, ok := p.fail("unexpected end of input in string")
	return "", ok
}

// escape decodes the escape sequence at s[i] (a backslash) onto b.
func (p *jsonParser) escape(b []byte, i int) ([]byte, int, bool) {
	s := p.s
	if i+1 >= len(s) {
		p.i = len(s)
		_, ok := p.fail("unexpected end of input in escape")
		return b, i, ok
	}
	switch s[i+1] {
	case '"', '\\', '/':
		return append(b, s[i+1]), i + 2, true
	case 'b':
		return append(b, '\b'), i + 2, true
	case 'f':
		return append(b, '\f'), i + 2, true
	case 'n':
		return append(b, '\n'), i + 2, true
	case 'r':
		return append(b, '\r'), i + 2, true
	case 't':
		return append(b, '\t'), i + 2, true
	case 'u':
		r, ok := hex4(s, i+2)
		if !ok {
			p.i = i
			_, ok := p.fail(`invalid \u escape: expected four hex digits`)
			return b, i, ok
		}
		i += 6
		if utf16.IsSurrogate(r) {
			if r < 0xdc00 && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if r2, ok := hex4(s, i+2); ok {
					if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
						return utf8.AppendRune(b, c), i + 6, true
					}
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(b, r), i, true
	default:
		p.i = i
		_, ok := p.fail(fmt.Sprintf("invalid escape %q", s[i:min(i+2, len(s))]))
		return b, i, ok
	}
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// limitStr shortens strings past maxStr bytes at a rune boundary, marking
// the cut with an ellipsis.
func (p *jsonParser) limitStr(s string) string {
	if p.maxStr <= 0 || len(s) <= p.maxStr {
		return s
	}
	p.cut++
	return cutString(s, p.maxStr)
}

func cutString(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// quoteChar names the character at the start of s for an error message.
func quoteChar(s string) string {
	if s == "" {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(s)
	return strconv.QuoteRune(r)
}
