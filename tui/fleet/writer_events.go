package fleet

import (
	"time"

	"github.com/mqdeck/mqdeck/decode"
)

// EventSource says where a platform's events come from ("drivr",
// "incident", "thing event": shown as Event.Source) and whether an
// operator acknowledges them (Event.CanAck).
type EventSource struct {
	Name string
	Acks bool
}

// Event finds or creates event id of sys; ref names the system, or the
// component the event is about.
func (w *Writer) Event(sys *System, ref Ref, id string, src EventSource) *Event {
	return w.s.event(sys, ref, id, src, w.at)
}

// UpdateEvent changes an event through fn, keeping the counters, indexes
// and eviction order in step: every change of an event goes through here.
func (w *Writer) UpdateEvent(e *Event, fn func(ed *EventEdit)) {
	w.s.updateEvent(e, w.at, func(e *Event) {
		w.ed = EventEdit{e: e, s: w.s, at: w.at}
		fn(&w.ed)
		w.ed = EventEdit{}
	})
}

// EventEdit is one event being changed inside Writer.UpdateEvent. Text is
// shared through the store's string table, so events keep neither the
// payload they were read from nor a copy of each repeated text.
type EventEdit struct {
	e  *Event
	s  *Store
	at time.Time
}

// Event is the event as it is so far.
func (ed *EventEdit) Event() *Event { return ed.e }

// EventText is what a message says an event is; an empty field keeps
// what the event had.
type EventText struct {
	Entity    string // the entity uuid the platform names
	ModelUUID string
	ModelCode string // DRIVR event model code; incident issue; thing event name
	Message   string
	Type      string // RANGED, SINGLE_POINT
}

// Describe records what the event is.
func (ed *EventEdit) Describe(t EventText) {
	e, st := ed.e, &ed.s.strs
	set := func(dst *string, v string) {
		if v != "" {
			*dst = st.get(v)
		}
	}
	set(&e.Entity, t.Entity)
	set(&e.ModelUUID, t.ModelUUID)
	set(&e.ModelCode, t.ModelCode)
	set(&e.Message, t.Message)
	set(&e.Type, t.Type)
}

// Level sets the severity as sent (ERROR, critical, ...); Level follows.
func (ed *EventEdit) Level(text string) {
	ed.e.LevelText = ed.s.strs.get(text)
	ed.e.Level = parseLevel(text)
}

// State sets the state as sent (ACTIVE, closed, ...); State follows.
func (ed *EventEdit) State(text string) {
	ed.e.StateText = ed.s.strs.get(text)
	ed.e.State = parseEventState(text)
}

// Began sets the event's time (its start); zero keeps it.
func (ed *EventEdit) Began(t time.Time) {
	if !t.IsZero() {
		ed.e.time = stampOf(t)
	}
}

// Ended sets when a ranged event ended (zero: it has not) and reports
// whether that is a new end.
func (ed *EventEdit) Ended(t time.Time) bool {
	end := stampOf(t)
	fresh := !end.isZero() && end != ed.e.endTime
	ed.e.endTime = end
	return fresh
}

// Created sets the platform's creation time; zero keeps it.
func (ed *EventEdit) Created(t time.Time) { ed.e.created = orKeepStamp(t, ed.e.created) }

// Updated sets the platform's update time; zero is the message's time.
func (ed *EventEdit) Updated(t time.Time) { ed.e.updated = orKeepStamp(t, stampOf(ed.at)) }

// Acknowledge records an acknowledgement by a user at a time.
func (ed *EventEdit) Acknowledge(user string, t time.Time) {
	ed.e.Acked, ed.e.ackTime, ed.e.AckUser = true, stampOf(t), ed.s.strs.get(user)
}

// SetAcked records the acknowledged flag a full event payload carries:
// true keeps who and when if known, false forgets them.
func (ed *EventEdit) SetAcked(acked bool) {
	if !acked {
		ed.e.ackTime, ed.e.AckUser = stampZero, ""
	}
	ed.e.Acked = acked
}

// Metadata keeps md, or nothing when it is null or an empty object.
func (ed *EventEdit) Metadata(md decode.Node) { ed.e.setMetadata(md) }

// OfComponent files the event under a component of its system.
func (ed *EventEdit) OfComponent(code string) { ed.e.Ref.Component = code }

// Note adds a line to the event's history at the message's time, unless
// it repeats the last one.
func (ed *EventEdit) Note(what string) { ed.e.note(&ed.s.strs, ed.at, what) }

// NoteAt adds a line to the event's history at t.
func (ed *EventEdit) NoteAt(t time.Time, what string) { ed.e.note(&ed.s.strs, t, what) }
