package actions

import (
	"fmt"
	"strings"
)

// Template is a named payload bound to a key, from the config file:
//
//	[[templates]]
//	key = "f1"
//	platform = "drogue"
//	name = "setTemperature"
//	kind = "send_command"
//	payload = '{"value": 21}'
//
// The CLI fills these from TOML; the console resolves one into an Action for
// the selected entity when its key is pressed.
type Template struct {
	Key      string `toml:"key"`      // "f1" … "f12" (case-insensitive)
	Platform string `toml:"platform"` // only offered on this platform; "" for any
	Name     string `toml:"name"`     // command, setpoint/property or action name
	Kind     Kind   `toml:"kind"`     // send_command (default), set_setpoint, trigger_event, request_snapshot, publish
	Payload  string `toml:"payload"`  // JSON text (the event model code for trigger_event)
	Topic    string `toml:"topic"`    // publish only
	QoS      *byte  `toml:"qos"`      // default: the kind's default
	Retain   bool   `toml:"retain"`   // publish only
}

// Label is how help shows the template: "setTemperature {"value": 21}".
func (t Template) Label() string {
	p := strings.Join(strings.Fields(t.Payload), " ")
	if len(p) > 32 {
		p = p[:31] + "…"
	}
	if t.Name == "" {
		return p
	}
	return strings.TrimSpace(t.Name + " " + p)
}

// Validate checks a template when the config is loaded, so mistakes surface
// at start and not at the moment an operator presses the key.
func (t Template) Validate() error {
	k := strings.ToLower(t.Key)
	if k == "" {
		return fmt.Errorf("template %q: key is empty", t.Name)
	}
	switch t.kind() {
	case KindSendCommand, KindSetSetpoint:
		if t.Name == "" {
			return fmt.Errorf("template %s: name is empty", k)
		}
		if err := ValidateJSON([]byte(t.Payload)); err != nil {
			return fmt.Errorf("template %s: payload: %w", k, err)
		}
	case KindTriggerEvent:
		if t.Payload == "" && t.Name == "" {
			return fmt.Errorf("template %s: give the event model code in name", k)
		}
	case KindRequestSnapshot:
	case KindPublish:
		if err := ValidateTopic(t.Topic); err != nil {
			return fmt.Errorf("template %s: topic: %w", k, err)
		}
	default:
		return fmt.Errorf("template %s: unknown kind %q", k, t.Kind)
	}
	if t.QoS != nil && *t.QoS > 2 {
		return fmt.Errorf("template %s: %w", k, ErrBadQoS)
	}
	return nil
}

func (t Template) kind() Kind {
	if t.Kind == "" {
		return KindSendCommand
	}
	return t.Kind
}

// Templates is the configured set.
type Templates []Template

// For returns the template bound to key for the platform, if any. A template
// naming the platform wins over one for any platform.
func (ts Templates) For(key, platformName string) (Template, bool) {
	var any Template
	found := false
	for _, t := range ts {
		if !strings.EqualFold(t.Key, key) {
			continue
		}
		if t.Platform == platformName {
			return t, true
		}
		if t.Platform == "" && !found {
			any, found = t, true
		}
	}
	return any, found
}

// OnPlatform lists the templates usable on a platform, for help.
func (ts Templates) OnPlatform(platformName string) Templates {
	var out Templates
	for _, t := range ts {
		if t.Platform == "" || t.Platform == platformName {
			out = append(out, t)
		}
	}
	return out
}

// Bound lists the template each key runs on a platform, one per key in
// the order of the file: a template naming the platform wins over one for
// any platform bound to the same key (as For decides), so the console's
// key, its help and For agree.
func (ts Templates) Bound(platformName string) Templates {
	var out Templates
	at := map[string]int{}
	for _, t := range ts.OnPlatform(platformName) {
		k := strings.ToLower(t.Key)
		i, dup := at[k]
		switch {
		case !dup:
			at[k] = len(out)
			out = append(out, t)
		case t.Platform == platformName && out[i].Platform != platformName:
			out[i] = t
		}
	}
	return out
}

// TemplateForm is the form a template fills for the selected entity; the
// root may show it for editing or build it at once (Resolve).
func (b *Builder) TemplateForm(t Template, sel Selection) (Form, error) {
	if t.Platform != "" && t.Platform != b.Platform {
		return Form{}, fmt.Errorf("template %s is for %s, the console runs %s", t.Key, t.Platform, b.Platform)
	}
	if err := t.Validate(); err != nil {
		return Form{}, err
	}
	kind := t.kind()
	f, err := b.NewForm(kind, sel)
	if err != nil {
		return Form{}, err
	}
	f.Template = t.Name
	switch kind {
	case KindTriggerEvent:
		f.Set(FModel, t.Name)
		f.Set(FMetadata, t.Payload)
	case KindPublish:
		f.Set(FTopic, t.Topic)
		f.Set(FPayload, t.Payload)
		if t.Retain {
			f.Set(FRetain, "yes")
		}
	default:
		f.Set(FName, t.Name)
		f.Set(FPayload, t.Payload)
	}
	if t.QoS != nil {
		f.Set(FQoS, fmt.Sprint(*t.QoS))
	}
	return f, nil
}

// Resolve builds the template's action for the selected entity.
func (b *Builder) Resolve(t Template, sel Selection) (Action, Form, error) {
	f, err := b.TemplateForm(t, sel)
	if err != nil {
		return Action{}, f, err
	}
	a, err := b.Build(f)
	return a, f, err
}
