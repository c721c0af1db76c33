package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/record"
)

// terminalUnsafe reports the first byte sequence of out that a terminal
// could act on: C0 controls (newline aside), DEL, C1 in UTF-8, bidi controls.
func terminalUnsafe(out string) (string, bool) {
	for _, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || escapeRune(r) {
			return string(r), true
		}
	}
	return "", false
}

func TestAppendStringRoundTrip(t *testing.T) {
	cases := []string{
		"", "plain", `quote " and \ backslash`, "tab\tnl\ncr\r", "\x1b]2;title\x07\x1b[2J",
		"del\x7f", "c1 \u009b31m", "bidi \u202eevil\u202c \u2066iso\u2069", "ls\u2028ps\u2029",
		"wide 日本語 and emoji 🚀", "<html>&amp;", "bom\ufeff", "nul\x00",
	}
	for _, s := range cases {
		out := string(appendString(nil, s))
		var back string
		if err := json.Unmarshal([]byte(out), &back); err != nil {
			t.Errorf("%q -> %s: not JSON: %v", s, out, err)
			continue
		}
		if back != s {
			t.Errorf("%q -> %s -> %q: not the same string", s, out, back)
		}
		if r, bad := terminalUnsafe(out); bad {
			t.Errorf("%q -> %s: %q reaches the terminal", s, out, r)
		}
	}
	// Invalid UTF-8 becomes U+FFFD, still valid JSON.
	out := string(appendString(nil, "a\xffb\xc3"))
	if out != `"a\ufffdb\ufffd"` {
		t.Errorf("invalid UTF-8: %s", out)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "\x1b[2J", "\xff\xfe", "\u202e", "\u009b", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendString(nil, s)
		if !json.Valid(out) {
			t.Fatalf("%q -> %s: not JSON", s, out)
		}
		if r, bad := terminalUnsafe(string(out)); bad {
			t.Fatalf("%q -> %s: %q reaches the terminal", s, out, r)
		}
		if utf8.ValidString(s) {
			var back string
			if err := json.Unmarshal(out, &back); err != nil || back != s {
				t.Fatalf("%q -> %s -> %q (%v)", s, out, back, err)
			}
		}
	})
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.1, 1.5e-7, 123456789, 1e21, 1e20, -2.5e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, 230.4} {
		want, _ := json.Marshal(f)
		if got := string(appendFloat(nil, f)); got != string(want) {
			t.Errorf("%v: got %s, want %s", f, got, want)
		}
	}
	for f, want := range map[float64]string{math.NaN(): `"NaN"`, math.Inf(1): `"Infinity"`, math.Inf(-1): `"-Infinity"`} {
		if got := string(appendFloat(nil, f)); got != want {
			t.Errorf("%v: got %s", f, got)
		}
	}
}

func TestAppendNode(t *testing.T) {
	ts := time.Date(2025, 5, 9, 13, 28, 42, 611276000, time.UTC)
	n := decode.Node{Kind: decode.KindObject, Fields: []decode.Field{
		{Key: "z", Value: decode.Node{Kind: decode.KindInt, Int: -3}},
		{Key: "a", Value: decode.Node{Kind: decode.KindArray, Items: []decode.Node{
			{Kind: decode.KindNull}, {Kind: decode.KindBool, Bool: true}, {Kind: decode.KindFloat, Float: 1.25},
			{Kind: decode.KindUint, Uint: math.MaxUint64}, {Kind: decode.KindString, Str: "x\x1by"},
		}}},
		{Key: "1", KeyIsInt: true, Value: decode.Node{Kind: decode.KindBytes, Bytes: []byte{0, 1, 2}}},
		{Key: "t", Value: decode.Node{Kind: decode.KindTime, Time: ts}},
		{Key: "e", Value: decode.Node{Kind: decode.KindExt, ExtType: 5, Bytes: []byte("hi")}},
	}}
	got := string(appendNode(nil, &n, 0))
	want := `{"z":-3,"a":[null,true,1.25,18446744073709551615,"x\u001by"],"1":"AAEC","t":"2025-05-09T13:28:42.611276Z","e":{"ext":5,"data":"aGk="}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestAppendLine(t *testing.T) {
	pf := byte(1)
	exp := uint32(60)
	m := mqttconn.Message{
		Topic:    "drivr/v1/company-example/systems/792b/events/a707",
		Payload:  []byte(`{"uuid":"a707","status":null}`),
		QoS:      1,
		Retain:   true,
		Received: time.Date(2025, 5, 9, 13, 28, 42, 658581000, time.UTC),
		Props: &mqttconn.Props{
			ContentType: "application/json", PayloadFormat: &pf, ResponseTopic: "r/t",
			CorrelationData: []byte{0xff, 0x01}, MessageExpiry: &exp,
			User: []mqttconn.UserProperty{{Key: "k", Value: "v"}, {Key: "access_key", Value: "devsecret"}, {Key: "k", Value: "v2"}},
		},
	}
	r := platform.Route{Platform: "drivr", Kind: platform.KindEvent, Fleet: "company-example", System: "792b", Event: "a707", Encoding: ""}
	v := decode.Value{Format: decode.FormatJSON, Size: len(m.Payload), Data: decode.Node{Kind: decode.KindObject, Fields: []decode.Field{
		{Key: "uuid", Value: decode.Node{Kind: decode.KindString, Str: "a707"}},
		{Key: "status", Value: decode.Node{Kind: decode.KindNull}},
	}}, Warnings: []string{"w1"}}
	line := appendLine(nil, &m, &r, &v)
	if !bytes.HasSuffix(line, []byte("}\n")) || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatalf("not one line: %q", line)
	}
	want := `{"time":"2025-05-09T13:28:42.658581Z","topic":"drivr/v1/company-example/systems/792b/events/a707","qos":1,"retain":true,` +
		`"payload":"{\"uuid\":\"a707\",\"status\":null}",` +
		`"props":{"contentType":"application/json","payloadFormat":1,"responseTopic":"r/t","correlationData_b64":"/wE=","user":[["k","v"],["access_key","[redacted]"],["k","v2"]],"messageExpiry":60},` +
		`"platform":"drivr","kind":"event","fleet":"company-example","system":"792b","event":"a707",` +
		`"format":"json","value":{"uuid":"a707","status":null},"warnings":["w1"]}` + "\n"
	if string(line) != want {
		t.Errorf("got  %s\nwant %s", line, want)
	}
	if bytes.Contains(line, []byte("devsecret")) {
		t.Error("access_key value printed")
	}

	// The log replays: record's reader reads the line back as the message.
	back, err := record.NewReader(bytes.NewReader(line)).Next()
	if err != nil {
		t.Fatal(err)
	}
	if back.Topic != m.Topic || string(back.Payload) != string(m.Payload) || back.QoS != 1 || !back.Retain ||
		!back.Received.Equal(m.Received) || back.Props == nil || back.Props.ContentType != "application/json" ||
		!bytes.Equal(back.Props.CorrelationData, m.Props.CorrelationData) || len(back.Props.User) != 3 {
		t.Errorf("replayed message differs: %+v %+v", back, back.Props)
	}
}

func TestAppendLineBinaryAndSecret(t *testing.T) {
	m := mqttconn.Message{Topic: "a/b", Payload: []byte{0x93, 0xff, 0x00}, Received: time.Unix(0, 0)}
	line := string(appendLine(nil, &m, nil, nil))
	if !strings.Contains(line, `"payload_b64":"k/8A"`) || strings.Contains(line, `"payload":`) {
		t.Errorf("binary payload: %s", line)
	}
	m.Payload = []byte(`{"token":"local-api-token-value"}`)
	r := platform.Route{Platform: "drivr", Kind: platform.KindLocalAPITokens, Secret: true}
	v := decode.Value{Format: decode.FormatJSON, Data: decode.Node{Kind: decode.KindString, Str: "local-api-token-value"}}
	line = string(appendLine(nil, &m, &r, &v))
	if strings.Contains(line, "local-api-token-value") || !strings.Contains(line, `"payload":"[redacted]"`) || !json.Valid([]byte(line)) {
		t.Errorf("secret payload printed or line invalid: %s", line)
	}
}

func TestAppendLineCloudEvent(t *testing.T) {
	m := mqttconn.Message{Topic: "app/demo-app", Payload: []byte(`{"temp":21}`), Received: time.Unix(1, 0)}
	v := decode.Value{Format: decode.FormatCloudEvents, Data: decode.Node{Kind: decode.KindObject, Fields: []decode.Field{
		{Key: "temp", Value: decode.Node{Kind: decode.KindInt, Int: 21}}}},
		Event: &decode.CloudEvent{Mode: "binary", SpecVersion: "1.0", ID: "1", Source: "drogue://demo-app/dev1", Type: "io.drogue.event.v1",
			Subject: "sensor", Extensions: []decode.Attribute{{Name: "application", Value: "demo-app"}, {Name: "device", Value: "dev1"}}}}
	line := appendLine(nil, &m, nil, &v)
	var got map[string]any
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatal(err)
	}
	ce, _ := got["cloudevent"].(map[string]any)
	if ce["type"] != "io.drogue.event.v1" || ce["device"] != "dev1" || ce["subject"] != "sensor" || got["cloudevent_mode"] != "binary" || got["format"] != "cloudevents" {
		t.Errorf("cloudevent: %s", line)
	}
}

func BenchmarkAppendLine(b *testing.B) {
	payload := []byte(`{"uuid":"a707aa3a-b44f-42e0-9ab8-b8efe13409c8","createdAt":"2025-05-09T13:28:42.658581","entityUuid":"792b6149-1daa-488f-b07a-f684503b0586","time":"2025-05-09T13:28:42.611276+00:00","status":"ACTIVE","acknowledged":false,"eventModel":{"code":"energy-overload-model","eventLevel":"ERROR"}}`)
	m := mqttconn.Message{Topic: "drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/a707aa3a-b44f-42e0-9ab8-b8efe13409c8", Payload: payload, Received: time.Now()}
	r := platform.Route{Platform: "drivr", Kind: platform.KindEvent, System: "792b6149-1daa-488f-b07a-f684503b0586", Event: "a707aa3a-b44f-42e0-9ab8-b8efe13409c8"}
	var fields []decode.Field
	for i := 0; i < 8; i++ {
		fields = append(fields, decode.Field{Key: "key", Value: decode.Node{Kind: decode.KindString, Str: "2025-05-09T13:28:42.658581"}})
	}
	v := decode.Value{Format: decode.FormatJSON, Data: decode.Node{Kind: decode.KindObject, Fields: fields}}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendLine(buf[:0], &m, &r, &v)
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkLogWrite is the per-message cost of mqdeck log after the
// transport, on one core: route, decode, refine, encode (the ingest stage
// and its Encode), buffered write.
func BenchmarkLogWrite(b *testing.B) {
	payload := []byte(`{"uuid":"a707aa3a-b44f-42e0-9ab8-000000000001","createdAt":"2025-05-09T13:28:42.658581","entityUuid":"792b6149-1daa-488f-b07a-f684503b0586","time":"2025-05-09T13:28:42.611276+00:00","status":"ACTIVE","acknowledged":false,"eventModel":{"code":"energy-overload-model","eventLevel":"ERROR","v":411.29268}}`)
	m := mqttconn.Message{Topic: "drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/a707aa3a-b44f-42e0-9ab8-b8efe13409c8", Payload: payload, Received: time.Now()}
	scheme, err := platform.New("drivr", platform.Params{Slug: "company-example"})
	if err != nil {
		b.Fatal(err)
	}
	l := &logger{out: bufio.NewWriterSize(io.Discard, stdoutBuffer)}
	st := ingest.NewStage(scheme, decode.Limits{})
	c := ingest.Chunk{Items: make([]ingest.Item, 1), Ends: make([]int, 1)}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		c.Items[0] = st.Item(m)
		c.Text = encodeLine(c.Text[:0], &c.Items[0])
		c.Ends[0] = len(c.Text)
		if err := l.write(&c, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPrintableASCII(t *testing.T) {
	naive := func(p []byte) bool {
		for _, c := range p {
			if c < 0x20 || c > 0x7e {
				return false
			}
		}
		return true
	}
	for _, s := range []string{"", "a", `{"a": 1, "b": [true, null]}`, "0123456789abcdef~ ", "tab\there", "nl\n", "del\x7f", "é", "12345678\x1f", "1234567\x80", "\x00"} {
		if got := printableASCII([]byte(s)); got != naive([]byte(s)) {
			t.Errorf("%q: %v", s, got)
		}
	}
	// Every byte value at every position of a 17-byte window.
	for pos := 0; pos < 17; pos++ {
		for c := 0; c < 256; c++ {
			p := []byte("abcdefghijklmnopq")
			p[pos] = byte(c)
			if printableASCII(p) != naive(p) {
				t.Fatalf("byte %#x at %d", c, pos)
			}
		}
	}
}

// TestValueFromJSONText: printable ASCII JSON is its own value, exactly;
// anything else is re-encoded from the decoded tree, on one line.
func TestValueFromJSONText(t *testing.T) {
	m := mqttconn.Message{Topic: "t", Received: time.Unix(0, 0)}
	node := decode.Node{Kind: decode.KindObject, Fields: []decode.Field{{Key: "a", Value: decode.Node{Kind: decode.KindInt, Int: 1}}}}
	for payload, want := range map[string]string{
		`{"a": 1}`:                   `"value":{"a": 1}}`,
		`{"a":12345678901234567890}`: `"value":{"a":12345678901234567890}}`,
		"{\"a\":\n1}":                `"value":{"a":1}}`,
		`{"a":1,"é":2}`:              `"value":{"a":1}}`,
	} {
		m.Payload = []byte(payload)
		v := decode.Value{Format: decode.FormatJSON, Data: node}
		line := string(appendLine(nil, &m, nil, &v))
		if !strings.HasSuffix(line, want+"\n") || strings.Count(line, "\n") != 1 || !json.Valid([]byte(line)) {
			t.Errorf("%q: %s", payload, line)
		}
	}
	// Not JSON (text that merely looks printable) is never copied.
	m.Payload = []byte("ACTIVE")
	v := decode.Value{Format: decode.FormatText, Data: decode.Node{Kind: decode.KindString, Str: "ACTIVE"}}
	if line := string(appendLine(nil, &m, nil, &v)); !strings.Contains(line, `"value":"ACTIVE"`) {
		t.Errorf("text: %s", line)
	}
}

// TestLogRunStopsDuringFlood: a cancelled context ends the loop even while
// the input never runs dry (Ctrl-C in a flood).
func TestLogRunStopsDuringFlood(t *testing.T) {
	scheme, err := platform.New("generic", platform.Params{})
	if err != nil {
		t.Fatal(err)
	}
	msgs := make(chan mqttconn.Message, 8192)
	for range cap(msgs) {
		msgs <- mqttconn.Message{Topic: "f/x", Payload: []byte(`{"v":1}`), Received: time.Now()}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := &logger{out: bufio.NewWriter(io.Discard), events: newConnEvents()}
	n, err := l.run(ctx, ingest.Stream(context.Background(), msgs, ingest.Config{Scheme: scheme, Encode: encodeLine}), 0)
	if err != nil || n >= cap(msgs) {
		t.Errorf("printed %d of a never-ending input after cancel (err %v)", n, err)
	}
}

// panicOn routes like its scheme and panics on one topic: a platform bug.
type panicOn struct {
	platform.Scheme
	topic string
}

func (p panicOn) Route(topic string, props *mqttconn.Props) platform.Route {
	if topic == p.topic {
		panic("routing bug near hunter2-password")
	}
	return p.Scheme.Route(topic, props)
}

// mqdeck log and a platform bug that panics on one message: every message
// is written, in order, the bad one as a line with its error and size but
// not its payload (its route is unknown); stderr has the panic with its
// stack, the session's secrets blanked; the run goes on.
func TestLogWritesTheMessageAPanicHit(t *testing.T) {
	scheme, err := platform.New("generic", platform.Params{})
	if err != nil {
		t.Fatal(err)
	}
	msgs := make(chan mqttconn.Message, 3)
	for _, topic := range []string{"a", "boom", "b"} {
		msgs <- mqttconn.Message{Topic: topic, Payload: []byte(`{"token":"s3cr3t"}`), Received: time.Now()}
	}
	close(msgs)
	var out, stderr bytes.Buffer
	l := &logger{out: bufio.NewWriter(&out), stderr: &stderr, events: newConnEvents(), secrets: func() []string { return []string{"hunter2-password"} }}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := l.run(ctx, ingest.Stream(ctx, msgs, ingest.Config{Scheme: panicOn{scheme, "boom"}, Encode: encodeLine}), 0)
	if err != nil || n != 3 {
		t.Fatalf("wrote %d of 3 (err %v)", n, err)
	}
	if err := l.out.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	var bad struct {
		Topic    string   `json:"topic"`
		Payload  string   `json:"payload"`
		Size     int      `json:"size"`
		Secret   bool     `json:"secret"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &bad); err != nil {
		t.Fatalf("%v: %s", err, lines[1])
	}
	if bad.Topic != "boom" || strings.Contains(lines[1], "s3cr3t") || bad.Size != 18 || len(bad.Warnings) != 1 || !strings.HasPrefix(bad.Warnings[0], ingest.Understood) {
		t.Fatalf("the bad message's line: %s", lines[1])
	}
	if !strings.Contains(lines[0], `"topic":"a"`) || !strings.Contains(lines[2], `"topic":"b"`) || !strings.Contains(lines[2], `"format":"json"`) {
		t.Fatalf("the other lines:\n%s", out.String())
	}
	if e := stderr.String(); !strings.Contains(e, "internal error understanding a message on boom: routing bug near [redacted]") || !strings.Contains(e, "panicOn") || strings.Contains(e+out.String(), "hunter2") {
		t.Fatalf("stderr does not report the panic with its stack, or shows the secret:\n%s", e)
	}
	if s := l.stats(n, 0); !strings.Contains(s, "3 messages") || !strings.Contains(s, "1 not understood") {
		t.Fatalf("-v stats: %s", s)
	}
}
