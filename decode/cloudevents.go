package decode

import (
	"encoding/base64"
	"strings"
)

// CloudEvents 1.0 over MQTT, decoded by hand: the sdk-go binding is heavy
// and reads only the "ce-" prefix, while senders use plain names (as the
// MQTT binding says), "ce-" or "ce_".

// isEventObject: a JSON object with a string "specversion", as 3.1.1
// senders publish structured events without a content type.
func isEventObject(n Node) bool {
	if n.Kind != KindObject {
		return false
	}
	sv, ok := n.Get("specversion")
	return ok && sv.Kind == KindString
}

// ceName returns the attribute name a user property carries in binary
// mode: its key without a "ce-"/"ce_" prefix, lower-cased. Without a prefix
// the key must already be a valid attribute name (lower-case letters and
// digits), so ordinary properties such as device_id are not taken for
// attributes.
func ceName(key string) (string, bool) {
	if len(key) > 3 && (key[2] == '-' || key[2] == '_') && strings.EqualFold(key[:2], "ce") {
		name := strings.ToLower(key[3:])
		return name, isAttrName(name)
	}
	return key, isAttrName(key)
}

func isAttrName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// binaryEvent reads binary-mode attributes from user properties; it returns
// nil unless one of them is the specversion.
func binaryEvent(user []Property, maxStr int) *CloudEvent {
	found := false
	for _, u := range user {
		if name, ok := ceName(u.Key); ok && name == "specversion" {
			found = true
			break
		}
	}
	if !found {
		return nil
	}
	ev := &CloudEvent{Mode: "binary"}
	seen := make(map[string]bool, len(user))
	for _, u := range user {
		name, ok := ceName(u.Key)
		if !ok || seen[name] {
			continue // first occurrence wins
		}
		seen[name] = true
		val := u.Value
		if maxStr > 0 && len(val) > maxStr {
			val = cutString(val, maxStr)
		}
		ev.set(name, val)
	}
	return ev
}

// set stores one attribute: a context attribute or an extension.
func (ev *CloudEvent) set(name, val string) {
	switch name {
	case "specversion":
		ev.SpecVersion = val
	case "id":
		ev.ID = val
	case "source":
		ev.Source = val
	case "type":
		ev.Type = val
	case "subject":
		ev.Subject = val
	case "time":
		ev.Time = val
	case "dataschema":
		ev.DataSchema = val
	case "datacontenttype":
		ev.DataContentType = val
	default:
		ev.Extensions = append(ev.Extensions, Attribute{Name: name, Value: val})
	}
}

// Extension returns the value of an extension attribute (e.g. Drogue's
// "device" or "application").
func (ev *CloudEvent) Extension(name string) (string, bool) {
	if ev == nil {
		return "", false
	}
	for _, a := range ev.Extensions {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// check reports missing required attributes as warnings.
func (ev *CloudEvent) check(v *Value) {
	var missing []string
	for _, a := range [...]struct{ name, val string }{
		{"id", ev.ID}, {"source", ev.Source}, {"specversion", ev.SpecVersion}, {"type", ev.Type},
	} {
		if a.val == "" {
			missing = append(missing, a.name)
		}
	}
	if len(missing) > 0 {
		v.warn("cloudevent: missing required attribute(s): %s", strings.Join(missing, ", "))
	}
	if ev.SpecVersion != "" && ev.SpecVersion != "1.0" {
		v.warn("cloudevent: specversion %q, decoded as 1.0", ev.SpecVersion)
	}
}

// structured turns a JSON object in the CloudEvents JSON format into the
// event and its data.
func (d *Decoder) structured(n Node, v *Value) {
	ev := &CloudEvent{Mode: "structured"}
	var data, b64 *Node
	badNames := 0
	for i := range n.Fields {
		f := &n.Fields[i]
		switch f.Key {
		case "data":
			if data == nil {
				data = &f.Value
			}
		case "data_base64":
			if b64 == nil {
				b64 = &f.Value
			}
		default:
			if isAttrName(f.Key) {
				ev.set(f.Key, attrText(f.Value, d.lim.MaxString))
			} else {
				badNames++
				ev.Extensions = append(ev.Extensions, Attribute{Name: f.Key, Value: attrText(f.Value, d.lim.MaxString)})
			}
		}
	}
	if badNames > 0 {
		v.warn("cloudevent: %d attribute names are not lower-case letters and digits, kept as extensions", badNames)
	}
	v.Format, v.Event, v.Data = FormatCloudEvents, ev, Node{}
	switch {
	case data != nil && b64 != nil:
		v.warn("cloudevent: both data and data_base64 present, data shown")
		fallthrough
	case data != nil:
		v.Data = *data
		ev.DataFormat = FormatJSON
		if data.Kind == KindString && ev.DataContentType != "" {
			if h := mediaHint(ev.DataContentType); h != hintJSON && h != hintCloudEvent {
				ev.DataFormat = FormatText
			}
		}
	case b64 != nil:
		raw, err := base64.StdEncoding.DecodeString(b64.Str)
		if b64.Kind != KindString || err != nil {
			v.warn("cloudevent: data_base64 is not valid base64, shown as it is")
			v.Data, ev.DataFormat = *b64, FormatText
			break
		}
		v.Data, ev.DataFormat = d.body(string(raw), mediaHint(ev.DataContentType), "datacontenttype",
			ev.DataContentType, false, v)
	}
	ev.check(v)
}

// attrText renders an attribute value; non-string values (a number, or an
// object some sender put there) as compact text of bounded length.
func attrText(n Node, max int) string {
	if n.Kind != KindArray && n.Kind != KindObject {
		return n.Text()
	}
	var b strings.Builder
	writeCompact(&b, n, max)
	s := b.String()
	if len(s) > max {
		s = cutString(s, max)
	}
	return s
}
