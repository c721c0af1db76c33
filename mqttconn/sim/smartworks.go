package sim

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
)

// SmartWorks things (platforms.md §4, grammar variant A): properties on
// status/{account}/things/{thing}/properties/{p} as {"p": value} (retained:
// they are current values), events on .../events/{e} as {"e": {"data",
// "timestamp"}}. A set/... property request is applied and reflected on
// status; an action request appears on status/.../actions/{a} as pending
// and later completed (or failed for an action the thing does not have),
// per §4.3; a set/.../events/{e} is reflected with a timestamp.

type swThing struct {
	id, title                string
	temp, humidity, setpoint float64
	power                    bool
	extra                    []field // properties set by operators beyond the built-in ones
}

type swSim struct {
	account string
	things  []*swThing
	byID    map[string]*swThing
}

// swActions are the actions a simulated thing has.
var swActions = [...]string{"reboot", "calibrate", "identify"}

func newSW(cfg Config, r *rand.Rand) *swSim {
	w := &swSim{account: cfg.Account, byID: map[string]*swThing{}}
	titles := []string{"Cold Room", "Server Rack", "Greenhouse", "Warehouse Bay"}
	for i := 0; i < max(3, cfg.Systems/4); i++ {
		t := &swThing{
			id:       newULID(fleetEpoch.Add(time.Duration(i)*time.Minute), r),
			title:    titles[i%len(titles)] + " " + padNum(i/len(titles)+1, 1),
			temp:     18 + r.Float64()*6,
			humidity: 40 + r.Float64()*20,
			setpoint: 21,
			power:    true,
		}
		w.things = append(w.things, t)
		w.byID[t.id] = t
	}
	return w
}

func (w *swSim) start(s *Sim) {
	for _, t := range w.things {
		t := t
		w.property(s, t, "title", str(t.title))
		w.property(s, t, "setpoint", num(t.setpoint))
		w.property(s, t, "power", boolean(t.power))
		s.every(s.between(0, 5*time.Second), 5*time.Second, func(time.Time) {
			if t.power {
				t.temp += (t.setpoint-t.temp)*0.1 + s.rng.NormFloat64()*0.2
			} else {
				t.temp += s.rng.NormFloat64() * 0.2
			}
			w.property(s, t, "temperature", num(round(t.temp, 2)))
		})
		s.every(s.between(0, 10*time.Second), 10*time.Second, func(time.Time) {
			t.humidity = math.Min(95, math.Max(5, t.humidity+s.rng.NormFloat64()))
			w.property(s, t, "humidity", num(round(t.humidity, 1)))
		})
		var overheat func(time.Time)
		overheat = func(at time.Time) {
			w.event(s, at, t, "overheat", obj(kv("temperature", num(round(t.setpoint+4+s.rng.Float64()*3, 1)))))
			s.after(s.expo(10*time.Minute), overheat)
		}
		s.after(s.expo(10*time.Minute), overheat)
	}
}

func (w *swSim) property(s *Sim, t *swThing, name string, v node) {
	s.publish(swStatus(w.account, t.id, "properties", name), toJSON(obj(kv(name, v))), 0, true, nil)
}

func (w *swSim) event(s *Sim, at time.Time, t *swThing, name string, data node) {
	s.publish(swStatus(w.account, t.id, "events", name),
		toJSON(obj(kv(name, obj(kv("data", data), kv("timestamp", str(isoMillis(at))))))), 0, false, nil)
}

// set handles set/{account}/things/{thing}/{kind}[/{name}].
func (w *swSim) set(s *Sim, m mqttconn.Message) bool {
	parts := strings.Split(m.Topic, "/")
	if len(parts) < 5 || len(parts) > 6 || parts[2] != "things" {
		return false
	}
	t := w.byID[parts[3]]
	if t == nil {
		s.rejected.Add(1)
		return true
	}
	name := ""
	if len(parts) == 6 {
		name = parts[5]
	}
	doc, err := decode.ParseJSON(string(m.Payload))
	if err != nil {
		s.rejected.Add(1)
		return true
	}
	switch parts[4] {
	case "properties":
		w.setProperties(s, t, name, doc)
	case "actions":
		w.action(s, t, name, doc)
	case "events":
		if name == "" {
			s.rejected.Add(1)
			return true
		}
		data := doc
		if inner, ok := doc.Get(name); ok {
			data = inner
			if d, ok := inner.Get("data"); ok {
				data = d
			}
		}
		w.event(s, s.now, t, name, data)
	default:
		s.rejected.Add(1)
	}
	return true
}

// setProperties takes {"p": v} on .../properties/{p} (or a bare value),
// or {"p1": v1, "p2": v2} on .../properties.
func (w *swSim) setProperties(s *Sim, t *swThing, name string, doc node) {
	var fields []field
	switch {
	case name != "":
		v := doc
		if inner, ok := doc.Get(name); ok && doc.Kind == decode.KindObject && len(doc.Fields) == 1 {
			v = inner
		}
		fields = []field{kv(name, v)}
	case doc.Kind == decode.KindObject:
		fields = doc.Fields
	default:
		s.rejected.Add(1)
		return
	}
	for _, f := range fields {
		switch f.Key {
		case "setpoint":
			if v, ok := numberOf(f.Value); ok && v >= 0 && v <= 40 {
				t.setpoint = v
			} else {
				s.rejected.Add(1)
				continue
			}
		case "power":
			if f.Value.Kind != decode.KindBool {
				s.rejected.Add(1)
				continue
			}
			t.power = f.Value.Bool
		case "temperature", "humidity":
			s.rejected.Add(1) // measured, not settable
			continue
		default:
			setField(&t.extra, f)
		}
		w.property(s, t, f.Key, f.Value)
	}
}

// action reports a requested action as pending, then completed.
func (w *swSim) action(s *Sim, t *swThing, name string, doc node) {
	if name == "" {
		s.rejected.Add(1)
		return
	}
	input := obj()
	if inner, ok := doc.Get(name); ok {
		if in, ok := inner.Get("input"); ok {
			input = in
		}
	}
	actionID := newULID(s.now, s.rng)
	requested := isoMillis(s.now)
	status := func(st string, done string) []byte {
		fields := []field{
			kv("input", input),
			kv("href", str("/things/"+t.id+"/actions/"+name+"/"+actionID)),
			kv("timeRequested", str(requested)),
		}
		if done != "" {
			fields = append(fields, kv("timeCompleted", str(done)))
		}
		fields = append(fields, kv("status", str(st)))
		return toJSON(obj(kv(name, obj(fields...))))
	}
	topic := swStatus(w.account, t.id, "actions", name)
	s.publish(topic, status("pending", ""), 1, false, nil)
	known := false
	for _, a := range swActions {
		known = known || a == name
	}
	s.after(s.between(1500*time.Millisecond, 3*time.Second), func(at time.Time) {
		if !known {
			s.rejected.Add(1)
			s.publish(topic, status("failed", isoMillis(at)), 1, false, nil)
			return
		}
		if name == "calibrate" {
			t.temp = t.setpoint
		}
		s.publish(topic, status("completed", isoMillis(at)), 1, false, nil)
	})
}
