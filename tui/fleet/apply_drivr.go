package fleet

import (
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// refOf is the entity a route names.
func refOf(r *platform.Route) Ref {
	return Ref{Platform: r.Platform, Fleet: r.Fleet, System: r.System, Component: r.Component}
}

// empty reports a payload that clears a retained topic. A broker forwards
// the clearing message to live subscribers with the retain flag off (MQTT
// 3.3.1.3), and never to new ones, so the flag cannot be required.
func empty(it *Item) bool { return len(it.Msg.Payload) == 0 }

func (s *Store) applyDRIVR(it *Item, at time.Time) {
	r := &it.Route
	d := it.Value.Data
	switch r.Kind {
	case platform.KindSystem:
		ref := refOf(r)
		if empty(it) {
			// The retained info was cleared: the platform deleted it.
			if sys := s.System(ref); sys != nil {
				s.dropSystem(sys, true)
			}
			return
		}
		sys := s.system(ref, at, true)
		s.drivrSystemInfo(sys, d, at)
	case platform.KindSystemState:
		sys := s.system(refOf(r), at, true)
		if t := payloadText(it); t != "" {
			if t != sys.Lifecycle {
				sys.history.Push(Change{Time: at, What: "lifecycle " + t})
			}
			sys.Lifecycle = t
		}
	case platform.KindConnectionState:
		sys := s.system(refOf(r), at, true)
		c, ok := connOf(it)
		if !ok {
			return
		}
		since := timeAt(d, "connectionStateUpdatedAt")
		if since.IsZero() {
			since = at
		}
		if r.Component != "" {
			comp := s.component(sys, r.Component, at, true)
			comp.Conn, comp.ConnSince = c, since
			return
		}
		s.setConn(sys, c, since, "connection topic", true)
	case platform.KindComponent:
		ref := refOf(r)
		if empty(it) {
			if c := s.Component(ref); c != nil {
				s.dropComponent(c)
				s.removed.Components++
			}
			return
		}
		sys := s.system(ref, at, true)
		comp := s.component(sys, r.Component, at, true)
		s.drivrComponentInfo(comp, d, at)
	case platform.KindComponentState:
		sys := s.system(refOf(r), at, true)
		comp := s.component(sys, r.Component, at, true)
		if t := payloadText(it); t != "" {
			comp.Lifecycle = t
		}
	case platform.KindEventModel:
		if r.Model == "" || d.Kind != decode.KindObject {
			return
		}
		s.drivrModel(r.Fleet, r.Model, d, at)
	case platform.KindEvent:
		s.drivrEvent(it, at)
	case platform.KindEventState:
		e := s.drivrEventOf(it, at)
		if e == nil {
			return
		}
		t := s.strs.get(payloadText(it))
		s.updateEvent(e, at, func(e *Event) {
			e.StateText = t
			e.State = parseEventState(t)
			e.updated = stampOf(at)
			e.note(&s.strs, at, "state "+t)
		})
	case platform.KindEventAck:
		e := s.drivrEventOf(it, at)
		if e == nil {
			return
		}
		t := timeAt(d, "time")
		if t.IsZero() {
			t = at
		}
		user := s.strs.get(str(d, "userUuid"))
		s.updateEvent(e, at, func(e *Event) {
			e.Acked, e.ackTime, e.AckUser = true, stampOf(t), user
			e.updated = stampOf(at)
			what := "acknowledged"
			if user != "" {
				what += " by " + user
			}
			e.note(&s.strs, t, what)
		})
	case platform.KindDatapoint, platform.KindSetpoint:
		kind := SeriesDatapoint
		if r.Kind == platform.KindSetpoint {
			kind = SeriesSetpoint
		}
		sys := s.system(refOf(r), at, true)
		if r.Component != "" {
			s.component(sys, r.Component, at, true)
		}
		s.valueSeries(refOf(r), kind, r.Name, d, at)
	case platform.KindSetpointAck:
		sys := s.system(refOf(r), at, true)
		if r.Component != "" {
			s.component(sys, r.Component, at, true)
		}
	case platform.KindError:
		ref := refOf(r)
		if ref.System == "" && ref.Component != "" {
			// Input topics name components by uuid.
			if c := s.ComponentByUUID(ref.Component); c != nil {
				ref = c.Ref
			}
		}
		s.platformError(it, ref, at)
	}
}

// connOf reads a connection state from text (CONNECTED, DISCONNECTED,
// online, offline) or an object with connectionState, state, status or
// connected.
func connOf(it *Item) (ConnState, bool) {
	d := it.Value.Data
	if d.Kind == decode.KindObject {
		if b, ok := boolAt(d, "connected"); ok {
			if b {
				return ConnOnline, true
			}
			return ConnOffline, true
		}
		for _, k := range []string{"connectionState", "state", "status"} {
			if t := str(d, k); t != "" {
				return parseConn(t)
			}
		}
		return ConnUnknown, false
	}
	return parseConn(payloadText(it))
}

func parseConn(t string) (ConnState, bool) {
	switch strings.ToUpper(strings.TrimSpace(t)) {
	case "CONNECTED", "ONLINE", "TRUE", "UP", "1":
		return ConnOnline, true
	case "DISCONNECTED", "OFFLINE", "FALSE", "DOWN", "0", "LOST":
		return ConnOffline, true
	case "":
		return ConnUnknown, false
	}
	return ConnUnknown, true
}

func (s *Store) setSystemNames(sys *System, name, code string) {
	changed := false
	if name != "" && name != sys.Name {
		sys.Name, changed = name, true
	}
	if code != "" && code != sys.Code {
		sys.Code, changed = code, true
	}
	if changed {
		s.sysOrder++ // text filters match code and name
		s.reindexSystem(sys)
	}
}

// drivrSystemInfo applies a DRIVR System payload (platforms.md §1.3.5).
func (s *Store) drivrSystemInfo(sys *System, d decode.Node, at time.Time) {
	if d.Kind != decode.KindObject {
		return
	}
	sys.Info = d
	s.setSystemNames(sys, str(d, "name"), str(d, "code"))
	if v := str(d, "description"); v != "" {
		sys.Description = v
	}
	if v := str(d, "status"); v != "" {
		sys.Lifecycle = v
	}
	if cs := str(d, "connectionState"); cs != "" {
		if c, ok := parseConn(cs); ok {
			since := timeAt(d, "connectionStateUpdatedAt")
			if since.IsZero() {
				since = at
			}
			s.setConn(sys, c, since, "connectionState", true)
		}
	}
}

// drivrComponentInfo applies a Component payload ([U] shape, by analogy
// with System: uuid, code, name, componentModelUuid, connectionState).
func (s *Store) drivrComponentInfo(c *Component, d decode.Node, at time.Time) {
	if d.Kind != decode.KindObject {
		return
	}
	c.Info = d
	s.setComponentUUID(c, str(d, "uuid"))
	if v := str(d, "name"); v != "" {
		c.Name = v
	}
	if v := str(d, "componentModelUuid"); v != "" {
		c.Model = v
	}
	if v := str(d, "status"); v != "" {
		c.Lifecycle = v
	}
	if cs := str(d, "connectionState"); cs != "" {
		if st, ok := parseConn(cs); ok && st != c.Conn {
			c.Conn = st
			c.ConnSince = timeAt(d, "connectionStateUpdatedAt")
			if c.ConnSince.IsZero() {
				c.ConnSince = at
			}
		}
	}
}

func (s *Store) drivrModel(fleet, uuid string, d decode.Node, at time.Time) *EventModel {
	m := s.model(fleet, uuid, at)
	if v := str(d, "code"); v != "" {
		m.Code = v
	}
	if v := str(d, "eventLevel"); v != "" {
		m.Level = v
	}
	if v := str(d, "eventType"); v != "" {
		m.Type = v
	}
	if v := str(d, "entityType"); v != "" {
		m.EntityType = v
	}
	if v := str(d, "message"); v != "" {
		m.Message = v
	}
	return m
}

// drivrEventOf finds or creates the event a state or ack topic names, with
// its system (and component), so an event seen only through /state shows.
func (s *Store) drivrEventOf(it *Item, at time.Time) *Event {
	r := &it.Route
	if r.Event == "" || r.System == "" {
		return nil
	}
	sys := s.system(refOf(r), at, true)
	ref := sys.Ref // the store's copies, not slices of this topic
	if r.Component != "" {
		ref.Component = s.component(sys, r.Component, at, true).Ref.Component
	}
	return s.event(sys, ref, r.Event, sourceDRIVR, at)
}

// drivrEvent applies a full event payload (seed 001).
func (s *Store) drivrEvent(it *Item, at time.Time) {
	d := it.Value.Data
	e := s.drivrEventOf(it, at)
	if e == nil || d.Kind != decode.KindObject {
		return
	}
	m, _ := d.Get("eventModel")
	var model *EventModel
	if uuid := str(m, "uuid"); uuid != "" && m.Kind == decode.KindObject {
		model = s.drivrModel(it.Route.Fleet, uuid, m, at)
	} else if uuid := str(d, "eventModelUuid"); uuid != "" {
		model = s.models[uuid]
	}
	entity := str(d, "entityUuid")
	if c := s.Component(e.Ref); c != nil && e.Ref.Component != "" {
		s.setComponentUUID(c, entity)
	} else if c := s.ComponentByUUID(entity); c != nil && e.Ref.Component == "" && c.Ref.SystemRef() == e.Ref {
		// A component's event on its system's topic: file it under the
		// component the entity uuid names.
		e.Ref.Component = c.Ref.Component
	}
	s.updateEvent(e, at, func(e *Event) {
		fresh := e.Type == "" && e.ModelCode == ""
		e.Entity = s.strs.get(orKeep(str(d, "entityUuid"), e.Entity))
		if model != nil {
			e.ModelUUID = s.strs.get(model.UUID)
			e.ModelCode = s.strs.get(orKeep(model.Code, e.ModelCode))
			e.Message = s.strs.get(orKeep(model.Message, e.Message))
			e.LevelText = s.strs.get(orKeep(model.Level, e.LevelText))
			e.Type = s.strs.get(orKeep(model.Type, e.Type))
		}
		e.Level = parseLevel(e.LevelText)
		if t := timeAt(d, "time"); !t.IsZero() {
			e.time = stampOf(t)
		}
		end := stampOf(timeAt(d, "endTime"))
		if !end.isZero() && end != e.endTime {
			e.note(&s.strs, end.time(), "ended")
		}
		e.endTime = end
		if st := str(d, "status"); st != "" {
			e.StateText = s.strs.get(st)
			e.State = parseEventState(st)
		}
		if b, ok := boolAt(d, "acknowledged"); ok {
			if b && !e.Acked {
				e.note(&s.strs, at, "acknowledged")
			}
			if !b {
				e.ackTime, e.AckUser = stampZero, ""
			}
			e.Acked = b
		}
		if md, ok := d.Get("metadata"); ok {
			e.setMetadata(md)
		}
		e.created = orKeepStamp(timeAt(d, "createdAt"), e.created)
		e.updated = orKeepStamp(timeAt(d, "updatedAt"), stampOf(at))
		if fresh {
			e.note(&s.strs, at, strings.TrimSpace("created "+e.LevelText+" "+e.ModelCode))
		} else if e.State != StateNone {
			e.note(&s.strs, at, "state "+e.StateText)
		}
	})
}

func orKeep(v, old string) string {
	if v != "" {
		return v
	}
	return old
}

// valueSeries records a datapoint or setpoint payload: an object with a
// value (and maybe unit and time) is one series named name; other objects
// are flattened into name.key series; a scalar is the value itself.
func (s *Store) valueSeries(ref Ref, kind SeriesKind, name string, d decode.Node, at time.Time) {
	if d.Kind == decode.KindObject {
		if v, ok := d.Get("value"); ok {
			if name == "" {
				name = firstNonEmpty(str(d, "name"), str(d, "characteristic_code"), str(d, "code"), "value")
			}
			s.setSeries(ref, kind, name, v, str(d, "unit"), timeAt(d, "time"), at)
			return
		}
		prefix := ""
		if name != "" {
			prefix = name + "."
		}
		s.flattenScalars(ref, kind, prefix, d, timeAt(d, "time"), at, maxFieldsPerMessage)
		return
	}
	if name == "" {
		name = "value"
	}
	s.setSeries(ref, kind, name, d, "", time.Time{}, at)
}

// maxFieldsPerMessage bounds the series one message may touch.
const maxFieldsPerMessage = 256

func firstNonEmpty(v ...string) string {
	for _, x := range v {
		if x != "" {
			return x
		}
	}
	return ""
}
