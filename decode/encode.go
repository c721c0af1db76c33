package decode

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// ErrNotFinite: JSON has no NaN or infinity.
var ErrNotFinite = errors.New("number is NaN or infinite")

// encodeDepth bounds the encoders' recursion; decoded nodes are far
// shallower, hand-built ones have no reason to be deeper.
const encodeDepth = 10000

// EncodeJSON writes n as compact JSON with keys in their order. Bytes and
// ext data become base64 strings, times RFC 3339 strings, MsgPack integer
// keys strings; invalid UTF-8 becomes U+FFFD.
func EncodeJSON(n Node) ([]byte, error) {
	out, err := appendJSON(make([]byte, 0, 256), n, 0)
	if err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return out, nil
}

func appendJSON(dst []byte, n Node, depth int) ([]byte, error) {
	if depth > encodeDepth {
		return dst, fmt.Errorf("nesting deeper than %d levels", encodeDepth)
	}
	var err error
	switch n.Kind {
	case KindNull:
		dst = append(dst, "null"...)
	case KindBool:
		dst = strconv.AppendBool(dst, n.Bool)
	case KindInt:
		dst = strconv.AppendInt(dst, n.Int, 10)
	case KindUint:
		dst = strconv.AppendUint(dst, n.Uint, 10)
	case KindFloat:
		if math.IsNaN(n.Float) || math.IsInf(n.Float, 0) {
			return dst, ErrNotFinite
		}
		dst = appendFloat(dst, n.Float)
	case KindString:
		dst = appendQuoted(dst, n.Str, false)
	case KindBytes, KindExt:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, n.Bytes)
		dst = append(dst, '"')
	case KindTime:
		dst = append(dst, '"')
		dst = n.Time.AppendFormat(dst, time.RFC3339Nano)
		dst = append(dst, '"')
	case KindArray:
		dst = append(dst, '[')
		for i := range n.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendJSON(dst, n.Items[i], depth+1); err != nil {
				return dst, err
			}
		}
		dst = append(dst, ']')
	case KindObject:
		dst = append(dst, '{')
		for i := range n.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendQuoted(dst, n.Fields[i].Key, false)
			dst = append(dst, ':')
			if dst, err = appendJSON(dst, n.Fields[i].Value, depth+1); err != nil {
				return dst, err
			}
		}
		dst = append(dst, '}')
	default:
		return dst, fmt.Errorf("unknown node kind %d", n.Kind)
	}
	return dst, nil
}

// EncodeMsgPack writes n as MsgPack through msgpack/v5, keeping key order
// (maps are written field by field, not from a Go map). Integers take the
// smallest encoding; integer keys are written back as integers.
func EncodeMsgPack(n Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	if err := encodeMP(enc, n, 0); err != nil {
		return nil, fmt.Errorf("encode msgpack: %w", err)
	}
	return buf.Bytes(), nil
}

func encodeMP(e *msgpack.Encoder, n Node, depth int) error {
	if depth > encodeDepth {
		return fmt.Errorf("nesting deeper than %d levels", encodeDepth)
	}
	switch n.Kind {
	case KindNull:
		return e.EncodeNil()
	case KindBool:
		return e.EncodeBool(n.Bool)
	case KindInt:
		return e.EncodeInt(n.Int)
	case KindUint:
		return e.EncodeUint(n.Uint)
	case KindFloat:
		return e.EncodeFloat64(n.Float)
	case KindString:
		return e.EncodeString(n.Str)
	case KindBytes:
		return e.EncodeBytes(n.Bytes)
	case KindTime:
		return e.EncodeTime(n.Time)
	case KindExt:
		if err := e.EncodeExtHeader(n.ExtType, len(n.Bytes)); err != nil {
			return err
		}
		_, err := e.Writer().Write(n.Bytes)
		return err
	case KindArray:
		if err := e.EncodeArrayLen(len(n.Items)); err != nil {
			return err
		}
		for i := range n.Items {
			if err := encodeMP(e, n.Items[i], depth+1); err != nil {
				return err
			}
		}
		return nil
	case KindObject:
		if err := e.EncodeMapLen(len(n.Fields)); err != nil {
			return err
		}
		for i := range n.Fields {
			if err := encodeKey(e, &n.Fields[i]); err != nil {
				return err
			}
			if err := encodeMP(e, n.Fields[i].Value, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown node kind %d", n.Kind)
}

func encodeKey(e *msgpack.Encoder, f *Field) error {
	if f.KeyIsInt {
		if i, err := strconv.ParseInt(f.Key, 10, 64); err == nil {
			return e.EncodeInt(i)
		}
		if u, err := strconv.ParseUint(f.Key, 10, 64); err == nil {
			return e.EncodeUint(u)
		}
	}
	return e.EncodeString(f.Key)
}
