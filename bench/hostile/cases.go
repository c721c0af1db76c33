// Package hostile is the hostile-input sweep of issue 9: messages a broken
// or malicious device (or broker) can send, published at a running mqdeck,
// and the checks that show the console survived them: still running,
// memory bounded, its terminal neither retitled nor repainted.
//
// The sweep program is bench/hostile/sweep (and sweep.sh around it); the
// CI test in bench/reliability runs a reduced set.
package hostile

import (
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// Marker starts every piece of text an injected escape sequence would place
// on the screen if a terminal executed it. On a safe screen it only ever
// appears right after the visible remains of its sequence, never at the
// start of a line or after a blank.
const Marker = "INJ"

// Title is what the window-title sequences try to set.
const Title = "pwned"

// Case is one hostile message.
type Case struct {
	Name    string
	Topic   string
	Payload []byte
	Props   *mqttconn.Props
	// Repeat publishes the case this many times on Topic/<i> (a flood of
	// unique topics); 0 or 1 publishes once on Topic.
	Repeat int
	// Wire says the case violates MQTT itself (invalid UTF-8 in a topic or
	// a property): a conforming broker refuses it, so it only reaches a
	// console through a broker that does not check (InjectPublisher).
	Wire bool
}

// Escapes are the terminal sequences every text field is tried with: clear
// the screen, move the cursor, set the window title (BEL and ST ended),
// a hyperlink, leave the alternate screen, reset the terminal, hide the
// cursor, C1 CSI, a carriage return overwrite, bidi overrides and
// zero-width characters. Each is followed by a marker naming it.
func Escapes() []struct{ Name, Seq string } {
	return []struct{ Name, Seq string }{
		{"clear screen", "\x1b[2J\x1b[H"},
		{"cursor move", "\x1b[1;1H"},
		{"cursor move far", "\x1b[20;3H"},
		{"title BEL", "\x1b]2;" + Title + "\x07"},
		{"title ST", "\x1b]0;" + Title + "\x1b\\"},
		{"hyperlink", "\x1b]8;;http://x.invalid/\x1b\\click\x1b]8;;\x1b\\"},
		{"leave alt screen", "\x1b[?1049l"},
		{"reset", "\x1bc"},
		{"hide cursor", "\x1b[?25l"},
		{"C1 CSI", "\u009b2J"},
		{"SGR colour", "\x1b[41;97m"},
		{"carriage return", "\r"},
		{"backspaces", "\b\b\b\b"},
		{"bidi override", "\u202e"},
		{"bidi isolate", "\u2066"},
		{"zero width", "\u200b\u200d\ufeff"},
		{"DCS", "\x1bP1$qm\x1b\\"},
		{"bracketed paste end", "\x1b[201~"},
	}
}

// Cases returns the sweep. full adds the heavy ones (10 MB payload,
// 100k-deep nesting, thousands of properties, a flood of 50k unique
// topics); without it the set is small enough for CI.
func Cases(full bool) []Case {
	var cs []Case
	add := func(c Case) { cs = append(cs, c) }
	depth := 10000
	uniq := 2000
	props := 500
	big := 1 << 20
	topicLen := 60000
	if full {
		depth, uniq, props, big = 100000, 50000, 5000, 10<<20
	}
	// The flood first: the hostile cases are then the newest rows of the
	// log, the ones a walk from the top draws in the detail pane.
	add(Case{Name: fmt.Sprintf("%d unique topics", uniq), Topic: "hostile/unique", Payload: []byte(`{"n":1}`), Repeat: uniq})
	add(Case{Name: "MsgPack array32 declaring 4G elements", Topic: "hostile/mp", Payload: []byte{0xdd, 0xff, 0xff, 0xff, 0xff}})
	add(Case{Name: "MsgPack map32 declaring 4G pairs", Topic: "hostile/mp", Payload: []byte{0xdf, 0xff, 0xff, 0xff, 0xff}})
	add(Case{Name: "MsgPack array16 declaring 65535 elements", Topic: "hostile/mp", Payload: []byte{0xdc, 0xff, 0xff}})
	add(Case{Name: "MsgPack str32 declaring 4 GB", Topic: "hostile/mp", Payload: []byte{0xdb, 0xff, 0xff, 0xff, 0xff, 'a'}})
	add(Case{Name: "MsgPack bin32 declaring 4 GB", Topic: "hostile/mp", Payload: []byte{0xc6, 0xff, 0xff, 0xff, 0xff, 0}})
	add(Case{Name: "MsgPack ext32 declaring 4 GB", Topic: "hostile/mp", Payload: []byte{0xc9, 0xff, 0xff, 0xff, 0xff, 1}})
	add(Case{Name: "MsgPack map of huge arrays", Topic: "hostile/mp", Payload: []byte{0x81, 0xa1, 'a', 0xdd, 0x7f, 0xff, 0xff, 0xff},
		Props: &mqttconn.Props{ContentType: "application/msgpack"}})
	add(Case{Name: "invalid UTF-8 payload", Topic: "hostile/utf8", Payload: []byte("ok \xff\xfe\xfd \xc0\xaf \xed\xa0\x80 " + Marker + "U1")})
	add(Case{Name: "invalid UTF-8 in a JSON string", Topic: "hostile/utf8", Payload: []byte("{\"v\":\"\xff\xfe" + Marker + "U2\"}")})
	add(Case{Name: "invalid UTF-8 in user properties", Topic: "hostile/utf8", Payload: []byte("p"), Wire: true,
		Props: &mqttconn.Props{User: []mqttconn.UserProperty{{Key: "\xff\xfe", Value: "\xc3\x28" + Marker + "U3"}}, ContentType: "text/\xff"}})
	add(Case{Name: "invalid UTF-8 in the topic", Topic: "hostile/utf8/\xff\xfe", Payload: []byte("t"), Wire: true})
	add(Case{Name: "UTF-16 surrogate escapes in JSON", Topic: "hostile/json", Payload: []byte(`{"s":"\ud800\udfff\ud800` + Marker + `U4"}`)})
	add(Case{Name: "wide and combining characters", Topic: "hostile/wide", Payload: []byte("界界界" + strings.Repeat("e\u0301", 50) + "🇺🇳👩‍👩‍👧")})

	add(Case{Name: fmt.Sprintf("%d-deep JSON arrays (unclosed)", depth), Topic: "hostile/deep", Payload: []byte(strings.Repeat("[", depth))})
	add(Case{Name: fmt.Sprintf("%d-deep JSON arrays", depth), Topic: "hostile/deep", Payload: []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))})
	add(Case{Name: fmt.Sprintf("%d-deep JSON objects", depth), Topic: "hostile/deep", Payload: []byte(strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth))})
	add(Case{Name: fmt.Sprintf("%d-deep MsgPack arrays", depth), Topic: "hostile/deep", Payload: append([]byte(strings.Repeat("\x91", depth)), 0x01)})
	add(Case{Name: fmt.Sprintf("%d-deep MsgPack maps", depth), Topic: "hostile/deep", Payload: append([]byte(strings.Repeat("\x81\xa1a", depth)), 0x01),
		Props: &mqttconn.Props{ContentType: "application/msgpack"}})
	add(Case{Name: fmt.Sprintf("%d MB JSON payload", big>>20), Topic: "hostile/big", Payload: bigJSON(big)})
	add(Case{Name: fmt.Sprintf("%d MB binary payload", big>>20), Topic: "hostile/big", Payload: bigBinary(big)})
	add(Case{Name: fmt.Sprintf("%d-character topic", topicLen), Topic: "hostile/long/" + strings.Repeat("x", topicLen), Payload: []byte("long")})
	add(Case{Name: fmt.Sprintf("%d user properties", props), Topic: "hostile/manyprops", Payload: []byte(`{"ok":1}`), Props: manyProps(props)})
	for i, e := range Escapes() {
		mark := fmt.Sprintf("%s%02d", Marker, i)
		text := e.Seq + mark
		add(Case{Name: "payload text: " + e.Name, Topic: "hostile/text", Payload: []byte(text)})
		add(Case{Name: "JSON string value: " + e.Name, Topic: "hostile/json",
			Payload: []byte(`{"name":"` + jsonEscape(text) + `","level":"ERROR"}`)})
		add(Case{Name: "JSON key: " + e.Name, Topic: "hostile/jsonkey", Payload: []byte(`{"` + jsonEscape(text) + `":1}`)})
		add(Case{Name: "MsgPack string: " + e.Name, Topic: "hostile/msgpack", Payload: msgpackMap("name", text),
			Props: &mqttconn.Props{ContentType: "application/msgpack"}})
		add(Case{Name: "user property: " + e.Name, Topic: "hostile/props", Payload: []byte(`{"ok":true}`), Wire: hasControl(e.Seq),
			Props: &mqttconn.Props{User: []mqttconn.UserProperty{{Key: "k" + text, Value: text}}, ContentType: "application/json" + e.Seq,
				ResponseTopic: "reply/" + mark, CorrelationData: []byte(text)}})
		add(Case{Name: "CloudEvent attributes: " + e.Name, Topic: "app/demo-app", Payload: []byte(`{"temp":1}`), Wire: hasControl(e.Seq),
			Props: &mqttconn.Props{ContentType: "application/json", User: []mqttconn.UserProperty{
				{Key: "specversion", Value: "1.0"}, {Key: "id", Value: text}, {Key: "source", Value: text},
				{Key: "type", Value: text}, {Key: "subject", Value: text}, {Key: "device", Value: text}}}})
		add(Case{Name: "topic: " + e.Name, Topic: "hostile/topic/" + text, Payload: []byte("t"), Wire: hasControl(e.Seq)})
		add(Case{Name: "DRIVR topic ids: " + e.Name, Topic: "drivr/v1/company-example/systems/" + text + "/events/" + text,
			Payload: []byte(`{"uuid":"` + jsonEscape(text) + `","eventModel":{"code":"` + jsonEscape(text) + `","level":"ERROR"},"status":"ACTIVE"}`),
			Wire:    hasControl(e.Seq)})
	}
	return cs
}

// hasControl reports C0/C1 controls or DEL, which MQTT forbids in topics
// and properties ("SHOULD NOT"; Mosquitto refuses them).
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// jsonEscape writes s as the inside of a JSON string, with controls as
// \u escapes: the decoder turns them back into raw control characters.
func jsonEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// msgpackMap encodes {key: value} with str8 strings.
func msgpackMap(key, value string) []byte {
	b := []byte{0x81}
	for _, s := range []string{key, value} {
		b = append(b, 0xd9, byte(len(s)))
		b = append(b, s...)
	}
	return b
}

func bigJSON(n int) []byte {
	const head, tail = `{"blob":"`, `"}`
	b := make([]byte, 0, n)
	b = append(b, head...)
	for len(b) < n-len(tail) {
		b = append(b, "[2J"...) // what is left of a clear-screen once made safe
	}
	return append(b[:n-len(tail)], tail...)
}

func bigBinary(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func manyProps(n int) *mqttconn.Props {
	p := &mqttconn.Props{User: make([]mqttconn.UserProperty, n)}
	for i := range p.User {
		// Legal UTF-8 (a bidi override), so a conforming broker passes it on.
		p.User[i] = mqttconn.UserProperty{Key: fmt.Sprintf("k%05d", i), Value: fmt.Sprintf("\u202ev%05d", i)}
	}
	return p
}
