package decode

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// appendQuoted appends s as a JSON string. Invalid UTF-8 becomes \ufffd.
// With display set, every rune Safe would replace (C1, bidi controls,
// invisible characters) is written as a \u escape too, so the result is
// both terminal-safe and exact about what the device sent.
func appendQuoted(dst []byte, s string, display bool) []byte {
	dst = append(dst, '"')
	start := 0
	prevNonASCII := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			prevNonASCII = false
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = appendUEscape(dst, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		bad := r == utf8.RuneError && size == 1
		if !bad && !(r == 0x2028 || r == 0x2029) && !(display && unsafeRune(r, size, prevNonASCII)) {
			prevNonASCII = true
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendUEscape(dst, r)
		prevNonASCII = false
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendUEscape(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// writeCompact renders n as one line of JSON-like text for display: strings
// quoted with appendQuoted(display), MsgPack integer keys bare, bytes as
// <bin N hex>, times as <time RFC3339>. It stops soon after the builder
// passes budget bytes (budget < 0: no limit), so summaries of large
// documents stay cheap.
func writeCompact(b *strings.Builder, n Node, budget int) {
	var buf [64]byte
	over := func() bool { return budget >= 0 && b.Len() > budget }
	switch n.Kind {
	case KindArray:
		b.WriteByte('[')
		for i := range n.Items {
			if over() {
				return
			}
			if i > 0 {
				b.WriteByte(',')
			}
			writeCompact(b, n.Items[i], budget)
		}
		b.WriteByte(']')
	case KindObject:
		b.WriteByte('{')
		for i := range n.Fields {
			if over() {
				return
			}
			if i > 0 {
				b.WriteByte(',')
			}
			f := &n.Fields[i]
			writeKey(b, f)
			b.WriteByte(':')
			writeCompact(b, f.Value, budget)
		}
		b.WriteByte('}')
	default:
		b.Write(appendScalar(buf[:0], n, budget))
	}
}

func writeKey(b *strings.Builder, f *Field) {
	if f.KeyIsInt {
		b.WriteString(f.Key)
		return
	}
	var buf [64]byte
	b.Write(appendQuoted(buf[:0], f.Key, true))
}

// appendScalar renders a non-container node for display. Long strings and
// byte strings stop after about max bytes (max < 0: whole).
func appendScalar(dst []byte, n Node, max int) []byte {
	switch n.Kind {
	case KindNull:
		return append(dst, "null"...)
	case KindBool:
		return strconv.AppendBool(dst, n.Bool)
	case KindInt:
		return strconv.AppendInt(dst, n.Int, 10)
	case KindUint:
		return strconv.AppendUint(dst, n.Uint, 10)
	case KindFloat:
		return appendFloat(dst, n.Float)
	case KindString:
		s := n.Str
		if max >= 0 {
			s = runePrefix(s, max+4) // the caller truncates the whole line anyway
		}
		return appendQuoted(dst, s, true)
	case KindTime:
		dst = append(dst, "<time "...)
		dst = n.Time.AppendFormat(dst, time.RFC3339Nano)
		return append(dst, '>')
	case KindBytes:
		dst = append(dst, "<bin "...)
		dst = strconv.AppendInt(dst, int64(len(n.Bytes)), 10)
		return appendHexTail(dst, n.Bytes, max)
	case KindExt:
		dst = append(dst, "<ext "...)
		dst = strconv.AppendInt(dst, int64(n.ExtType), 10)
		return appendHexTail(dst, n.Bytes, max)
	}
	return dst
}

func appendHexTail(dst, b []byte, max int) []byte {
	if len(b) > 0 {
		dst = append(dst, ' ')
	}
	for i, c := range b {
		if max >= 0 && i*2 > max {
			dst = append(dst, ellipsis...)
			break
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(dst, '>')
}

// runePrefix returns at most n bytes of s, not splitting a UTF-8 sequence.
func runePrefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
