package platform

import (
	"fmt"
	"time"

	"github.com/mqdeck/mqdeck/decode"
)

// EntityRef names the target of a DRIVR input: a system or, when Component
// is set, a component. Both are uuids: DRIVR's input topics take the
// component's uuid (seed 001: input/event/c/{componentUuid}), while its twin
// topics name components by code, so the store must remember the uuid
// from the component payload.
type EntityRef struct {
	System    string // system uuid
	Component string // component uuid; when set the input is the component's
}

// letter is the entity level of an input topic: s or c.
func (e EntityRef) letter() (string, string, error) {
	if e.Component != "" {
		if err := checkLevel("component uuid", e.Component); err != nil {
			return "", "", err
		}
		return "c", e.Component, nil
	}
	if err := checkLevel("system uuid", e.System); err != nil {
		return "", "", err
	}
	return "s", e.System, nil
}

// drivrInputTopic builds drivr/v1/{slug}/input/{resource}/s|c/{uuid}/{enc}.
func drivrInputTopic(slug, resource string, target EntityRef, encoding string) (string, decode.Format, error) {
	if err := checkLevel("drivr slug", slug); err != nil {
		return "", "", err
	}
	format, enc, err := formatOf(encoding)
	if err != nil {
		return "", "", err
	}
	letter, id, err := target.letter()
	if err != nil {
		return "", "", err
	}
	return drivrPrefix + slug + "/input/" + resource + "/" + letter + "/" + id + "/" + enc, format, nil
}

// TriggerEventTopic is the input topic that creates an event (seed 001):
// drivr/v1/{slug}/input/event/s/{systemUuid}/json, or .../event/c/{componentUuid}/...;
// encoding is "json" (default) or "msgpack".
func TriggerEventTopic(slug string, target EntityRef, encoding string) (string, error) {
	topic, _, err := drivrInputTopic(slug, "event", target, encoding)
	if err != nil {
		return "", fmt.Errorf("drivr trigger event: %w", err)
	}
	return topic, nil
}

// EventSpec is what an operator fills in to trigger (or resolve) an event.
type EventSpec struct {
	ModelCode string // exactly one of ModelCode and ModelUUID
	ModelUUID string
	Time      time.Time
	EndTime   time.Time      // zero: absent (SINGLE_POINT, or a RANGED event still open)
	Metadata  []decode.Field // optional, in order
}

// EventPayload builds the body of seed 001:
// {"eventModelCode"|"eventModelUuid": ..., "time": ..., "endTime"?: ..., "metadata"?: {...}}.
func EventPayload(e EventSpec) (decode.Node, error) {
	var model decode.Field
	switch {
	case e.ModelCode != "" && e.ModelUUID != "":
		return decode.Node{}, fmt.Errorf("event model: give its code or its uuid, not both (DRIVR refuses both): %w", ErrInvalidParam)
	case e.ModelCode != "":
		model = decode.KV("eventModelCode", decode.StringNode(e.ModelCode))
	case e.ModelUUID != "":
		model = decode.KV("eventModelUuid", decode.StringNode(e.ModelUUID))
	default:
		return decode.Node{}, fmt.Errorf("event model code or uuid: %w", ErrMissingParam)
	}
	if e.Time.IsZero() {
		return decode.Node{}, fmt.Errorf("event time: %w", ErrMissingParam)
	}
	fields := []decode.Field{model, decode.KV("time", decode.StringNode(isoTime(e.Time)))}
	if !e.EndTime.IsZero() {
		if e.EndTime.Before(e.Time) {
			return decode.Node{}, fmt.Errorf("event end time %s is before its time %s: %w",
				isoTime(e.EndTime), isoTime(e.Time), ErrInvalidParam)
		}
		fields = append(fields, decode.KV("endTime", decode.StringNode(isoTime(e.EndTime))))
	}
	if len(e.Metadata) > 0 {
		fields = append(fields, decode.KV("metadata", decode.ObjectNode(e.Metadata...)))
	}
	return decode.ObjectNode(fields...), nil
}

// TriggerEvent is the whole action: topic, payload, the /error twin to
// watch, and for a system the filter on which the created event appears.
func TriggerEvent(slug string, target EntityRef, encoding string, e EventSpec) (Action, error) {
	topic, format, err := drivrInputTopic(slug, "event", target, encoding)
	if err != nil {
		return Action{}, fmt.Errorf("drivr trigger event: %w", err)
	}
	body, err := EventPayload(e)
	if err != nil {
		return Action{}, fmt.Errorf("drivr trigger event: %w", err)
	}
	a := Action{Platform: DRIVR, Verb: VerbTriggerEvent, Topic: topic, QoS: 1, Format: format,
		Payload: body, ErrorTopic: ErrorTopic(topic)}
	if target.Component == "" {
		a.Reply = drivrPrefix + slug + "/systems/" + target.System + "/events/+"
	}
	return a, nil
}

// SetpointSpec is a target value for one characteristic (a SETTING).
type SetpointSpec struct {
	Characteristic string // characteristic code, e.g. target-power
	Service        string // optional service code (needed when not unique)
	Value          decode.Node
	Time           time.Time // zero: absent (the platform stamps it)
}

// SetpointTopic is the ASSUMED setpoint input topic (platforms.md marks it
// [U]; see ASSUMPTIONS.md): drivr/v1/{slug}/input/setpoint/s|c/{uuid}/{enc},
// shaped like the confirmed event input.
func SetpointTopic(slug string, target EntityRef, encoding string) (string, error) {
	topic, _, err := drivrInputTopic(slug, "setpoint", target, encoding)
	if err != nil {
		return "", fmt.Errorf("drivr setpoint: %w", err)
	}
	return topic, nil
}

// DatapointTopic is where an entity reports a characteristic's values, as
// Route reads it ([U] path): drivr/v1/{slug}/systems/{systemUuid}
// [/components/{componentCode}]/datapoints/{code}. Twin topics name a
// component by its code, not its uuid.
func DatapointTopic(slug, system, componentCode, code string) (string, error) {
	if err := checkLevel("drivr slug", slug); err != nil {
		return "", fmt.Errorf("drivr datapoint: %w", err)
	}
	if err := checkLevel("system uuid", system); err != nil {
		return "", fmt.Errorf("drivr datapoint: %w", err)
	}
	if !pathOK(code) || CheckTopic(code) != nil {
		return "", fmt.Errorf("drivr datapoint: characteristic %q: %w", code, ErrInvalidParam)
	}
	t := drivrPrefix + slug + "/systems/" + system
	if componentCode != "" {
		if err := checkLevel("component code", componentCode); err != nil {
			return "", fmt.Errorf("drivr datapoint: %w", err)
		}
		t += "/components/" + componentCode
	}
	return t + "/datapoints/" + code, nil
}

// SetSetpoint builds the ASSUMED setpoint request
// {"characteristicCode": ..., "serviceCode"?: ..., "value": ..., "time"?: ...}
// (field names in the camelCase of the event input, mirroring the REST
// ingress API). When DRIVR disagrees, the /error twin says which field.
func SetSetpoint(slug string, target EntityRef, encoding string, sp SetpointSpec) (Action, error) {
	topic, format, err := drivrInputTopic(slug, "setpoint", target, encoding)
	if err != nil {
		return Action{}, fmt.Errorf("drivr setpoint: %w", err)
	}
	if sp.Characteristic == "" {
		return Action{}, fmt.Errorf("drivr setpoint: characteristic code: %w", ErrMissingParam)
	}
	fields := []decode.Field{decode.KV("characteristicCode", decode.StringNode(sp.Characteristic))}
	if sp.Service != "" {
		fields = append(fields, decode.KV("serviceCode", decode.StringNode(sp.Service)))
	}
	fields = append(fields, decode.KV("value", sp.Value))
	if !sp.Time.IsZero() {
		fields = append(fields, decode.KV("time", decode.StringNode(isoTime(sp.Time))))
	}
	return Action{Platform: DRIVR, Verb: VerbSetpoint, Topic: topic, QoS: 1, Format: format,
		Payload: decode.ObjectNode(fields...), ErrorTopic: ErrorTopic(topic)}, nil
}
