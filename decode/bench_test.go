package decode

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// Run: go test ./decode -run '^$' -bench . -benchmem

// benchEvent is the DRIVR system event of seed 001, compacted as a device
// would send it.
func benchEvent(b *testing.B) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(readFixture(b, filepath.Join("seeds", "drivr_event_system.json")))); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func benchDecode(b *testing.B, p []byte, h Hints, want Format) {
	b.Helper()
	if v := Decode(p, h, DefaultLimits()); v.Format != want {
		b.Fatalf("format %s, want %s", v.Format, want)
	}
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Decode(p, h, DefaultLimits())
	}
}

func BenchmarkDecodeJSONEvent(b *testing.B) {
	benchDecode(b, benchEvent(b), Hints{Encoding: "json"}, FormatJSON)
}

func BenchmarkDecodeJSONEventSniffed(b *testing.B) {
	benchDecode(b, benchEvent(b), Hints{}, FormatJSON)
}

func BenchmarkDecoderJSONEventReused(b *testing.B) {
	p := benchEvent(b)
	d := NewDecoder(DefaultLimits())
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		_ = d.Decode(p, Hints{Encoding: "json"})
	}
}

func BenchmarkDecodeMsgPackEvent(b *testing.B) {
	benchDecode(b, mpFromJSON(b, string(benchEvent(b))), Hints{Encoding: "msgpack"}, FormatMsgPack)
}

func BenchmarkDecodeMsgPackEventSniffed(b *testing.B) {
	benchDecode(b, mpFromJSON(b, string(benchEvent(b))), Hints{}, FormatMsgPack)
}

func BenchmarkDecodeCloudEventStructured(b *testing.B) {
	p := []byte(readFixture(b, filepath.Join("cloudevents", "drogue_structured.json")))
	benchDecode(b, p, Hints{ContentType: "application/cloudevents+json"}, FormatCloudEvents)
}

func BenchmarkDecodeCloudEventBinary(b *testing.B) {
	h := Hints{ContentType: "application/json", User: []Property{
		{Key: "specversion", Value: "1.0"}, {Key: "id", Value: "0b0f4a4e-7c2f-4b0e-9d43-2f6a3b7a1c11"},
		{Key: "source", Value: "drogue://demo-app/device1"}, {Key: "type", Value: "io.drogue.event.v1"},
		{Key: "subject", Value: "sensor"}, {Key: "time", Value: "2025-05-09T13:28:42.611276Z"},
		{Key: "application", Value: "demo-app"}, {Key: "device", Value: "device1"}, {Key: "sender", Value: "gateway1"},
	}}
	benchDecode(b, []byte(`{"temp":21.5,"hum":40,"ok":true}`), h, FormatCloudEvents)
}

func BenchmarkDecodeText(b *testing.B) {
	benchDecode(b, []byte("ACTIVE"), Hints{}, FormatText)
}

// Baselines: the standard library and msgpack/v5 into map[string]any
// (which also loses the key order).
func BenchmarkBaselineStdlibJSONMap(b *testing.B) {
	p := benchEvent(b)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(p, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBaselineMsgPackLibMap(b *testing.B) {
	p := mpFromJSON(b, string(benchEvent(b)))
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := msgpack.Unmarshal(p, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSafeClean(b *testing.B) {
	s := "drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/a707aa3a"
	b.ReportAllocs()
	for b.Loop() {
		_ = Safe(s)
	}
}

func BenchmarkSafeCleanUnicode(b *testing.B) {
	s := "Température élevée dans la salle 温度 😀 " + strings.Repeat("x", 40)
	b.ReportAllocs()
	for b.Loop() {
		_ = Safe(s)
	}
}

func BenchmarkSafeDirty(b *testing.B) {
	s := "\x1b]2;pwned\x07\x1b[2J status \u202eEVITCA\u202c \xff\u009b" + strings.Repeat("x", 40)
	b.ReportAllocs()
	for b.Loop() {
		_ = Safe(s)
	}
}

func BenchmarkSummary(b *testing.B) {
	v := Decode(benchEvent(b), Hints{}, DefaultLimits())
	b.ReportAllocs()
	for b.Loop() {
		_ = Summary(v, 60)
	}
}

func BenchmarkPretty(b *testing.B) {
	v := Decode(benchEvent(b), Hints{}, DefaultLimits())
	b.ReportAllocs()
	for b.Loop() {
		_ = Pretty(v, 80)
	}
}

func BenchmarkEncodeJSONEvent(b *testing.B) {
	n := Decode(benchEvent(b), Hints{}, DefaultLimits()).Data
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeJSON(n); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeMsgPackEvent(b *testing.B) {
	n := Decode(benchEvent(b), Hints{}, DefaultLimits()).Data
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeMsgPack(n); err != nil {
			b.Fatal(err)
		}
	}
}
