package sim

import (
	"strconv"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// DRIVR's answers to operator requests on drivr/v1/{slug}/input/...
//
// From seed 001: a valid event input creates the event (and its state);
// an unknown field gives validation_error with {"<field>": ["Unknown
// field."]}; an unknown event model code gives event_model_does_not_exist
// with "An event model with the code X does not exist"; both inside the
// SOME_DATA_INVALID report on the input topic's /error twin. The other
// checks below (types, missing time, unknown entity, entity type) follow
// the same report shape with codes and messages of our own choosing,
// written in the style of the seed's (marshmallow-like field messages).

const (
	reportCode         = "SOME_DATA_INVALID"
	eventReportMessage = "Some Events couldn't be imported/updated."
	sysReportMessage   = "Some Systems couldn't be imported/updated."
	msgUnknownField    = "Unknown field."
	msgMissing         = "Missing data for required field."
	msgBadType         = "Invalid input type."
)

// input handles one publish under input/. Only event and system inputs
// with a json or msgpack last level are requests; the rest (our own /error
// replies among them) are ignored. It reports whether it was a request.
func (d *drivrSim) input(s *Sim, m mqttconn.Message) bool {
	rest := strings.TrimPrefix(m.Topic, drivrInputPrefix(d.slug))
	parts := strings.Split(rest, "/")
	enc := parts[len(parts)-1]
	if enc != "json" && enc != "msgpack" {
		return false
	}
	switch {
	case len(parts) == 4 && parts[0] == "event" && (parts[1] == "s" || parts[1] == "c"):
		id := strings.ToLower(parts[2])
		d.itemsInput(s, m, enc, eventReportMessage, func(it node) (node, bool) { return d.applyEvent(s, it, parts[1], id) })
	case len(parts) == 3 && parts[0] == "system":
		d.systemInput(s, m, parts[1], enc)
	case len(parts) == 4 && parts[0] == "setpoint" && (parts[1] == "s" || parts[1] == "c"):
		id := strings.ToLower(parts[2])
		d.itemsInput(s, m, enc, spReportMessage, func(it node) (node, bool) { return d.applySetpoint(s, it, parts[1], id) })
	default:
		return false
	}
	return true
}

// parseDoc decodes a request body in the encoding its topic names, through
// the guarded decoder (a hostile MsgPack must not take the simulator down).
func parseDoc(payload []byte, enc string) (node, bool) {
	v := decode.Decode(payload, decode.Hints{Encoding: enc}, decode.Limits{MaxPayload: 1 << 20, MaxDepth: 32, MaxString: 64 << 10})
	want := decode.FormatJSON
	if enc == "msgpack" {
		want = decode.FormatMsgPack
	}
	if v.Format != want || v.Truncated {
		return node{}, false
	}
	return v.Data, true
}

// items are the entries of a request: an array imports several.
func items(doc node) []node {
	if doc.Kind == decode.KindArray {
		return doc.Items
	}
	return []node{doc}
}

func itemError(code string, message node) node {
	return obj(kv("code", str(code)), kv("message", message))
}

func fieldErrors(fields []field) node {
	return itemError("validation_error", obj(fields...))
}

func fieldMsg(name, msg string) field { return kv(name, arr(str(msg))) }

// report publishes the error report when some items failed.
func (d *drivrSim) report(s *Sim, m mqttconn.Message, enc, message string, total int, errs []field) {
	if len(errs) == 0 {
		return
	}
	s.rejected.Add(1)
	rep := obj(
		kv("code", str(reportCode)),
		kv("message", str(message)),
		kv("stats", obj(
			kv("total", integer(int64(total))),
			kv("errors", integer(int64(len(errs)))),
			kv("imported", integer(int64(total-len(errs)))),
		)),
		kv("errors", obj(errs...)),
	)
	payload := toJSON(rep)
	if enc == "msgpack" {
		payload = toMsgPack(rep)
	}
	s.publish(platform.ErrorTopic(m.Topic), payload, 0, false, nil)
}

// eventFields is an event input item once validated.
type eventFields struct {
	code, modelUUID, uuid string
	hasCode, hasModel     bool
	time, end             *time.Time
	endNull               bool
	metadata              *node
}

// validateEvent checks the fields of one item as the platform's schema
// does: one validation_error listing every field that is wrong.
func validateEvent(it node) (eventFields, node, bool) {
	var f eventFields
	if it.Kind != decode.KindObject {
		return f, fieldErrors([]field{fieldMsg("_schema", msgBadType)}), false
	}
	var bad []field
	for _, fl := range it.Fields {
		v := fl.Value
		switch fl.Key {
		case "eventModelCode":
			if v.Kind != decode.KindString {
				bad = append(bad, fieldMsg(fl.Key, "Not a valid string."))
			} else {
				f.code, f.hasCode = v.Str, true
			}
		case "eventModelUuid":
			if v.Kind != decode.KindString || !isUUID(v.Str) {
				bad = append(bad, fieldMsg(fl.Key, "Not a valid UUID."))
			} else {
				f.modelUUID, f.hasModel = strings.ToLower(v.Str), true
			}
		case "uuid":
			if v.Kind != decode.KindString || !isUUID(v.Str) {
				bad = append(bad, fieldMsg(fl.Key, "Not a valid UUID."))
			} else {
				f.uuid = strings.ToLower(v.Str)
			}
		case "time", "endTime":
			if fl.Key == "endTime" && v.Kind == decode.KindNull {
				f.endNull = true
				continue
			}
			t, ok := parseTime(v)
			if !ok {
				bad = append(bad, fieldMsg(fl.Key, "Not a valid datetime."))
			} else if fl.Key == "time" {
				f.time = &t
			} else {
				f.end = &t
			}
		case "metadata":
			switch v.Kind {
			case decode.KindObject:
				f.metadata = &v
			case decode.KindNull:
			default:
				bad = append(bad, fieldMsg(fl.Key, "Not a valid mapping type."))
			}
		default:
			bad = append(bad, fieldMsg(fl.Key, msgUnknownField))
		}
	}
	if f.time == nil && !hasField(it, "time") {
		bad = append(bad, fieldMsg("time", msgMissing))
	}
	if len(bad) > 0 {
		return f, fieldErrors(bad), false
	}
	if !f.hasCode && !f.hasModel {
		return f, fieldErrors([]field{fieldMsg("_schema", "Either eventModelCode or eventModelUuid is required.")}), false
	}
	// Seed 001: "we can only pass either code or uuid".
	if f.hasCode && f.hasModel {
		return f, fieldErrors([]field{fieldMsg("_schema", "Pass either eventModelCode or eventModelUuid, not both.")}), false
	}
	if f.end != nil && f.end.Before(*f.time) {
		return f, fieldErrors([]field{fieldMsg("endTime", "The end time must not be before the time.")}), false
	}
	return f, node{}, true
}

func hasField(n node, key string) bool {
	_, ok := n.Get(key)
	return ok
}

// parseTime accepts RFC 3339 (with Z or an offset) and, like Python's
// fromisoformat, a time without offset, taken as UTC. MsgPack timestamps
// are times already.
func parseTime(v node) (time.Time, bool) {
	if v.Kind == decode.KindTime {
		return v.Time, true
	}
	if v.Kind != decode.KindString {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, v.Str); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// itemsInput answers an input whose body is one item or a list of them
// (events on a system "s" or component "c", setpoints): apply runs each
// item and returns its error and true when it refused it; one report
// (seed 001's shape, reportMessage) lists the refused items.
func (d *drivrSim) itemsInput(s *Sim, m mqttconn.Message, enc, reportMessage string, apply func(it node) (node, bool)) {
	doc, ok := parseDoc(m.Payload, enc)
	if !ok {
		d.report(s, m, enc, reportMessage, 1, []field{kv("0", arr(fieldErrors([]field{fieldMsg("_schema", msgBadType)})))})
		return
	}
	list := items(doc)
	var errs []field
	for i, it := range list {
		if e, bad := apply(it); bad {
			errs = append(errs, kv(itoa(i), arr(e)))
		}
	}
	d.report(s, m, enc, reportMessage, len(list), errs)
}

func itoa(i int) string { return strconv.Itoa(i) }

// applyEvent validates one item and creates or updates the event. It
// returns the item's error and true when it was refused.
func (d *drivrSim) applyEvent(s *Sim, it node, entity, id string) (node, bool) {
	f, e, ok := validateEvent(it)
	if !ok {
		return e, true
	}
	var model *eventModel
	if f.hasModel {
		if model = d.modelByUUID(f.modelUUID); model == nil {
			return itemError("event_model_does_not_exist", str("An event model with the uuid "+f.modelUUID+" does not exist")), true
		}
	} else if model = d.modelByCode(f.code); model == nil {
		return itemError("event_model_does_not_exist", str("An event model with the code "+f.code+" does not exist")), true
	}
	var sys *drivrSystem
	var comp *drivrComponent
	if entity == "s" {
		if sys = d.sysByUUID[id]; sys == nil {
			return itemError("system_does_not_exist", str("A system with the uuid "+id+" does not exist")), true
		}
		if model.entityType != "SYSTEM" {
			return itemError("event_model_entity_type_mismatch", str("The event model "+model.code+" is for "+model.entityType+" entities, not SYSTEM")), true
		}
	} else {
		if comp = d.compByUUID[id]; comp == nil {
			return itemError("component_does_not_exist", str("A component with the uuid "+id+" does not exist")), true
		}
		if model.entityType != "COMPONENT" {
			return itemError("event_model_entity_type_mismatch", str("The event model "+model.code+" is for "+model.entityType+" entities, not COMPONENT")), true
		}
		sys = comp.sys
	}
	if f.end != nil && model.eventType != "RANGED" {
		return fieldErrors([]field{fieldMsg("endTime", "Only RANGED events have an end time.")}), true
	}
	var end *string
	if f.end != nil {
		e := pyTime(*f.end)
		end = &e
	}
	if old, ok := d.events[f.uuid]; ok && f.uuid != "" {
		if old.sys != sys || old.comp != comp || old.model != model {
			return itemError("event_does_not_match", str("The event "+f.uuid+" belongs to another entity or event model")), true
		}
		old.time, old.updated = pyTime(*f.time), s.now
		if f.metadata != nil {
			old.metadata = *f.metadata
		}
		if end != nil {
			d.resolve(s, s.now, old, *end)
		} else {
			d.publishEvent(s, old, false)
		}
		return node{}, false
	}
	meta := obj()
	if f.metadata != nil {
		meta = *f.metadata
	}
	d.create(s, s.now, sys, comp, model, pyTime(*f.time), end, meta, f.uuid)
	return node{}, false
}

// systemInput applies a partial system update (§1.4: name, description,
// status, connectionState) and publishes the system again.
func (d *drivrSim) systemInput(s *Sim, m mqttconn.Message, id, enc string) {
	doc, ok := parseDoc(m.Payload, enc)
	if !ok || doc.Kind != decode.KindObject {
		d.report(s, m, enc, sysReportMessage, 1, []field{kv("0", arr(fieldErrors([]field{fieldMsg("_schema", msgBadType)})))})
		return
	}
	sys := d.sysByUUID[strings.ToLower(id)]
	if sys == nil {
		d.report(s, m, enc, sysReportMessage, 1, []field{kv("0", arr(itemError("system_does_not_exist", str("A system with the uuid "+id+" does not exist"))))})
		return
	}
	var bad []field
	name, desc, conn := sys.name, sys.description, sys.connected
	for _, fl := range doc.Fields {
		v := fl.Value
		switch fl.Key {
		case "name", "description":
			if v.Kind != decode.KindString {
				bad = append(bad, fieldMsg(fl.Key, "Not a valid string."))
			} else if fl.Key == "name" {
				name = v.Str
			} else {
				desc = v.Str
			}
		case "status":
			if v.Kind != decode.KindString || v.Str != "ACTIVATED" {
				bad = append(bad, fieldMsg(fl.Key, "Must be one of: ACTIVATED."))
			}
		case "connectionState":
			if v.Kind != decode.KindString || (v.Str != "CONNECTED" && v.Str != "DISCONNECTED") {
				bad = append(bad, fieldMsg(fl.Key, "Must be one of: CONNECTED, DISCONNECTED."))
			} else {
				conn = v.Str == "CONNECTED"
			}
		default:
			bad = append(bad, fieldMsg(fl.Key, msgUnknownField))
		}
	}
	if len(bad) > 0 {
		d.report(s, m, enc, sysReportMessage, 1, []field{kv("0", arr(fieldErrors(bad)))})
		return
	}
	sys.name, sys.description, sys.updated = name, desc, s.now
	if conn != sys.connected {
		sys.connected, sys.connSince = conn, s.now
	}
	d.publishSystem(s, sys)
}
