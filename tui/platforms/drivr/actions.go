package drivr

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// Actions are DRIVR's operator actions: trigger an event on a system or
// component, set a setpoint; both are published on the domain's input
// topics, whose /error twin answers a rejected input.
type Actions struct{}

var _ actions.Platform = Actions{}

// Traits: DRIVR writes setpoints; its events are acknowledged through its
// GraphQL API.
func (Actions) Traits() actions.Traits {
	return actions.Traits{
		Unsupported: map[actions.Kind]string{
			actions.KindSendCommand:     "DRIVR has no command topic; use a setpoint or trigger an event",
			actions.KindRequestSnapshot: "DRIVR's topics are retained: the snapshot arrives on subscribe",
		},
		Acks: true,
	}
}

// Form lays out the event and setpoint forms.
func (Actions) Form(_ *actions.Builder, kind actions.Kind, sel actions.Selection, f *actions.Form) bool {
	t := f.Target
	switch kind {
	case actions.KindTriggerEvent:
		f.Fields = append(f.Fields, actions.Field{Key: actions.FSystem, Label: "System uuid", Value: t.System},
			actions.Field{Key: actions.FComponent, Label: "Component uuid", Value: t.Component, Optional: true,
				Hint: "empty: the event is on the system"},
			actions.Field{Key: actions.FModel, Label: "Event model", Suggest: sel.Models, Placeholder: "code or uuid",
				Value: actions.MostRecent(sel.Models), Hint: "a code (energy-overload-model) or a uuid"},
			// Empty: the time is taken when the form is reviewed, not
			// when it opened; the confirmation shows its age.
			actions.Field{Key: actions.FTime, Label: "Time", Optional: true, Placeholder: "now (taken at review)",
				Hint: "RFC 3339, or empty for the time you press enter"},
			actions.Field{Key: actions.FEndTime, Label: "End time", Optional: true, Hint: "ranged events: resolves the event"},
			actions.Field{Key: actions.FMetadata, Label: "Metadata", Optional: true, Placeholder: `{"key": "value"}`},
			actions.Field{Key: actions.FEncoding, Label: "Encoding", Value: "json", Choices: []string{"json", "msgpack"}},
			actions.QoSField("1"))
		return true
	case actions.KindSetSetpoint:
		name := actions.MostRecent(sel.Settables)
		f.Fields = append(f.Fields, actions.Field{Key: actions.FSystem, Label: "System uuid", Value: t.System},
			actions.Field{Key: actions.FComponent, Label: "Component uuid", Value: t.Component, Optional: true},
			actions.Field{Key: actions.FName, Label: "Characteristic", Suggest: sel.Settables, Value: name,
				Placeholder: "required", Hint: "characteristic code, e.g. target-power"},
			actions.Field{Key: actions.FService, Label: "Service", Optional: true, Hint: "needed when the characteristic is not unique"},
			actions.Field{Key: actions.FPayload, Label: "Value (JSON)", Value: sel.Values[name], Placeholder: "required, e.g. 21.5",
				Hint: "prefilled with the last value seen"},
			actions.Field{Key: actions.FEncoding, Label: "Encoding", Value: "json", Choices: []string{"json", "msgpack"}},
			actions.QoSField("1"))
		f.Fields[0].Hint = "the setpoint input topic is assumed (DRIVR does not document it); its /error twin will say if wrong"
		f.Values = sel.Values
		return true
	}
	return false
}

// Build publishes an event or a setpoint on the input topics.
func (Actions) Build(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	switch f.Kind {
	case actions.KindTriggerEvent:
		return event(b, a, f)
	case actions.KindSetSetpoint:
		return setpoint(b, a, f)
	}
	return platform.Action{}, b.Unsupported(f.Kind)
}

// entityRef reads the DRIVR system and optional component uuids.
func entityRef(f actions.Form) (platform.EntityRef, error) {
	sys, comp := f.Value(actions.FSystem), f.Value(actions.FComponent)
	if !actions.IsUUID(sys) {
		return platform.EntityRef{}, actions.FieldErr(actions.FSystem, fmt.Errorf("want the system uuid (8-4-4-4-12 hex), got %q", sys))
	}
	if comp != "" && !actions.IsUUID(comp) {
		return platform.EntityRef{}, actions.FieldErr(actions.FComponent, fmt.Errorf("input topics name components by uuid; %q is not one (leave empty for the system)", comp))
	}
	return platform.EntityRef{System: sys, Component: comp}, nil
}

// domain is the DRIVR slug: the form's, the target's or the profile's.
func domain(b *actions.Builder, f actions.Form) (string, error) {
	slug := actions.FirstNonEmpty(f.Value(actions.FFleet), f.Target.Fleet, b.Params.Slug)
	if err := actions.ValidateSegment(slug); err != nil {
		return "", actions.FieldErr(actions.FSystem, fmt.Errorf("DRIVR slug (--slug or the profile): %w", err))
	}
	return slug, nil
}

// addressed is the domain and the entity an input is for.
func addressed(b *actions.Builder, f actions.Form) (string, platform.EntityRef, error) {
	slug, err := domain(b, f)
	if err != nil {
		return "", platform.EntityRef{}, err
	}
	ref, err := entityRef(f)
	return slug, ref, err
}

// encodingOf is the payload encoding chosen in the form.
func encodingOf(f actions.Form) (string, error) {
	enc := strings.ToLower(actions.FirstNonEmpty(f.Value(actions.FEncoding), "json"))
	if enc != "json" && enc != "msgpack" {
		return "", actions.FieldErr(actions.FEncoding, fmt.Errorf("encoding must be json or msgpack, got %q", enc))
	}
	return enc, nil
}

func event(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	slug, ref, err := addressed(b, f)
	if err != nil {
		return platform.Action{}, err
	}
	model := f.Value(actions.FModel)
	if err := actions.ValidateSegment(model); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FModel, fmt.Errorf("event model code or uuid: %w", err))
	}
	now := b.Time()
	at, err := actions.ParseTime(f.Value(actions.FTime), now)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FTime, err)
	}
	if at.IsZero() {
		// Microseconds, as the platforms print times: the confirmation
		// shows what the payload carries.
		at = now.UTC().Truncate(time.Microsecond)
	}
	end, err := actions.ParseTime(f.Value(actions.FEndTime), now)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FEndTime, err)
	}
	if !end.IsZero() && end.Before(at) {
		return platform.Action{}, actions.FieldErr(actions.FEndTime, errors.New("end time is before the time"))
	}
	spec := platform.EventSpec{ModelCode: model, Time: at, EndTime: end}
	if actions.IsUUID(model) {
		spec = platform.EventSpec{ModelUUID: model, Time: at, EndTime: end}
	}
	if md := f.Value(actions.FMetadata); md != "" {
		n, err := actions.ParseObject(md)
		if err != nil {
			return platform.Action{}, actions.FieldErr(actions.FMetadata, err)
		}
		spec.Metadata = n.Fields
	}
	enc, err := encodingOf(f)
	if err != nil {
		return platform.Action{}, err
	}
	pa, err := platform.TriggerEvent(slug, ref, enc, spec)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FModel, err)
	}
	entity := ref.System
	if ref.Component != "" {
		entity = ref.Component
	}
	a.Target = actions.Target{Platform: platform.DRIVR, Fleet: slug, System: ref.System, Component: ref.Component}
	a.Name = model
	// DRIVR echoes the time in microseconds.
	a.Expect = actions.Expect{Events: Actions{}, EventEntity: entity, EventModel: model, EventTime: at.UTC().Truncate(time.Microsecond)}
	a.Summary = model + " on " + actions.Short(entity)
	return pa, nil
}

func setpoint(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	slug, ref, err := addressed(b, f)
	if err != nil {
		return platform.Action{}, err
	}
	name := f.Value(actions.FName)
	if err := actions.ValidateSegment(name); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FName, fmt.Errorf("characteristic code: %w", err))
	}
	if f.Value(actions.FPayload) == "" {
		return platform.Action{}, actions.FieldErr(actions.FPayload, actions.ErrEmpty)
	}
	val, err := decode.ParseJSON(f.Value(actions.FPayload))
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FPayload, err)
	}
	enc, err := encodingOf(f)
	if err != nil {
		return platform.Action{}, err
	}
	pa, err := platform.SetSetpoint(slug, ref, enc, platform.SetpointSpec{Characteristic: name, Service: f.Value(actions.FService), Value: val})
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FName, err)
	}
	a.Target = actions.Target{Platform: platform.DRIVR, Fleet: slug, System: ref.System, Component: ref.Component}
	a.Name, a.Summary = name, name+" on "+actions.Short(a.Target.Entity())
	// The device shows a setpoint that landed in its next datapoint of that
	// characteristic. Datapoints name a component by its code: known when
	// the form came from the fleet and still names that component.
	code := ""
	if ref.Component != "" && strings.EqualFold(ref.Component, f.Target.Component) {
		code = f.Target.ComponentCode
	}
	if ref.Component == "" || code != "" {
		if t, err := platform.DatapointTopic(slug, ref.System, code, name); err == nil {
			a.Expect.ReportTopic, a.Expect.ReportField = t, "value"
		}
	}
	return pa, nil
}
