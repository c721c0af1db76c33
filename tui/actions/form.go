package actions

import (
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
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
	f := Form{Kind: kind, Platform: b.Platform, Target: t}
	add := func(fs ...Field) { f.Fields = append(f.Fields, fs...) }
	qos := func(def string) Field {
		return Field{Key: FQoS, Label: "QoS", Value: def, Choices: []string{"0", "1", "2"}}
	}
	if kind == KindPublish {
		add(Field{Key: FTopic, Label: "Topic", Placeholder: "a/b/c"},
			Field{Key: FPayload, Label: "Payload", Placeholder: `{"key": "value"} or text`, Optional: true},
			qos("1"),
			Field{Key: FRetain, Label: "Retain", Value: "no", Choices: []string{"no", "yes"}},
			Field{Key: FContentType, Label: "Content type", Optional: true, Placeholder: "application/json"},
			Field{Key: FUser, Label: "User properties", Optional: true, Placeholder: "key=value; key2=value2"},
			Field{Key: FResponse, Label: "Response topic", Optional: true},
			Field{Key: FCorrelation, Label: "Correlation data", Optional: true, Hint: "default: the action id"})
		return f, nil
	}
	switch b.Platform {
	case platform.DRIVR:
		switch kind {
		case KindTriggerEvent:
			add(Field{Key: FSystem, Label: "System uuid", Value: t.System},
				Field{Key: FComponent, Label: "Component uuid", Value: t.Component, Optional: true,
					Hint: "empty: the event is on the system"},
				Field{Key: FModel, Label: "Event model", Suggest: sel.Models, Placeholder: "code or uuid",
					Value: first(sel.Models), Hint: "a code (energy-overload-model) or a uuid"},
				// Empty: the time is taken when the form is reviewed, not
				// when it opened; the confirmation shows its age.
				Field{Key: FTime, Label: "Time", Optional: true, Placeholder: "now (taken at review)",
					Hint: "RFC 3339, or empty for the time you press enter"},
				Field{Key: FEndTime, Label: "End time", Optional: true, Hint: "ranged events: resolves the event"},
				Field{Key: FMetadata, Label: "Metadata", Optional: true, Placeholder: `{"key": "value"}`},
				Field{Key: FEncoding, Label: "Encoding", Value: "json", Choices: []string{"json", "msgpack"}},
				qos("1"))
			return f, nil
		case KindSetSetpoint:
			name := first(sel.Settables)
			add(Field{Key: FSystem, Label: "System uuid", Value: t.System},
				Field{Key: FComponent, Label: "Component uuid", Value: t.Component, Optional: true},
				Field{Key: FName, Label: "Characteristic", Suggest: sel.Settables, Value: name,
					Placeholder: "required", Hint: "characteristic code, e.g. target-power"},
				Field{Key: FService, Label: "Service", Optional: true, Hint: "needed when the characteristic is not unique"},
				Field{Key: FPayload, Label: "Value (JSON)", Value: sel.Values[name], Placeholder: "required, e.g. 21.5",
					Hint: "prefilled with the last value seen"},
				Field{Key: FEncoding, Label: "Encoding", Value: "json", Choices: []string{"json", "msgpack"}},
				qos("1"))
			f.Fields[0].Hint = "the setpoint input topic is assumed (DRIVR does not document it); its /error twin will say if wrong"
			f.Values = sel.Values
			return f, nil
		}
	case platform.Drogue:
		switch kind {
		case KindSendCommand, KindSetSetpoint:
			add(Field{Key: FFleet, Label: "Application", Value: t.Fleet},
				Field{Key: FSystem, Label: "Device", Value: t.System},
				Field{Key: FName, Label: "Command", Suggest: sel.Names, Value: first(sel.Names), Placeholder: "required, e.g. setTemperature"},
				Field{Key: FPayload, Label: "Payload (JSON)", Value: "{}"},
				qos("1"))
			return f, nil
		}
	case platform.DevAPI:
		switch kind {
		case KindSendCommand:
			add(Field{Key: FSystem, Label: "Device id", Value: t.System},
				Field{Key: FName, Label: "Command name", Suggest: sel.Names, Value: first(sel.Names), Placeholder: "required, e.g. reboot"},
				Field{Key: FPayload, Label: "Parameters (JSON)", Value: "{}"},
				qos("1"))
			return f, nil
		case KindSetSetpoint:
			add(Field{Key: FSystem, Label: "Device id", Value: t.System},
				Field{Key: FVersion, Label: "Config version", Placeholder: "e.g. 7"},
				Field{Key: FPayload, Label: "Fields (JSON)", Value: "{}", Hint: "configuration fields; version and last_updated are added"},
				qos("1"))
			return f, nil
		case KindRequestSnapshot:
			add(Field{Key: FSystem, Label: "Device id", Value: t.System}, qos("1"))
			return f, nil
		}
	case platform.SmartWorks:
		// name label, payload label, default payload
		spec := map[Kind][3]string{
			KindSendCommand:  {"Action", "Input (JSON)", "{}"},
			KindSetSetpoint:  {"Property", "Value (JSON)", "0"},
			KindTriggerEvent: {"Event", "Data (JSON)", "{}"},
		}
		if sp, ok := spec[kind]; ok {
			names, payload := sel.Names, Field{Key: FPayload, Label: sp[1], Value: sp[2]}
			switch kind {
			case KindTriggerEvent:
				names = sel.EventNames
			case KindSetSetpoint:
				names = sel.Settables
				payload.Value = sel.Values[first(names)]
				f.Values = sel.Values
				payload.Placeholder, payload.Hint = "required, e.g. 21.5", "prefilled with the last value seen"
			}
			add(Field{Key: FFleet, Label: "Account", Value: t.Fleet},
				Field{Key: FSystem, Label: "Thing", Value: t.System},
				Field{Key: FName, Label: sp[0], Suggest: names, Value: first(names), Placeholder: "required: the " + strings.ToLower(sp[0]) + "'s name"},
				payload,
				qos("1"))
			return f, nil
		}
	case platform.Generic:
		if kind == KindSendCommand || kind == KindSetSetpoint || kind == KindTriggerEvent {
			pf, err := b.NewForm(KindPublish, sel)
			pf.Kind = kind
			return pf, err
		}
	}
	return Form{}, unsupported(kind, b.Platform)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
