package fleet

import (
	"strconv"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// applyDrogue handles the app/{app} CloudEvent stream and command topics.
func (s *Store) applyDrogue(it *Item, at time.Time) {
	r := &it.Route
	if r.System == "" {
		return
	}
	ref := refOf(r)
	d := it.Value.Data
	switch r.Kind {
	case platform.KindDeviceEvent, platform.KindCloudEvent:
		sys := s.system(ref, at, true)
		if r.Sender != "" && r.Sender != r.System {
			sys.Via = r.Sender
		}
		if r.Kind == platform.KindCloudEvent || d.Kind == decode.KindNull {
			return
		}
		prefix := ""
		if r.Channel != "" {
			prefix = r.Channel + "."
		}
		s.flattenScalars(ref, SeriesDatapoint, prefix, d, time.Time{}, at, maxFieldsPerMessage)
	case platform.KindConnectionEvent:
		sys := s.system(ref, at, true)
		b, ok := boolAt(d, "connected")
		if !ok {
			return
		}
		since := at
		if ev := it.Value.Event; ev != nil {
			if t := nodeTime(decode.StringNode(ev.Time)); !t.IsZero() {
				since = t
			}
		}
		c := ConnOffline
		if b {
			c = ConnOnline
		}
		s.setConn(sys, c, since, "connection event", true)
	case platform.KindRegistryEvent:
		s.system(ref, at, false)
	case platform.KindCommand:
		s.system(ref, at, false)
		c := s.command(ref, r.Command+"#"+strconv.FormatUint(s.logSeq, 10), at)
		c.Name = r.Command
		c.Topic = it.Msg.Topic
		c.Params = d
		c.setStatus("sent", at)
	}
}

// devapiSeen lists the kinds a device publishes itself; the others are the
// server's pushes and do not make the device "seen".
func devapiSeen(k platform.Kind) bool {
	switch k {
	case platform.KindTelemetry, platform.KindConfigUpdate, platform.KindCommands,
		platform.KindCommandUpdate, platform.KindLicenseUpdate, platform.KindUpdate,
		platform.KindCloudSettings, platform.KindGet:
		return true
	}
	return false
}

// applyDevAPI handles v1/device/{id}/... (seed 003, platforms.md §3).
func (s *Store) applyDevAPI(it *Item, at time.Time) {
	r := &it.Route
	if r.System == "" {
		return
	}
	ref := refOf(r)
	sys := s.system(ref, at, devapiSeen(r.Kind))
	d := it.Value.Data
	switch r.Kind {
	case platform.KindTelemetry:
		s.devapiTelemetry(sys, it, at)
	case platform.KindConfig, platform.KindConfigUpdate:
		s.flattenScalars(ref, SeriesConfig, "", d, timeAt(d, "last_updated"), at, maxFieldsPerMessage)
	case platform.KindCommands, platform.KindCommand, platform.KindChildCommand, platform.KindCommandUpdate:
		eachObject(d, func(o decode.Node) { s.devapiCommand(ref, it, o, at) })
	case platform.KindLicense, platform.KindLicenseUpdate:
		eachObject(d, func(o decode.Node) { s.devapiLicense(ref, o, at) })
	case platform.KindSpaceInfo:
		s.flattenScalars(ref, SeriesProperty, "space.", d, time.Time{}, at, maxFieldsPerMessage)
	case platform.KindFirmware:
		s.flattenScalars(ref, SeriesProperty, "firmware.", d, time.Time{}, at, maxFieldsPerMessage)
	case platform.KindUpdate:
		if d.Kind == decode.KindObject {
			sys.Info = d
			s.setSystemNames(sys, str(d, "name"), "")
			s.flattenScalars(ref, SeriesProperty, "device.", d, time.Time{}, at, maxFieldsPerMessage)
		}
	case platform.KindCloudSettings:
		if p := str(d, "property"); p != "" {
			s.setSeries(ref, SeriesConfig, "cloud."+p, get(d, "value"), "", time.Time{}, at)
		}
	case platform.KindIncidents:
		eachObject(d, func(o decode.Node) { s.devapiIncident(sys, o, at) })
	}
}

// eachObject calls fn for an object, or for each object of an array (the
// device API pushes arrays of licenses and incidents). At most
// maxFieldsPerMessage objects per message.
func eachObject(d decode.Node, fn func(decode.Node)) {
	switch d.Kind {
	case decode.KindObject:
		fn(d)
	case decode.KindArray:
		for i, o := range d.Items {
			if i == maxFieldsPerMessage {
				return
			}
			if o.Kind == decode.KindObject {
				fn(o)
			}
		}
	}
}

func (s *Store) devapiTelemetry(sys *System, it *Item, at time.Time) {
	d := it.Value.Data
	if d.Kind != decode.KindObject {
		return
	}
	ref := sys.Ref
	t := timeAt(d, "timestamp")
	if st := str(d, "status"); st != "" {
		sys.Status = st
		since := t
		if since.IsZero() {
			since = at
		}
		switch strings.ToLower(st) {
		case "online":
			s.setConn(sys, ConnOnline, since, "telemetry status", false)
		case "offline":
			s.setConn(sys, ConnOffline, since, "telemetry status", false)
		case "error":
			s.setConn(sys, ConnOnline, since, "telemetry status", false)
			s.addError(ErrorReport{Time: at, Source: ErrDevice, Ref: ref, Topic: it.Msg.Topic,
				Code: "status error", Message: str(d, "message"), Item: itemCopy(it)})
		}
	}
	if m := str(d, "message"); m != "" {
		sys.Note = m
	}
	tm, ok := d.Get("telemetries")
	if !ok || tm.Kind != decode.KindObject {
		return
	}
	if b, _ := boolAt(d, "override"); b {
		// Replace the stored state: keys not in this message go.
		keep := make(map[string]bool, len(tm.Fields))
		for i := range tm.Fields {
			keep[tm.Fields[i].Key] = true
		}
		for _, se := range s.seriesRange(ref, nil) {
			if se.Ref == ref && se.Kind == SeriesTelemetry && !keep[se.Name] {
				s.dropSeries(se)
				s.removed.Series++
			}
		}
	}
	for i, f := range tm.Fields {
		if i == maxFieldsPerMessage {
			break
		}
		if f.Value.Kind == decode.KindNull {
			s.deleteSeries(ref, SeriesTelemetry, f.Key) // null deletes the key
			continue
		}
		s.setSeries(ref, SeriesTelemetry, f.Key, f.Value, "", t, at)
	}
}

func (s *Store) devapiCommand(ref Ref, it *Item, o decode.Node, at time.Time) {
	id := str(o, "id")
	if id == "" {
		return
	}
	c := s.command(ref, id, at)
	if n := str(o, "name"); n != "" {
		c.Name = n
	}
	if p, ok := o.Get("parameters"); ok {
		c.Params = p
	}
	if m := str(o, "message"); m != "" {
		c.Message = m
	}
	if c.Topic == "" {
		c.Topic = it.Msg.Topic
	}
	c.setStatus(str(o, "status"), at)
}

func (s *Store) devapiLicense(ref Ref, o decode.Node, at time.Time) {
	id := str(o, "id")
	if id == "" {
		return
	}
	l := s.license(ref, id, at)
	if a := str(o, "action"); a != "" {
		l.Action = a
	} else {
		for _, a := range []string{"add", "update", "remove"} {
			if b, _ := boolAt(o, a); b {
				l.Action = a
			}
		}
	}
	if st := str(o, "state"); st != "" {
		l.State = st
	}
	if e, ok := o.Get("error"); ok {
		l.Error = shortText(e)
	}
	if x := str(o, "expires_at"); x != "" {
		l.ExpiresAt = x
	}
}

// devapiIncident maps an incident (platforms.md §3.7) onto an event:
// active/closed to ACTIVE/RESOLVED, priority to a level.
func (s *Store) devapiIncident(sys *System, o decode.Node, at time.Time) {
	id := str(o, "id")
	if id == "" {
		return
	}
	e := s.event(sys, sys.Ref, id, sourceIncident, at)
	s.updateEvent(e, at, func(e *Event) {
		if p := str(o, "priority"); p != "" {
			e.LevelText = s.strs.get(p)
			e.Level = parseLevel(p)
		}
		if st := str(o, "status"); st != "" {
			if st != e.StateText {
				e.note(&s.strs, at, "status "+st)
			}
			e.StateText = s.strs.get(st)
			e.State = parseEventState(st)
		}
		e.ModelCode = s.strs.get(orKeep(str(o, "issue"), e.ModelCode))
		e.Message = s.strs.get(orKeep(str(o, "title"), e.Message))
		e.Type = "RANGED"
		e.created = orKeepStamp(timeAt(o, "created_at"), e.created)
		if e.time.isZero() {
			e.time = e.created
			if e.time.isZero() {
				e.time = stampOf(at)
			}
		}
		e.updated = orKeepStamp(timeAt(o, "updated_at"), stampOf(at))
		if e.State == StateResolved && e.endTime.isZero() {
			e.endTime = e.updated
		}
		e.setMetadata(o)
	})
}

// applySmartWorks handles status/ and set/ topics of things (seed 004).
func (s *Store) applySmartWorks(it *Item, at time.Time) {
	r := &it.Route
	if r.System == "" {
		return
	}
	ref := refOf(r)
	status := r.Side == "status"
	sys := s.system(ref, at, status)
	d := it.Value.Data
	switch r.Kind {
	case platform.KindProperty:
		kind := SeriesProperty
		if !status {
			kind = SeriesSetpoint
		} else {
			s.smartworksTitle(sys, r.Name, d)
		}
		if r.Name != "" {
			if v, ok := d.Get(r.Name); ok && d.Kind == decode.KindObject {
				s.setSeries(ref, kind, r.Name, v, "", time.Time{}, at)
				return
			}
			if d.Kind != decode.KindObject {
				s.setSeries(ref, kind, r.Name, d, "", time.Time{}, at)
				return
			}
		}
		s.flattenScalars(ref, kind, "", d, time.Time{}, at, maxFieldsPerMessage)
	case platform.KindAction:
		s.smartworksActions(ref, it, at)
	case platform.KindThingEvent:
		// set/.../events/{e} asks the thing to emit an event: a request
		// (an operator's action, matched to its answer by the tracker),
		// not an event. The event is the one status/ reports.
		if !status || d.Kind != decode.KindObject {
			return
		}
		for i := range d.Fields {
			if i == maxFieldsPerMessage {
				break
			}
			s.smartworksEvent(sys, d.Fields[i].Key, d.Fields[i].Value, at)
		}
	case platform.KindRawData:
		s.flattenScalars(ref, SeriesDatapoint, "", d, time.Time{}, at, maxFieldsPerMessage)
	}
}

// smartworksTitle names a thing after its reported "title" property (the
// WoT name of a thing; the demo's things carry one): on the status side
// only, as a property topic (.../properties/title, {"title": "..."}) or a
// whole-section payload holding it. A write on set/ is only a request.
func (s *Store) smartworksTitle(sys *System, name string, d decode.Node) {
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
		s.setSystemNames(sys, t, "")
	}
}

// smartworksActions reads {"<action>": {input, href, timeRequested,
// timeCompleted, status}}; the request id is the last level of href.
func (s *Store) smartworksActions(ref Ref, it *Item, at time.Time) {
	d := it.Value.Data
	if d.Kind != decode.KindObject {
		return
	}
	for i := range d.Fields {
		if i == maxFieldsPerMessage {
			break
		}
		name, a := d.Fields[i].Key, d.Fields[i].Value
		id := it.Route.Command
		if h := str(a, "href"); h != "" {
			id = h[strings.LastIndexByte(h, '/')+1:]
		}
		if id == "" {
			id = name + "#" + strconv.FormatUint(s.logSeq, 10)
		}
		c := s.command(ref, id, at)
		c.Name = name
		if c.Topic == "" {
			c.Topic = it.Msg.Topic
		}
		if in, ok := a.Get("input"); ok {
			c.Params = in
		}
		if t := timeAt(a, "timeRequested"); !t.IsZero() && c.Created.Equal(c.Updated) {
			c.Created = t
		}
		st := str(a, "status")
		if st == "" && it.Route.Side == "set" {
			st = "requested"
		}
		c.setStatus(st, at)
	}
}

// smartworksEvent records a thing event as a single-point event without
// acknowledgement.
func (s *Store) smartworksEvent(sys *System, name string, v decode.Node, at time.Time) {
	e := s.event(sys, sys.Ref, name+"#"+strconv.FormatUint(s.logSeq, 10), sourceThingEvent, at)
	s.updateEvent(e, at, func(e *Event) {
		e.ModelCode = s.strs.get(name)
		e.Type = "SINGLE_POINT"
		e.time = orKeepStamp(timeAt(v, "timestamp"), stampOf(at))
		if data, ok := v.Get("data"); ok {
			e.setMetadata(data)
		} else {
			e.setMetadata(v)
		}
		e.note(&s.strs, at, "emitted")
	})
}
