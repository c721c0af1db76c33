package devapi

import (
	"errors"
	"fmt"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// Actions are the device API's operator actions: a command, a
// configuration (the setpoint of a device) and a snapshot request, with
// the device's access key as a user property when the profile names one.
type Actions struct{}

var _ actions.Platform = Actions{}

// Traits: the device API's setpoints (its configuration is a form of its
// own, so the s key reads "Update configuration"); its incidents are
// opened and acknowledged over HTTPS, not here.
func (Actions) Traits() actions.Traits {
	return actions.Traits{
		Unsupported: map[actions.Kind]string{actions.KindTriggerEvent: "device API incidents are HTTPS only"},
		Titles:      map[actions.Kind]string{actions.KindSetSetpoint: "Update configuration"},
	}
}

// Form lays out the command, configuration and snapshot forms.
func (Actions) Form(_ *actions.Builder, kind actions.Kind, sel actions.Selection, f *actions.Form) bool {
	t := f.Target
	switch kind {
	case actions.KindSendCommand:
		f.Fields = append(f.Fields, actions.Field{Key: actions.FSystem, Label: "Device id", Value: t.System},
			actions.Field{Key: actions.FName, Label: "Command name", Suggest: sel.Names, Value: actions.MostRecent(sel.Names), Placeholder: "required, e.g. reboot"},
			actions.Field{Key: actions.FPayload, Label: "Parameters (JSON)", Value: "{}"},
			actions.QoSField("1"))
		return true
	case actions.KindSetSetpoint:
		f.Fields = append(f.Fields, actions.Field{Key: actions.FSystem, Label: "Device id", Value: t.System},
			actions.Field{Key: actions.FVersion, Label: "Config version", Placeholder: "e.g. 7"},
			actions.Field{Key: actions.FPayload, Label: "Fields (JSON)", Value: "{}", Hint: "configuration fields; version and last_updated are added"},
			actions.QoSField("1"))
		return true
	case actions.KindRequestSnapshot:
		f.Fields = append(f.Fields, actions.Field{Key: actions.FSystem, Label: "Device id", Value: t.System}, actions.QoSField("1"))
		return true
	}
	return false
}

// Build publishes the command, the configuration or the snapshot request.
func (Actions) Build(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	switch f.Kind {
	case actions.KindSendCommand:
		return command(b, a, f)
	case actions.KindSetSetpoint:
		return config(b, a, f)
	case actions.KindRequestSnapshot:
		return snapshot(b, a, f)
	}
	return platform.Action{}, b.Unsupported(f.Kind)
}

func deviceAuth(b *actions.Builder, dev string, required bool) (*platform.DeviceAuth, error) {
	if !b.AccessKey.Configured() {
		if required {
			return nil, errors.New("needs the device access key: set access_key_env or access_key_file in the profile")
		}
		return nil, nil
	}
	k, err := b.AccessKey.Load()
	if err != nil {
		return nil, fmt.Errorf("device access key from %s: %w", b.AccessKey.Where(), err)
	}
	return &platform.DeviceAuth{DeviceID: dev, AccessKey: k}, nil
}

func command(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	dev, name := f.Value(actions.FSystem), f.Value(actions.FName)
	if err := actions.ValidateSegment(dev); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, fmt.Errorf("device id: %w", err))
	}
	if name == "" {
		return platform.Action{}, actions.FieldErr(actions.FName, actions.ErrEmpty)
	}
	var params decode.Node
	if p := f.Value(actions.FPayload); p != "" {
		n, err := actions.ParseObject(p)
		if err != nil {
			return platform.Action{}, actions.FieldErr(actions.FPayload, err)
		}
		params = n
	}
	auth, err := deviceAuth(b, dev, false)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, err)
	}
	id := b.UUID()
	pa, err := platform.DeviceCommand(dev, platform.DeviceCommandSpec{ID: id, Name: name, Parameters: params}, auth)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, err)
	}
	a.Target = actions.Target{Platform: platform.DevAPI, System: dev}
	a.Name, a.Summary = name, name+" to "+dev
	a.Expect.CommandID, a.Expect.Status = id, Actions{}
	return pa, nil
}

func config(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	dev := f.Value(actions.FSystem)
	if err := actions.ValidateSegment(dev); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, fmt.Errorf("device id: %w", err))
	}
	version := f.Value(actions.FVersion)
	if version == "" {
		return platform.Action{}, actions.FieldErr(actions.FVersion, actions.ErrEmpty)
	}
	var fields []decode.Field
	if p := f.Value(actions.FPayload); p != "" {
		n, err := actions.ParseObject(p)
		if err != nil {
			return platform.Action{}, actions.FieldErr(actions.FPayload, err)
		}
		fields = n.Fields
	}
	auth, err := deviceAuth(b, dev, false)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, err)
	}
	pa, err := platform.DeviceConfig(dev, version, b.Time(), fields, auth)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FPayload, err)
	}
	a.Target = actions.Target{Platform: platform.DevAPI, System: dev}
	a.Name, a.Summary = "config "+version, "config "+version+" to "+dev
	a.Expect.ConfigVersion = version
	return pa, nil
}

func snapshot(b *actions.Builder, a *actions.Action, f actions.Form) (platform.Action, error) {
	dev := f.Value(actions.FSystem)
	if err := actions.ValidateSegment(dev); err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, fmt.Errorf("device id: %w", err))
	}
	auth, err := deviceAuth(b, dev, true)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, err)
	}
	pa, err := platform.DeviceSnapshot(dev, *auth)
	if err != nil {
		return platform.Action{}, actions.FieldErr(actions.FSystem, err)
	}
	a.Target = actions.Target{Platform: platform.DevAPI, System: dev}
	a.Summary = "snapshot of " + dev
	return pa, nil
}
