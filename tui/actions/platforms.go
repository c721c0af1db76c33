package actions

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// buildPlatform fills a from a platform form through mqttconn/platform's
// builders (topic, payload, properties, error twin), then records what
// answer to expect.
func (b *Builder) buildPlatform(a *Action, f Form) error {
	qos, err := ParseQoS(f.Value(FQoS))
	if err != nil {
		return fieldErr(FQoS, err)
	}
	var pa platform.Action
	switch {
	case b.Platform == platform.DRIVR && f.Kind == KindTriggerEvent:
		pa, err = b.drivrEvent(a, f)
	case b.Platform == platform.DRIVR && f.Kind == KindSetSetpoint:
		pa, err = b.drivrSetpoint(a, f)
	case b.Platform == platform.Drogue && (f.Kind == KindSendCommand || f.Kind == KindSetSetpoint):
		pa, err = b.drogueCommand(a, f)
	case b.Platform == platform.DevAPI && f.Kind == KindSendCommand:
		pa, err = b.devapiCommand(a, f)
	case b.Platform == platform.DevAPI && f.Kind == KindSetSetpoint:
		pa, err = b.devapiConfig(a, f)
	case b.Platform == platform.DevAPI && f.Kind == KindRequestSnapshot:
		pa, err = b.devapiSnapshot(a, f)
	case b.Platform == platform.SmartWorks && (f.Kind == KindSendCommand || f.Kind == KindSetSetpoint || f.Kind == KindTriggerEvent):
		pa, err = b.smartworks(a, f)
	default:
		return unsupported(f.Kind, b.Platform)
	}
	if err != nil {
		return err
	}
	pa.QoS = qos
	if pa.Props != nil && pa.Props.ResponseTopic != "" && len(pa.Props.CorrelationData) == 0 {
		pa.Props.CorrelationData = []byte(a.ID)
	}
	req, err := pa.Request()
	if err != nil {
		return err
	}
	a.Request = req
	a.Expect.ErrorTopic = pa.ErrorTopic
	switch pa.Format {
	case decode.FormatJSON, decode.FormatMsgPack:
		a.Encoding = string(pa.Format)
	}
	return nil
}

// entityRef reads the DRIVR system and optional component uuids.
func entityRef(f Form) (platform.EntityRef, error) {
	sys, comp := f.Value(FSystem), f.Value(FComponent)
	if !IsUUID(sys) {
		return platform.EntityRef{}, fieldErr(FSystem, fmt.Errorf("want the system uuid (8-4-4-4-12 hex), got %q", sys))
	}
	if comp != "" && !IsUUID(comp) {
		return platform.EntityRef{}, fieldErr(FComponent, fmt.Errorf("input topics name components by uuid; %q is not one (leave empty for the system)", comp))
	}
	return platform.EntityRef{System: sys, Component: comp}, nil
}

func (b *Builder) slug(f Form) (string, error) {
	slug := firstNonEmpty(f.Value(FFleet), f.Target.Fleet, b.Params.Slug)
	if err := ValidateSegment(slug); err != nil {
		return "", fieldErr(FSystem, fmt.Errorf("DRIVR slug (--slug or the profile): %w", err))
	}
	return slug, nil
}

func encodingOf(f Form) (string, error) {
	enc := strings.ToLower(firstNonEmpty(f.Value(FEncoding), "json"))
	if enc != "json" && enc != "msgpack" {
		return "", fieldErr(FEncoding, fmt.Errorf("encoding must be json or msgpack, got %q", enc))
	}
	return enc, nil
}

func (b *Builder) drivrEvent(a *Action, f Form) (platform.Action, error) {
	slug, err := b.slug(f)
	if err != nil {
		return platform.Action{}, err
	}
	ref, err := entityRef(f)
	if err != nil {
		return platform.Action{}, err
	}
	model := f.Value(FModel)
	if err := ValidateSegment(model); err != nil {
		return platform.Action{}, fieldErr(FModel, fmt.Errorf("event model code or uuid: %w", err))
	}
	now := b.now()
	at, err := ParseTime(f.Value(FTime), now)
	if err != nil {
		return platform.Action{}, fieldErr(FTime, err)
	}
	if at.IsZero() {
		// Microseconds, as the platforms print times: the confirmation
		// shows what the payload carries.
		at = now.UTC().Truncate(time.Microsecond)
	}
	end, err := ParseTime(f.Value(FEndTime), now)
	if err != nil {
		return platform.Action{}, fieldErr(FEndTime, err)
	}
	if !end.IsZero() && end.Before(at) {
		return platform.Action{}, fieldErr(FEndTime, errors.New("end time is before the time"))
	}
	spec := platform.EventSpec{ModelCode: model, Time: at, EndTime: end}
	if IsUUID(model) {
		spec = platform.EventSpec{ModelUUID: model, Time: at, EndTime: end}
	}
	if md := f.Value(FMetadata); md != "" {
		n, err := parseObject(md)
		if err != nil {
			return platform.Action{}, fieldErr(FMetadata, err)
		}
		spec.Metadata = n.Fields
	}
	enc, err := encodingOf(f)
	if err != nil {
		return platform.Action{}, err
	}
	pa, err := platform.TriggerEvent(slug, ref, enc, spec)
	if err != nil {
		return platform.Action{}, fieldErr(FModel, err)
	}
	entity := ref.System
	if ref.Component != "" {
		entity = ref.Component
	}
	a.Target = Target{Platform: platform.DRIVR, Fleet: slug, System: ref.System, Component: ref.Component}
	a.Name = model
	// DRIVR echoes the time in microseconds.
	a.Expect = Expect{EventEntity: entity, EventModel: model, EventTime: at.UTC().Truncate(time.Microsecond)}
	a.Summary = model + " on " + short(entity)
	return pa, nil
}

func (b *Builder) drivrSetpoint(a *Action, f Form) (platform.Action, error) {
	slug, err := b.slug(f)
	if err != nil {
		return platform.Action{}, err
	}
	ref, err := entityRef(f)
	if err != nil {
		return platform.Action{}, err
	}
	name := f.Value(FName)
	if err := ValidateSegment(name); err != nil {
		return platform.Action{}, fieldErr(FName, fmt.Errorf("characteristic code: %w", err))
	}
	if f.Value(FPayload) == "" {
		return platform.Action{}, fieldErr(FPayload, ErrEmpty)
	}
	val, err := decode.ParseJSON(f.Value(FPayload))
	if err != nil {
		return platform.Action{}, fieldErr(FPayload, err)
	}
	enc, err := encodingOf(f)
	if err != nil {
		return platform.Action{}, err
	}
	pa, err := platform.SetSetpoint(slug, ref, enc, platform.SetpointSpec{Characteristic: name, Service: f.Value(FService), Value: val})
	if err != nil {
		return platform.Action{}, fieldErr(FName, err)
	}
	a.Target = Target{Platform: platform.DRIVR, Fleet: slug, System: ref.System, Component: ref.Component}
	a.Name, a.Summary = name, name+" on "+short(a.Target.Entity())
	// The device shows a setpoint that landed in its next datapoint of that
	// characteristic. Datapoints name a component by its code: known when
	// the form came from the fleet and still names that component.
	code := ""
	if ref.Component != "" && strings.EqualFold(ref.Component, f.Target.Component) {
		code = f.Target.ComponentCode
	}
	if ref.Component == "" || code != "" {
		if t, err := platform.DatapointTopic(slug, ref.System, code, name); err == nil {
			a.Expect.ReportTopic = t
		}
	}
	return pa, nil
}

func (b *Builder) drogueCommand(a *Action, f Form) (platform.Action, error) {
	app := firstNonEmpty(f.Value(FFleet), f.Target.Fleet)
	if app == "" && len(b.Params.Apps) > 0 {
		app = b.Params.Apps[0]
	}
	if err := ValidateSegment(app); err != nil {
		return platform.Action{}, fieldErr(FFleet, fmt.Errorf("application: %w", err))
	}
	dev, name := f.Value(FSystem), f.Value(FName)
	if err := ValidateSegment(dev); err != nil {
		return platform.Action{}, fieldErr(FSystem, fmt.Errorf("device: %w", err))
	}
	if err := ValidateSegment(name); err != nil {
		return platform.Action{}, fieldErr(FName, fmt.Errorf("command: %w", err))
	}
	var payload decode.Node // zero: empty payload
	if p := f.Value(FPayload); p != "" {
		n, err := decode.ParseJSON(p)
		if err != nil {
			return platform.Action{}, fieldErr(FPayload, err)
		}
		payload = n
	}
	pa, err := platform.SendCommand(app, dev, name, payload)
	if err != nil {
		return platform.Action{}, fieldErr(FName, err)
	}
	a.Target = Target{Platform: platform.Drogue, Fleet: app, System: dev}
	a.Name, a.Summary = name, name+" to "+dev
	// No command status in Drogue: the device's next event is the answer.
	a.Expect.ReportTopic, a.Expect.ReportDevice = pa.Reply, dev
	return pa, nil
}

// deviceAuth is the device API's per-message identity when the profile
// names an access key (device mode). The key lives only in the request.
func (b *Builder) deviceAuth(dev string, required bool) (*platform.DeviceAuth, error) {
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

func (b *Builder) devapiCommand(a *Action, f Form) (platform.Action, error) {
	dev, name := f.Value(FSystem), f.Value(FName)
	if err := ValidateSegment(dev); err != nil {
		return platform.Action{}, fieldErr(FSystem, fmt.Errorf("device id: %w", err))
	}
	if name == "" {
		return platform.Action{}, fieldErr(FName, ErrEmpty)
	}
	var params decode.Node
	if p := f.Value(FPayload); p != "" {
		n, err := parseObject(p)
		if err != nil {
			return platform.Action{}, fieldErr(FPayload, err)
		}
		params = n
	}
	auth, err := b.deviceAuth(dev, false)
	if err != nil {
		return platform.Action{}, fieldErr(FSystem, err)
	}
	id := b.newUUID()
	pa, err := platform.DeviceCommand(dev, platform.DeviceCommandSpec{ID: id, Name: name, Parameters: params}, auth)
	if err != nil {
		return platform.Action{}, fieldErr(FSystem, err)
	}
	a.Target = Target{Platform: platform.DevAPI, System: dev}
	a.Name, a.Summary = name, name+" to "+dev
	a.Expect.CommandID = id
	return pa, nil
}

func (b *Builder) devapiConfig(a *Action, f Form) (platform.Action, error) {
	dev := f.Value(FSystem)
	if err := ValidateSegment(dev); err != nil {
		return platform.Action{}, fieldErr(FSystem, fmt.Errorf("device id: %w", err))
	}
	version := f.Value(FVersion)
	if version == "" {
		return platform.Action{}, fieldErr(FVersion, ErrEmpty)
	}
	var fields []decode.Field
	if p := f.Value(FPayload); p != "" {
		n, err := parseObject(p)
		if err != nil {
			return platform.Action{}, fieldErr(FPayload, err)
		}
		fields = n.Fields
	}
	auth, err := b.deviceAuth(dev, false)
	if err != nil {
		return platform.Action{}, fieldErr(FSystem, err)
	}
	pa, err := platform.DeviceConfig(dev, version, b.now(), fields, auth)
	if err != nil {
		return platform.Action{}, fieldErr(FPayload, err)
	}
	a.Target = Target{Platform: platform.DevAPI, System: dev}
	a.Name, a.Summary = "config "+version, "config "+version+" to "+dev
	a.Expect.ConfigVersion = version
	return pa, nil
}

func (b *Builder) devapiSnapshot(a *Action, f Form) (platform.Action, error) {
	dev := f.Value(FSystem)
	if err := ValidateSegment(dev); err != nil {
		return platform.Action{}, fieldErr(FSystem, fmt.Errorf("device id: %w", err))
	}
	auth, err := b.deviceAuth(dev, true)
	if err != nil {
		return platform.Action{}, fieldErr(FSystem, err)
	}
	pa, err := platform.DeviceSnapshot(dev, *auth)
	if err != nil {
		return platform.Action{}, fieldErr(FSystem, err)
	}
	a.Target = Target{Platform: platform.DevAPI, System: dev}
	a.Summary = "snapshot of " + dev
	return pa, nil
}

func (b *Builder) smartworks(a *Action, f Form) (platform.Action, error) {
	acct := firstNonEmpty(f.Value(FFleet), f.Target.Fleet, b.Params.Account)
	if err := ValidateSegment(acct); err != nil {
		return platform.Action{}, fieldErr(FFleet, fmt.Errorf("account: %w", err))
	}
	thing, name := f.Value(FSystem), f.Value(FName)
	if err := ValidateSegment(thing); err != nil {
		return platform.Action{}, fieldErr(FSystem, fmt.Errorf("thing: %w", err))
	}
	if err := ValidateSegment(name); err != nil {
		return platform.Action{}, fieldErr(FName, err)
	}
	if f.Kind == KindSetSetpoint && f.Value(FPayload) == "" {
		return platform.Action{}, fieldErr(FPayload, ErrEmpty) // a property is never written {} by default
	}
	n, err := decode.ParseJSON(firstNonEmpty(f.Value(FPayload), "{}"))
	if err != nil {
		return platform.Action{}, fieldErr(FPayload, err)
	}
	ref := platform.ThingRef{Account: acct, Group: f.Target.Group, Thing: thing}
	var pa platform.Action
	switch f.Kind {
	case KindSendCommand:
		pa, err = platform.InvokeAction(ref, name, n)
		a.Expect.Thing, a.Expect.ActionName = thing, name
	case KindSetSetpoint:
		pa, err = platform.SetProperty(ref, name, n)
	default:
		pa, err = platform.EmitEvent(ref, name, n)
	}
	if err != nil {
		return platform.Action{}, fieldErr(FName, err)
	}
	if f.Kind != KindSendCommand {
		a.Expect.ReportTopic = pa.Reply // the status/ twin reflects the write
	}
	a.Target = Target{Platform: platform.SmartWorks, Fleet: acct, System: thing, Group: f.Target.Group}
	a.Name, a.Summary = name, name+" on "+thing
	return pa, nil
}

func parseObject(text string) (decode.Node, error) {
	n, err := decode.ParseJSON(text)
	if err != nil {
		return decode.Node{}, err
	}
	if n.Kind != decode.KindObject {
		return decode.Node{}, errors.New("must be a JSON object {...}")
	}
	return n, nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}
