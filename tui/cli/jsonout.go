package cli

import (
	"encoding/base64"
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/mqdeck/mqdeck/decode"
)

// The log writes JSON by hand: encoding/json's reflection costs more than
// the rest of the line at 100k messages a second. Every string goes through
// appendString, which keeps the output valid JSON and terminal-safe.

const hexDigits = "0123456789abcdef"

// maxNodeDepth bounds recursion even if a decoder let a deeper tree through.
const maxNodeDepth = 1000

// appendString appends s as a JSON string. Besides what JSON requires, it
// escapes DEL, the C1 controls, the line/paragraph separators and the bidi
// controls, so a device cannot steer a terminal that shows the log. Invalid
// UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip plain ASCII eight bytes at a time, up to the first byte that
		// needs a look: most of a payload is copied as it is.
		for i+8 <= len(s) {
			if m := special8(load64(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if escapeRune(r) {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Byte-parallel tests on a uint64 (eight bytes at once).
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load64 reads s[i:i+8] little-endian; the compiler makes it one load.
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// zeroByte sets the high bit of each byte of x that is 0. A borrow can also
// flag a byte above a real zero, never one below, so the lowest flag is
// always a real zero.
func zeroByte(x uint64) uint64 { return (x - ones) &^ x & highs }

// special8 flags (high bit per byte) the bytes that are not printable ASCII
// or are '"' or '\\'. Its lowest flag is the first byte needing a look.
func special8(x uint64) uint64 {
	lessThan20 := (x - ones*0x20) &^ x & highs
	return (x & highs) | lessThan20 | zeroByte(x^(ones*'"')) | zeroByte(x^(ones*'\\')) | zeroByte(x^(ones*0x7f))
}

// printableASCII reports whether every byte of p is in 0x20-0x7e: no
// control character (newline included), no DEL, nothing beyond ASCII.
func printableASCII(p []byte) bool {
	i := 0
	for ; i+8 <= len(p); i += 8 {
		x := uint64(p[i]) | uint64(p[i+1])<<8 | uint64(p[i+2])<<16 | uint64(p[i+3])<<24 |
			uint64(p[i+4])<<32 | uint64(p[i+5])<<40 | uint64(p[i+6])<<48 | uint64(p[i+7])<<56
		if (x&highs)|((x-ones*0x20)&^x&highs)|zeroByte(x^(ones*0x7f)) != 0 {
			return false
		}
	}
	for ; i < len(p); i++ {
		if p[i] < 0x20 || p[i] > 0x7e {
			return false
		}
	}
	return true
}

// escapeRune: C1 controls, LRM/RLM/ALM, line and paragraph separators, bidi
// embeddings, overrides and isolates, and the BOM.
func escapeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0xfeff:
		return true
	case r >= 0x2028 && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// appendBytesText appends p, known to be valid UTF-8, as a JSON string
// without copying it into a string first.
func appendBytesText(b, p []byte) []byte {
	if len(p) == 0 {
		return append(b, '"', '"')
	}
	return appendString(b, unsafe.String(unsafe.SliceData(p), len(p)))
}

func appendBase64(b, p []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, '"')
}

// appendFloat follows JSON number syntax; NaN and infinities, which JSON
// cannot hold, become strings.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 -> 1e-7, as JavaScript writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendNode appends a decoded value as JSON, object keys in wire order.
// Binary becomes base64, times RFC 3339, unknown MsgPack ext types an
// object {"ext": type, "data": base64}.
func appendNode(b []byte, n *decode.Node, depth int) []byte {
	if depth > maxNodeDepth {
		return append(b, "null"...)
	}
	switch n.Kind {
	case decode.KindNull:
		return append(b, "null"...)
	case decode.KindBool:
		return strconv.AppendBool(b, n.Bool)
	case decode.KindInt:
		return strconv.AppendInt(b, n.Int, 10)
	case decode.KindUint:
		return strconv.AppendUint(b, n.Uint, 10)
	case decode.KindFloat:
		return appendFloat(b, n.Float)
	case decode.KindString:
		return appendString(b, n.Str)
	case decode.KindBytes:
		return appendBase64(b, n.Bytes)
	case decode.KindTime:
		return appendTime(b, n.Time)
	case decode.KindExt:
		b = append(b, `{"ext":`...)
		b = strconv.AppendInt(b, int64(n.ExtType), 10)
		b = append(b, `,"data":`...)
		b = appendBase64(b, n.Bytes)
		return append(b, '}')
	case decode.KindArray:
		b = append(b, '[')
		for i := range n.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNode(b, &n.Items[i], depth+1)
		}
		return append(b, ']')
	case decode.KindObject:
		b = append(b, '{')
		for i := range n.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, n.Fields[i].Key)
			b = append(b, ':')
			b = appendNode(b, &n.Fields[i].Value, depth+1)
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}
