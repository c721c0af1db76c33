package decode

import (
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEncodeJSONKeepsOrderAndRoundTrips(t *testing.T) {
	for _, f := range []string{"drivr_event_system.json", "drivr_error_validation.json", "devapi_space_info.json"} {
		js := readFixture(t, filepath.Join("seeds", f))
		n, err := ParseJSON(js)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out, err := EncodeJSON(n)
		if err != nil {
			t.Fatal(err)
		}
		// Same document (encoding/json agrees), same key order.
		var a, b any
		if json.Unmarshal([]byte(js), &a) != nil || json.Unmarshal(out, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: re-encoded document differs:\n%s", f, out)
		}
		if !reflect.DeepEqual(oracleNode(t, string(out)), oracleNode(t, js)) {
			t.Fatalf("%s: key order or types changed:\n%s", f, out)
		}
		mp, err := EncodeMsgPack(n)
		if err != nil {
			t.Fatal(err)
		}
		if v := Decode(mp, Hints{Encoding: "msgpack"}, DefaultLimits()); !reflect.DeepEqual(v.Data, n) {
			t.Fatalf("%s: msgpack round trip differs", f)
		}
	}
}

func TestEncodeJSONSpecialValues(t *testing.T) {
	n := ObjectNode(
		KV("bin", BytesNode([]byte{1, 2, 3})),
		KV("at", TimeNode(time.Date(2025, 5, 9, 13, 28, 42, 611276000, time.UTC))),
		Field{Key: "7", KeyIsInt: true, Value: IntNode(-7)},
		KV("s", StringNode("q\"\\\n\x01bad\xff\u2028")),
		KV("f", FloatNode(1e21)),
		KV("u", Node{Kind: KindUint, Uint: math.MaxUint64}),
	)
	out, err := EncodeJSON(n)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"bin":"AQID","at":"2025-05-09T13:28:42.611276Z","7":-7,"s":"q\"\\\n\u0001bad\ufffd\u2028","f":1e+21,"u":18446744073709551615}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	if !json.Valid(out) {
		t.Fatal("not valid JSON")
	}
	if _, err := EncodeJSON(FloatNode(math.NaN())); !errors.Is(err, ErrNotFinite) {
		t.Fatalf("NaN: %v", err)
	}
}

func TestParseJSON(t *testing.T) {
	n, err := ParseJSON(" {\"eventModelCode\": \"energy-overload-model\", \"n\": [1, 2.5, -0, 1e2, 12345678901234567890]} ")
	if err != nil {
		t.Fatal(err)
	}
	items := mustGet(t, n, "n").Items
	if items[0].Kind != KindInt || items[1].Kind != KindFloat || items[2].Kind != KindInt ||
		items[3].Kind != KindFloat || items[3].Float != 100 || items[4].Kind != KindFloat {
		t.Fatalf("number kinds %+v", items)
	}
	for _, tc := range []struct {
		in      string
		offset  int
		line    int
		col     int
		message string
	}{
		{`{"a":1,}`, 7, 1, 8, "expected a string key"},
		{"{\n  \"a\": tru\n}", 9, 2, 8, `expected "true"`},
		{`{"a":1} x`, 8, 1, 9, "unexpected data after the top-level value"},
		{`{"a" 1}`, 5, 1, 6, "expected ':'"},
		{`[1 2]`, 3, 1, 4, "expected ',' or ']'"},
		{`"abc`, 4, 1, 5, "unexpected end of input in string"},
		{"\"a\tb\"", 2, 1, 3, "control character in string"},
		{`"\x"`, 1, 1, 2, `invalid escape "\\x"`},
		{`01`, 1, 1, 2, "unexpected data"},
		{`-`, 1, 1, 2, "expected a digit"},
		{`1.`, 2, 1, 3, "expected a digit after '.'"},
		{``, 0, 1, 1, "unexpected end of input"},
	} {
		_, err := ParseJSON(tc.in)
		var je *JSONError
		if !errors.As(err, &je) {
			t.Fatalf("%q: error %v", tc.in, err)
		}
		if je.Offset != tc.offset || je.Line != tc.line || je.Column != tc.col || !strings.Contains(je.Msg, tc.message) {
			t.Errorf("%q: got offset %d line %d col %d %q, want %d %d %d %q", tc.in, je.Offset, je.Line, je.Column, je.Msg,
				tc.offset, tc.line, tc.col, tc.message)
		}
		if !strings.Contains(err.Error(), "offset") {
			t.Errorf("%q: message %q does not give the offset", tc.in, err)
		}
	}
}

func TestParseJSONStrings(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"plain"`, "plain"},
		{`"caf\u00e9 \ud83d\ude00"`, "café 😀"},
		{`"lone \ud800 high"`, "lone \uFFFD high"},
		{`"lone \udc00 low"`, "lone \uFFFD low"},
		{`"high then text \ud800\u0041"`, "high then text \uFFFDA"},
		{"\"raw \xff byte\"", "raw \uFFFD byte"},
		{`"esc \" \\ \/ \b \f \n \r \t"`, "esc \" \\ / \b \f \n \r \t"},
		{`"é raw and \n escaped"`, "é raw and \n escaped"},
	} {
		n, err := ParseJSON(tc.in)
		if err != nil || n.Str != tc.want {
			t.Errorf("ParseJSON(%s) = %q, %v; want %q", tc.in, n.Str, err, tc.want)
		}
		// encoding/json reads the same string.
		var s string
		if err := json.Unmarshal([]byte(tc.in), &s); err != nil || s != tc.want {
			t.Errorf("encoding/json reads %s as %q", tc.in, s)
		}
	}
}

func TestNodeHelpers(t *testing.T) {
	n, err := ParseJSON(`{"a":{"b":[10,{"c":"21.5"}]},"t":true,"z":null,"f":0.1,"big":1e300,"neg":-3}`)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := n.Get("a", "b", "1", "c"); !ok || c.Text() != "21.5" {
		t.Fatalf("Get path: %+v %v", c, ok)
	}
	if f, ok := mustGet(t, n, "a", "b", "1", "c").Number(); !ok || f != 21.5 {
		t.Fatalf("numeric string %v %v", f, ok)
	}
	for _, p := range [][]string{{"missing"}, {"a", "b", "9"}, {"a", "b", "-1"}, {"t", "x"}, {"a", "b", "x"}} {
		if _, ok := n.Get(p...); ok {
			t.Errorf("Get(%v) found something", p)
		}
	}
	if root, ok := n.Get(); !ok || root.Kind != KindObject {
		t.Fatal("empty path should return the node")
	}
	texts := map[string]string{"t": "true", "z": "", "f": "0.1", "big": "1e+300", "neg": "-3"}
	for k, want := range texts {
		if got := mustGet(t, n, k).Text(); got != want {
			t.Errorf("Text(%s) = %q, want %q", k, got, want)
		}
	}
	if got := mustGet(t, n, "a").Text(); got != `{"b":[10,{"c":"21.5"}]}` {
		t.Errorf("container Text %q", got)
	}
	if !mustGet(t, n, "z").IsNull() || mustGet(t, n, "t").IsNull() || !(Node{}).IsNull() {
		t.Error("IsNull")
	}
	for _, s := range []string{"NaN", "Inf", "0x10", "", "12abc", "1e999"} {
		if _, ok := StringNode(s).Number(); ok {
			t.Errorf("Number(%q) accepted", s)
		}
	}
	if _, ok := BoolNode(true).Number(); ok {
		t.Error("bool is not a number")
	}
	if f, ok := (Node{Kind: KindUint, Uint: 5}).Number(); !ok || f != 5 {
		t.Error("uint Number")
	}
	if got := BytesNode([]byte{0xab, 0x01}).Text(); got != "ab01" {
		t.Errorf("bytes Text %q", got)
	}
}
