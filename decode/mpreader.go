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

// mpReader builds Nodes from a document checkMsgPack accepted. It recurses,
// but only as deep as the check allowed, and never reads out of bounds on
// checked input. Containers are allocated at their exact size and filled in
// place, so nodes are not copied around.
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

// node decodes the next element.
func (r *mpReader) node() Node {
	var n Node
	r.into(&n)
	return n
}

// into decodes the next element into the zero Node *n.
func (r *mpReader) into(n *Node) {
	c := r.s[r.i]
	r.i++
	switch {
	case c <= 0x7f:
		n.Kind, n.Int = KindInt, int64(c)
		return
	case c >= 0xe0:
		n.Kind, n.Int = KindInt, int64(int8(c))
		return
	case c <= 0x8f:
		r.mapN(n, int(c&0x0f))
		return
	case c <= 0x9f:
		r.arrayN(n, int(c&0x0f))
		return
	case c <= 0xbf:
		r.str(n, int(c&0x1f))
		return
	}
	switch c {
	case 0xc0:
		n.Kind = KindNull
	case 0xc2, 0xc3:
		n.Kind, n.Bool = KindBool, c == 0xc3
	case 0xc4, 0xc5, 0xc6:
		size := int(r.u(1 << (c - 0xc4)))
		n.Kind, n.Bytes = KindBytes, []byte(r.s[r.i:r.i+size])
		r.i += size
	case 0xc7, 0xc8, 0xc9:
		start := r.i - 1
		r.ext(n, start, int(r.u(1<<(c-0xc7))))
	case 0xca:
		n.Kind, n.Float = KindFloat, float64(math.Float32frombits(uint32(r.u(4))))
	case 0xcb:
		n.Kind, n.Float = KindFloat, math.Float64frombits(r.u(8))
	case 0xcc, 0xcd, 0xce, 0xcf:
		if v := r.u(1 << (c - 0xcc)); v > math.MaxInt64 {
			n.Kind, n.Uint = KindUint, v
		} else {
			n.Kind, n.Int = KindInt, int64(v)
		}
	case 0xd0:
		n.Kind, n.Int = KindInt, int64(int8(r.u(1)))
	case 0xd1:
		n.Kind, n.Int = KindInt, int64(int16(r.u(2)))
	case 0xd2:
		n.Kind, n.Int = KindInt, int64(int32(r.u(4)))
	case 0xd3:
		n.Kind, n.Int = KindInt, int64(r.u(8))
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		r.ext(n, r.i-1, 1<<(c-0xd4))
	case 0xd9, 0xda, 0xdb:
		r.str(n, int(r.u(1<<(c-0xd9))))
	case 0xdc, 0xdd:
		r.arrayN(n, int(r.u(2<<(c-0xdc))))
	default: // 0xde, 0xdf; 0xc1 never passes the check
		r.mapN(n, int(r.u(2<<(c-0xde))))
	}
}

func (r *mpReader) str(n *Node, size int) {
	s := r.s[r.i : r.i+size]
	r.i += size
	n.Kind, n.Str = KindString, r.text(s)
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

// ext reads an ext of size data bytes; start is the offset of its first
// code. The timestamp ext (-1) is decoded by msgpack/v5, others kept raw.
func (r *mpReader) ext(n *Node, start, size int) {
	typ := int8(r.s[r.i])
	r.i++
	data := r.s[r.i : r.i+size]
	r.i += size
	if typ == -1 {
		var t time.Time
		err := msgpack.Unmarshal([]byte(r.s[start:r.i]), &t)
		if err == nil {
			n.Kind, n.Time = KindTime, t.UTC()
			return
		}
		r.warn = append(r.warn, fmt.Sprintf("timestamp ext of %d bytes kept raw: %v", size, err))
	}
	n.Kind, n.ExtType, n.Bytes = KindExt, typ, []byte(data)
}

func (r *mpReader) arrayN(n *Node, size int) {
	n.Kind = KindArray
	if size == 0 {
		return
	}
	n.Items = make([]Node, size)
	for k := range n.Items {
		r.into(&n.Items[k])
	}
}

func (r *mpReader) mapN(n *Node, size int) {
	n.Kind = KindObject
	if size == 0 {
		return
	}
	n.Fields = make([]Field, size)
	for k := range n.Fields {
		f := &n.Fields[k]
		r.key(f)
		r.into(&f.Value)
	}
}

// key reads a map key: strings directly, integers flagged, anything else
// (nil, bool, float, bin, array, map) rendered as compact text.
func (r *mpReader) key(f *Field) {
	if c := r.s[r.i]; c >= 0xa0 && c <= 0xbf {
		r.i++
		size := int(c & 0x1f)
		f.Key = r.text(r.s[r.i : r.i+size])
		r.i += size
		return
	}
	k := r.node()
	switch k.Kind {
	case KindString:
		f.Key = k.Str
	case KindInt:
		f.Key, f.KeyIsInt = strconv.FormatInt(k.Int, 10), true
	case KindUint:
		f.Key, f.KeyIsInt = strconv.FormatUint(k.Uint, 10), true
	default:
		var b strings.Builder
		writeCompact(&b, k, r.maxStr)
		f.Key = r.text(b.String())
	}
}
