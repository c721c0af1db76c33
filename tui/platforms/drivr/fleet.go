package drivr

import (
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms/payload"
)

// Events are DRIVR's: an operator acknowledges them.
var source = fleet.EventSource{Name: "drivr", Acks: true}

// Apply folds one DRIVR message into the fleet store (platforms.md §1).
func Apply(w *fleet.Writer) {
	it := w.Item()
	r := &it.Route
	d := it.Value.Data
	switch r.Kind {
	case platform.KindSystem:
		ref := fleet.RefOf(r)
		if cleared(it) {
			// The retained info was cleared: the platform deleted it.
			w.RemoveSystem(ref)
			return
		}
		systemInfo(w, w.System(ref, true), d)
	case platform.KindSystemState:
		sys := w.System(fleet.RefOf(r), true)
		if t := payload.Text(it); t != "" {
			if t != sys.Lifecycle {
				w.NoteSystem(sys, "lifecycle "+t)
			}
			sys.Lifecycle = t
		}
	case platform.KindConnectionState:
		sys := w.System(fleet.RefOf(r), true)
		c, ok := connOf(it)
		if !ok {
			return
		}
		since := connSince(w, d)
		if r.Component != "" {
			comp := w.Component(sys, r.Component, true)
			comp.Conn, comp.ConnSince = c, since
			return
		}
		w.Presence(sys, c, since, "connection topic", true)
	case platform.KindComponent:
		ref := fleet.RefOf(r)
		if cleared(it) {
			w.RemoveComponent(ref)
			return
		}
		sys := w.System(ref, true)
		componentInfo(w, w.Component(sys, r.Component, true), d)
	case platform.KindComponentState:
		sys := w.System(fleet.RefOf(r), true)
		comp := w.Component(sys, r.Component, true)
		if t := payload.Text(it); t != "" {
			comp.Lifecycle = t
		}
	case platform.KindEventModel:
		if r.Model == "" || d.Kind != decode.KindObject {
			return
		}
		eventModel(w, r.Fleet, r.Model, d)
	case platform.KindEvent:
		fullEvent(w)
	case platform.KindEventState:
		e := eventOf(w)
		if e == nil {
			return
		}
		t := payload.Text(it)
		w.UpdateEvent(e, func(ed *fleet.EventEdit) {
			ed.State(t)
			ed.Updated(time.Time{})
			ed.Note("state " + t)
		})
	case platform.KindEventAck:
		e := eventOf(w)
		if e == nil {
			return
		}
		t := payload.Time(d, "time")
		if t.IsZero() {
			t = w.At()
		}
		user := payload.Str(d, "userUuid")
		w.UpdateEvent(e, func(ed *fleet.EventEdit) {
			ed.Acknowledge(user, t)
			ed.Updated(time.Time{})
			what := "acknowledged"
			if user != "" {
				what += " by " + user
			}
			ed.NoteAt(t, what)
		})
	case platform.KindDatapoint, platform.KindSetpoint:
		kind := fleet.SeriesDatapoint
		if r.Kind == platform.KindSetpoint {
			kind = fleet.SeriesSetpoint
		}
		sys := w.System(fleet.RefOf(r), true)
		if r.Component != "" {
			w.Component(sys, r.Component, true)
		}
		valueSeries(w, fleet.RefOf(r), kind, r.Name, d)
	case platform.KindSetpointAck:
		sys := w.System(fleet.RefOf(r), true)
		if r.Component != "" {
			w.Component(sys, r.Component, true)
		}
	case platform.KindError:
		ref := fleet.RefOf(r)
		if ref.System == "" && ref.Component != "" {
			// Input topics name components by uuid.
			if c := w.ComponentByUUID(ref.Component); c != nil {
				ref = c.Ref
			}
		}
		w.Error(errorReport(it, ref))
	}
}

// cleared reports a payload that clears a retained topic. A broker
// forwards the clearing message to live subscribers with the retain flag
// off (MQTT 3.3.1.3), and never to new ones, so the flag cannot be
// required.
func cleared(it *fleet.Item) bool { return len(it.Msg.Payload) == 0 }

// connOf reads a connection state from text (CONNECTED, DISCONNECTED,
// online, offline) or an object with connectionState, state, status or
// connected.
func connOf(it *fleet.Item) (fleet.ConnState, bool) {
	d := it.Value.Data
	if d.Kind == decode.KindObject {
		if b, ok := payload.Bool(d, "connected"); ok {
			if b {
				return fleet.ConnOnline, true
			}
			return fleet.ConnOffline, true
		}
		for _, k := range []string{"connectionState", "state", "status"} {
			if t := payload.Str(d, k); t != "" {
				return parseConn(t)
			}
		}
		return fleet.ConnUnknown, false
	}
	return parseConn(payload.Text(it))
}

func parseConn(t string) (fleet.ConnState, bool) {
	switch strings.ToUpper(strings.TrimSpace(t)) {
	case "CONNECTED", "ONLINE", "TRUE", "UP", "1":
		return fleet.ConnOnline, true
	case "DISCONNECTED", "OFFLINE", "FALSE", "DOWN", "0", "LOST":
		return fleet.ConnOffline, true
	case "":
		return fleet.ConnUnknown, false
	}
	return fleet.ConnUnknown, true
}

// connSince is when the connection state last changed: the platform's
// connectionStateUpdatedAt, else the message's time.
func connSince(w *fleet.Writer, d decode.Node) time.Time {
	if t := payload.Time(d, "connectionStateUpdatedAt"); !t.IsZero() {
		return t
	}
	return w.At()
}

// systemInfo applies a DRIVR System payload (platforms.md §1.3.5).
func systemInfo(w *fleet.Writer, sys *fleet.System, d decode.Node) {
	if d.Kind != decode.KindObject {
		return
	}
	sys.Info = d
	w.Rename(sys, payload.Str(d, "name"), payload.Str(d, "code"))
	payload.SetStr(&sys.Description, d, "description")
	payload.SetStr(&sys.Lifecycle, d, "status")
	if cs := payload.Str(d, "connectionState"); cs != "" {
		if c, ok := parseConn(cs); ok {
			w.Presence(sys, c, connSince(w, d), "connectionState", true)
		}
	}
}

// componentInfo applies a Component payload ([U] shape, by analogy with
// System: uuid, code, name, componentModelUuid, connectionState).
func componentInfo(w *fleet.Writer, c *fleet.Component, d decode.Node) {
	if d.Kind != decode.KindObject {
		return
	}
	c.Info = d
	w.ComponentUUID(c, payload.Str(d, "uuid"))
	payload.SetStr(&c.Name, d, "name")
	payload.SetStr(&c.Model, d, "componentModelUuid")
	payload.SetStr(&c.Lifecycle, d, "status")
	if cs := payload.Str(d, "connectionState"); cs != "" {
		if st, ok := parseConn(cs); ok && st != c.Conn {
			c.Conn, c.ConnSince = st, connSince(w, d)
		}
	}
}

func eventModel(w *fleet.Writer, fleetSlug, uuid string, d decode.Node) *fleet.EventModel {
	m := w.EventModel(fleetSlug, uuid)
	payload.SetStr(&m.Code, d, "code")
	payload.SetStr(&m.Level, d, "eventLevel")
	payload.SetStr(&m.Type, d, "eventType")
	payload.SetStr(&m.EntityType, d, "entityType")
	payload.SetStr(&m.Message, d, "message")
	return m
}

// eventOf finds or creates the event a state or ack topic names, with its
// system (and component), so an event seen only through /state shows.
func eventOf(w *fleet.Writer) *fleet.Event {
	r := &w.Item().Route
	if r.Event == "" || r.System == "" {
		return nil
	}
	sys := w.System(fleet.RefOf(r), true)
	ref := sys.Ref // the store's copies, not slices of this topic
	if r.Component != "" {
		ref.Component = w.Component(sys, r.Component, true).Ref.Component
	}
	return w.Event(sys, ref, r.Event, source)
}

// fullEvent applies a full event payload (seed 001).
func fullEvent(w *fleet.Writer) {
	it := w.Item()
	d := it.Value.Data
	e := eventOf(w)
	if e == nil || d.Kind != decode.KindObject {
		return
	}
	m, _ := d.Get("eventModel")
	var model *fleet.EventModel
	if uuid := payload.Str(m, "uuid"); uuid != "" && m.Kind == decode.KindObject {
		model = eventModel(w, it.Route.Fleet, uuid, m)
	} else if uuid := payload.Str(d, "eventModelUuid"); uuid != "" {
		model = w.FindEventModel(uuid)
	}
	entity := payload.Str(d, "entityUuid")
	component := ""
	if c := w.FindComponent(e.Ref); c != nil && e.Ref.Component != "" {
		w.ComponentUUID(c, entity)
	} else if c := w.ComponentByUUID(entity); c != nil && e.Ref.Component == "" && c.Ref.SystemRef() == e.Ref {
		// A component's event on its system's topic: file it under the
		// component the entity uuid names.
		component = c.Ref.Component
	}
	w.UpdateEvent(e, func(ed *fleet.EventEdit) {
		e := ed.Event()
		if component != "" {
			ed.OfComponent(component)
		}
		fresh := e.Type == "" && e.ModelCode == ""
		text := fleet.EventText{Entity: entity}
		if model != nil {
			text.ModelUUID, text.ModelCode, text.Message, text.Type = model.UUID, model.Code, model.Message, model.Type
			if model.Level != "" {
				ed.Level(model.Level)
			}
		}
		ed.Describe(text)
		ed.Began(payload.Time(d, "time"))
		if ed.Ended(payload.Time(d, "endTime")) {
			ed.NoteAt(e.EndTime(), "ended")
		}
		if st := payload.Str(d, "status"); st != "" {
			ed.State(st)
		}
		if b, ok := payload.Bool(d, "acknowledged"); ok {
			if b && !e.Acked {
				ed.Note("acknowledged")
			}
			ed.SetAcked(b)
		}
		if md, ok := d.Get("metadata"); ok {
			ed.Metadata(md)
		}
		ed.Created(payload.Time(d, "createdAt"))
		ed.Updated(payload.Time(d, "updatedAt"))
		if fresh {
			ed.Note(strings.TrimSpace("created " + e.LevelText + " " + e.ModelCode))
		} else if e.State != fleet.StateNone {
			ed.Note("state " + e.StateText)
		}
	})
}

// valueSeries records a datapoint or setpoint payload: an object with a
// value (and maybe unit and time) is one series named name; other objects
// are flattened into name.key series; a scalar is the value itself.
func valueSeries(w *fleet.Writer, ref fleet.Ref, kind fleet.SeriesKind, name string, d decode.Node) {
	if d.Kind == decode.KindObject {
		if v, ok := d.Get("value"); ok {
			if name == "" {
				name = firstNonEmpty(payload.Str(d, "name"), payload.Str(d, "characteristic_code"), payload.Str(d, "code"), "value")
			}
			w.Series(ref, kind, name, v, payload.Str(d, "unit"), payload.Time(d, "time"))
			return
		}
		prefix := ""
		if name != "" {
			prefix = name + "."
		}
		w.Fields(ref, kind, prefix, d, payload.Time(d, "time"))
		return
	}
	if name == "" {
		name = "value"
	}
	w.Series(ref, kind, name, d, "", time.Time{})
}

func firstNonEmpty(v ...string) string {
	for _, x := range v {
		if x != "" {
			return x
		}
	}
	return ""
}
