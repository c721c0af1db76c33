package platform

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
)

// Verbs of Action, for the confirmation screen and the audit line.
const (
	VerbTriggerEvent = "trigger_event"
	VerbSetpoint     = "setpoint"
	VerbCommand      = "command"
	VerbConfig       = "config"
	VerbProperty     = "property"
	VerbAction       = "action"
	VerbEmitEvent    = "emit_event"
	VerbSnapshot     = "snapshot"
	VerbPublish      = "publish"
)

// Action is one operator publish, built by a pure function of this
// package: the exact topic, the payload document, the MQTT 5 properties and
// where the platform's answer will come. The confirmation screen shows it
// (Redacted), Request turns it into bytes for mqttconn.Client.Publish.
type Action struct {
	Platform string
	Verb     string
	Topic    string
	QoS      byte // 1 by default, so the broker's PUBACK confirms it left
	Retain   bool
	Format   decode.Format   // json or msgpack: Payload is encoded; text or binary: Raw is sent as is
	Payload  decode.Node     // the document for json and msgpack
	Raw      []byte          // the payload for text and binary
	Props    *mqttconn.Props // MQTT 5 only (device API); nil for the 3.1.1 platforms

	// Where to look for the outcome. Reply may be a filter with '+'.
	ErrorTopic string // DRIVR: the input topic's /error twin
	Reply      string // the response topic, the status topic, or the twin topic of the result
}

// Encode returns the payload bytes: JSON and MsgPack through the decode
// package's encoders (key order kept), text and binary as they are.
func (a Action) Encode() ([]byte, error) {
	switch a.Format {
	case decode.FormatJSON:
		return decode.EncodeJSON(a.Payload)
	case decode.FormatMsgPack:
		return decode.EncodeMsgPack(a.Payload)
	case decode.FormatText, decode.FormatBinary, "":
		return a.Raw, nil
	}
	return nil, fmt.Errorf("action payload format %q: %w", a.Format, ErrInvalidParam)
}

// Request is the publish to send. It checks the topic again, since a
// caller may have edited the action after it was built.
func (a Action) Request() (mqttconn.PublishRequest, error) {
	if err := CheckTopic(a.Topic); err != nil {
		return mqttconn.PublishRequest{}, fmt.Errorf("action %s: %w", a.Verb, err)
	}
	if a.QoS > 2 {
		return mqttconn.PublishRequest{}, fmt.Errorf("action %s: QoS %d: %w", a.Verb, a.QoS, ErrInvalidParam)
	}
	payload, err := a.Encode()
	if err != nil {
		return mqttconn.PublishRequest{}, fmt.Errorf("action %s: %w", a.Verb, err)
	}
	return mqttconn.PublishRequest{Topic: a.Topic, Payload: payload, QoS: a.QoS, Retain: a.Retain,
		Props: cloneProps(a.Props)}, nil
}

// Redacted is the action as it may be shown, logged or audited: the values
// of secret user properties (the device API's access_key, ...) masked.
func (a Action) Redacted() Action {
	a.Props = cloneProps(a.Props)
	if a.Props != nil {
		for i, u := range a.Props.User {
			if SecretKey(u.Key) {
				a.Props.User[i].Value = "********"
			}
		}
	}
	return a
}

// SecretKey reports whether a user property, header or field named key holds
// a credential that must be masked (decode.SecretKey: the one list, kept in
// decode so that the views, which import no mqttconn, use it too).
func SecretKey(key string) bool { return decode.SecretKey(key) }

func cloneProps(p *mqttconn.Props) *mqttconn.Props {
	if p == nil {
		return nil
	}
	c := *p
	c.User = append([]mqttconn.UserProperty(nil), p.User...)
	c.CorrelationData = append([]byte(nil), p.CorrelationData...)
	return &c
}

// NewUUID returns a random (version 4) UUID, for device API command ids and
// correlation data.
func NewUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random uuid: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// Publish is the generic, free-form action: any topic, bytes as typed.
func Publish(topic string, payload []byte, qos byte, retain bool) (Action, error) {
	if err := CheckTopic(topic); err != nil {
		return Action{}, fmt.Errorf("publish: %w", err)
	}
	if qos > 2 {
		return Action{}, fmt.Errorf("publish: QoS %d: %w", qos, ErrInvalidParam)
	}
	return Action{Platform: Generic, Verb: VerbPublish, Topic: topic, QoS: qos, Retain: retain,
		Format: decode.FormatBinary, Raw: payload}, nil
}

// formatOf maps a DRIVR encoding level to the payload format.
func formatOf(encoding string) (decode.Format, string, error) {
	switch encoding {
	case "", "json":
		return decode.FormatJSON, "json", nil
	case "msgpack":
		return decode.FormatMsgPack, "msgpack", nil
	}
	return "", "", fmt.Errorf("encoding %q: must be json or msgpack: %w", encoding, ErrInvalidParam)
}

// isoTime writes an action timestamp: RFC 3339 in UTC with at most
// microseconds, as the platforms print them.
func isoTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}
