package actions

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// buildPlatform fills a from a platform form: payload, topic and what answer
// to expect.
func (b *Builder) buildPlatform(a *Action, f Form) error {
	qos, err := ParseQoS(f.Value(FQoS))
	if err != nil {
		return fieldErr(FQoS, err)
	}
	switch {
	case b.Platform == platform.DRIVR && f.Kind == KindTriggerEvent:
		err = b.drivrEvent(a, f)
	case b.Platform == platform.Drogue && (f.Kind == KindSendCommand || f.Kind == KindSetSetpoint):
		err = b.drogueCommand(a, f)
	case b.Platform == platform.DevAPI && f.Kind == KindSendCommand:
		err = b.devapiCommand(a, f)
	case b.Platform == platform.DevAPI && f.Kind == KindRequestSnapshot:
		err = b.devapiSnapshot(a, f)
	case b.Platform == platform.SmartWorks && (f.Kind == KindSendCommand || f.Kind == KindSetSetpoint || f.Kind == KindTriggerEvent):
		err = b.smartworks(a, f)
	default:
		return unsupported(f.Kind, b.Platform)
	}
	a.Request.QoS = qos
	return err
}

// drivrTime is the time format DRIVR echoes: RFC 3339, microseconds, UTC.
func drivrTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z07:00")
}

func (b *Builder) drivrEvent(a *Action, f Form) error {
	slug := firstNonEmpty(f.Value(FFleet), f.Target.Fleet, b.Params.Slug)
	if err := ValidateSegment(slug); err != nil {
		return fieldErr(FFleet, fmt.Errorf("DRIVR slug (--slug or the profile): %w", err))
	}
	sys, comp := f.Value(FSystem), f.Value(FComponent)
	if !IsUUID(sys) {
		return fieldErr(FSystem, fmt.Errorf("want the system uuid (8-4-4-4-12 hex), got %q", sys))
	}
	if comp != "" && !IsUUID(comp) {
		return fieldErr(FComponent, fmt.Errorf("input topics name components by uuid; %q is not one (leave empty for a system event)", comp))
	}
	model := f.Value(FModel)
	if err := ValidateSegment(model); err != nil {
		return fieldErr(FModel, fmt.Errorf("event model code or uuid: %w", err))
	}
	now := b.now()
	at, err := ParseTime(f.Value(FTime), now)
	if err != nil {
		return fieldErr(FTime, err)
	}
	if at.IsZero() {
		at = now
	}
	end, err := ParseTime(f.Value(FEndTime), now)
	if err != nil {
		return fieldErr(FEndTime, err)
	}
	if !end.IsZero() && end.Before(at) {
		return fieldErr(FEndTime, errors.New("end time is before the time"))
	}
	key := "eventModelCode"
	if IsUUID(model) {
		key = "eventModelUuid"
	}
	fields := []decode.Field{decode.KV(key, decode.StringNode(model)), decode.KV("time", decode.StringNode(drivrTime(at)))}
	if !end.IsZero() {
		fields = append(fields, decode.KV("endTime", decode.StringNode(drivrTime(end))))
	}
	if md := f.Value(FMetadata); md != "" {
		n, err := parseObject(md)
		if err != nil {
			return fieldErr(FMetadata, err)
		}
		fields = append(fields, decode.KV("metadata", n))
	}
	enc := strings.ToLower(firstNonEmpty(f.Value(FEncoding), "json"))
	payload, err := encode(decode.ObjectNode(fields...), enc)
	if err != nil {
		return fieldErr(FEncoding, err)
	}
	entity, scope := sys, "s"
	if comp != "" {
		entity, scope = comp, "c"
	}
	topic, err := drivrEventTopic(slug, scope, entity, enc)
	if err != nil {
		return fieldErr(FSystem, err)
	}
	a.Target = Target{Platform: platform.DRIVR, Fleet: slug, System: sys, Component: comp}
	a.Name = model
	a.Encoding = enc
	a.Request = mqttconn.PublishRequest{Topic: topic, Payload: payload}
	a.Expect = Expect{EventEntity: entity, EventModel: model, EventTime: at.UTC().Truncate(time.Microsecond), ErrorTopic: topic + "/error"}
	a.Summary = model + " on " + short(entity)
	return nil
}

func (b *Builder) drogueCommand(a *Action, f Form) error {
	app := firstNonEmpty(f.Value(FFleet), f.Target.Fleet)
	if app == "" && len(b.Params.Apps) > 0 {
		app = b.Params.Apps[0]
	}
	if err := ValidateSegment(app); err != nil {
		return fieldErr(FFleet, fmt.Errorf("application: %w", err))
	}
	dev, name := f.Value(FSystem), f.Value(FName)
	if err := ValidateSegment(dev); err != nil {
		return fieldErr(FSystem, fmt.Errorf("device: %w", err))
	}
	if err := ValidateSegment(name); err != nil {
		return fieldErr(FName, fmt.Errorf("command: %w", err))
	}
	payload := f.Value(FPayload)
	if payload != "" {
		if err := ValidateJSON([]byte(payload)); err != nil {
			return fieldErr(FPayload, err)
		}
	}
	topic, err := drogueCommandTopic(app, dev, name)
	if err != nil {
		return fieldErr(FName, err)
	}
	a.Target = Target{Platform: platform.Drogue, Fleet: app, System: dev}
	a.Name, a.Encoding, a.Summary = name, "json", name+" to "+dev
	// Drogue passes the payload to the device as-is: send the exact bytes typed.
	a.Request = mqttconn.PublishRequest{Topic: topic, Payload: []byte(payload)}
	return nil
}

// deviceProps are the device API's per-message credentials. The key is
// loaded now and lives only in the request.
func (b *Builder) deviceProps(dev string, required bool) ([]mqttconn.UserProperty, error) {
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
	return []mqttconn.UserProperty{{Key: "device_id", Value: dev}, {Key: "access_key", Value: k}}, nil
}

func (b *Builder) devapiCommand(a *Action, f Form) error {
	dev, name := f.Value(FSystem), f.Value(FName)
	if err := ValidateSegment(dev); err != nil {
		return fieldErr(FSystem, fmt.Errorf("device id: %w", err))
	}
	if strings.TrimSpace(name) == "" {
		return fieldErr(FName, ErrEmpty)
	}
	params := decode.ObjectNode()
	if p := f.Value(FPayload); p != "" {
		n, err := parseObject(p)
		if err != nil {
			return fieldErr(FPayload, err)
		}
		params = n
	}
	id := b.newUUID()
	body := decode.ObjectNode(
		decode.KV("id", decode.StringNode(id)),
		decode.KV("status", decode.StringNode("pending")),
		decode.KV("name", decode.StringNode(name)),
		decode.KV("parameters", params))
	payload, err := decode.EncodeJSON(body)
	if err != nil {
		return fieldErr(FPayload, err)
	}
	user, err := b.deviceProps(dev, false)
	if err != nil {
		return fieldErr(FSystem, err)
	}
	topic, resp, err := devapiTopics(dev, "commands")
	if err != nil {
		return fieldErr(FSystem, err)
	}
	a.Target = Target{Platform: platform.DevAPI, System: dev}
	a.Name, a.Encoding, a.Summary = name, "json", name+" to "+dev
	a.Request = mqttconn.PublishRequest{Topic: topic, Payload: payload, Props: &mqttconn.Props{
		ContentType: "application/json", ResponseTopic: resp, CorrelationData: []byte(a.ID), User: user}}
	a.Expect.CommandID = id
	return nil
}

func (b *Builder) devapiSnapshot(a *Action, f Form) error {
	dev := f.Value(FSystem)
	if err := ValidateSegment(dev); err != nil {
		return fieldErr(FSystem, fmt.Errorf("device id: %w", err))
	}
	user, err := b.deviceProps(dev, true)
	if err != nil {
		return fieldErr(FSystem, err)
	}
	topic, resp, err := devapiTopics(dev, "get")
	if err != nil {
		return fieldErr(FSystem, err)
	}
	a.Target = Target{Platform: platform.DevAPI, System: dev}
	a.Summary = "snapshot of " + dev
	a.Request = mqttconn.PublishRequest{Topic: topic, Props: &mqttconn.Props{
		ResponseTopic: resp, CorrelationData: []byte(a.ID), User: user}}
	return nil
}

func (b *Builder) smartworks(a *Action, f Form) error {
	acct := firstNonEmpty(f.Value(FFleet), f.Target.Fleet, b.Params.Account)
	if err := ValidateSegment(acct); err != nil {
		return fieldErr(FFleet, fmt.Errorf("account: %w", err))
	}
	thing, name := f.Value(FSystem), f.Value(FName)
	if err := ValidateSegment(thing); err != nil {
		return fieldErr(FSystem, fmt.Errorf("thing: %w", err))
	}
	if err := ValidateSegment(name); err != nil {
		return fieldErr(FName, err)
	}
	raw := firstNonEmpty(f.Value(FPayload), "{}")
	n, err := decode.ParseJSON(raw)
	if err != nil {
		return fieldErr(FPayload, err)
	}
	var body decode.Node
	section := ""
	switch f.Kind {
	case KindSendCommand: // {"name": {"input": {...}}}
		section = "actions"
		body = decode.ObjectNode(decode.KV(name, decode.ObjectNode(decode.KV("input", n))))
		a.Expect.Thing, a.Expect.ActionName = thing, name
	case KindSetSetpoint: // {"name": value}
		section = "properties"
		body = decode.ObjectNode(decode.KV(name, n))
	default: // {"name": {"data": ...}}
		section = "events"
		body = decode.ObjectNode(decode.KV(name, decode.ObjectNode(decode.KV("data", n))))
	}
	payload, err := decode.EncodeJSON(body)
	if err != nil {
		return fieldErr(FPayload, err)
	}
	topic, err := smartworksTopic(acct, thing, section, name)
	if err != nil {
		return fieldErr(FName, err)
	}
	a.Target = Target{Platform: platform.SmartWorks, Fleet: acct, System: thing}
	a.Name, a.Encoding, a.Summary = name, "json", name+" on "+thing
	a.Request = mqttconn.PublishRequest{Topic: topic, Payload: payload}
	return nil
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

func encode(n decode.Node, enc string) ([]byte, error) {
	switch enc {
	case "json":
		return decode.EncodeJSON(n)
	case "msgpack":
		return decode.EncodeMsgPack(n)
	}
	return nil, fmt.Errorf("encoding must be json or msgpack, got %q", enc)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}
