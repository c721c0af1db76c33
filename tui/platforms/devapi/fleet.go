package devapi

import (
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms/payload"
)

// Incidents are opened and closed by the device; nobody acknowledges them.
var source = fleet.EventSource{Name: "incident"}

// seen lists the kinds a device publishes itself; the others are the
// server's pushes and do not make the device "seen".
func seen(k platform.Kind) bool {
	switch k {
	case platform.KindTelemetry, platform.KindConfigUpdate, platform.KindCommands,
		platform.KindCommandUpdate, platform.KindLicenseUpdate, platform.KindUpdate,
		platform.KindCloudSettings, platform.KindGet:
		return true
	}
	return false
}

// Apply folds one v1/device/{id}/... message into the fleet store (seed
// 003, platforms.md §3).
func Apply(w *fleet.Writer) {
	it := w.Item()
	r := &it.Route
	if r.System == "" {
		return
	}
	ref := fleet.RefOf(r)
	sys := w.System(ref, seen(r.Kind))
	d := it.Value.Data
	const limit = fleet.MaxFieldsPerMessage
	switch r.Kind {
	case platform.KindTelemetry:
		telemetry(w, sys)
	case platform.KindConfig, platform.KindConfigUpdate:
		w.Fields(ref, fleet.SeriesConfig, "", d, payload.Time(d, "last_updated"))
	case platform.KindCommands, platform.KindCommand, platform.KindChildCommand, platform.KindCommandUpdate:
		payload.Objects(d, limit, func(o decode.Node) { storeCommand(w, ref, o) })
	case platform.KindLicense, platform.KindLicenseUpdate:
		payload.Objects(d, limit, func(o decode.Node) { license(w, ref, o) })
	case platform.KindSpaceInfo:
		w.Fields(ref, fleet.SeriesProperty, "space.", d, time.Time{})
	case platform.KindFirmware:
		w.Fields(ref, fleet.SeriesProperty, "firmware.", d, time.Time{})
	case platform.KindUpdate:
		if d.Kind == decode.KindObject {
			sys.Info = d
			w.Rename(sys, payload.Str(d, "name"), "")
			w.Fields(ref, fleet.SeriesProperty, "device.", d, time.Time{})
		}
	case platform.KindCloudSettings:
		if p := payload.Str(d, "property"); p != "" {
			w.Series(ref, fleet.SeriesConfig, "cloud."+p, payload.Get(d, "value"), "", time.Time{})
		}
	case platform.KindIncidents:
		payload.Objects(d, limit, func(o decode.Node) { incident(w, sys, o) })
	}
}

func telemetry(w *fleet.Writer, sys *fleet.System) {
	it := w.Item()
	d := it.Value.Data
	if d.Kind != decode.KindObject {
		return
	}
	ref := sys.Ref
	t := payload.Time(d, "timestamp")
	if st := payload.Str(d, "status"); st != "" {
		sys.Status = st
		since := t
		if since.IsZero() {
			since = w.At()
		}
		switch strings.ToLower(st) {
		case "online":
			w.Presence(sys, fleet.ConnOnline, since, "telemetry status", false)
		case "offline":
			w.Presence(sys, fleet.ConnOffline, since, "telemetry status", false)
		case "error":
			w.Presence(sys, fleet.ConnOnline, since, "telemetry status", false)
			w.Error(fleet.ErrorReport{Source: fleet.ErrDevice, Ref: ref, Topic: it.Msg.Topic,
				Code: "status error", Message: payload.Str(d, "message")})
		}
	}
	payload.SetStr(&sys.Note, d, "message")
	tm, ok := d.Get("telemetries")
	if !ok || tm.Kind != decode.KindObject {
		return
	}
	if b, _ := payload.Bool(d, "override"); b {
		// Replace the stored state: keys not in this message go.
		keep := make(map[string]bool, len(tm.Fields))
		for i := range tm.Fields {
			keep[tm.Fields[i].Key] = true
		}
		w.PruneSeries(ref, fleet.SeriesTelemetry, func(name string) bool { return keep[name] })
	}
	for i, f := range tm.Fields {
		if i == fleet.MaxFieldsPerMessage {
			break
		}
		if f.Value.Kind == decode.KindNull {
			w.DeleteSeries(ref, fleet.SeriesTelemetry, f.Key) // null deletes the key
			continue
		}
		w.Series(ref, fleet.SeriesTelemetry, f.Key, f.Value, "", t)
	}
}

func storeCommand(w *fleet.Writer, ref fleet.Ref, o decode.Node) {
	id := payload.Str(o, "id")
	if id == "" {
		return
	}
	c := w.Command(ref, id)
	payload.SetStr(&c.Name, o, "name")
	if p, ok := o.Get("parameters"); ok {
		c.Params = p
	}
	payload.SetStr(&c.Message, o, "message")
	if c.Topic == "" {
		c.Topic = w.Item().Msg.Topic
	}
	w.CommandStatus(c, payload.Str(o, "status"))
}

func license(w *fleet.Writer, ref fleet.Ref, o decode.Node) {
	id := payload.Str(o, "id")
	if id == "" {
		return
	}
	l := w.License(ref, id)
	if a := payload.Str(o, "action"); a != "" {
		l.Action = a
	} else {
		for _, a := range []string{"add", "update", "remove"} {
			if b, _ := payload.Bool(o, a); b {
				l.Action = a
			}
		}
	}
	payload.SetStr(&l.State, o, "state")
	if e, ok := o.Get("error"); ok {
		l.Error = fleet.ShortText(e)
	}
	payload.SetStr(&l.ExpiresAt, o, "expires_at")
}

// incident maps an incident (platforms.md §3.7) onto an event: active or
// closed to ACTIVE or RESOLVED, priority to a level.
func incident(w *fleet.Writer, sys *fleet.System, o decode.Node) {
	id := payload.Str(o, "id")
	if id == "" {
		return
	}
	e := w.Event(sys, sys.Ref, id, source)
	w.UpdateEvent(e, func(ed *fleet.EventEdit) {
		if p := payload.Str(o, "priority"); p != "" {
			ed.Level(p)
		}
		if st := payload.Str(o, "status"); st != "" {
			if st != e.StateText {
				ed.Note("status " + st)
			}
			ed.State(st)
		}
		ed.Describe(fleet.EventText{ModelCode: payload.Str(o, "issue"), Message: payload.Str(o, "title"), Type: "RANGED"})
		ed.Created(payload.Time(o, "created_at"))
		if e.Time().IsZero() {
			t := e.Created()
			if t.IsZero() {
				t = w.At()
			}
			ed.Began(t)
		}
		ed.Updated(payload.Time(o, "updated_at"))
		if e.State == fleet.StateResolved && e.EndTime().IsZero() {
			ed.Ended(e.Updated())
		}
		ed.Metadata(o)
	})
}
