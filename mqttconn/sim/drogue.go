package sim

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
)

// Drogue Cloud: devices of one application whose events reach app/{app}
// as CloudEvents (platforms.md §2.4), in structured mode (the whole event
// as JSON) for some devices and binary mode (attributes as MQTT 5 user
// properties, payload = data) for others, so both can be seen. A gateway
// sends for a device behind it (sender != device). Commands on
// command/{app}/{device}/{command} are applied and answered by the
// device's next event.

// Drogue CloudEvent types.
const (
	DrogueEventType      = "io.drogue.event.v1"
	DrogueConnectionType = "io.drogue.connection.v1"
	drogueInstance       = "drogue"
	structuredCT         = "application/cloudevents+json; charset=utf-8"
)

type drogueDevice struct {
	name, uid string
	binary    bool
	via       *drogueDevice // the gateway that sends for it, nil when direct
	channel   string
	connected bool
	interval  time.Duration

	temp, target, humidity, battery float64
	lastCommand, commandError       string
}

type drogueSim struct {
	app, appUID string
	devices     []*drogueDevice
	byName      map[string]*drogueDevice
}

func newDrogue(cfg Config, r *rand.Rand) *drogueSim {
	g := &drogueSim{app: cfg.App, appUID: newUUID(r), byName: map[string]*drogueDevice{}}
	n := max(3, cfg.Systems/4)
	width := max(2, len(padNum(n, 0)))
	add := func(d *drogueDevice) {
		d.uid, d.connected, d.interval = newUUID(r), true, 3*time.Second
		d.temp, d.target = 19+r.Float64()*4, 21
		d.humidity, d.battery = 35+r.Float64()*15, 60+r.Float64()*40
		g.devices = append(g.devices, d)
		g.byName[d.name] = d
	}
	for i := 1; i <= n; i++ {
		// Odd devices structured, even ones binary: both modes from the start.
		add(&drogueDevice{name: "thermostat-" + padNum(i, width), binary: i%2 == 0, channel: "state"})
	}
	gw := &drogueDevice{name: "gateway-01", channel: "status"}
	add(gw)
	add(&drogueDevice{name: "sensor-01", via: gw, binary: true, channel: "sensor"})
	return g
}

func (g *drogueSim) start(s *Sim) {
	for _, d := range g.devices {
		d := d
		if d.via == nil {
			g.publishConnection(s, s.now, d)
		}
		s.every(s.between(0, d.interval), d.interval, func(at time.Time) {
			if d.online() {
				g.publishEvent(s, at, d)
			}
		})
		if d.via == nil {
			var outage func(time.Time)
			outage = func(at time.Time) {
				if d.connected {
					g.setConnected(s, at, d, false)
					s.after(s.between(8*time.Second, 30*time.Second), func(at time.Time) { g.setConnected(s, at, d, true) })
				}
				s.after(s.expo(12*time.Minute), outage)
			}
			s.after(s.expo(12*time.Minute), outage)
		}
	}
}

func (d *drogueDevice) online() bool {
	if d.via != nil {
		return d.via.connected
	}
	return d.connected
}

func (d *drogueDevice) sender() *drogueDevice {
	if d.via != nil {
		return d.via
	}
	return d
}

func (g *drogueSim) setConnected(s *Sim, at time.Time, d *drogueDevice, up bool) {
	if d.connected == up {
		return
	}
	d.connected = up
	g.publishConnection(s, at, d)
}

// data is the device's reported state, the payload of its events.
func (g *drogueSim) data(s *Sim, d *drogueDevice) node {
	d.temp += (d.target-d.temp)*0.15 + s.rng.NormFloat64()*0.1
	d.humidity = math.Min(90, math.Max(10, d.humidity+s.rng.NormFloat64()*0.5))
	d.battery = math.Max(0, d.battery-0.01)
	fields := []field{kv("temperature", num(round(d.temp, 2))), kv("humidity", num(round(d.humidity, 1)))}
	if d.via == nil && d.channel == "state" {
		fields = append(fields, kv("targetTemperature", num(d.target)), kv("battery", num(round(d.battery, 0))))
	}
	if d.channel == "status" {
		fields = []field{kv("uptime", integer(int64(s.now.Sub(fleetEpoch)/time.Second))), kv("proxied", arr(str("sensor-01")))}
	}
	if d.lastCommand != "" {
		fields = append(fields, kv("lastCommand", str(d.lastCommand)))
		if d.commandError != "" {
			fields = append(fields, kv("commandError", str(d.commandError)))
		}
		d.lastCommand, d.commandError = "", ""
	}
	return obj(fields...)
}

func (g *drogueSim) publishEvent(s *Sim, at time.Time, d *drogueDevice) {
	g.publishCE(s, at, d, DrogueEventType, d.channel, g.data(s, d))
}

func (g *drogueSim) publishConnection(s *Sim, at time.Time, d *drogueDevice) {
	g.publishCE(s, at, d, DrogueConnectionType, "connection", obj(kv("connected", boolean(d.connected))))
}

// publishCE publishes one CloudEvent in the device's mode.
func (g *drogueSim) publishCE(s *Sim, at time.Time, d *drogueDevice, typ, subject string, data node) {
	snd := d.sender()
	attrs := []mqttconn.UserProperty{
		{Key: "specversion", Value: "1.0"},
		{Key: "id", Value: newUUID(s.rng)},
		{Key: "source", Value: "drogue://" + g.app + "/" + d.name},
		{Key: "type", Value: typ},
		{Key: "subject", Value: subject},
		{Key: "time", Value: at.UTC().Format("2006-01-02T15:04:05.000000Z07:00")},
		{Key: "application", Value: g.app},
		{Key: "applicationuid", Value: g.appUID},
		{Key: "device", Value: d.name},
		{Key: "deviceuid", Value: d.uid},
		{Key: "sender", Value: snd.name},
		{Key: "senderuid", Value: snd.uid},
		{Key: "instance", Value: drogueInstance},
	}
	body := toJSON(data)
	if d.binary {
		s.publish(drogueAppTopic(g.app), body, 0, false, &mqttconn.Props{ContentType: "application/json", User: attrs})
		return
	}
	fields := make([]field, 0, len(attrs)+2)
	for i, a := range attrs {
		fields = append(fields, kv(a.Key, str(a.Value)))
		if i == 5 { // after time, as the CloudEvents JSON format lists it
			fields = append(fields, kv("datacontenttype", str("application/json")))
		}
	}
	fields = append(fields, kv("data", data))
	utf := byte(1)
	s.publish(drogueAppTopic(g.app), toJSON(obj(fields...)), 0, false,
		&mqttconn.Props{ContentType: structuredCT, PayloadFormat: &utf})
}

// command applies command/{app}/{device}/{name}. Drogue commands are fire
// and forget: an unknown or offline device loses it silently.
func (g *drogueSim) command(s *Sim, m mqttconn.Message) bool {
	parts := strings.Split(m.Topic, "/")
	if len(parts) != 4 {
		return false
	}
	d := g.byName[parts[2]]
	if d == nil || !d.online() {
		s.rejected.Add(1)
		return true
	}
	name := parts[3]
	d.lastCommand = name
	value, hasValue := commandValue(m.Payload)
	switch name {
	case "setTemperature":
		if !hasValue || value < 5 || value > 35 {
			d.commandError = "setTemperature needs {\"value\": 5..35}"
		} else {
			d.target = value
		}
	case "setInterval":
		if !hasValue || value < 1 || value > 3600 {
			d.commandError = "setInterval needs {\"value\": 1..3600} seconds"
		} else {
			d.interval = time.Duration(value * float64(time.Second))
		}
	case "reboot":
		if d.via == nil {
			g.setConnected(s, s.now, d, false)
			s.after(s.scale(3*time.Second), func(at time.Time) {
				g.setConnected(s, at, d, true)
				g.publishEvent(s, at, d)
			})
			return true
		}
	default:
		d.commandError = "unknown command " + name
	}
	if d.commandError != "" {
		s.rejected.Add(1)
	}
	// The answer: the device reports its new state right away.
	s.after(s.scale(300*time.Millisecond), func(at time.Time) {
		if d.online() {
			g.publishEvent(s, at, d)
		}
	})
	return true
}

// commandValue reads {"value": n} or a bare number.
func commandValue(payload []byte) (float64, bool) {
	n, err := decode.ParseJSON(string(payload))
	if err != nil {
		return 0, false
	}
	if v, ok := n.Get("value"); ok {
		n = v
	}
	switch n.Kind {
	case decode.KindFloat:
		return n.Float, true
	case decode.KindInt:
		return float64(n.Int), true
	case decode.KindUint:
		return float64(n.Uint), true
	}
	return 0, false
}
