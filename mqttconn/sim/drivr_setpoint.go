package sim

import (
	"strconv"

	"github.com/mqdeck/mqdeck/decode"
)

// DRIVR setpoints (platforms.md §1.3.9: a SETTING characteristic, cloud to
// device, acknowledged by the device). A request on
// input/setpoint/{s|c}/{uuid}/{enc} carries {characteristicCode,
// [serviceCode], value, [time]}, one item or a list. The simulated device
// applies a setting it has, reports it on {entity}/setpoints/{code}, and
// measures it at once on {entity}/datapoints/{code}: the next datapoint
// shows the value. The topic paths are the [U] ones the console routes; the
// error codes and messages are ours, in the style of the event inputs'.

const spReportMessage = "Some Setpoints couldn't be imported/updated."

// setting is a characteristic an operator may set on a kind of component,
// with its valid range.
type setting struct {
	lo, hi float64
	unit   string // of the datapoint that measures it
	apply  func(c *drivrComponent, v float64)
}

func settingOf(kind, code string) (setting, bool) {
	switch {
	case kind == kindHVAC && code == "target-temperature":
		return setting{5, 35, "°C", func(c *drivrComponent, v float64) { c.target = v }}, true
	case kind == kindLighting && code == "brightness":
		return setting{0, 100, "%", func(c *drivrComponent, v float64) { c.brightness = v }}, true
	}
	return setting{}, false
}

// applySetpoint validates one item and applies it. It returns the item's
// error and true when it was refused.
func (d *drivrSim) applySetpoint(s *Sim, it node, entity, id string) (node, bool) {
	if it.Kind != decode.KindObject {
		return fieldErrors([]field{fieldMsg("_schema", msgBadType)}), true
	}
	var bad []field
	code, value, hasValue := "", node{}, false
	for _, fl := range it.Fields {
		switch fl.Key {
		case "characteristicCode", "serviceCode":
			if fl.Value.Kind != decode.KindString {
				bad = append(bad, fieldMsg(fl.Key, "Not a valid string."))
			} else if fl.Key == "characteristicCode" {
				code = fl.Value.Str
			}
		case "value":
			value, hasValue = fl.Value, true
		case "time":
			if _, ok := parseTime(fl.Value); !ok {
				bad = append(bad, fieldMsg(fl.Key, "Not a valid datetime."))
			}
		default:
			bad = append(bad, fieldMsg(fl.Key, msgUnknownField))
		}
	}
	if code == "" && !hasField(it, "characteristicCode") {
		bad = append(bad, fieldMsg("characteristicCode", msgMissing))
	}
	if !hasValue {
		bad = append(bad, fieldMsg("value", msgMissing))
	}
	if len(bad) > 0 {
		return fieldErrors(bad), true
	}
	if entity == "s" {
		if d.sysByUUID[id] == nil {
			return itemError("system_does_not_exist", str("A system with the uuid "+id+" does not exist")), true
		}
		return itemError("characteristic_not_settable", str("The system has no setting "+code)), true
	}
	c := d.compByUUID[id]
	if c == nil {
		return itemError("component_does_not_exist", str("A component with the uuid "+id+" does not exist")), true
	}
	set, ok := settingOf(c.kind, code)
	if !ok {
		return itemError("characteristic_not_settable", str("The component "+c.code+" has no setting "+code)), true
	}
	v, ok := numberOf(value)
	if !ok {
		return fieldErrors([]field{fieldMsg("value", "Not a valid number.")}), true
	}
	if v < set.lo || v > set.hi {
		return fieldErrors([]field{fieldMsg("value", "Must be between "+fmtNum(set.lo)+" and "+fmtNum(set.hi)+".")}), true
	}
	set.apply(c, v)
	t := c.topic(d.slug)
	at := pyTime(s.now)
	s.publish(t+"/setpoints/"+code, toJSON(obj(kv("time", str(at)), kv("value", num(v)))), 0, false, nil)
	if c.sys.connected {
		s.publish(drivrDatapointTopic(t, code), toJSON(obj(kv("time", str(at)), kv("value", num(v)), kv("unit", str(set.unit)))), 0, false, nil)
	}
	return node{}, false
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
