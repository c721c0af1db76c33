package drogue

import (
	"fmt"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// Actions are Drogue Cloud's operator actions: a command to a device
// (a setpoint is a command too). Drogue has no command status: the
// device's next event is the answer.
type Actions struct{}

var _ actions.Platform = Actions{}

// Traits: a Drogue setpoint is a command (the series seen as setpoints);
// its events have no acknowledgement.
func (Actions) Traits() actions.Traits {
	return actions.Traits{Unsupported: map[actions.Kind]string{
		actions.KindTriggerEvent:    "on Drogue only devices emit events; send a command (c)",
		actions.KindRequestSnapshot: "Drogue has no point-in-time snapshot; reconnect with the same client id to catch up",
	}}
}

// Form lays out the command form.
func (Actions) Form(_ *actions.Builder, kind actions.Kind, sel actions.Selection, f *actions.Form) bool {
	if kind != actions.KindSendCommand && kind != actions.KindSetSetpoint {
		return false
	}
	t := f.Target
	f.Fields = append(f.Fields, actions.Field{Key: actions.FFleet, Label: "Application", Value: t.Fleet},
		actions.Field{Key: actions.FSystem, Label: "Device", Value: t.System},
		actions.Field{Key: actions.FName, Label: "Command", Suggest: sel.Names, Value: actions.MostRecent(sel.Names), Placeholder: "required, e.g. setTemperature"},
		actions.Field{Key: actions.FPayload, Label: "Payload (JSON)", Value: "{}"},
		actions.QoSField("1"))
	return true
}

// Build publishes the command.
func (Actions) Build(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	if f.Kind != actions.KindSendCommand && f.Kind != actions.KindSetSetpoint {
		return platform.Action{}, b.Unsupported(f.Kind)
	}
	return command(b, a, f)
}

func command(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	app := actions.FirstNonEmpty(f.Value(actions.FFleet), f.Target.Fleet)
	if app == "" && len(b.Params.Apps) > 0 {
		app = b.Params.Apps[0]
	}
	if err := actions.ValidateSegment(app); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FFleet, fmt.Errorf("application: %w", err))
	}
	dev, name := f.Value(actions.FSystem), f.Value(actions.FName)
	if err := actions.ValidateSegment(dev); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, fmt.Errorf("device: %w", err))
	}
	if err := actions.ValidateSegment(name); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FName, fmt.Errorf("command: %w", err))
	}
	var payload decode.Node // zero: empty payload
	if p := f.Value(actions.FPayload); p != "" {
		n, err := decode.ParseJSON(p)
		if err != nil {
			return platform.Action{}, actions.FieldErr(actions.FPayload, err)
		}
		payload = n
	}
	pa, err := platform.SendCommand(app, dev, name, payload)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FName, err)
	}
	a.Target = actions.Target{Platform: platform.Drogue, Fleet: app, System: dev}
	a.Name, a.Summary = name, name+" to "+dev
	// No command status in Drogue: the device's next event is the answer.
	a.Expect.ReportTopic, a.Expect.ReportDevice = pa.Reply, dev
	return pa, nil
}
