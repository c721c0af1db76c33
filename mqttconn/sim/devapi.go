package sim

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
)

// The device API (Xyte, seed 003): devices send telemetry, and the
// simulator plays their hub too. Operator commands on v1/device/{id}/commands
// go in_progress, then done or error, on .../commands/update; config and
// license pushes are applied and confirmed on .../config/update and
// .../license/update; a .../get carrying the right access_key user
// property is answered with the snapshot topics (space_info, config,
// command when one is pending, license, firmware when an update exists).
// A .../get with a wrong or missing key is ignored, as a hub ignores an
// unauthorized request, and counted in Stats.Rejected.

const latestFirmware = "1.0.8"

type devCommand struct {
	id, name string
	params   node
}

type devLicense struct {
	id, data, signature string
	add, update, remove bool
}

type devDevice struct {
	id, name, fwFileID string
	fw                 string
	status, message    string
	fan, temp          float64
	connection         string
	usbc               bool
	config             []field // version, last_updated, then settings
	queue              []devCommand
	busy               bool
	licenses           []devLicense // pushed and not yet confirmed
}

type devSim struct {
	key     string
	devices []*devDevice
	byID    map[string]*devDevice
}

func newDev(cfg Config, r *rand.Rand) *devSim {
	v := &devSim{key: cfg.AccessKey, byID: map[string]*devDevice{}}
	rooms := []string{"Conference Room Display", "Lobby Projector", "Training Room Screen", "Boardroom Codec"}
	for i := 0; i < max(3, cfg.Systems/4); i++ {
		d := &devDevice{
			id:         newUUID(r),
			name:       rooms[i%len(rooms)] + " " + padNum(i/len(rooms)+1, 1),
			fwFileID:   newUUID(r),
			fw:         "1.0.7",
			status:     "online",
			fan:        80 + r.Float64()*40,
			temp:       38 + r.Float64()*8,
			connection: []string{"4g", "wifi", "ethernet"}[i%3],
			usbc:       i%2 == 0,
		}
		d.config = []field{
			kv("version", str("3")),
			kv("last_updated", str(isoMillis(fleetEpoch))),
			kv("brightness", integer(80)),
			kv("input_source", str("hdmi1")),
			kv("sleep_after_minutes", integer(30)),
		}
		v.devices = append(v.devices, d)
		v.byID[d.id] = d
	}
	return v
}

// DeviceIDs are the simulated device API device ids.
func (s *Sim) DeviceIDs() []string {
	if s.dev == nil {
		return nil
	}
	out := make([]string, len(s.dev.devices))
	for i, d := range s.dev.devices {
		out[i] = d.id
	}
	return out
}

func (v *devSim) start(s *Sim) {
	for _, d := range v.devices {
		d := d
		s.every(s.between(0, 10*time.Second), 10*time.Second, func(at time.Time) { v.telemetry(s, at, d) })
		var fault func(time.Time)
		fault = func(at time.Time) {
			d.status, d.message = "error", "fan blocked"
			v.telemetry(s, at, d)
			s.after(s.between(20*time.Second, 60*time.Second), func(time.Time) { d.status, d.message = "online", "" })
			s.after(s.expo(20*time.Minute), fault)
		}
		s.after(s.expo(20*time.Minute), fault)
	}
}

// deviceProps are the user properties a device puts on what it publishes.
func (v *devSim) deviceProps(d *devDevice) *mqttconn.Props {
	return &mqttconn.Props{ContentType: "application/json", User: []mqttconn.UserProperty{
		{Key: "device_id", Value: d.id}, {Key: "access_key", Value: v.key}}}
}

func (v *devSim) telemetry(s *Sim, at time.Time, d *devDevice) {
	d.temp += (42-d.temp)*0.05 + s.rng.NormFloat64()*0.3
	fields := []field{kv("status", str(d.status)), kv("timestamp", str(isoMillis(at)))}
	if d.message != "" {
		fields = append(fields, kv("message", str(d.message)))
	}
	fields = append(fields, kv("telemetries", obj(
		kv("fan_speed", num(round(math.Max(0, d.fan+s.rng.NormFloat64()), 1))),
		kv("connection", str(d.connection)),
		kv("usbc", boolean(d.usbc)),
		kv("temperature", num(round(d.temp, 1))),
		kv("firmware_version", str(d.fw)),
	)))
	s.publish(devTopic(d.id, "telemetry"), toJSON(obj(fields...)), 0, false, v.deviceProps(d))
}

// request handles an operator's (or the hub's) publish to one device.
func (v *devSim) request(s *Sim, m mqttconn.Message) bool {
	parts := strings.Split(m.Topic, "/")
	if len(parts) != 4 {
		return false
	}
	d := v.byID[parts[2]]
	if d == nil {
		s.rejected.Add(1)
		return true
	}
	switch parts[3] {
	case "commands":
		v.command(s, m, d)
	case "config":
		v.config(s, m, d)
	case "license":
		v.license(s, m, d)
	case "get":
		v.snapshot(s, m, d)
	}
	return true
}

func (v *devSim) command(s *Sim, m mqttconn.Message, d *devDevice) {
	doc, err := decode.ParseJSON(string(m.Payload))
	if err != nil || doc.Kind != decode.KindObject {
		s.rejected.Add(1)
		return
	}
	c := devCommand{params: obj()}
	if n, ok := doc.Get("id"); ok && n.Kind == decode.KindString {
		c.id = n.Str
	}
	if n, ok := doc.Get("name"); ok && n.Kind == decode.KindString {
		c.name = n.Str
	}
	if n, ok := doc.Get("parameters"); ok && n.Kind == decode.KindObject {
		c.params = n
	}
	if c.id == "" {
		s.rejected.Add(1)
		v.commandUpdate(s, m, d, c.id, "error", "command without id")
		return
	}
	if len(d.queue) >= 16 {
		s.rejected.Add(1)
		v.commandUpdate(s, m, d, c.id, "error", "too many pending commands")
		return
	}
	d.queue = append(d.queue, c)
	if !d.busy {
		v.next(s, m, d)
	}
}

// next runs the command at the head of the queue: in_progress shortly,
// then done or error a few seconds later.
func (v *devSim) next(s *Sim, m mqttconn.Message, d *devDevice) {
	if len(d.queue) == 0 {
		d.busy = false
		return
	}
	d.busy = true
	c := d.queue[0]
	s.after(s.between(300*time.Millisecond, 800*time.Millisecond), func(time.Time) {
		v.commandUpdate(s, m, d, c.id, "in_progress", "executing "+c.name)
		s.after(s.between(2*time.Second, 4*time.Second), func(at time.Time) {
			status, msg := v.execute(s, at, d, c)
			d.queue = d.queue[1:]
			v.commandUpdate(s, m, d, c.id, status, msg)
			v.next(s, m, d)
		})
	})
}

// execute applies a command and says how it went.
func (v *devSim) execute(s *Sim, at time.Time, d *devDevice, c devCommand) (status, message string) {
	switch c.name {
	case "reboot":
		return "done", "rebooted"
	case "identify":
		return "done", "display blinked"
	case "set_fan_speed":
		n, ok := c.params.Get("value")
		val, isNum := numberOf(n)
		if !ok || !isNum || val < 0 || val > 200 {
			return "error", "parameters.value must be a number from 0 to 200"
		}
		d.fan = val
		return "done", "fan speed set"
	case "update_firmware":
		n, ok := c.params.Get("version")
		if !ok || n.Kind != decode.KindString || n.Str == "" {
			return "error", "parameters.version is required"
		}
		d.fw = n.Str
		s.publish(devTopic(d.id, "update"), toJSON(obj(kv("firmware_version", str(d.fw)), kv("name", str(d.name)))), 0, false, v.deviceProps(d))
		return "done", "firmware updated to " + d.fw
	}
	return "error", "unknown command " + c.name
}

func numberOf(n node) (float64, bool) {
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

// commandUpdate publishes {status, message, id} (seed 003's order) on
// commands/update; a final status also goes to the request's response
// topic, with its correlation data, when it named another one.
func (v *devSim) commandUpdate(s *Sim, m mqttconn.Message, d *devDevice, id, status, message string) {
	body := toJSON(obj(kv("status", str(status)), kv("message", str(message)), kv("id", str(id))))
	t := devTopic(d.id, "commands/update")
	s.publish(t, body, 1, false, v.deviceProps(d))
	if status != "in_progress" {
		v.reply(s, m, t, body)
	}
}

// reply answers on the request's response topic when it differs from the
// topic just used.
func (v *devSim) reply(s *Sim, m mqttconn.Message, used string, body []byte) {
	if m.Props == nil || m.Props.ResponseTopic == "" || m.Props.ResponseTopic == used {
		return
	}
	s.publish(m.Props.ResponseTopic, body, 1, false, &mqttconn.Props{ContentType: "application/json", CorrelationData: m.Props.CorrelationData})
}

// config merges a pushed configuration and reports what the device now runs.
func (v *devSim) config(s *Sim, m mqttconn.Message, d *devDevice) {
	doc, err := decode.ParseJSON(string(m.Payload))
	if err != nil || doc.Kind != decode.KindObject {
		s.rejected.Add(1)
		return
	}
	for _, f := range doc.Fields {
		setField(&d.config, f)
	}
	if _, ok := doc.Get("last_updated"); !ok {
		setField(&d.config, kv("last_updated", str(isoMillis(s.now))))
	}
	s.after(s.scale(500*time.Millisecond), func(time.Time) {
		body := toJSON(obj(d.config...))
		t := devTopic(d.id, "config/update")
		s.publish(t, body, 1, false, v.deviceProps(d))
		v.reply(s, m, t, body)
	})
}

func setField(fields *[]field, f field) {
	for i := range *fields {
		if (*fields)[i].Key == f.Key {
			(*fields)[i].Value = f.Value
			return
		}
	}
	*fields = append(*fields, f)
}

// license applies one license (or an array) and confirms each.
func (v *devSim) license(s *Sim, m mqttconn.Message, d *devDevice) {
	doc, err := decode.ParseJSON(string(m.Payload))
	if err != nil {
		s.rejected.Add(1)
		return
	}
	for _, it := range items(doc) {
		var l devLicense
		get := func(k string) node { n, _ := it.Get(k); return n }
		l.id, l.data, l.signature = get("id").Str, get("data").Str, get("signature").Str
		l.add, l.update, l.remove = get("add").Bool, get("update").Bool, get("remove").Bool
		if l.id == "" {
			s.rejected.Add(1)
			continue
		}
		d.licenses = append(d.licenses, l)
		s.after(s.between(500*time.Millisecond, 1500*time.Millisecond), func(time.Time) {
			fields := []field{kv("id", str(l.id))}
			switch {
			case l.remove:
				fields = append(fields, kv("state", str("removed")))
			case l.data == "":
				fields = append(fields, kv("state", str("error")), kv("error", str("license data missing")))
			default:
				fields = append(fields, kv("state", str("inuse")))
			}
			for i, p := range d.licenses {
				if p.id == l.id {
					d.licenses = append(d.licenses[:i], d.licenses[i+1:]...)
					break
				}
			}
			t := devTopic(d.id, "license/update")
			body := toJSON(obj(fields...))
			s.publish(t, body, 1, false, v.deviceProps(d))
			v.reply(s, m, t, body)
		})
	}
}

// snapshot answers .../get with the right access key.
func (v *devSim) snapshot(s *Sim, m mqttconn.Message, d *devDevice) {
	key, _ := m.Props.UserValue("access_key")
	if id, ok := m.Props.UserValue("device_id"); key != v.key || (ok && id != d.id) {
		s.rejected.Add(1)
		return
	}
	sent := []node{}
	pub := func(what string, body node, own bool) {
		t := devTopic(d.id, what)
		if own {
			s.publishOwn(t, toJSON(body), 1, false, nil)
		} else {
			s.publish(t, toJSON(body), 1, false, nil)
		}
		sent = append(sent, str(what))
	}
	pub("space_info", obj(
		kv("location", obj(
			kv("coordinates", obj(kv("lat", num(51.165691)), kv("lng", num(10.451526)))),
			kv("utc_offset", integer(60)),
			kv("name", str("Germany")))),
		kv("temperature_units", str("celsius")),
		kv("maintenance", boolean(false)),
		kv("name", str(d.name)),
		kv("local_time", str(s.now.In(time.FixedZone("CET", 3600)).Format(time.RFC3339))),
	), false)
	pub("config", obj(d.config...), true)
	if len(d.queue) > 0 {
		c := d.queue[0]
		pub("command", obj(kv("id", str(c.id)), kv("status", str("pending")), kv("name", str(c.name)), kv("parameters", c.params)), false)
	}
	lic := make([]node, 0, len(d.licenses))
	for _, l := range d.licenses {
		lic = append(lic, obj(kv("id", str(l.id)), kv("device_id", str(d.id)), kv("data", str(l.data)), kv("signature", str(l.signature)),
			kv("add", boolean(l.add)), kv("update", boolean(l.update)), kv("remove", boolean(l.remove))))
	}
	pub("license", arr(lic...), true)
	if d.fw != latestFirmware {
		pub("firmware", obj(kv("latest_fw_version", str(latestFirmware)), kv("latest_fw_file_id", str(d.fwFileID))), false)
	}
	if m.Props != nil && m.Props.ResponseTopic != "" {
		s.publish(m.Props.ResponseTopic, toJSON(obj(kv("status", str("ok")), kv("published", arr(sent...)))), 1, false,
			&mqttconn.Props{ContentType: "application/json", CorrelationData: m.Props.CorrelationData})
	}
}
