package cli

import (
	"strconv"
	"unicode/utf8"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/record"
)

// redacted replaces what must not be printed: a credential in a user
// property, a payload the platform marks as secret.
const redacted = record.Redacted

// appendLine appends one message as a JSON object and a newline. The
// transport fields use the names of mqttconn/record, so a log replays.
// r and v may be nil (no platform, no decoding).
func appendLine(b []byte, m *mqttconn.Message, r *platform.Route, v *decode.Value) []byte {
	b = append(b, `{"time":`...)
	b = appendTime(b, m.Received)
	if utf8.ValidString(m.Topic) {
		b = append(b, `,"topic":`...)
		b = appendString(b, m.Topic)
	} else {
		b = append(b, `,"topic_b64":`...)
		b = appendBase64(b, []byte(m.Topic))
	}
	b = append(b, `,"qos":`...)
	b = strconv.AppendUint(b, uint64(m.QoS), 10)
	b = append(b, `,"retain":`...)
	b = strconv.AppendBool(b, m.Retain)
	if m.Dup {
		b = append(b, `,"dup":true`...)
	}
	secret := r != nil && r.Secret
	switch {
	case secret:
		b = append(b, `,"payload":`...)
		b = appendString(b, redacted)
	case utf8.Valid(m.Payload):
		b = append(b, `,"payload":`...)
		b = appendBytesText(b, m.Payload)
	default:
		b = append(b, `,"payload_b64":`...)
		b = appendBase64(b, m.Payload)
	}
	if m.Props != nil {
		b = appendProps(b, m.Props)
	}
	if r != nil {
		b = appendRoute(b, r)
	}
	if v != nil && !secret {
		b = appendValue(b, v, m.Payload)
	} else if v != nil && len(v.Warnings) > 0 {
		// Ingest could not understand it: the size and why.
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, int64(v.Size), 10)
		b = appendWarnings(b, v.Warnings)
	}
	return append(b, '}', '\n')
}

func appendProps(b []byte, p *mqttconn.Props) []byte {
	b = append(b, `,"props":{`...)
	first := true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	if p.ContentType != "" {
		sep()
		b = append(b, `"contentType":`...)
		b = appendString(b, p.ContentType)
	}
	if p.PayloadFormat != nil {
		sep()
		b = append(b, `"payloadFormat":`...)
		b = strconv.AppendUint(b, uint64(*p.PayloadFormat), 10)
	}
	if p.ResponseTopic != "" {
		sep()
		b = append(b, `"responseTopic":`...)
		b = appendString(b, p.ResponseTopic)
	}
	if p.CorrelationData != nil {
		sep()
		if utf8.Valid(p.CorrelationData) {
			b = append(b, `"correlationData":`...)
			b = appendBytesText(b, p.CorrelationData)
		} else {
			b = append(b, `"correlationData_b64":`...)
			b = appendBase64(b, p.CorrelationData)
		}
	}
	if len(p.User) > 0 {
		sep()
		b = append(b, `"user":[`...)
		for i, u := range p.User {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendString(b, u.Key)
			b = append(b, ',')
			if platform.SecretKey(u.Key) {
				b = appendString(b, redacted)
			} else {
				b = appendString(b, u.Value)
			}
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	if p.MessageExpiry != nil {
		sep()
		b = append(b, `"messageExpiry":`...)
		b = strconv.AppendUint(b, uint64(*p.MessageExpiry), 10)
	}
	return append(b, '}')
}

// appendRoute writes platform, kind and the ids that apply.
func appendRoute(b []byte, r *platform.Route) []byte {
	field := func(name, val string) {
		if val != "" {
			b = append(b, ',', '"')
			b = append(b, name...)
			b = append(b, '"', ':')
			b = appendString(b, val)
		}
	}
	field("platform", r.Platform)
	field("kind", string(r.Kind))
	field("fleet", r.Fleet)
	field("system", r.System)
	field("component", r.Component)
	field("event", r.Event)
	field("device", r.Device)
	field("app", r.App)
	field("thing", r.Thing)
	field("command", r.Command)
	field("channel", r.Channel)
	field("sender", r.Sender)
	field("name", r.Name)
	field("model", r.Model)
	field("group", r.Group)
	field("side", r.Side)
	field("encoding", r.Encoding)
	field("input", r.Input)
	if r.Secret {
		b = append(b, `,"secret":true`...)
	}
	return b
}

// appendValue writes the decoded form: format, value, cloudevent, warnings.
func appendValue(b []byte, v *decode.Value, payload []byte) []byte {
	if v.Format != "" {
		b = append(b, `,"format":`...)
		b = appendString(b, string(v.Format))
	}
	if v.Truncated {
		b = append(b, `,"truncated":true,"size":`...)
		b = strconv.AppendInt(b, int64(v.Size), 10)
	}
	b = append(b, `,"value":`...)
	if v.Format == decode.FormatJSON && !v.Truncated && printableASCII(payload) {
		// The decoder parsed the whole payload as strict JSON, and it holds
		// nothing a terminal could act on: the text is the value, exactly
		// (no re-encoding, no long string shortened).
		b = append(b, payload...)
	} else {
		b = appendNode(b, &v.Data, 0)
	}
	if ce := v.Event; ce != nil {
		b = appendCloudEvent(b, ce)
	}
	if len(v.Warnings) > 0 {
		b = appendWarnings(b, v.Warnings)
	}
	return b
}

func appendWarnings(b []byte, ws []string) []byte {
	b = append(b, `,"warnings":[`...)
	for i, w := range ws {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, w)
	}
	return append(b, ']')
}

// appendCloudEvent writes the attributes under their CloudEvents names,
// extensions after them in wire order, and the content mode beside them.
func appendCloudEvent(b []byte, ce *decode.CloudEvent) []byte {
	b = append(b, `,"cloudevent":{`...)
	first := true
	attr := func(name, val string) {
		if val == "" {
			return
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, name)
		b = append(b, ':')
		b = appendString(b, val)
	}
	attr("specversion", ce.SpecVersion)
	attr("id", ce.ID)
	attr("source", ce.Source)
	attr("type", ce.Type)
	attr("subject", ce.Subject)
	attr("time", ce.Time)
	attr("dataschema", ce.DataSchema)
	attr("datacontenttype", ce.DataContentType)
	for _, x := range ce.Extensions {
		attr(x.Name, x.Value)
	}
	b = append(b, '}')
	if ce.Mode != "" {
		b = append(b, `,"cloudevent_mode":`...)
		b = appendString(b, ce.Mode)
	}
	return b
}
