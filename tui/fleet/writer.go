package fleet

import (
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Platform is the part of a platform's unit (tui/platforms/<name>) the
// store calls: how that platform's messages change the fleet. The store
// knows no platform by name; Apply dispatches on the route's platform to
// the Platform of that Name, and a message of no registered platform is
// only logged and counted.
type Platform struct {
	Name  string          // platform.Route.Platform of its messages
	Apply func(w *Writer) // folds w.Item() into the store through w
}

// Writer is the store's mutation API as a platform sees it while one
// message is applied: find or create an entity, record what the message
// says of it. It is valid only inside Platform.Apply; times default to the
// message's (At). Plain descriptive fields of the entities it returns
// (System.Description, Component.Name, Command.Params, ...) are written
// directly; what an index or a counter depends on goes through a method.
type Writer struct {
	s  *Store
	it *Item
	at time.Time
	ed EventEdit // reused: an edit escapes through its callback
}

// MaxFieldsPerMessage bounds the series, commands or events one message
// may touch, so a message costs bounded work.
const MaxFieldsPerMessage = maxFieldsPerMessage

const maxFieldsPerMessage = 256

// RefOf is the entity a route names.
func RefOf(r *platform.Route) Ref {
	return Ref{Platform: r.Platform, Fleet: r.Fleet, System: r.System, Component: r.Component}
}

// Item is the message being applied.
func (w *Writer) Item() *Item { return w.it }

// At is the message's time: when it was received.
func (w *Writer) At() time.Time { return w.at }

// Seq numbers the message in the raw log: an id for what the platform
// does not name (a Drogue command, a SmartWorks thing event).
func (w *Writer) Seq() uint64 { return w.s.logSeq }

// System finds or creates the system of ref (its Component is ignored).
// seen says the message comes from it: last seen, message count, rate and
// freshness; a message about it (a command sent to it) is not seen.
func (w *Writer) System(ref Ref, seen bool) *System { return w.s.system(ref, w.at, seen) }

// RemoveSystem drops the system of ref with its components and events:
// the platform deleted it (its retained record was cleared).
func (w *Writer) RemoveSystem(ref Ref) {
	if sys := w.s.System(ref); sys != nil {
		w.s.dropSystem(sys, true)
	}
}

// Rename sets a system's name and code where given (the fleet's sort and
// text filter follow).
func (w *Writer) Rename(sys *System, name, code string) { w.s.setSystemNames(sys, name, code) }

// NoteSystem adds a line to a system's history at the message's time.
func (w *Writer) NoteSystem(sys *System, what string) {
	sys.history.Push(Change{Time: w.at, What: what})
}

// Presence records what the platform or the device says of a system's
// connection since a time; source names what said so. authoritative
// reports (the platform itself tracks presence) exempt the system from
// staleness by silence.
func (w *Writer) Presence(sys *System, c ConnState, since time.Time, source string, authoritative bool) {
	w.s.setConn(sys, c, since, source, authoritative)
}

// Component finds or creates a component of sys by code; seen as for System.
func (w *Writer) Component(sys *System, code string, seen bool) *Component {
	return w.s.component(sys, code, w.at, seen)
}

// FindComponent is the component of ref, or nil.
func (w *Writer) FindComponent(ref Ref) *Component { return w.s.comps[ref] }

// ComponentByUUID is the component known by that uuid, or nil.
func (w *Writer) ComponentByUUID(uuid string) *Component { return w.s.compByUUID[uuid] }

// RemoveComponent drops the component of ref: the platform deleted it.
func (w *Writer) RemoveComponent(ref Ref) {
	if c := w.s.comps[ref]; c != nil {
		w.s.dropComponent(c)
		w.s.removed.Components++
	}
}

// ComponentUUID records the uuid a component is also known by (DRIVR names
// components by uuid on input and error topics and in events).
func (w *Writer) ComponentUUID(c *Component, uuid string) { w.s.setComponentUUID(c, uuid) }

// Series records one value of a series, creating it when new: unit when
// given; t is the value's own time, zero for the message's.
func (w *Writer) Series(ref Ref, kind SeriesKind, name string, v decode.Node, unit string, t time.Time) {
	w.s.setSeries(ref, kind, name, v, unit, t, w.at)
}

// Fields records the scalar fields of an object as series named
// prefix+key (one level of nesting as prefix+key.sub), at most
// MaxFieldsPerMessage; a scalar is one series named by the prefix.
func (w *Writer) Fields(ref Ref, kind SeriesKind, prefix string, d decode.Node, t time.Time) {
	w.s.flattenScalars(ref, kind, prefix, d, t, w.at, maxFieldsPerMessage)
}

// DeleteSeries removes one series: the platform deleted the value.
func (w *Writer) DeleteSeries(ref Ref, kind SeriesKind, name string) {
	w.s.deleteSeries(ref, kind, name)
}

// PruneSeries removes the series of kind held for exactly ref (not its
// components') whose name keep refuses: the message replaces the state.
func (w *Writer) PruneSeries(ref Ref, kind SeriesKind, keep func(name string) bool) {
	for _, se := range w.s.seriesRange(ref, nil) {
		if se.Ref == ref && se.Kind == kind && !keep(se.Name) {
			w.s.dropSeries(se)
			w.s.removed.Series++
		}
	}
}

// Command finds or creates a command of ref by id; it was updated now.
func (w *Writer) Command(ref Ref, id string) *Command { return w.s.command(ref, id, w.at) }

// CommandStatus records a command's status, with a history line when it
// changed; "" says nothing.
func (w *Writer) CommandStatus(c *Command, status string) { c.setStatus(status, w.at) }

// License finds or creates a license of ref by id; it was updated now.
func (w *Writer) License(ref Ref, id string) *License { return w.s.license(ref, id, w.at) }

// EventModel finds or creates an event model of a fleet by uuid.
func (w *Writer) EventModel(fleet, uuid string) *EventModel { return w.s.model(fleet, uuid, w.at) }

// FindEventModel is the event model of that uuid, or nil.
func (w *Writer) FindEventModel(uuid string) *EventModel { return w.s.models[uuid] }

// Error records an error the message reports. The report keeps a copy of
// the message for the detail pane; its time is the message's unless set.
func (w *Writer) Error(r ErrorReport) {
	if r.Time.IsZero() {
		r.Time = w.at
	}
	if r.Item == nil {
		r.Item = itemCopy(w.it)
	}
	w.s.addError(r)
}
