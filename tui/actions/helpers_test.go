package actions

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/mqdeck/mqdeck/decode"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// node builds a decode.Node from JSON text, keeping key order, so the
// tracker tests do not depend on the decoder's internals. Plain text that
// is not JSON becomes a string node (DRIVR's "ACTIVE").
func node(t *testing.T, text string) decode.Node {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return decode.Node{Kind: decode.KindString, Str: text}
	}
	return n
}

func readNode(dec *json.Decoder) (decode.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return decode.Node{}, err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := decode.Node{Kind: decode.KindObject}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return n, err
				}
				val, err := readNode(dec)
				if err != nil {
					return n, err
				}
				n.Fields = append(n.Fields, decode.Field{Key: k.(string), Value: val})
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := decode.Node{Kind: decode.KindArray}
			for dec.More() {
				val, err := readNode(dec)
				if err != nil {
					return n, err
				}
				n.Items = append(n.Items, val)
			}
			_, err := dec.Token()
			return n, err
		}
	case string:
		return decode.Node{Kind: decode.KindString, Str: v}, nil
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return decode.Node{Kind: decode.KindInt, Int: i}, nil
		}
		f, _ := v.Float64()
		return decode.Node{Kind: decode.KindFloat, Float: f}, nil
	case bool:
		return decode.Node{Kind: decode.KindBool, Bool: v}, nil
	case nil:
		return decode.Node{Kind: decode.KindNull}, nil
	}
	return decode.Node{}, nil
}

func value(t *testing.T, text string) decode.Value {
	t.Helper()
	n := node(t, text)
	f := decode.FormatJSON
	if n.Kind == decode.KindString && !json.Valid([]byte(text)) {
		f = decode.FormatText
	}
	return decode.Value{Format: f, Data: n, Size: len(text)}
}
