package platform

import (
	"fmt"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
)

// CommandTopic is Drogue's command topic: command/{app}/{device}/{command}
// (exactly four levels, or Drogue refuses the publish).
func CommandTopic(app, device, command string) (string, error) {
	for _, p := range [][2]string{{"drogue application", app}, {"device", device}, {"command", command}} {
		if err := checkLevel(p[0], p[1]); err != nil {
			return "", fmt.Errorf("drogue command: %w", err)
		}
	}
	return "command/" + app + "/" + device + "/" + command, nil
}

// SendCommand is a Drogue command. The payload reaches the device as is
// (JSON here); the zero Node sends an empty payload. Drogue keeps no
// command status: the answer, if any, is the device's next event, so Reply
// is the application's stream.
func SendCommand(app, device, command string, payload decode.Node) (Action, error) {
	topic, err := CommandTopic(app, device, command)
	if err != nil {
		return Action{}, err
	}
	a := Action{Platform: Drogue, Verb: VerbCommand, Topic: topic, QoS: 1, Format: decode.FormatJSON,
		Payload: payload, Reply: "app/" + app}
	if isZeroNode(payload) {
		a.Format = decode.FormatBinary
	}
	return a, nil
}

func isZeroNode(n decode.Node) bool {
	return n.Kind == decode.KindNull && n.Fields == nil && n.Items == nil
}

// DeviceAuth is a device API identity for device mode: every publish
// carries it as the user properties device_id and access_key. AccessKey
// is a secret (Action.Redacted masks it).
type DeviceAuth struct {
	DeviceID  string // defaults to the target device
	AccessKey string
}

// DeviceTopic is v1/device/{id}/{suffix}, e.g. suffix "commands".
func DeviceTopic(device, suffix string) (string, error) {
	if err := checkLevel("device id", device); err != nil {
		return "", fmt.Errorf("device api: %w", err)
	}
	return devapiPrefix + device + "/" + suffix, nil
}

// devapiAction fills what every device API action shares: the topic, MQTT 5
// properties (JSON content type, response topic, credentials when given).
func devapiAction(verb, device, suffix, reply string, auth *DeviceAuth) (Action, error) {
	topic, err := DeviceTopic(device, suffix)
	if err != nil {
		return Action{}, err
	}
	a := Action{Platform: DevAPI, Verb: verb, Topic: topic, QoS: 1, Format: decode.FormatJSON,
		Props: &mqttconn.Props{ContentType: "application/json"}}
	if reply != "" {
		a.Reply = devapiPrefix + device + "/" + reply
		a.Props.ResponseTopic = a.Reply
	}
	if auth != nil {
		id := auth.DeviceID
		if id == "" {
			id = device
		}
		if id != device {
			return Action{}, fmt.Errorf("device api: credentials of device %q used for device %q: %w", id, device, ErrInvalidParam)
		}
		if auth.AccessKey == "" {
			return Action{}, fmt.Errorf("device api: access key of device %q: %w", device, ErrMissingParam)
		}
		a.Props.User = []mqttconn.UserProperty{{Key: "device_id", Value: id}, {Key: "access_key", Value: auth.AccessKey}}
	}
	return a, nil
}

// DeviceCommandSpec is a device API command.
type DeviceCommandSpec struct {
	ID         string      // e.g. from NewUUID; the device answers with it on commands/update
	Name       string      // e.g. update_firmware
	Parameters decode.Node // an object; the zero Node sends {}
}

// DeviceCommand publishes the command object {id, status: "pending", name,
// parameters} on v1/device/{id}/commands, answered on commands/update.
// auth is nil in fleet mode.
func DeviceCommand(device string, c DeviceCommandSpec, auth *DeviceAuth) (Action, error) {
	if c.ID == "" || c.Name == "" {
		return Action{}, fmt.Errorf("device api command: id and name: %w", ErrMissingParam)
	}
	a, err := devapiAction(VerbCommand, device, "commands", "commands/update", auth)
	if err != nil {
		return Action{}, err
	}
	params := c.Parameters
	if isZeroNode(params) {
		params = decode.ObjectNode()
	}
	a.Payload = decode.ObjectNode(
		decode.KV("id", decode.StringNode(c.ID)),
		decode.KV("status", decode.StringNode("pending")),
		decode.KV("name", decode.StringNode(c.Name)),
		decode.KV("parameters", params),
	)
	return a, nil
}

// DeviceConfig publishes a configuration {version, last_updated, ...fields}
// on v1/device/{id}/config, answered on config/update (seed 003).
func DeviceConfig(device, version string, lastUpdated time.Time, fields []decode.Field, auth *DeviceAuth) (Action, error) {
	if version == "" || lastUpdated.IsZero() {
		return Action{}, fmt.Errorf("device api config: version and last_updated: %w", ErrMissingParam)
	}
	a, err := devapiAction(VerbConfig, device, "config", "config/update", auth)
	if err != nil {
		return Action{}, err
	}
	all := make([]decode.Field, 0, 2+len(fields))
	all = append(all, decode.KV("version", decode.StringNode(version)),
		decode.KV("last_updated", decode.StringNode(isoTime(lastUpdated))))
	for _, f := range fields {
		if f.Key == "version" || f.Key == "last_updated" {
			return Action{}, fmt.Errorf("device api config: field %q is set by the builder: %w", f.Key, ErrInvalidParam)
		}
		all = append(all, f)
	}
	a.Payload = decode.ObjectNode(all...)
	return a, nil
}

// DeviceSnapshot asks the device API to publish the device's latest state
// on each of its topics: v1/device/{id}/get, empty payload, the device's
// credentials as user properties, and a response topic under the device
// (get/response, routed as KindGetResponse). Set Props.CorrelationData to
// match a reply to the action.
func DeviceSnapshot(device string, auth DeviceAuth) (Action, error) {
	a, err := devapiAction(VerbSnapshot, device, "get", "get/response", &auth)
	if err != nil {
		return Action{}, err
	}
	a.Format, a.Props.ContentType = decode.FormatBinary, ""
	return a, nil
}

// ThingRef names a SmartWorks thing. Group is Route.Group:
// "collections/{c}", "categories/{c}" or "" (grammar variant A).
type ThingRef struct {
	Account string
	Group   string
	Thing   string
}

// ThingTopic is {side}/{account}[/{group}]/things/{thing}/{section}/{name}.
func ThingTopic(side string, t ThingRef, section, name string) (string, error) {
	if side != "set" && side != "status" {
		return "", fmt.Errorf("smartworks side %q: must be set or status: %w", side, ErrInvalidParam)
	}
	if err := checkLevel("smartworks account", t.Account); err != nil {
		return "", fmt.Errorf("smartworks: %w", err)
	}
	if err := checkLevel("thing", t.Thing); err != nil {
		return "", fmt.Errorf("smartworks: %w", err)
	}
	if err := checkLevel(section+" name", name); err != nil {
		return "", fmt.Errorf("smartworks: %w", err)
	}
	prefix := side + "/" + t.Account + "/"
	if t.Group != "" {
		kind, g, _ := cut(t.Group)
		if kind != "collections" && kind != "categories" || checkLevel("group", g) != nil {
			return "", fmt.Errorf("smartworks group %q: must be collections/{c} or categories/{c}: %w", t.Group, ErrInvalidParam)
		}
		prefix += t.Group + "/"
	}
	return prefix + "things/" + t.Thing + "/" + section + "/" + name, nil
}

// smartworksAction builds a set/ request answered on the status/ twin.
func smartworksAction(verb string, t ThingRef, section, name string, body decode.Node) (Action, error) {
	topic, err := ThingTopic("set", t, section, name)
	if err != nil {
		return Action{}, err
	}
	reply, _ := ThingTopic("status", t, section, name)
	return Action{Platform: SmartWorks, Verb: verb, Topic: topic, QoS: 1, Format: decode.FormatJSON,
		Payload: body, Reply: reply}, nil
}

// InvokeAction requests a WoT action: {"<action>": {"input": {...}}} on
// set/.../actions/{action}; its progress appears on status/.../actions/{action}.
func InvokeAction(t ThingRef, action string, input decode.Node) (Action, error) {
	if isZeroNode(input) {
		input = decode.ObjectNode()
	}
	body := decode.ObjectNode(decode.KV(action, decode.ObjectNode(decode.KV("input", input))))
	return smartworksAction(VerbAction, t, "actions", action, body)
}

// SetProperty writes {"<prop>": value} on set/.../properties/{prop}.
func SetProperty(t ThingRef, prop string, value decode.Node) (Action, error) {
	return smartworksAction(VerbProperty, t, "properties", prop, decode.ObjectNode(decode.KV(prop, value)))
}

// EmitEvent emits {"<event>": {"data": ...}} on set/.../events/{event}
// (the shape is inferred from the WoT form of actions, platforms.md §4.3).
func EmitEvent(t ThingRef, event string, data decode.Node) (Action, error) {
	body := decode.ObjectNode(decode.KV(event, decode.ObjectNode(decode.KV("data", data))))
	return smartworksAction(VerbEmitEvent, t, "events", event, body)
}
