package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/mqdeck/mqdeck/decode"
)

// The seed 001 identities: the Energy Management System, its smart meter
// and the two event models the guide creates.
const (
	SeedSystemUUID       = "792b6149-1daa-488f-b07a-f684503b0586"
	SeedComponentUUID    = "6d6eb245-599e-42c6-b1a6-009805655fbd"
	SeedComponentCode    = "smart-meter-v2"
	SeedOverloadModel    = "c867ee9d-52f1-4819-9bfc-b64d6321a04b"
	SeedOverloadCode     = "energy-overload-model"
	SeedMalfunctionModel = "6b5e0830-6d7d-4871-9c1a-4a6e899aa5c7"
	SeedMalfunctionCode  = "smart-meter-malfunction-event"
)

// Other event models of the simulated domain.
const (
	FilterModelCode  = "hvac-filter-clogged"
	RestartModelCode = "system-restarted"
)

// maxEvents bounds the events the simulator remembers (for updates by
// uuid); the oldest are forgotten first.
const maxEvents = 4096

// fleetEpoch is when the simulated domain was "created": fixed, so retained
// payloads are the same from run to run.
var fleetEpoch = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

// Component kinds of the smart building.
const (
	kindMeter     = "smart-meter"
	kindHVAC      = "hvac"
	kindLighting  = "lighting-controller"
	kindOccupancy = "occupancy-sensor"
)

type eventModel struct {
	uuid, code, eventType, eventLevel, entityType string
	message                                       *string
}

type componentModel struct{ uuid, code, name, kind string }

type drivrComponent struct {
	uuid, code, name, kind string
	model                  *componentModel
	sys                    *drivrSystem

	// readings
	power, energy, temp, target, brightness float64
	occupancy                               int
}

type drivrSystem struct {
	uuid, code, name, description, building string
	comps                                   []*drivrComponent
	connected                               bool
	connSince                               time.Time
	updated                                 time.Time
	baseKW                                  float64 // typical load
}

type drivrEvent struct {
	uuid     string
	sys      *drivrSystem
	comp     *drivrComponent // nil for a system event
	model    *eventModel
	created  time.Time
	updated  time.Time
	time     string
	endTime  *string
	status   *string
	acked    bool
	metadata node
}

type drivrSim struct {
	slug, domainUUID, ownerUUID string
	models                      []*eventModel
	compModels                  map[string]*componentModel // by kind
	systems                     []*drivrSystem
	sysByUUID                   map[string]*drivrSystem
	compByUUID                  map[string]*drivrComponent
	users                       []string // who acknowledges
	events                      map[string]*drivrEvent
	order                       []string // event uuids, oldest first
}

func newDrivr(cfg Config, r *rand.Rand) *drivrSim {
	d := &drivrSim{
		slug:       cfg.Slug,
		domainUUID: newUUID(r),
		ownerUUID:  newUUID(r),
		compModels: map[string]*componentModel{},
		sysByUUID:  map[string]*drivrSystem{},
		compByUUID: map[string]*drivrComponent{},
		events:     map[string]*drivrEvent{},
		users:      []string{"8718ca2a-5134-41bb-ab81-b65cec310ab9", "3348037a-9f5d-425e-b593-11e6e7437b74", newUUID(r)},
	}
	filterMsg := "Replace the HVAC air filter"
	d.models = []*eventModel{
		{uuid: SeedOverloadModel, code: SeedOverloadCode, eventType: "SINGLE_POINT", eventLevel: "ERROR", entityType: "SYSTEM"},
		{uuid: SeedMalfunctionModel, code: SeedMalfunctionCode, eventType: "RANGED", eventLevel: "ERROR", entityType: "COMPONENT"},
		{uuid: newUUID(r), code: FilterModelCode, eventType: "RANGED", eventLevel: "WARNING", entityType: "COMPONENT", message: &filterMsg},
		{uuid: newUUID(r), code: RestartModelCode, eventType: "SINGLE_POINT", eventLevel: "INFO", entityType: "SYSTEM"},
	}
	for _, cm := range []componentModel{
		{code: "smart-meter", name: "Smart Meter", kind: kindMeter},
		{code: "hvac-unit", name: "HVAC Unit", kind: kindHVAC},
		{code: "lighting-controller", name: "Lighting Controller", kind: kindLighting},
		{code: "occupancy-sensor", name: "Occupancy Sensor", kind: kindOccupancy},
	} {
		cm.uuid = newUUID(r)
		d.compModels[cm.kind] = &cm
	}
	for i := 0; i < cfg.Systems; i++ {
		sys := &drivrSystem{connected: true, connSince: fleetEpoch, updated: fleetEpoch}
		if i == 0 {
			sys.uuid, sys.code, sys.name = SeedSystemUUID, "ems-hq", "Energy Management System"
			sys.building = "Headquarters"
		} else {
			n := padNum(i+1, max(2, len(padNum(cfg.Systems, 0))))
			sys.uuid, sys.code, sys.name = newUUID(r), "ems-bldg-"+n, "EMS Building "+n
			sys.building = "Building " + n
		}
		sys.description = "Energy management of " + sys.building
		sys.baseKW = 12 + r.Float64()*30
		kinds := []string{kindMeter, kindHVAC, kindLighting, kindOccupancy}
		for j, kind := range kinds {
			if i > 0 && j > 0 && r.Float64() < 0.3 {
				continue // not every building has every device
			}
			c := &drivrComponent{kind: kind, model: d.compModels[kind], sys: sys}
			switch kind {
			case kindMeter:
				c.code, c.name = SeedComponentCode, "Smart Meter"
				c.power, c.energy = sys.baseKW, 10000+r.Float64()*90000
			case kindHVAC:
				c.code, c.name = "hvac-1", "HVAC"
				c.target = 21
				c.temp = 19.5 + r.Float64()*3
			case kindLighting:
				c.code, c.name = "lighting-1", "Lighting Controller"
				c.brightness = 60
			case kindOccupancy:
				c.code, c.name = "occupancy-1", "Occupancy Sensor"
				c.occupancy = r.IntN(20)
			}
			if i == 0 && kind == kindMeter {
				c.uuid = SeedComponentUUID
			} else {
				c.uuid = newUUID(r)
			}
			sys.comps = append(sys.comps, c)
			d.compByUUID[c.uuid] = c
		}
		d.systems = append(d.systems, sys)
		d.sysByUUID[sys.uuid] = sys
	}
	return d
}

func (d *drivrSim) modelByCode(code string) *eventModel {
	for _, m := range d.models {
		if m.code == code {
			return m
		}
	}
	return nil
}

func (d *drivrSim) modelByUUID(id string) *eventModel {
	for _, m := range d.models {
		if m.uuid == id {
			return m
		}
	}
	return nil
}

func (sys *drivrSystem) topic(slug string) string { return drivrSystemTopic(slug, sys.uuid) }

func (c *drivrComponent) topic(slug string) string {
	return drivrComponentTopic(slug, c.sys.uuid, c.code)
}

func connWord(up bool) string {
	if up {
		return "CONNECTED"
	}
	return "DISCONNECTED"
}

// start publishes the retained picture and schedules the traffic.
func (d *drivrSim) start(s *Sim) {
	base := drivrBase(d.slug)
	s.publish(base, toJSON(d.domainNode()), 1, true, nil)
	s.publish(drivrStateTopic(base), []byte("ACTIVATED"), 1, true, nil)
	for _, kind := range []string{kindMeter, kindHVAC, kindLighting, kindOccupancy} {
		cm := d.compModels[kind]
		t := drivrComponentModelTopic(d.slug, cm.uuid)
		s.publish(t, toJSON(d.componentModelNode(cm)), 1, true, nil)
		s.publish(drivrStateTopic(t), []byte("ACTIVATED"), 1, true, nil)
	}
	for _, m := range d.models {
		t := drivrEventModelTopic(d.slug, m.uuid)
		s.publish(t, toJSON(d.eventModelNode(m)), 1, true, nil)
		s.publish(drivrStateTopic(t), []byte("ACTIVATED"), 1, true, nil)
	}
	for _, sys := range d.systems {
		// Connected since the simulation started (not since the domain
		// was created): what a console attaching now should see.
		sys.connSince, sys.updated = s.now, s.now
		d.publishSystem(s, sys)
		s.publish(drivrStateTopic(sys.topic(d.slug)), []byte("ACTIVATED"), 1, true, nil)
		for _, c := range sys.comps {
			s.publish(drivrStateTopic(c.topic(d.slug)), []byte("ACTIVATED"), 1, true, nil)
		}
	}
	for i, sys := range d.systems {
		d.scheduleSystem(s, sys, i)
	}
}

// publishSystem publishes the retained system and component information
// and connection states.
func (d *drivrSim) publishSystem(s *Sim, sys *drivrSystem) {
	t := sys.topic(d.slug)
	s.publish(t, toJSON(d.systemNode(sys)), 1, true, nil)
	s.publish(drivrConnTopic(t), []byte(connWord(sys.connected)), 1, true, nil)
	for _, c := range sys.comps {
		ct := c.topic(d.slug)
		s.publish(ct, toJSON(d.componentNode(c)), 1, true, nil)
		s.publish(drivrConnTopic(ct), []byte(connWord(sys.connected)), 1, true, nil)
	}
}

// scheduleSystem sets up one building's datapoints and its occasional
// events and outages. The first system (the seed's EMS) and the second
// get their first event and outage early, so a fresh demo shows them
// within seconds.
func (d *drivrSim) scheduleSystem(s *Sim, sys *drivrSystem, idx int) {
	for _, c := range sys.comps {
		d.scheduleDatapoints(s, c)
	}
	firstOverload, firstMalfunction, firstOutage := s.expo(5*time.Minute), s.expo(7*time.Minute), s.expo(15*time.Minute)
	switch idx {
	case 0:
		firstOverload, firstMalfunction = s.scale(4*time.Second), s.scale(9*time.Second)
	case 1:
		firstOutage = s.scale(20 * time.Second)
	}
	var overload func(time.Time)
	overload = func(at time.Time) {
		if sys.connected {
			meter := sys.comp(kindMeter)
			kw := sys.baseKW * 1.4
			if meter != nil {
				kw = math.Max(kw, meter.power*1.3)
			}
			d.raise(s, at, sys, nil, d.models[0], obj(
				kv("powerKw", num(round(kw, 1))),
				kv("limitKw", num(round(sys.baseKW*1.25, 0)))))
		}
		s.after(s.expo(5*time.Minute), overload)
	}
	s.after(firstOverload, overload)
	for _, c := range sys.comps {
		c := c
		var model *eventModel
		first, mean := s.expo(10*time.Minute), 10*time.Minute
		switch c.kind {
		case kindMeter:
			model, first, mean = d.models[1], firstMalfunction, 7*time.Minute
		case kindHVAC:
			model = d.models[2]
		default:
			continue
		}
		var raise func(time.Time)
		raise = func(at time.Time) {
			if sys.connected {
				d.raise(s, at, sys, c, model, malfunctionMeta(c, s.rng))
			}
			s.after(s.expo(mean), raise)
		}
		s.after(first, raise)
	}
	var outage func(time.Time)
	outage = func(at time.Time) {
		if sys.connected {
			d.setConnected(s, at, sys, false)
			s.after(s.between(10*time.Second, 25*time.Second), func(at time.Time) {
				d.setConnected(s, at, sys, true)
				d.raise(s, at, sys, nil, d.models[3], obj(kv("reason", str("connection restored"))))
			})
		}
		s.after(s.expo(15*time.Minute), outage)
	}
	s.after(firstOutage, outage)
}

func malfunctionMeta(c *drivrComponent, r *rand.Rand) node {
	if c.kind == kindHVAC {
		return obj(kv("pressureDropPa", num(round(180+r.Float64()*120, 0))))
	}
	reasons := []string{"voltage sensor out of range", "pulse counter stuck", "clock drift"}
	return obj(kv("reason", str(reasons[r.IntN(len(reasons))])))
}

func (sys *drivrSystem) comp(kind string) *drivrComponent {
	for _, c := range sys.comps {
		if c.kind == kind {
			return c
		}
	}
	return nil
}

// setConnected publishes a change of connection state as the platform
// does when a device's will fires or it comes back.
func (d *drivrSim) setConnected(s *Sim, at time.Time, sys *drivrSystem, up bool) {
	sys.connected, sys.connSince, sys.updated = up, at, at
	d.publishSystem(s, sys)
}

// scheduleDatapoints publishes one component's measurements.
func (d *drivrSim) scheduleDatapoints(s *Sim, c *drivrComponent) {
	t := c.topic(d.slug)
	dp := func(name, unit string, period time.Duration, value func(at time.Time) float64) {
		topic := drivrDatapointTopic(t, name)
		unitJSON := `,"unit":` + string(toJSON(str(unit))) + "}"
		s.every(s.between(0, period), period, func(at time.Time) {
			if !c.sys.connected {
				return
			}
			// Appended rather than built as a node: at load this is most
			// of the traffic. Same shape as toJSON would give.
			b := make([]byte, 0, 80)
			b = append(b, `{"time":"`...)
			b = append(b, pyTime(at)...)
			b = append(b, `","value":`...)
			b = strconv.AppendFloat(b, value(at), 'f', -1, 64)
			b = append(b, unitJSON...)
			s.publish(topic, b, 0, false, nil)
		})
	}
	r := s.rng
	switch c.kind {
	case kindMeter:
		dp("voltage", "V", 2*time.Second, func(time.Time) float64 { return round(230+r.NormFloat64()*1.5, 1) })
		dp("power", "kW", 2*time.Second, func(at time.Time) float64 {
			day := math.Sin(float64(at.Unix()%86400) / 86400 * 2 * math.Pi)
			c.power = math.Max(0.5, c.sys.baseKW*(1+0.25*day)+r.NormFloat64()*1.2)
			return round(c.power, 2)
		})
		dp("energy-consumption", "kWh", 10*time.Second, func(time.Time) float64 {
			c.energy += c.power * 10 / 3600
			return round(c.energy, 2)
		})
	case kindHVAC:
		dp("temperature", "°C", 5*time.Second, func(time.Time) float64 {
			c.temp += (c.target-c.temp)*0.1 + r.NormFloat64()*0.15
			return round(c.temp, 1)
		})
		dp("target-temperature", "°C", time.Minute, func(time.Time) float64 { return c.target })
	case kindLighting:
		dp("brightness", "%", 10*time.Second, func(time.Time) float64 {
			c.brightness = math.Min(100, math.Max(0, c.brightness+r.NormFloat64()*8))
			return round(c.brightness, 0)
		})
	case kindOccupancy:
		dp("occupancy", "people", 10*time.Second, func(time.Time) float64 {
			c.occupancy = max(0, min(60, c.occupancy+r.IntN(5)-2))
			return float64(c.occupancy)
		})
	}
}

// raise creates an event as the platform does when a device reports one:
// the event entity, then its state. It is acknowledged after a while as if
// by a user, and a RANGED one resolves later.
func (d *drivrSim) raise(s *Sim, at time.Time, sys *drivrSystem, c *drivrComponent, m *eventModel, meta node) {
	// The device saw it a few tens of milliseconds before the platform
	// stored it (seed 001: time ...42.611276, createdAt ...42.658581).
	seen := at.Add(-time.Duration(20+s.rng.IntN(40)) * time.Millisecond)
	e := d.create(s, at, sys, c, m, pyTime(seen), nil, meta, "")
	if m.eventType == "RANGED" {
		s.after(s.between(15*time.Second, 45*time.Second), func(at time.Time) { d.resolve(s, at, e, pyTime(at)) })
	}
}

// create makes a new event (uuid "" = a new one), publishes it with its
// state and schedules the acknowledgement.
func (d *drivrSim) create(s *Sim, at time.Time, sys *drivrSystem, c *drivrComponent, m *eventModel, tm string, end *string, meta node, id string) *drivrEvent {
	if id == "" {
		id = newUUID(s.rng)
	}
	// Stored now; updatedAt follows createdAt by a fraction of a
	// millisecond, as in seed 001.
	e := &drivrEvent{uuid: id, sys: sys, comp: c, model: m, created: at,
		updated: at.Add(time.Duration(200+s.rng.IntN(800)) * time.Microsecond),
		time:    tm, metadata: meta}
	if meta.Kind != decode.KindObject {
		e.metadata = obj()
	}
	if m.eventType == "RANGED" {
		st := "ACTIVE"
		if end != nil {
			st, e.endTime = "RESOLVED", end
		}
		e.status = &st
	}
	d.remember(e)
	d.publishEvent(s, e, true)
	s.after(s.between(5*time.Second, 12*time.Second), func(at time.Time) { d.ack(s, at, e) })
	return e
}

func (d *drivrSim) remember(e *drivrEvent) {
	if _, ok := d.events[e.uuid]; !ok {
		d.order = append(d.order, e.uuid)
	}
	d.events[e.uuid] = e
	for len(d.order) > maxEvents {
		delete(d.events, d.order[0])
		d.order = d.order[1:]
	}
}

// ack publishes the acknowledgement and the event with acknowledged set.
func (d *drivrSim) ack(s *Sim, at time.Time, e *drivrEvent) {
	if e.acked {
		return
	}
	e.acked, e.updated = true, at
	t := d.eventTopic(e) + "/ack"
	s.publish(t, toJSON(obj(
		kv("time", str(pyTime(at))),
		kv("userUuid", str(d.users[s.rng.IntN(len(d.users))])))), 0, false, nil)
	d.publishEvent(s, e, false)
}

// resolve ends a RANGED event.
func (d *drivrSim) resolve(s *Sim, at time.Time, e *drivrEvent, end string) {
	if e.model.eventType != "RANGED" || (e.status != nil && *e.status == "RESOLVED") {
		return
	}
	st := "RESOLVED"
	e.status, e.endTime, e.updated = &st, &end, at
	d.publishEvent(s, e, true)
}

func (d *drivrSim) eventTopic(e *drivrEvent) string {
	if e.comp != nil {
		return drivrEventTopic(e.comp.topic(d.slug), e.uuid)
	}
	return drivrEventTopic(e.sys.topic(d.slug), e.uuid)
}

// publishEvent publishes the event entity and, when asked, its state.
// SINGLE_POINT events have no status but their state topic says ACTIVE
// (seed 001).
func (d *drivrSim) publishEvent(s *Sim, e *drivrEvent, withState bool) {
	t := d.eventTopic(e)
	s.publish(t, toJSON(d.eventNode(e)), 0, false, nil)
	if withState {
		state := "ACTIVE"
		if e.status != nil {
			state = *e.status
		}
		s.publish(t+"/state", []byte(state), 0, false, nil)
	}
}
