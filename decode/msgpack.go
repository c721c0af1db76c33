package decode

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5"
)

// mpError says why checkMsgPack refused a document.
type mpError struct {
	off   int
	msg   string
	depth bool // refused only for nesting deeper than the limit
}

func (e *mpError) Error() string { return fmt.Sprintf("msgpack: offset %d: %s", e.off, e.msg) }

// checkMsgPack walks one MsgPack document at the start of b without
// recursion and without allocating per element, and returns its length in
// bytes. It refuses any declared length (str, bin, ext, array, map) larger
// than the bytes that remain, nesting deeper than maxDepth, truncation and
// the unused code 0xc1. Every element takes at least one byte, so the walk is
// linear in len(b) and the open-container stack is at most maxDepth long.
//
// Only documents it accepts are handed to a decoder: msgpack/v5 itself
// allocates whatever a header declares and recurses without bound, and both
// are fatal errors in Go, not recoverable panics.
func checkMsgPack(b string, maxDepth int) (int, error) {
	var stackBuf [32]uint64
	stack := append(stackBuf[:0], 1) // items still to read per open level
	i := 0
	for len(stack) > 0 {
		top := len(stack) - 1
		if stack[top] == 0 {
			stack = stack[:top]
			continue
		}
		stack[top]--
		if i >= len(b) {
			return i, &mpError{off: i, msg: "truncated document"}
		}
		c := b[i]
		i++
		var items uint64 // elements of a container opened here
		var skip uint64  // payload bytes after the header
		switch {
		case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3:
			continue
		case c <= 0x8f:
			items = 2 * uint64(c&0x0f)
		case c <= 0x9f:
			items = uint64(c & 0x0f)
		case c <= 0xbf:
			skip = uint64(c & 0x1f)
		default:
			size, head, kind := mpHeader(c)
			if kind == mpBad {
				return i - 1, &mpError{off: i - 1, msg: fmt.Sprintf("invalid code 0x%02x", c)}
			}
			if len(b)-i < head {
				return i, &mpError{off: i, msg: "truncated header"}
			}
			n := readBE(b[i : i+head])
			i += head
			switch kind {
			case mpFixed:
				skip = uint64(size)
			case mpBytes:
				skip = n
			case mpExt:
				skip = n + 1 // the type byte
			case mpFixExt:
				skip = uint64(size) + 1
			case mpArray:
				items = n
			case mpMap:
				items = 2 * n
			}
		}
		remain := uint64(len(b) - i)
		if skip > remain {
			return i, &mpError{off: i, msg: fmt.Sprintf("declares %d bytes, %d remain", skip, remain)}
		}
		i += int(skip)
		if c >= 0x80 && c <= 0x9f || c >= 0xdc && c <= 0xdf {
			if items > remain {
				return i, &mpError{off: i, msg: fmt.Sprintf("declares %d elements, %d bytes remain", items, remain)}
			}
			if len(stack) > maxDepth {
				return i, &mpError{off: i, msg: fmt.Sprintf("nesting deeper than %d levels", maxDepth), depth: true}
			}
			if items > 0 {
				stack = append(stack, items)
			}
		}
	}
	return i, nil
}

// MsgPack header kinds for the codes 0xc4..0xdf.
const (
	mpBad    = iota
	mpFixed  // number of fixed size: size bytes follow
	mpBytes  // str or bin: head-byte length, then the bytes
	mpExt    // ext 8/16/32: head-byte length, type byte, data
	mpFixExt // fixext: type byte, size data bytes
	mpArray
	mpMap
)

// mpHeader gives, for a code past the fixed ranges, the fixed data size,
// the length of the length field and the kind.
func mpHeader(c byte) (size, head, kind int) {
	switch c {
	case 0xc4, 0xd9:
		return 0, 1, mpBytes
	case 0xc5, 0xda:
		return 0, 2, mpBytes
	case 0xc6, 0xdb:
		return 0, 4, mpBytes
	case 0xc7:
		return 0, 1, mpExt
	case 0xc8:
		return 0, 2, mpExt
	case 0xc9:
		return 0, 4, mpExt
	case 0xca, 0xce, 0xd2:
		return 4, 0, mpFixed
	case 0xcb, 0xcf, 0xd3:
		return 8, 0, mpFixed
	case 0xcc, 0xd0:
		return 1, 0, mpFixed
	case 0xcd, 0xd1:
		return 2, 0, mpFixed
	case 0xd4:
		return 1, 0, mpFixExt
	case 0xd5:
		return 2, 0, mpFixExt
	case 0xd6:
		return 4, 0, mpFixExt
	case 0xd7:
		return 8, 0, mpFixExt
	case 0xd8:
		return 16, 0, mpFixExt
	case 0xdc:
		return 0, 2, mpArray
	case 0xdd:
		return 0, 4, mpArray
	case 0xde:
		return 0, 2, mpMap
	case 0xdf:
		return 0, 4, mpMap
	}
	return 0, 0, mpBad
}

func readBE(b string) uint64 {
	var n uint64
	for i := 0; i < len(b); i++ {
		n = n<<8 | uint64(b[i])
	}
	return n
}

// mpReader builds Nodes from a document checkMsgPack accepted. It recurses,
// but only as deep as the check allowed, and never reads out of bounds on
// checked input.
type mpReader struct {
	s      string // the payload, converted once; strings are substrings
	i      int
	maxStr int
	cut    int      // strings shortened to maxStr
	warn   []string // e.g. a timestamp ext that does not decode
}

func (r *mpReader) u(n int) uint64 {
	v := readBE(r.s[r.i : r.i+n])
	r.i += n
	return v
}

func (r *mpReader) node() Node {
	c := r.s[r.i]
	r.i++
	switch {
	case c <= 0x7f:
		return Node{Kind: KindInt, Int: int64(c)}
	case c >= 0xe0:
		return Node{Kind: KindInt, Int: int64(int8(c))}
	case c <= 0x8f:
		return r.mapN(int(c & 0x0f))
	case c <= 0x9f:
		return r.arrayN(int(c & 0x0f))
	case c <= 0xbf:
		return r.str(int(c & 0x1f))
	}
	switch c {
	case 0xc0:
		return Node{Kind: KindNull}
	case 0xc2:
		return Node{Kind: KindBool}
	case 0xc3:
		return Node{Kind: KindBool, Bool: true}
	case 0xc4, 0xc5, 0xc6:
		n := int(r.u(1 << (c - 0xc4)))
		b := []byte(r.s[r.i : r.i+n])
		r.i += n
		return Node{Kind: KindBytes, Bytes: b}
	case 0xc7, 0xc8, 0xc9:
		start := r.i - 1
		n := int(r.u(1 << (c - 0xc7)))
		return r.ext(start, n)
	case 0xca:
		return Node{Kind: KindFloat, Float: float64(math.Float32frombits(uint32(r.u(4))))}
	case 0xcb:
		return Node{Kind: KindFloat, Float: math.Float64frombits(r.u(8))}
	case 0xcc, 0xcd, 0xce, 0xcf:
		v := r.u(1 << (c - 0xcc))
		if v > math.MaxInt64 {
			return Node{Kind: KindUint, Uint: v}
		}
		return Node{Kind: KindInt, Int: int64(v)}
	case 0xd0:
		return Node{Kind: KindInt, Int: int64(int8(r.u(1)))}
	case 0xd1:
		return Node{Kind: KindInt, Int: int64(int16(r.u(2)))}
	case 0xd2:
		return Node{Kind: KindInt, Int: int64(int32(r.u(4)))}
	case 0xd3:
		return Node{Kind: KindInt, Int: int64(r.u(8))}
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return r.ext(r.i-1, 1<<(c-0xd4))
	case 0xd9, 0xda, 0xdb:
		return r.str(int(r.u(1 << (c - 0xd9))))
	case 0xdc, 0xdd:
		return r.arrayN(int(r.u(2 << (c - 0xdc))))
	default: // 0xde, 0xdf; 0xc1 never passes the check
		return r.mapN(int(r.u(2 << (c - 0xde))))
	}
}

func (r *mpReader) str(n int) Node {
	s := r.s[r.i : r.i+n]
	r.i += n
	return Node{Kind: KindString, Str: r.text(s)}
}

// text makes a MsgPack str valid UTF-8 (each bad byte becomes U+FFFD, as
// the JSON side does) and applies the length limit.
func (r *mpReader) text(s string) string {
	if !utf8.ValidString(s) {
		s = validUTF8(s)
	}
	if r.maxStr > 0 && len(s) > r.maxStr {
		r.cut++
		s = cutString(s, r.maxStr)
	}
	return s
}

func validUTF8(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// ext reads an ext of n data bytes; start is the offset of its first code.
// The timestamp ext (-1) is decoded by msgpack/v5, the others kept raw.
func (r *mpReader) ext(start, n int) Node {
	typ := int8(r.s[r.i])
	r.i++
	data := r.s[r.i : r.i+n]
	r.i += n
	if typ == -1 {
		var t time.Time
		err := msgpack.Unmarshal([]byte(r.s[start:r.i]), &t)
		if err == nil {
			return Node{Kind: KindTime, Time: t.UTC()}
		}
		r.warn = append(r.warn, fmt.Sprintf("timestamp ext of %d bytes kept raw: %v", n, err))
	}
	return Node{Kind: KindExt, ExtType: typ, Bytes: []byte(data)}
}

func (r *mpReader) arrayN(n int) Node {
	if n == 0 {
		return Node{Kind: KindArray}
	}
	items := make([]Node, n)
	for k := range items {
		items[k] = r.node()
	}
	return Node{Kind: KindArray, Items: items}
}

func (r *mpReader) mapN(n int) Node {
	if n == 0 {
		return Node{Kind: KindObject}
	}
	fields := make([]Field, n)
	for k := range fields {
		key := r.node()
		f := &fields[k]
		switch key.Kind {
		case KindString:
			f.Key = key.Str
		case KindInt:
			f.Key, f.KeyIsInt = strconv.FormatInt(key.Int, 10), true
		case KindUint:
			f.Key, f.KeyIsInt = strconv.FormatUint(key.Uint, 10), true
		default: // nil, bool, float, bin, array or map as a key
			var b strings.Builder
			writeCompact(&b, key, r.maxStr)
			f.Key = r.text(b.String())
		}
		f.Value = r.node()
	}
	return Node{Kind: KindObject, Fields: fields}
}
