package decode

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

func TestSniffing(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		format  Format
		kind    Kind
	}{
		{"object", `{"a":1}`, FormatJSON, KindObject},
		{"number", "42", FormatJSON, KindInt},
		{"spaces around", " \n[true]\n", FormatJSON, KindArray},
		{"state text", "ACTIVE", FormatText, KindString},
		{"single letter is text, not a MsgPack int", "A", FormatText, KindString},
		{"broken JSON is text", `{"a":`, FormatText, KindString},
		{"coloured log line is text", "\x1b[31mERR\x1b[0m overload", FormatText, KindString},
		{"utf8 text", "Température élevée", FormatText, KindString},
		{"empty", "", FormatText, KindString},
		{"msgpack map", "\x81\xa1a\x01", FormatMsgPack, KindObject},
		{"msgpack string", "\xa2hi", FormatMsgPack, KindString},
		{"msgpack with trailing byte is binary", "\x81\xa1a\x01\x00", FormatBinary, KindBytes},
		{"nul bytes", "\x00\x01\x02\x03", FormatBinary, KindBytes},
		{"invalid utf8", "caf\xe9 au lait", FormatBinary, KindBytes},
		{"huge array32", "\xdd\xff\xff\xff\xff", FormatBinary, KindBytes},
		{"huge map32", "\xdf\xff\xff\xff\xff", FormatBinary, KindBytes},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Decode([]byte(tc.payload), Hints{}, DefaultLimits())
			if v.Format != tc.format || v.Data.Kind != tc.kind {
				t.Fatalf("got %s/%d, want %s/%d (warnings %v)", v.Format, v.Data.Kind, tc.format, tc.kind, v.Warnings)
			}
			if tc.format == FormatBinary && !bytes.Equal(v.Data.Bytes, []byte(tc.payload)) {
				t.Fatalf("binary data %x", v.Data.Bytes)
			}
			if tc.format == FormatText && v.Data.Str != tc.payload {
				t.Fatalf("text %q", v.Data.Str)
			}
		})
	}
}

func TestHintFallbackWarns(t *testing.T) {
	mp := mpFromJSON(t, `{"status":"ACTIVE"}`)
	cases := []struct {
		name    string
		payload []byte
		hints   Hints
		format  Format
		warn    string
	}{
		{"json suffix on msgpack", mp, Hints{Encoding: "json"}, FormatMsgPack, `topic suffix "json" does not match`},
		{"msgpack suffix on json", []byte(`{"status":"ACTIVE"}`), Hints{Encoding: "msgpack"}, FormatJSON, `topic suffix "msgpack" does not match`},
		{"json content type on text", []byte("ACTIVE"), Hints{ContentType: "application/json"}, FormatText, "decoded as text"},
		{"text content type on binary", []byte{0xff, 0x00}, Hints{ContentType: "text/plain"}, FormatBinary, "not valid UTF-8"},
		{"content type beats suffix", []byte(`{"a":1}`), Hints{ContentType: "application/json", Encoding: "msgpack"}, FormatJSON, ""},
		{"unknown content type sniffs", []byte(`{"a":1}`), Hints{ContentType: "application/octet-stream"}, FormatJSON, ""},
		{"text content type keeps JSON-looking text", []byte(`{"a":1}`), Hints{ContentType: "text/plain"}, FormatText, ""},
		{"utf8 indicator on binary", []byte{0xc3, 0x28, 0x00}, Hints{PayloadFormatUTF8: true}, FormatBinary, "payload format indicator"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Decode(tc.payload, tc.hints, DefaultLimits())
			if v.Format != tc.format {
				t.Fatalf("format %s, want %s (%v)", v.Format, tc.format, v.Warnings)
			}
			if tc.warn == "" {
				if len(v.Warnings) != 0 {
					t.Fatalf("unexpected warnings %v", v.Warnings)
				}
				return
			}
			if len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], tc.warn) {
				t.Fatalf("warnings %v, want one containing %q", v.Warnings, tc.warn)
			}
		})
	}
	// The data survives the wrong hint.
	v := Decode(mp, Hints{Encoding: "json"}, DefaultLimits())
	if got := text(t, v.Data, "status"); got != "ACTIVE" {
		t.Fatalf("status = %q", got)
	}
}

func TestLimits(t *testing.T) {
	lim := Limits{MaxPayload: 100, MaxDepth: 3, MaxString: 8}
	big := bytes.Repeat([]byte("x"), 5000)
	v := Decode(big, Hints{}, lim)
	if !v.Truncated || v.Format != FormatBinary || v.Size != 5000 || len(v.Data.Bytes) != truncatedHead {
		t.Fatalf("oversized: truncated=%v format=%s size=%d head=%d", v.Truncated, v.Format, v.Size, len(v.Data.Bytes))
	}
	if len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "5000 bytes exceeds the 100-byte limit") {
		t.Fatalf("warnings %v", v.Warnings)
	}
	// Depth: three levels pass, four do not (shown as text, with a reason).
	if v := Decode([]byte(`[[[1]]]`), Hints{}, lim); v.Format != FormatJSON {
		t.Fatalf("depth 3: %s %v", v.Format, v.Warnings)
	}
	v = Decode([]byte(`[[[[1]]]]`), Hints{}, lim)
	if v.Format != FormatText || len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "deeper than 3") {
		t.Fatalf("depth 4: %s %v", v.Format, v.Warnings)
	}
	v = Decode([]byte("\x91\x91\x91\x91\x01"), Hints{}, lim)
	if v.Format != FormatBinary || len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "MsgPack but nests deeper than 3") {
		t.Fatalf("msgpack depth 4: %s %v", v.Format, v.Warnings)
	}
	// Strings: cut at a rune boundary with an ellipsis, counted once.
	v = Decode([]byte(`{"k":"ééééé","short":"ok"}`), Hints{}, lim)
	if got := text(t, v.Data, "k"); got != "éééé…" {
		t.Fatalf("cut string %q", got)
	}
	if len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "1 strings longer than 8 bytes") {
		t.Fatalf("warnings %v", v.Warnings)
	}
	// Zero limits mean the defaults.
	if got := (Limits{}).withDefaults(); got != DefaultLimits() {
		t.Fatalf("defaults %+v", got)
	}
}

func TestDeepNestingDoesNotCrash(t *testing.T) {
	for _, p := range [][]byte{
		bytes.Repeat([]byte("["), 100000),
		append(bytes.Repeat([]byte("["), 100000), bytes.Repeat([]byte("]"), 100000)...),
		bytes.Repeat([]byte{0x91}, 100000),
		append(bytes.Repeat([]byte{0x81, 0x01}, 50000), 0x01),
	} {
		for _, h := range []Hints{{}, {Encoding: "json"}, {Encoding: "msgpack"}} {
			v := Decode(p, h, DefaultLimits())
			if v.Format == FormatJSON || v.Format == FormatMsgPack {
				t.Fatalf("100k-deep document accepted as %s", v.Format)
			}
		}
	}
}

func TestMsgPackTypes(t *testing.T) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	ts := time.Date(2025, 5, 9, 13, 28, 42, 611276000, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(enc.EncodeMapLen(8))
	must(enc.EncodeInt(7)) // integer key
	must(enc.EncodeString("seven"))
	must(enc.EncodeString("bin"))
	must(enc.EncodeBytes([]byte{0xde, 0xad}))
	must(enc.EncodeString("ts"))
	must(enc.EncodeTime(ts))
	must(enc.EncodeString("ext"))
	must(enc.EncodeExtHeader(5, 3))
	buf.Write([]byte{1, 2, 3})
	must(enc.EncodeString("big"))
	must(enc.EncodeUint(math.MaxUint64))
	must(enc.EncodeString("neg"))
	must(enc.EncodeInt(-129))
	must(enc.EncodeString("f32"))
	must(enc.EncodeFloat32(1.5))
	must(enc.EncodeInt(-1)) // negative integer key
	must(enc.EncodeNil())

	v := Decode(buf.Bytes(), Hints{}, DefaultLimits())
	if v.Format != FormatMsgPack || len(v.Warnings) != 0 {
		t.Fatalf("%s %v", v.Format, v.Warnings)
	}
	f := v.Data.Fields
	if len(f) != 8 || f[0].Key != "7" || !f[0].KeyIsInt || f[0].Value.Str != "seven" {
		t.Fatalf("int key: %+v", f[0])
	}
	if f[1].Value.Kind != KindBytes || !bytes.Equal(f[1].Value.Bytes, []byte{0xde, 0xad}) {
		t.Fatalf("bin: %+v", f[1].Value)
	}
	if f[2].Value.Kind != KindTime || !f[2].Value.Time.Equal(ts) {
		t.Fatalf("time: %+v", f[2].Value)
	}
	if f[3].Value.Kind != KindExt || f[3].Value.ExtType != 5 || !bytes.Equal(f[3].Value.Bytes, []byte{1, 2, 3}) {
		t.Fatalf("ext: %+v", f[3].Value)
	}
	if f[4].Value.Kind != KindUint || f[4].Value.Uint != math.MaxUint64 {
		t.Fatalf("uint64: %+v", f[4].Value)
	}
	if f[5].Value.Kind != KindInt || f[5].Value.Int != -129 {
		t.Fatalf("int: %+v", f[5].Value)
	}
	if f[6].Value.Kind != KindFloat || f[6].Value.Float != 1.5 {
		t.Fatalf("float32: %+v", f[6].Value)
	}
	if f[7].Key != "-1" || !f[7].KeyIsInt || !f[7].Value.IsNull() {
		t.Fatalf("negative key: %+v", f[7])
	}
	// Re-encoding restores the integer keys and the types.
	out, err := EncodeMsgPack(v.Data)
	if err != nil {
		t.Fatal(err)
	}
	back := Decode(out, Hints{}, DefaultLimits())
	if back.Format != FormatMsgPack || len(back.Data.Fields) != 8 || !back.Data.Fields[0].KeyIsInt ||
		back.Data.Fields[2].Value.Kind != KindTime || back.Data.Fields[3].Value.ExtType != 5 {
		t.Fatalf("round trip: %+v", back.Data)
	}
}

func TestMsgPackOddKeysAndStrings(t *testing.T) {
	// map {nil: 1, [1]: 2, "bad\xff": "v\xfe"}
	p := []byte{0x83, 0xc0, 0x01, 0x91, 0x01, 0x02, 0xa4, 'b', 'a', 'd', 0xff, 0xa2, 'v', 0xfe}
	v := Decode(p, Hints{}, DefaultLimits())
	if v.Format != FormatMsgPack {
		t.Fatalf("%s %v", v.Format, v.Warnings)
	}
	got := keys(v.Data)
	want := []string{"null", "[1]", "bad\uFFFD"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("keys %q, want %q", got, want)
		}
	}
	if s := v.Data.Fields[2].Value.Str; s != "v\uFFFD" {
		t.Fatalf("invalid UTF-8 string kept as %q", s)
	}
	// A timestamp ext with a length the spec does not define stays raw.
	v = Decode([]byte{0xd5, 0xff, 0x01, 0x02}, Hints{Encoding: "msgpack"}, DefaultLimits())
	if v.Data.Kind != KindExt || v.Data.ExtType != -1 || len(v.Warnings) != 1 {
		t.Fatalf("bad timestamp: %+v %v", v.Data, v.Warnings)
	}
}

func TestCheckMsgPackKillers(t *testing.T) {
	for _, p := range []string{
		"\xdd\xff\xff\xff\xff", "\xdf\xff\xff\xff\xff", "\xdc\xff\xff", "\xde\xff\xff",
		"\xdb\xff\xff\xff\xff", "\xc6\xff\xff\xff\xff", "\xc9\xff\xff\xff\xff\x01",
		"\x9f", "\x8f\x01", "\xc1", "\xd9", "\xcb\x00",
		"\xdf\x00\x00\x00\x02\x01\x01\x01", // 2 pairs declared, 3 bytes remain
	} {
		if _, err := checkMsgPack(p, 64); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
	if end, err := checkMsgPack("\x92\x01\xa1x\xff", 64); err != nil || end != 4 {
		t.Fatalf("valid prefix: end %d err %v", end, err)
	}
}

// TestMsgPackAgainstLibrary decodes random documents written by msgpack/v5
// with both our reader and msgpack/v5 itself, and compares the results.
func TestMsgPackAgainstLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		var buf bytes.Buffer
		enc := msgpack.NewEncoder(&buf)
		enc.UseCompactInts(rng.IntN(2) == 0)
		if err := randomDoc(rng, enc, &buf, 0); err != nil {
			t.Fatal(err)
		}
		var lib any
		if err := msgpack.Unmarshal(buf.Bytes(), &lib); err != nil {
			t.Fatalf("doc %d: library: %v", i, err)
		}
		v := Decode(buf.Bytes(), Hints{Encoding: "msgpack"}, Limits{MaxString: 1 << 20})
		if v.Format != FormatMsgPack || len(v.Warnings) != 0 {
			t.Fatalf("doc %d: %s %v", i, v.Format, v.Warnings)
		}
		if !libEqual(v.Data, lib) {
			t.Fatalf("doc %d (%x): ours %+v, library %#v", i, buf.Bytes(), v.Data, lib)
		}
	}
}

func randomDoc(rng *rand.Rand, e *msgpack.Encoder, buf *bytes.Buffer, depth int) error {
	k := rng.IntN(14)
	if depth > 4 && k >= 12 {
		k = rng.IntN(12)
	}
	switch k {
	case 0:
		return e.EncodeNil()
	case 1:
		return e.EncodeBool(rng.IntN(2) == 0)
	case 2:
		return e.EncodeInt(rng.Int64() >> rng.IntN(64))
	case 3:
		return e.EncodeInt(-(rng.Int64() >> rng.IntN(64)))
	case 4:
		return e.EncodeUint(rng.Uint64() >> rng.IntN(64))
	case 5:
		return e.EncodeFloat32(rng.Float32() * 1000)
	case 6:
		return e.EncodeFloat64(rng.NormFloat64() * 1e6)
	case 7:
		return e.EncodeString(strings.Repeat("é", rng.IntN(3)) + strings.Repeat("x", rng.IntN(300)))
	case 8:
		return e.EncodeBytes(bytes.Repeat([]byte{byte(rng.IntN(256))}, rng.IntN(300)))
	case 9:
		return e.EncodeTime(time.Unix(rng.Int64N(1<<40), rng.Int64N(1e9)))
	case 10:
		return e.EncodeInt8(int8(rng.IntN(256)))
	case 11:
		return e.EncodeInt16(int16(rng.IntN(65536)))
	case 12:
		n := rng.IntN(20)
		if err := e.EncodeArrayLen(n); err != nil {
			return err
		}
		for range n {
			if err := randomDoc(rng, e, buf, depth+1); err != nil {
				return err
			}
		}
		return nil
	default:
		n := rng.IntN(20)
		if err := e.EncodeMapLen(n); err != nil {
			return err
		}
		for j := range n {
			if err := e.EncodeString("k" + strconv.Itoa(j)); err != nil {
				return err
			}
			if err := randomDoc(rng, e, buf, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
}

func libEqual(n Node, x any) bool {
	switch x := x.(type) {
	case nil:
		return n.Kind == KindNull
	case bool:
		return n.Kind == KindBool && n.Bool == x
	case int8, int16, int32, int64:
		return n.Kind == KindInt && n.Int == reflect.ValueOf(x).Int()
	case uint8, uint16, uint32, uint64:
		u := reflect.ValueOf(x).Uint()
		if u > math.MaxInt64 {
			return n.Kind == KindUint && n.Uint == u
		}
		return n.Kind == KindInt && n.Int == int64(u)
	case float32:
		return n.Kind == KindFloat && n.Float == float64(x)
	case float64:
		return n.Kind == KindFloat && n.Float == x
	case string:
		return n.Kind == KindString && n.Str == x
	case []byte:
		return n.Kind == KindBytes && bytes.Equal(n.Bytes, x)
	case time.Time:
		return n.Kind == KindTime && n.Time.Equal(x)
	case []any:
		if n.Kind != KindArray || len(n.Items) != len(x) {
			return false
		}
		for i := range x {
			if !libEqual(n.Items[i], x[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		if n.Kind != KindObject || len(n.Fields) != len(x) {
			return false
		}
		for i, f := range n.Fields {
			if f.Key != "k"+strconv.Itoa(i) || !libEqual(f.Value, x[f.Key]) {
				return false
			}
		}
		return true
	}
	return false
}

// TestDecoderReuse: a reused Decoder gives what a fresh one gives, also
// after payloads that fail half way (the scratch space must not leak).
func TestDecoderReuse(t *testing.T) {
	var payloads [][]byte
	for _, dir := range []string{"seeds", "cloudevents"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			payloads = append(payloads, b, b[:len(b)/2], mpFromJSONBytes(b))
		}
	}
	payloads = append(payloads, []byte(`{"a":[1,2,{"b":[3,`), []byte("\xdd\xff\xff\xff\xff"), []byte(`[[[[[[[[1]]]]]]]]`))
	d := NewDecoder(Limits{MaxDepth: 5})
	for round := range 2 {
		for i, p := range payloads {
			got := d.Decode(p, Hints{})
			want := Decode(p, Hints{}, Limits{MaxDepth: 5})
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d payload %d %q: reused decoder differs:\n%+v\n%+v", round, i, p, got, want)
			}
		}
	}
}
