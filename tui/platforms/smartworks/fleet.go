package smartworks

import (
	"strconv"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms/payload"
)

// Thing events are emitted once; nobody acknowledges them.
var source = fleet.EventSource{Name: "thing event"}

// Apply folds one status/ or set/ message of a thing into the fleet store
// (seed 004): status/ is what the thing reports, set/ what was asked of it.
func Apply(w *fleet.Writer) {
	it := w.Item()
	r := &it.Route
	if r.System == "" {
		return
	}
	ref := fleet.RefOf(r)
	status := r.Side == "status"
	sys := w.System(ref, status)
	d := it.Value.Data
	switch r.Kind {
	case platform.KindProperty:
		kind := fleet.SeriesProperty
		if !status {
			kind = fleet.SeriesSetpoint
		} else {
			title(w, sys, r.Name, d)
		}
		if r.Name != "" {
			if v, ok := d.Get(r.Name); ok && d.Kind == decode.KindObject {
				w.Series(ref, kind, r.Name, v, "", time.Time{})
				return
			}
			if d.Kind != decode.KindObject {
				w.Series(ref, kind, r.Name, d, "", time.Time{})
				return
			}
		}
		w.Fields(ref, kind, "", d, time.Time{})
	case platform.KindAction:
		thingActions(w, ref)
	case platform.KindThingEvent:
		// set/.../events/{e} asks the thing to emit an event: a request
		// (an operator's action, matched to its answer by the tracker),
		// not an event. The event is the one status/ reports.
		if !status || d.Kind != decode.KindObject {
			return
		}
		for i := range d.Fields {
			if i == fleet.MaxFieldsPerMessage {
				break
			}
			thingEvent(w, sys, d.Fields[i].Key, d.Fields[i].Value)
		}
	case platform.KindRawData:
		w.Fields(ref, fleet.SeriesDatapoint, "", d, time.Time{})
	}
}

// title names a thing after its reported "title" property (the WoT name
// of a thing; the demo's things carry one): on the status side only, as a
// property topic (.../properties/title, {"title": "..."}) or a
// whole-section payload holding it. A write on set/ is only a request.
func title(w *fleet.Writer, sys *fleet.System, name string, d decode.Node) {
	if name != "" && name != "title" {
		return
	}
	v, ok := d.Get("title")
	if !ok && name == "title" && d.Kind != decode.KindObject {
		v, ok = d, true // a bare value on .../properties/title
	}
	if !ok || v.Kind != decode.KindString {
		return
	}
	if t := strings.TrimSpace(v.Str); t != "" {
		w.Rename(sys, t, "")
	}
}

// thingActions reads {"<action>": {input, href, timeRequested,
// timeCompleted, status}}; the request id is the last level of href.
func thingActions(w *fleet.Writer, ref fleet.Ref) {
	it := w.Item()
	d := it.Value.Data
	if d.Kind != decode.KindObject {
		return
	}
	for i := range d.Fields {
		if i == fleet.MaxFieldsPerMessage {
			break
		}
		name, a := d.Fields[i].Key, d.Fields[i].Value
		id := it.Route.Command
		if h := payload.Str(a, "href"); h != "" {
			id = h[strings.LastIndexByte(h, '/')+1:]
		}
		if id == "" {
			id = name + "#" + strconv.FormatUint(w.Seq(), 10)
		}
		c := w.Command(ref, id)
		c.Name = name
		if c.Topic == "" {
			c.Topic = it.Msg.Topic
		}
		if in, ok := a.Get("input"); ok {
			c.Params = in
		}
		if t := payload.Time(a, "timeRequested"); !t.IsZero() && c.Created.Equal(c.Updated) {
			c.Created = t
		}
		st := payload.Str(a, "status")
		if st == "" && it.Route.Side == "set" {
			st = "requested"
		}
		w.CommandStatus(c, st)
	}
}

// thingEvent records a thing event as a single-point event without
// acknowledgement.
func thingEvent(w *fleet.Writer, sys *fleet.System, name string, v decode.Node) {
	e := w.Event(sys, sys.Ref, name+"#"+strconv.FormatUint(w.Seq(), 10), source)
	w.UpdateEvent(e, func(ed *fleet.EventEdit) {
		ed.Describe(fleet.EventText{ModelCode: name, Type: "SINGLE_POINT"})
		t := payload.Time(v, "timestamp")
		if t.IsZero() {
			t = w.At()
		}
		ed.Began(t)
		if data, ok := v.Get("data"); ok {
			ed.Metadata(data)
		} else {
			ed.Metadata(v)
		}
		ed.Note("emitted")
	})
}
