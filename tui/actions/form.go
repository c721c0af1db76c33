package actions

import (
	"strings"
)

// Field keys. A form holds a subset, depending on kind and platform.
const (
	FSystem      = "system"    // DRIVR system uuid, Drogue device, device id, thing
	FComponent   = "component" // DRIVR component uuid (optional)
	FFleet       = "fleet"     // DRIVR slug, Drogue application, SmartWorks account
	FModel       = "model"     // DRIVR event model code or uuid
	FTime        = "time"      // RFC 3339 or "now"
	FEndTime     = "end_time"  // optional
	FMetadata    = "metadata"  // JSON object, optional
	FEncoding    = "encoding"  // json | msgpack
	FName        = "name"      // command / property / action / event name
	FPayload     = "payload"   // JSON (or raw text for publish)
	FTopic       = "topic"     // publish
	FQoS         = "qos"       // 0 | 1 | 2
	FRetain      = "retain"    // yes | no
	FContentType = "content_type"
	FUser        = "user"           // user properties: k=v; k2=v2
	FResponse    = "response_topic" // MQTT 5 response topic
	FCorrelation = "correlation"    // correlation data (text); default the action id
	FService     = "service"        // DRIVR setpoint service code (optional)
	FVersion     = "version"        // device API config version
)

// Field is one input of an action form, prefilled.
type Field struct {
	Key         string
	Label       string
	Value       string
	Placeholder string
	Hint        string   // one line under the input
	Suggest     []string // completions (event model codes seen so far)
	Optional    bool
	Choices     []string // closed set (encoding, qos); the form cycles through them
}

// Form is what the operator fills in before confirming an action.
type Form struct {
	Kind     Kind
	Title    string // the kind in the platform's words (Builder.Title)
	Platform string
	Target   Target
	Fields   []Field
	Template string // template name when it came from one
	// Values are the last values seen by name (setpoint forms): when the
	// name changes, a value the operator did not touch follows it.
	Values map[string]string
}

// Value returns the field's current text.
func (f Form) Value(key string) string {
	for _, x := range f.Fields {
		if x.Key == key {
			return strings.TrimSpace(x.Value)
		}
	}
	return ""
}

// Has reports whether the form has the field.
func (f Form) Has(key string) bool {
	for _, x := range f.Fields {
		if x.Key == key {
			return true
		}
	}
	return false
}

// Set changes a field's text; unknown keys are ignored.
func (f *Form) Set(key, v string) {
	for i := range f.Fields {
		if f.Fields[i].Key == key {
			f.Fields[i].Value = v
		}
	}
}

// Selection is what the console knows when a key is pressed: the selected
// entity and what the store has seen, for prefilling and suggestions.
type Selection struct {
	Target Target
	// Event model codes seen so far (DRIVR), most recent first.
	Models []string
	// Names seen for this entity: command, property or action names.
	Names []string
	// Settables are the setpoints (DRIVR) or properties (SmartWorks) seen
	// for this entity, most recent first; Values holds each one's last
	// value as JSON, so a setpoint form starts from what is set now, never
	// from an arbitrary 0.
	Settables []string
	Values    map[string]string
	// EventNames are the events this entity raised, newest first (the
	// SmartWorks event names a thing emits).
	EventNames []string
}

// NewForm returns the prefilled form for an action kind on the builder's
// platform, or an error saying why the kind does not apply there.
func (b *Builder) NewForm(kind Kind, sel Selection) (Form, error) {
	if b.ReadOnly {
		return Form{}, ErrReadOnly
	}
	t := sel.Target
	if t.Platform == "" {
		t.Platform = b.Platform
	}
	f := Form{Kind: kind, Title: b.Title(kind), Platform: b.Platform, Target: t}
	if kind == KindPublish {
		b.PublishFields(&f)
		return f, nil
	}
	if b.Unit != nil && b.Unit.Form(b, kind, sel, &f) {
		return f, nil
	}
	return Form{}, b.Unsupported(kind)
}

// PublishFields appends the fields of a free-form publish: topic, payload,
// QoS, retain and the MQTT 5 properties.
func (b *Builder) PublishFields(f *Form) {
	f.Fields = append(f.Fields, Field{Key: FTopic, Label: "Topic", Placeholder: "a/b/c"},
		Field{Key: FPayload, Label: "Payload", Placeholder: `{"key": "value"} or text`, Optional: true},
		QoSField("1"),
		Field{Key: FRetain, Label: "Retain", Value: "no", Choices: []string{"no", "yes"}},
		Field{Key: FContentType, Label: "Content type", Optional: true, Placeholder: "application/json"},
		Field{Key: FUser, Label: "User properties", Optional: true, Placeholder: "key=value; key2=value2"},
		Field{Key: FResponse, Label: "Response topic", Optional: true},
		Field{Key: FCorrelation, Label: "Correlation data", Optional: true, Hint: "default: the action id"})
}
