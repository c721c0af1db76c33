package smartworks

import (
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// Actions are SmartWorks' operator actions on a thing: invoke an action,
// write a property, emit an event (the WoT affordances), on the set/ side
// of the account's topics.
type Actions struct{}

var _ actions.Platform = Actions{}

// Traits: a SmartWorks thing's reported properties are writable too; its
// events have no acknowledgement.
func (Actions) Traits() actions.Traits {
	return actions.Traits{
		Unsupported: map[actions.Kind]string{
			actions.KindRequestSnapshot: "SmartWorks snapshots come from its REST API",
		},
		Settable: []fleet.SeriesKind{fleet.SeriesSetpoint, fleet.SeriesProperty},
	}
}

// formSpec is a form's name label, payload label and default payload.
func formSpec(kind actions.Kind) ([3]string, bool) {
	switch kind {
	case actions.KindSendCommand:
		return [3]string{"Action", "Input (JSON)", "{}"}, true
	case actions.KindSetSetpoint:
		return [3]string{"Property", "Value (JSON)", "0"}, true
	case actions.KindTriggerEvent:
		return [3]string{"Event", "Data (JSON)", "{}"}, true
	}
	return [3]string{}, false
}

// Form lays out the action, property and event forms.
func (Actions) Form(_ *actions.Builder, kind actions.Kind, sel actions.Selection, f *actions.Form) bool {
	sp, ok := formSpec(kind)
	if !ok {
		return false
	}
	t := f.Target
	names, payload := sel.Names, actions.Field{Key: actions.FPayload, Label: sp[1], Value: sp[2]}
	switch kind {
	case actions.KindTriggerEvent:
		names = sel.EventNames
	case actions.KindSetSetpoint:
		names = sel.Settables
		payload.Value = sel.Values[actions.MostRecent(names)]
		f.Values = sel.Values
		payload.Placeholder, payload.Hint = "required, e.g. 21.5", "prefilled with the last value seen"
	}
	f.Fields = append(f.Fields, actions.Field{Key: actions.FFleet, Label: "Account", Value: t.Fleet},
		actions.Field{Key: actions.FSystem, Label: "Thing", Value: t.System},
		actions.Field{Key: actions.FName, Label: sp[0], Suggest: names, Value: actions.MostRecent(names), Placeholder: "required: the " + strings.ToLower(sp[0]) + "'s name"},
		payload,
		actions.QoSField("1"))
	return true
}

// Build publishes the action, the property write or the event.
func (Actions) Build(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	if _, ok := formSpec(f.Kind); !ok {
		return platform.Action{}, b.Unsupported(f.Kind)
	}
	return build(b, a, f)
}

func build(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	acct := actions.FirstNonEmpty(f.Value(actions.FFleet), f.Target.Fleet, b.Params.Account)
	if err := actions.ValidateSegment(acct); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FFleet, fmt.Errorf("account: %w", err))
	}
	thing, name := f.Value(actions.FSystem), f.Value(actions.FName)
	if err := actions.ValidateSegment(thing); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, fmt.Errorf("thing: %w", err))
	}
	if err := actions.ValidateSegment(name); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FName, err)
	}
	if f.Kind == actions.KindSetSetpoint && f.Value(actions.FPayload) == "" {
		return platform.Action{}, actions.FieldErr(actions.FPayload, actions.ErrEmpty) // a property is never written {} by default
	}
	n, err := decode.ParseJSON(actions.FirstNonEmpty(f.Value(actions.FPayload), "{}"))
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FPayload, err)
	}
	ref := platform.ThingRef{Account: acct, Group: f.Target.Group, Thing: thing}
	var pa platform.Action
	switch f.Kind {
	case actions.KindSendCommand:
		pa, err = platform.InvokeAction(ref, name, n)
		a.Expect.Thing, a.Expect.ActionName, a.Expect.Status = thing, name, Actions{}
	case actions.KindSetSetpoint:
		pa, err = platform.SetProperty(ref, name, n)
	default:
		pa, err = platform.EmitEvent(ref, name, n)
	}
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FName, err)
	}
	if f.Kind != actions.KindSendCommand {
		a.Expect.ReportTopic = pa.Reply // the status/ twin reflects the write
	}
	if f.Kind == actions.KindSetSetpoint {
		a.Expect.ReportField = name // the twin carries {"<property>": value}
	}
	a.Target = actions.Target{Platform: platform.SmartWorks, Fleet: acct, System: thing, Group: f.Target.Group}
	a.Name, a.Summary = name, name+" on "+thing
	return pa, nil
}
