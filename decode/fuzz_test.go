package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5"
)

// The committed corpora in testdata/fuzz/<Name> hold the known killers
// (huge declared lengths, 100k-deep nesting, truncated documents, invalid
// UTF-8, escape sequences); `go test` runs them every time.

func addFixtures(f *testing.F, add func(p []byte)) {
	for _, dir := range []string{"seeds", "cloudevents"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			add(b)
		}
	}
}

// userProps turns "k=v;k=v" into user properties.
func userProps(s string) []Property {
	if s == "" {
		return nil
	}
	var out []Property
	for _, kv := range strings.Split(s, ";") {
		k, v, _ := strings.Cut(kv, "=")
		out = append(out, Property{Key: k, Value: v})
	}
	return out
}

func FuzzDecode(f *testing.F) {
	addFixtures(f, func(p []byte) {
		f.Add(p, "", "", "")
		if mp := mpFromJSONBytes(p); mp != nil {
			f.Add(mp, "", "msgpack", "")
			f.Add(mp, "application/json", "", "specversion=1.0;ce-id=1")
		}
	})
	f.Fuzz(func(t *testing.T, payload []byte, contentType, encoding, user string) {
		h := Hints{ContentType: contentType, Encoding: encoding, User: userProps(user)}
		v := Decode(payload, h, Limits{MaxPayload: 64 << 10})
		for _, w := range v.Warnings {
			if strings.Contains(w, "internal decoder error") {
				t.Fatalf("decoder panicked: %s", w)
			}
			assertTerminalSafe(t, w)
		}
		if v.Size != len(payload) {
			t.Fatalf("size %d for %d bytes", v.Size, len(payload))
		}
		switch v.Format {
		case FormatJSON, FormatMsgPack, FormatText, FormatBinary:
			if v.Event != nil {
				t.Fatalf("event on %s", v.Format)
			}
		case FormatCloudEvents:
			if v.Event == nil {
				t.Fatal("cloudevents without an event")
			}
		default:
			t.Fatalf("format %q", v.Format)
		}
		if s := Summary(v, 40); Width(s) > 40 {
			t.Fatalf("summary %q too wide", s)
		} else {
			assertTerminalSafe(t, s)
		}
		for _, l := range Pretty(v, 30) {
			assertTerminalSafe(t, l)
			if Width(l) > 30 {
				t.Fatalf("pretty line %q too wide", l)
			}
		}
		if v.Format == FormatJSON || v.Format == FormatMsgPack {
			if out, err := EncodeJSON(v.Data); err == nil {
				if _, err := ParseJSON(string(out)); err != nil {
					t.Fatalf("EncodeJSON wrote invalid JSON %q: %v", out, err)
				}
			}
			mp, err := EncodeMsgPack(v.Data)
			if err != nil {
				t.Fatalf("EncodeMsgPack: %v", err)
			}
			if back := Decode(mp, Hints{Encoding: "msgpack"}, Limits{MaxPayload: 1 << 20}); back.Format != FormatMsgPack && back.Format != FormatCloudEvents {
				t.Fatalf("re-encoded MsgPack decodes as %s: %v", back.Format, back.Warnings)
			}
		}
	})
}

func mpFromJSONBytes(p []byte) []byte {
	if !json.Valid(p) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	b, err := mpOracle(dec)
	if err != nil {
		return nil
	}
	return b
}

func FuzzMsgPackGuard(f *testing.F) {
	addFixtures(f, func(p []byte) {
		if mp := mpFromJSONBytes(p); mp != nil {
			f.Add(mp)
		}
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		end, err := checkMsgPack(string(b), 64)
		if err != nil {
			return // the library never sees it
		}
		if end < 1 || end > len(b) {
			t.Fatalf("accepted with end %d of %d", end, len(b))
		}
		doc := b[:end]
		// Accepted input is safe for msgpack/v5 (no fatal allocation or
		// stack overflow; ordinary errors and panics are its own business).
		func() {
			defer func() { _ = recover() }()
			var anyv any
			_ = msgpack.Unmarshal(doc, &anyv)
		}()
		// And our reader decodes it completely, without panicking.
		r := mpReader{s: string(doc)}
		n := r.node()
		if r.i != end {
			t.Fatalf("reader stopped at %d, check at %d", r.i, end)
		}
		// Encoding is stable after one round (keys become strings, floats
		// float64, invalid UTF-8 U+FFFD).
		enc1, err := EncodeMsgPack(n)
		if err != nil {
			t.Fatal(err)
		}
		end1, err := checkMsgPack(string(enc1), 64)
		if err != nil || end1 != len(enc1) {
			t.Fatalf("re-encoded document refused: %v", err)
		}
		r2 := mpReader{s: string(enc1)}
		enc2, err := EncodeMsgPack(r2.node())
		if err != nil || !bytes.Equal(enc1, enc2) {
			t.Fatalf("encoding not stable: %x vs %x (%v)", enc1, enc2, err)
		}
	})
}

func FuzzSafe(f *testing.F) {
	for _, s := range []string{"plain", "\x1b]2;title\x07", "\x1b[2J", "\u009b", "a\u202eb", "\xff\xfe", "👨\u200d👩", "a\u200db", "\t\n"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, width int) {
		out := Safe(s)
		assertTerminalSafe(t, out)
		if Safe(out) != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, Safe(out))
		}
		if isSafeOracle(s) && out != s {
			t.Fatalf("changed an already safe string %q into %q", s, out)
		}
		width = width%200 + 1
		if width < 1 {
			width += 200
		}
		tr := Truncate(s, width)
		assertTerminalSafe(t, tr)
		if w := Width(tr); w > width {
			t.Fatalf("Truncate(%q, %d) = %q is %d wide", s, width, tr, w)
		}
		// Truncate reads at most truncBytesPerCell bytes per cell; within
		// that, a string that fits is returned whole.
		if len(s) <= width*truncBytesPerCell+64 && Width(out) <= width && tr != out {
			t.Fatalf("Truncate cut %q that fits in %d", out, width)
		}
	})
}

// isSafeOracle restates what Safe must leave alone, written independently
// of unsafeRune: valid UTF-8 with no control, bidi or invisible character.
func isSafeOracle(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	prevNonASCII := false
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0xad, r == 0x061c, r == 0x180e,
			r >= 0x200b && r <= 0x200f && !((r == 0x200c || r == 0x200d) && prevNonASCII),
			r >= 0x2028 && r <= 0x202e, r >= 0x2060 && r <= 0x206f, r == 0xfeff, r >= 0xfff9 && r <= 0xfffb:
			return false
		}
		prevNonASCII = r >= 0x80
	}
	return true
}

func FuzzParseJSON(f *testing.F) {
	addFixtures(f, func(p []byte) { f.Add(string(p)) })
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseJSON(s)
		valid := json.Valid([]byte(s))
		var je *JSONError
		if err != nil && !errors.As(err, &je) {
			t.Fatalf("error of type %T", err)
		}
		if err != nil && je.Depth {
			return
		}
		if (err == nil) != valid {
			t.Fatalf("ParseJSON err=%v but encoding/json Valid=%v for %q", err, valid, s)
		}
		if err != nil {
			if je.Offset < 0 || je.Offset > len(s) {
				t.Fatalf("offset %d out of range", je.Offset)
			}
			return
		}
		var want any
		if json.Unmarshal([]byte(s), &want) != nil {
			return // numbers out of float64 range
		}
		out, err := EncodeJSON(n)
		if err != nil {
			t.Fatalf("EncodeJSON: %v", err)
		}
		var got any
		if err := json.Unmarshal(out, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("value differs from encoding/json's:\n in %q\nout %q", s, out)
		}
	})
}
