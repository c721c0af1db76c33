package decode

import "fmt"

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
