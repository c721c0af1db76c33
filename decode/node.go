package decode

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Constructors for building payloads (operator actions, the simulator).

// NullNode returns a JSON null.
func NullNode() Node { return Node{Kind: KindNull} }

// BoolNode returns a boolean node.
func BoolNode(b bool) Node { return Node{Kind: KindBool, Bool: b} }

// IntNode returns an integer node.
func IntNode(i int64) Node { return Node{Kind: KindInt, Int: i} }

// FloatNode returns a floating point node.
func FloatNode(f float64) Node { return Node{Kind: KindFloat, Float: f} }

// StringNode returns a string node.
func StringNode(s string) Node { return Node{Kind: KindString, Str: s} }

// BytesNode returns a binary node (MsgPack bin; base64 in JSON).
func BytesNode(b []byte) Node { return Node{Kind: KindBytes, Bytes: b} }

// TimeNode returns a time node (MsgPack timestamp; RFC 3339 in JSON).
func TimeNode(t time.Time) Node { return Node{Kind: KindTime, Time: t} }

// ArrayNode returns an array of the given items.
func ArrayNode(items ...Node) Node { return Node{Kind: KindArray, Items: items} }

// ObjectNode returns an object whose keys keep the given order.
func ObjectNode(fields ...Field) Node { return Node{Kind: KindObject, Fields: fields} }

// KV builds one object field.
func KV(key string, v Node) Field { return Field{Key: key, Value: v} }

// IsNull reports whether n is null (also the zero Node).
func (n Node) IsNull() bool { return n.Kind == KindNull }

// Get follows a path of object keys (first match, wire order) and array
// indexes ("0", "1", ...) and returns the node found there.
func (n Node) Get(path ...string) (Node, bool) {
	cur := n
	for _, p := range path {
		switch cur.Kind {
		case KindObject:
			found := false
			for i := range cur.Fields {
				if cur.Fields[i].Key == p {
					cur = cur.Fields[i].Value
					found = true
					break
				}
			}
			if !found {
				return Node{}, false
			}
		case KindArray:
			idx, err := strconv.Atoi(p)
			if err != nil || idx < 0 || idx >= len(cur.Items) {
				return Node{}, false
			}
			cur = cur.Items[idx]
		default:
			return Node{}, false
		}
	}
	return cur, true
}

// Text renders a scalar as plain text: strings as they are (not yet
// terminal-safe), numbers compactly, booleans as true/false, null as "",
// times as RFC 3339, bytes as hex. Arrays and objects render as compact JSON.
func (n Node) Text() string {
	switch n.Kind {
	case KindNull:
		return ""
	case KindBool:
		if n.Bool {
			return "true"
		}
		return "false"
	case KindInt:
		return strconv.FormatInt(n.Int, 10)
	case KindUint:
		return strconv.FormatUint(n.Uint, 10)
	case KindFloat:
		return formatFloat(n.Float)
	case KindString:
		return n.Str
	case KindTime:
		return n.Time.Format(time.RFC3339Nano)
	case KindBytes, KindExt:
		return hexString(n.Bytes)
	default:
		var b strings.Builder
		writeCompact(&b, n, -1)
		return b.String()
	}
}

// Number returns the node as a float64: numbers directly, strings when they
// hold a finite decimal number ("21.5"), booleans and others not at all.
func (n Node) Number() (float64, bool) {
	switch n.Kind {
	case KindInt:
		return float64(n.Int), true
	case KindUint:
		return float64(n.Uint), true
	case KindFloat:
		return n.Float, true
	case KindString:
		s := strings.TrimSpace(n.Str)
		if s == "" || !looksDecimal(s) {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// looksDecimal keeps ParseFloat from accepting "NaN", "Inf" or hex floats.
func looksDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return false
		}
	}
	return true
}

// formatFloat writes a float the shortest way that reads back exactly,
// without exponent for everyday magnitudes (as JavaScript does).
func formatFloat(f float64) string {
	var buf [32]byte
	return string(appendFloat(buf[:0], f))
}

func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "+Inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-Inf"...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

func hexString(b []byte) string {
	out := make([]byte, len(b)*2)
	for i, c := range b {
		out[i*2] = hexDigits[c>>4]
		out[i*2+1] = hexDigits[c&0xf]
	}
	return string(out)
}
