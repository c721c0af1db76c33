package sim

import (
	"math"

	"github.com/mqdeck/mqdeck/decode"
)

// Payloads are built as decode.Nodes (keys in the order the platforms
// print them) and written with the two encoders below.

type (
	node  = decode.Node
	field = decode.Field
)

func obj(fields ...field) node  { return decode.ObjectNode(fields...) }
func arr(items ...node) node    { return decode.ArrayNode(items...) }
func kv(k string, v node) field { return decode.KV(k, v) }
func str(s string) node         { return decode.StringNode(s) }
func num(f float64) node        { return decode.FloatNode(f) }
func integer(i int64) node      { return decode.IntNode(i) }
func boolean(b bool) node       { return decode.BoolNode(b) }
func null() node                { return decode.NullNode() }
func strOrNull(s *string) node {
	if s == nil {
		return null()
	}
	return str(*s)
}

// round keeps a simulated reading to a plausible number of decimals.
func round(f float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(f*p) / p
}

// toJSON writes n as compact JSON, keys in order. The simulator builds
// only finite numbers and shallow documents (operator metadata was decoded
// with a depth limit), so the encoder's errors cannot happen; "null" is
// the harmless answer if one ever did.
func toJSON(n node) []byte {
	b, err := decode.EncodeJSON(n)
	if err != nil {
		return []byte("null")
	}
	return b
}

// toMsgPack writes n as MsgPack, map keys in order.
func toMsgPack(n node) []byte {
	b, err := decode.EncodeMsgPack(n)
	if err != nil {
		return []byte{0xc0} // nil
	}
	return b
}
