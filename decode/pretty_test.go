package decode

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func checkLines(t *testing.T, lines []string, width int) {
	t.Helper()
	for i, l := range lines {
		assertTerminalSafe(t, l)
		if w := Width(l); w > width {
			t.Fatalf("line %d is %d cells wide (limit %d): %q", i, w, width, l)
		}
	}
}

func TestPrettyDRIVREvent(t *testing.T) {
	v := Decode([]byte(readFixture(t, filepath.Join("seeds", "drivr_event_system.json"))), Hints{}, DefaultLimits())
	got := Pretty(v, 80)
	want := []string{
		`{`,
		`  "uuid": "a707aa3a-b44f-42e0-9ab8-b8efe13409c8",`,
		`  "createdAt": "2025-05-09T13:28:42.658581",`,
		`  "updatedAt": "2025-05-09T13:28:42.658962",`,
		`  "entityUuid": "792b6149-1daa-488f-b07a-f684503b0586",`,
		`  "time": "2025-05-09T13:28:42.611276+00:00",`,
		`  "endTime": null,`,
		`  "status": null,`,
		`  "acknowledged": false,`,
		`  "eventModel": {`,
		`    "uuid": "c867ee9d-52f1-4819-9bfc-b64d6321a04b",`,
		`    "entityType": "SYSTEM",`,
		`    "eventType": "SINGLE_POINT",`,
		`    "eventLevel": "ERROR",`,
		`    "code": "energy-overload-model",`,
		`    "message": null`,
		`  },`,
		`  "metadata": {}`,
		`}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Pretty:\n%s", strings.Join(got, "\n"))
	}
	// Narrow panes wrap instead of losing text.
	for _, w := range []int{1, 5, 12, 30} {
		lines := Pretty(v, w)
		checkLines(t, lines, w)
		joined := strings.ReplaceAll(strings.Join(lines, ""), " ", "")
		if !strings.Contains(joined, `"a707aa3a-b44f-42e0-9ab8-b8efe13409c8"`) {
			t.Fatalf("width %d lost the uuid: %q", w, lines)
		}
	}
}

func TestPrettyFormats(t *testing.T) {
	ts := time.Date(2025, 5, 9, 13, 28, 42, 0, time.UTC)
	mp, err := EncodeMsgPack(ObjectNode(
		Field{Key: "1", KeyIsInt: true, Value: BytesNode([]byte{0xca, 0xfe})},
		KV("at", TimeNode(ts)),
		KV("list", ArrayNode(IntNode(1), StringNode("two"), NullNode())),
		KV("evil", StringNode("\x1b]2;pwned\x07\u202e")),
	))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(Pretty(Decode(mp, Hints{}, DefaultLimits()), 60), "\n")
	want := strings.Join([]string{
		`{`,
		`  1: <bin 2 cafe>,`,
		`  "at": <time 2025-05-09T13:28:42Z>,`,
		`  "list": [1, "two", null],`,
		`  "evil": "\u001b]2;pwned\u0007\u202e"`,
		`}`,
	}, "\n")
	if got != want {
		t.Fatalf("msgpack Pretty:\n%s\nwant:\n%s", got, want)
	}

	text := Pretty(Decode([]byte("line one\r\nline\ttwo \x1b[2J"), Hints{}, DefaultLimits()), 40)
	if strings.Join(text, "|") != "line one|line two ␛[2J" {
		t.Fatalf("text Pretty %q", text)
	}

	bin := Pretty(Decode([]byte("\x00\x01ABCDEFGHIJKLMNOPQRSTUVWXYZ"), Hints{}, DefaultLimits()), 80)
	if len(bin) != 2 || bin[0] != "00000000  00 01 41 42 43 44 45 46  47 48 49 4a 4b 4c 4d 4e |..ABCDEFGHIJKLMN|" ||
		!strings.HasPrefix(bin[1], "00000010  4f 50") {
		t.Fatalf("binary Pretty %q", bin)
	}

	trunc := Pretty(Decode(make([]byte, 100), Hints{}, Limits{MaxPayload: 10}), 80)
	if trunc[0] != "truncated: first 100 of 100 bytes" && !strings.HasPrefix(trunc[0], "truncated:") {
		t.Fatalf("truncated Pretty %q", trunc[0])
	}
}

func TestPrettyCloudEvent(t *testing.T) {
	h := Hints{User: []Property{
		{Key: "specversion", Value: "1.0"}, {Key: "id", Value: "e1"}, {Key: "source", Value: "drogue://app/dev"},
		{Key: "type", Value: "io.drogue.event.v1"}, {Key: "device", Value: "dev\x1b[2J"},
	}}
	got := Pretty(Decode([]byte(`{"temp":21.5}`), h, DefaultLimits()), 80)
	want := []string{
		"cloudevent 1.0 (binary mode)",
		"  id: e1",
		"  source: drogue://app/dev",
		"  type: io.drogue.event.v1",
		"  device: dev␛[2J",
		"data (json):",
		"{",
		`  "temp": 21.5`,
		"}",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("CloudEvent Pretty:\n%s", strings.Join(got, "\n"))
	}
}

func TestSummary(t *testing.T) {
	v := Decode([]byte(`{"status":"ACTIVE","level":"ERROR","note":"温度 high"}`), Hints{}, DefaultLimits())
	if got := Summary(v, 200); got != `{"status":"ACTIVE","level":"ERROR","note":"温度 high"}` {
		t.Fatalf("wide summary %q", got)
	}
	if got := Summary(v, 36); got != `{"status":"ACTIVE","level":"ERROR",…` {
		t.Fatalf("narrow summary %q", got)
	}
	for _, tc := range []struct {
		payload string
		hints   Hints
		want    string
	}{
		{"ACTIVE", Hints{}, "ACTIVE"},
		{"two\nlines\x1b[2J", Hints{}, "two␊lines␛[2J"},
		{"\x00\x01\xff", Hints{}, "<3 bytes> 00 01 ff"},
		{`{"k":"\u202e"}`, Hints{}, `{"k":"\u202e"}`},
		{`{"specversion":"1.0","id":"1","source":"s","type":"io.drogue.event.v1","data":{"t":1}}`, Hints{}, `io.drogue.event.v1 {"t":1}`},
	} {
		got := Summary(Decode([]byte(tc.payload), tc.hints, DefaultLimits()), 60)
		if got != tc.want {
			t.Errorf("Summary(%q) = %q, want %q", tc.payload, got, tc.want)
		}
	}
	huge := Decode([]byte(`["`+strings.Repeat("x", 100000)+`"]`), Hints{}, Limits{MaxString: 1 << 20})
	if got := Summary(huge, 10); got != `["xxxxxxx…` {
		t.Fatalf("huge summary %q", got)
	}
	if got := Summary(v, 0); got != "" {
		t.Fatalf("zero width %q", got)
	}
}

func TestHexDumpWidths(t *testing.T) {
	data := []byte("\x1b[2J hello \x9b\xff")
	for _, w := range []int{1, 8, 20, 40, 60, 80, 120} {
		lines := HexDump(data, w)
		checkLines(t, lines, w)
		if len(lines) == 0 {
			t.Fatalf("width %d: no lines", w)
		}
	}
	if got := HexDump(nil, 80); len(got) != 1 || got[0] != "(empty)" {
		t.Fatalf("empty dump %q", got)
	}
}
