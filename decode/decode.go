package decode

import (
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"
)

// Property is one MQTT 5 user property as decode reads it (CloudEvents
// binary mode carries the attributes this way). Wire order is kept.
type Property struct {
	Key   string
	Value string
}

// Hints are what the transport and the topic say about a payload (the
// ingest stage builds them from a received message).
type Hints struct {
	ContentType       string     // MQTT 5 content type, "" when absent
	Encoding          string     // topic suffix: "json", "msgpack" or ""
	User              []Property // MQTT 5 user properties (CloudEvents binary mode)
	PayloadFormatUTF8 bool       // MQTT 5 payload format indicator = 1
}

// Limits bound the work and memory one payload may cost. A zero field takes
// its default.
type Limits struct {
	MaxPayload int // larger payloads are kept as a truncated binary head
	MaxDepth   int // deeper JSON or MsgPack is refused (and shown as text or binary)
	MaxString  int // longer strings inside documents are cut, with "…"
}

// DefaultLimits: 1 MiB payloads, 64 levels, 4096-byte strings.
func DefaultLimits() Limits {
	return Limits{MaxPayload: 1 << 20, MaxDepth: 64, MaxString: 4096}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxPayload <= 0 {
		l.MaxPayload = d.MaxPayload
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxString <= 0 {
		l.MaxString = d.MaxString
	}
	return l
}

// truncatedHead is how much of an oversized payload is kept for display.
const truncatedHead = 4096

// Decoder decodes payloads, reusing its scratch space between calls. It is
// not safe for concurrent use: give each goroutine its own.
type Decoder struct {
	lim  Limits
	json jsonParser
}

// NewDecoder returns a Decoder with the given limits.
func NewDecoder(lim Limits) *Decoder {
	lim = lim.withDefaults()
	return &Decoder{lim: lim, json: jsonParser{maxDepth: lim.MaxDepth, maxStr: lim.MaxString}}
}

// Decode turns one payload into a Value. It never fails: what cannot be
// understood as hinted is decoded as what it is, with a warning.
func Decode(payload []byte, h Hints, lim Limits) (v Value) {
	lim = lim.withDefaults()
	d := Decoder{lim: lim, json: jsonParser{maxDepth: lim.MaxDepth, maxStr: lim.MaxString}}
	defer func() {
		// Last line of defence: a decoder bug must not take the console
		// down. The fuzz targets look for this warning.
		if r := recover(); r != nil {
			v = Raw(payload)
			v.warn("internal decoder error, shown as binary: %v", r)
		}
	}()
	return d.Decode(payload, h)
}

// hint is the format a content type or topic suffix asks for.
type hint uint8

const (
	hintNone hint = iota
	hintJSON
	hintMsgPack
	hintText
	hintCloudEvent // application/cloudevents+json
)

// mediaHint maps a content type to the format it names.
func mediaHint(ct string) hint {
	if ct == "" {
		return hintNone
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	switch {
	case mt == "application/cloudevents+json":
		return hintCloudEvent
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json":
		return hintJSON
	case mt == "application/msgpack" || mt == "application/x-msgpack" ||
		mt == "application/vnd.msgpack" || strings.HasSuffix(mt, "+msgpack"):
		return hintMsgPack
	case strings.HasPrefix(mt, "text/"):
		return hintText
	}
	return hintNone
}

func encodingHint(enc string) hint {
	switch strings.ToLower(enc) {
	case "json":
		return hintJSON
	case "msgpack":
		return hintMsgPack
	}
	return hintNone
}

// Decode decodes one payload; see the package function Decode. Unlike
// it, a decoder bug panics here: the caller (ingest) reports it with its
// stack, keeps the payload raw and makes a new Decoder, since this one's
// reused scratch space may be half-written.
func (d *Decoder) Decode(payload []byte, h Hints) (v Value) {
	v.Size = len(payload)
	ce := binaryEvent(h.User, d.lim.MaxString)
	if ce != nil && mediaHint(h.ContentType) == hintCloudEvent {
		ce = nil // structured mode wins: the payload carries the attributes
	}
	if len(payload) > d.lim.MaxPayload {
		v.Format, v.Truncated, v.Data = FormatBinary, true, headBytes(payload)
		v.warn("payload of %d bytes exceeds the %d-byte limit: first %d bytes kept as binary",
			len(payload), d.lim.MaxPayload, len(v.Data.Bytes))
		if ce != nil {
			ce.DataContentType = firstNonEmpty(h.ContentType, ce.DataContentType)
			ce.DataFormat = FormatBinary
			v.Event = ce
		}
		return v
	}
	s := string(payload)
	if ce != nil {
		ce.DataContentType = firstNonEmpty(h.ContentType, ce.DataContentType)
		want, why := mediaHint(ce.DataContentType), "datacontenttype"
		if want == hintNone {
			want, why = encodingHint(h.Encoding), "topic suffix"
		}
		v.Data, ce.DataFormat = d.body(s, want, why, ce.DataContentType, h.PayloadFormatUTF8, &v)
		v.Format, v.Event = FormatCloudEvents, ce
		ce.check(&v)
		return v
	}
	want, why, label := mediaHint(h.ContentType), "content type", h.ContentType
	if want == hintNone {
		want, why, label = encodingHint(h.Encoding), "topic suffix", h.Encoding
	}
	n, f := d.body(s, want, why, label, h.PayloadFormatUTF8, &v)
	v.Data, v.Format = n, f
	if f != FormatJSON {
		if want == hintCloudEvent {
			v.warn("content type %q but the payload is not a JSON CloudEvent", h.ContentType)
		}
		return v
	}
	if want == hintCloudEvent || isEventObject(n) {
		if n.Kind != KindObject {
			v.warn("content type %q but the payload is not a JSON object", h.ContentType)
			return v
		}
		d.structured(n, &v)
	}
	return v
}

// warn records a warning, terminal-safe.
func (v *Value) warn(format string, args ...any) {
	v.Warnings = append(v.Warnings, Safe(fmt.Sprintf(format, args...)))
}

// Raw is payload not decoded: its size and its head as binary (what a
// caller shows when understanding the payload failed).
func Raw(payload []byte) Value {
	return Value{Format: FormatBinary, Size: len(payload), Data: headBytes(payload)}
}

func headBytes(p []byte) Node {
	head := make([]byte, min(len(p), truncatedHead))
	copy(head, p)
	return Node{Kind: KindBytes, Bytes: head}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// body decodes s as the hint asks; when the payload is not what the hint
// says, it sniffs instead and records why.
func (d *Decoder) body(s string, want hint, why, label string, utf8Declared bool, v *Value) (Node, Format) {
	var reason string
	switch want {
	case hintJSON, hintCloudEvent:
		n, err := d.parseJSON(s, v)
		if err == nil {
			return n, FormatJSON
		}
		reason = err.Error()
	case hintMsgPack:
		n, err := d.parseMsgPack(s, v)
		if err == nil {
			return n, FormatMsgPack
		}
		reason = err.Error()
	case hintText:
		if utf8.ValidString(s) {
			return Node{Kind: KindString, Str: s}, FormatText
		}
		reason = "not valid UTF-8"
	}
	n, f := d.sniff(s, utf8Declared, want == hintNone, v)
	if reason != "" {
		v.warn("%s %q does not match the payload (%s): decoded as %s", why, label, reason, f)
	}
	return n, f
}

// sniff finds the format from the bytes alone: JSON, then a MsgPack
// document that uses every byte, then text, else binary. explain adds a
// warning for near misses (a document refused only for its depth); it is
// off when the caller already warns about a wrong hint.
func (d *Decoder) sniff(s string, utf8Declared, explain bool, v *Value) (Node, Format) {
	if looksJSON(s) {
		n, err := d.parseJSON(s, v)
		if err == nil {
			return n, FormatJSON
		}
		if je, ok := err.(*JSONError); ok && je.Depth && explain {
			v.warn("looks like JSON but nests deeper than %d levels", d.lim.MaxDepth)
		}
	}
	text := isText(s)
	if !utf8Declared && s != "" {
		// A single ASCII byte is a complete MsgPack integer; text wins
		// unless the document is a container, which text never is.
		if end, err := checkMsgPack(s, d.lim.MaxDepth); err == nil {
			if end == len(s) && (!text || isContainerCode(s[0])) {
				return d.readMsgPack(s, v), FormatMsgPack
			}
		} else if me, ok := err.(*mpError); ok && me.depth && explain {
			v.warn("looks like MsgPack but nests deeper than %d levels", d.lim.MaxDepth)
		}
	}
	if text {
		return Node{Kind: KindString, Str: s}, FormatText
	}
	if utf8Declared && !utf8.ValidString(s) {
		v.warn("payload format indicator says UTF-8, but the payload is not valid UTF-8")
	}
	return Node{Kind: KindBytes, Bytes: []byte(s)}, FormatBinary
}

func isContainerCode(c byte) bool {
	return (c >= 0x80 && c <= 0x9f) || (c >= 0xdc && c <= 0xdf)
}

// looksJSON: the first non-space byte could start a JSON value.
func looksJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[', '"', '-', 't', 'f', 'n':
			return true
		default:
			return c >= '0' && c <= '9'
		}
	}
	return false
}

// isText: valid UTF-8 without control characters other than tab, line
// breaks and ESC (coloured log lines are still text; Safe shows the ESC).
func isText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x1b) || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r >= 0x80 && r <= 0x9f) {
			return false
		}
		i += size
	}
	return true
}

func (d *Decoder) parseJSON(s string, v *Value) (Node, error) {
	p := &d.json
	p.reset(s)
	n, ok := p.document()
	if !ok {
		return Node{}, p.err
	}
	if p.cut > 0 {
		v.warn("%d strings longer than %d bytes shortened", p.cut, d.lim.MaxString)
	}
	return n, nil
}

func (d *Decoder) parseMsgPack(s string, v *Value) (Node, error) {
	end, err := checkMsgPack(s, d.lim.MaxDepth)
	if err != nil {
		return Node{}, err
	}
	if end != len(s) {
		return Node{}, &mpError{off: end, msg: fmt.Sprintf("%d bytes after the document", len(s)-end)}
	}
	return d.readMsgPack(s, v), nil
}

// readMsgPack decodes a document checkMsgPack accepted.
func (d *Decoder) readMsgPack(s string, v *Value) Node {
	r := mpReader{s: s, maxStr: d.lim.MaxString}
	n := r.node()
	for _, w := range r.warn {
		v.warn("%s", w)
	}
	if r.cut > 0 {
		v.warn("%d strings longer than %d bytes shortened", r.cut, d.lim.MaxString)
	}
	return n
}
