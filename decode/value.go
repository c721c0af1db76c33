// Package decode turns a received payload and its MQTT properties into a
// Value: JSON, MsgPack, CloudEvents, text or binary, with object keys in wire
// order. It also owns terminal safety (Safe) and the pretty printers.
package decode

import "time"

// Format is how a payload was understood.
type Format string

const (
	FormatJSON        Format = "json"
	FormatMsgPack     Format = "msgpack"
	FormatCloudEvents Format = "cloudevents"
	FormatText        Format = "text"
	FormatBinary      Format = "binary"
)

// Kind is the type of one Node.
type Kind uint8

const (
	KindNull Kind = iota
	KindBool
	KindInt   // Int
	KindUint  // Uint (MsgPack uint64 beyond int64)
	KindFloat // Float
	KindString
	KindBytes // MsgPack bin
	KindArray
	KindObject // Fields in wire order
	KindTime   // MsgPack timestamp ext
	KindExt    // unknown MsgPack ext: ExtType + Bytes
)

// Node is one decoded datum. Strings are kept as received (not yet
// terminal-safe): every display path goes through Safe.
type Node struct {
	Kind    Kind
	Bool    bool
	Int     int64
	Uint    uint64
	Float   float64
	Str     string
	Bytes   []byte
	Items   []Node
	Fields  []Field
	Time    time.Time
	ExtType int8
}

// Field is one key of an object. MsgPack integer (or other non-string) keys
// are rendered into Key and flagged so encoders can restore them.
type Field struct {
	Key      string
	KeyIsInt bool
	Value    Node
}

// Value is the decoded form of one payload.
type Value struct {
	Format    Format
	Data      Node     // the document; for CloudEvents, the event's data
	Size      int      // real payload size in bytes
	Truncated bool     // payload exceeded Limits.MaxPayload: Data holds the head as bytes
	Warnings  []string // a wrong hint, missing CloudEvent attributes, ...
	Event     *CloudEvent
}

// CloudEvent holds the attributes of a CloudEvents 1.0 message.
type CloudEvent struct {
	Mode            string // "structured" or "binary"
	SpecVersion     string
	ID              string
	Source          string
	Type            string
	Subject         string
	Time            string
	DataSchema      string
	DataContentType string
	DataFormat      Format      // how data was decoded
	Extensions      []Attribute // in wire order (application, device, sender, instance, ...)
}

// Attribute is one CloudEvent extension attribute.
type Attribute struct {
	Name  string
	Value string
}
