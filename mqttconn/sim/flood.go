package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// FloodConfig says what Flood sends.
type FloodConfig struct {
	N        int     // messages to send; 0 = until ctx ends
	Rate     float64 // messages per second; 0 = as fast as the bus takes them
	Size     int     // payload size to pad JSON payloads up to; 0 = their natural size
	Topics   int     // entities (systems, devices) to spread over; default 100
	Platform string  // drivr, drogue, devapi, or "" / "mixed" for all three in turn
	QoS      byte
	Seed     uint64 // default 1

	Slug, App string // default company-example, demo-app
}

// FloodStats is what Flood sent.
type FloodStats struct {
	Sent     uint64 // publishes the bus accepted
	Errors   uint64 // publishes the bus refused
	Bytes    uint64 // payload bytes sent
	Elapsed  time.Duration
	ByKind   map[string]uint64 // e.g. "drivr datapoint", "drogue binary"
	FirstErr error
}

// PerSecond is the achieved rate.
func (s FloodStats) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Sent) / s.Elapsed.Seconds()
}

func (s FloodStats) String() string {
	kinds := make([]string, 0, len(s.ByKind))
	for _, k := range sortedKeys(s.ByKind) {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, s.ByKind[k]))
	}
	return fmt.Sprintf("sent %d messages (%d bytes of payload) in %v: %.0f msg/s, %d errors [%s]",
		s.Sent, s.Bytes, s.Elapsed.Round(time.Millisecond), s.PerSecond(), s.Errors, strings.Join(kinds, ", "))
}

func sortedKeys(m map[string]uint64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// floodMsg is one generated message.
type floodMsg struct {
	kind, topic string
	payload     []byte
	props       *mqttconn.Props
}

// flooder makes realistic platform payloads quickly: the hot shapes
// (datapoints, CloudEvents, telemetry) are appended from precomputed
// pieces, with the same fields and order as the simulator's.
type flooder struct {
	cfg      FloodConfig
	rng      *rand.Rand
	systems  []string // DRIVR system uuids
	sysBase  []string // their topics
	voltage  []string // their smart meters' voltage datapoint topics
	devices  []string // device API ids
	devTele  []string // their telemetry topics
	drogue   []drogueTemplate
	evModel  *eventModel
	appTopic string

	clockN  int // messages since now was read
	now     time.Time
	nowPy   string // pyTime(now)
	nowIso  string // isoMillis(now)
	nowDrog string // the CloudEvent time form
}

type drogueTemplate struct {
	name  string
	head  []byte // structured JSON up to the id
	mid   []byte // from after the id to the time
	tail  []byte // from after the time to "data":
	attrs []mqttconn.UserProperty
}

func newFlooder(cfg FloodConfig) *flooder {
	r := newRand(cfg.Seed, 3)
	f := &flooder{cfg: cfg, rng: r, appTopic: drogueAppTopic(cfg.App)}
	appUID := newUUID(r)
	for i := 0; i < cfg.Topics; i++ {
		id := newUUID(r)
		f.systems = append(f.systems, id)
		base := drivrSystemTopic(cfg.Slug, id)
		f.sysBase = append(f.sysBase, base)
		f.voltage = append(f.voltage, drivrDatapointTopic(base+"/components/"+SeedComponentCode, "voltage"))
		dev := newUUID(r)
		f.devices = append(f.devices, dev)
		f.devTele = append(f.devTele, devTopic(dev, "telemetry"))
		f.drogue = append(f.drogue, newDrogueTemplate(cfg.App, appUID, "device-"+padNum(i+1, 4), newUUID(r)))
	}
	f.evModel = newDrivr(Config{Systems: 1, Slug: cfg.Slug}, newRand(cfg.Seed, 1)).models[0]
	return f
}

func newDrogueTemplate(app, appUID, name, uid string) drogueTemplate {
	q := func(s string) string { return string(toJSON(str(s))) }
	t := drogueTemplate{name: name}
	t.head = []byte(`{"specversion":"1.0","id":"`)
	t.mid = []byte(`","source":` + q("drogue://"+app+"/"+name) + `,"type":"` + DrogueEventType + `","subject":"state","time":"`)
	t.tail = []byte(`","datacontenttype":"application/json","application":` + q(app) + `,"applicationuid":"` + appUID +
		`","device":` + q(name) + `,"deviceuid":"` + uid + `","sender":` + q(name) + `,"senderuid":"` + uid +
		`","instance":"` + drogueInstance + `","data":`)
	t.attrs = []mqttconn.UserProperty{
		{Key: "specversion", Value: "1.0"}, {Key: "id"}, {Key: "source", Value: "drogue://" + app + "/" + name},
		{Key: "type", Value: DrogueEventType}, {Key: "subject", Value: "state"}, {Key: "time"},
		{Key: "application", Value: app}, {Key: "applicationuid", Value: appUID},
		{Key: "device", Value: name}, {Key: "deviceuid", Value: uid},
		{Key: "sender", Value: name}, {Key: "senderuid", Value: uid}, {Key: "instance", Value: drogueInstance},
	}
	return t
}

// tick reads the clock every 64 messages: timestamps stay within a
// fraction of a millisecond at flood rates, for a fraction of the cost.
func (f *flooder) tick() {
	if f.clockN%64 == 0 {
		f.now = time.Now()
		f.nowPy, f.nowIso = pyTime(f.now), isoMillis(f.now)
		f.nowDrog = f.now.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	}
	f.clockN++
}

// next builds message number i.
func (f *flooder) next(i int) floodMsg {
	f.tick()
	ent := i % f.cfg.Topics
	plat := f.cfg.Platform
	if plat == "" || plat == "mixed" {
		plat = [...]string{PlatformDRIVR, PlatformDrogue, PlatformDevAPI}[i%3]
		ent = (i / 3) % f.cfg.Topics
	}
	var m floodMsg
	switch plat {
	case PlatformDrogue:
		m = f.drogueMsg(ent, i)
	case PlatformDevAPI:
		m = f.devapiMsg(ent)
	default:
		m = f.drivrMsg(ent)
	}
	m.payload = pad(m.payload, f.cfg.Size)
	return m
}

func appendNum(b []byte, v float64, decimals int) []byte {
	return strconv.AppendFloat(b, round(v, decimals), 'f', -1, 64)
}

// drivrMsg: eight datapoints in ten, one event, one event state.
func (f *flooder) drivrMsg(ent int) floodMsg {
	switch f.rng.IntN(10) {
	case 8:
		e := &drivrEvent{uuid: newUUID(f.rng), sys: &drivrSystem{uuid: f.systems[ent]}, model: f.evModel,
			created: f.now, updated: f.now, time: f.nowPy, metadata: obj(kv("powerKw", num(round(40+f.rng.Float64()*20, 1))))}
		return floodMsg{kind: "drivr event", topic: drivrEventTopic(f.sysBase[ent], e.uuid), payload: toJSON((&drivrSim{}).eventNode(e))}
	case 9:
		return floodMsg{kind: "drivr state", topic: drivrEventTopic(f.sysBase[ent], newUUID(f.rng)) + "/state", payload: []byte("ACTIVE")}
	}
	b := make([]byte, 0, 80)
	b = append(b, `{"time":"`...)
	b = append(b, f.nowPy...)
	b = append(b, `","value":`...)
	b = appendNum(b, 230+f.rng.NormFloat64()*1.5, 1)
	b = append(b, `,"unit":"V"}`...)
	return floodMsg{kind: "drivr datapoint", topic: f.voltage[ent], payload: b}
}

// drogueMsg alternates structured and binary CloudEvents.
func (f *flooder) drogueMsg(ent, i int) floodMsg {
	t := &f.drogue[ent]
	data := make([]byte, 0, 96)
	data = append(data, `{"temperature":`...)
	data = appendNum(data, 21+f.rng.NormFloat64()*0.5, 2)
	data = append(data, `,"humidity":`...)
	data = appendNum(data, 40+f.rng.NormFloat64(), 1)
	data = append(data, `,"targetTemperature":21,"battery":90}`...)
	id := newUUID(f.rng)
	if i%2 == 1 {
		attrs := make([]mqttconn.UserProperty, len(t.attrs))
		copy(attrs, t.attrs)
		attrs[1].Value, attrs[5].Value = id, f.nowDrog
		return floodMsg{kind: "drogue binary", topic: f.appTopic, payload: data,
			props: &mqttconn.Props{ContentType: "application/json", User: attrs}}
	}
	b := make([]byte, 0, len(t.head)+len(t.mid)+len(t.tail)+len(data)+80)
	b = append(b, t.head...)
	b = append(b, id...)
	b = append(b, t.mid...)
	b = append(b, f.nowDrog...)
	b = append(b, t.tail...)
	b = append(b, data...)
	b = append(b, '}')
	utf := byte(1)
	return floodMsg{kind: "drogue structured", topic: f.appTopic, payload: b,
		props: &mqttconn.Props{ContentType: structuredCT, PayloadFormat: &utf}}
}

func (f *flooder) devapiMsg(ent int) floodMsg {
	b := make([]byte, 0, 160)
	b = append(b, `{"status":"online","timestamp":"`...)
	b = append(b, f.nowIso...)
	b = append(b, `","telemetries":{"fan_speed":`...)
	b = appendNum(b, 100+f.rng.NormFloat64()*5, 1)
	b = append(b, `,"connection":"4g","usbc":true,"temperature":`...)
	b = appendNum(b, 40+f.rng.NormFloat64(), 1)
	b = append(b, `}}`...)
	return floodMsg{kind: "devapi telemetry", topic: f.devTele[ent], payload: b,
		props: &mqttconn.Props{ContentType: "application/json", User: []mqttconn.UserProperty{{Key: "device_id", Value: f.devices[ent]}}}}
}

// pad grows a JSON object to size bytes with a "pad" field.
func pad(b []byte, size int) []byte {
	if size <= len(b)+10 || len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return b
	}
	n := size - len(b) - len(`,"pad":""`)
	out := make([]byte, 0, size)
	out = append(out, b[:len(b)-1]...)
	out = append(out, `,"pad":"`...)
	out = append(out, strings.Repeat("x", n)...)
	return append(out, `"}`...)
}

// Flood publishes realistic platform traffic as fast as asked: the load
// generator behind `mqdeck bench pub`. It returns what it sent; the error
// says why it stopped early (ctx) or that publishes failed.
func Flood(ctx context.Context, bus Bus, cfg FloodConfig) (FloodStats, error) {
	if cfg.N < 0 || cfg.Rate < 0 || cfg.Size < 0 || cfg.Topics < 0 || cfg.QoS > 2 {
		return FloodStats{}, fmt.Errorf("sim: flood: negative count, rate, size or topics, or QoS above 2")
	}
	switch cfg.Platform {
	case "", "mixed", PlatformDRIVR, PlatformDrogue, PlatformDevAPI:
	default:
		return FloodStats{}, fmt.Errorf("sim: flood: platform %q (drivr, drogue, devapi or mixed)", cfg.Platform)
	}
	if cfg.Topics == 0 {
		cfg.Topics = 100
	}
	if cfg.Seed == 0 {
		cfg.Seed = DefaultSeed
	}
	if cfg.Slug == "" {
		cfg.Slug = DefaultSlug
	}
	if cfg.App == "" {
		cfg.App = DefaultApp
	}
	f := newFlooder(cfg)
	st := FloodStats{ByKind: map[string]uint64{}}
	start := time.Now()
	var timer *time.Timer
	for i := 0; cfg.N == 0 || i < cfg.N; i++ {
		if i&255 == 0 && ctx.Err() != nil {
			break
		}
		if cfg.Rate > 0 {
			// Sleep only when more than a millisecond ahead: finer sleeps
			// cost more than they smooth.
			if ahead := time.Until(start.Add(time.Duration(float64(i) / cfg.Rate * float64(time.Second)))); ahead > time.Millisecond {
				if timer == nil {
					timer = time.NewTimer(ahead)
				} else {
					timer.Reset(ahead)
				}
				select {
				case <-ctx.Done():
				case <-timer.C:
				}
				if ctx.Err() != nil {
					break
				}
			}
		}
		m := f.next(i)
		if err := bus.Publish(m.topic, m.payload, cfg.QoS, false, m.props); err != nil {
			st.Errors++
			if st.FirstErr == nil {
				st.FirstErr = err
			}
			continue
		}
		st.Sent++
		st.Bytes += uint64(len(m.payload))
		st.ByKind[m.kind]++
	}
	st.Elapsed = time.Since(start)
	if timer != nil {
		timer.Stop()
	}
	if cfg.N > 0 && int(st.Sent+st.Errors) < cfg.N && ctx.Err() != nil {
		return st, fmt.Errorf("sim: flood stopped after %d of %d: %w", st.Sent+st.Errors, cfg.N, ctx.Err())
	}
	if st.Errors > 0 {
		return st, fmt.Errorf("sim: flood: %d of %d publishes failed, first: %w", st.Errors, st.Sent+st.Errors, st.FirstErr)
	}
	return st, nil
}

// FloodParallel splits one flood over several buses (one connection each),
// N and Rate shared out, and adds up what they sent. A single MQTT client
// writes one packet per system call, so more connections go faster.
func FloodParallel(ctx context.Context, buses []Bus, cfg FloodConfig) (FloodStats, error) {
	if len(buses) == 0 {
		return FloodStats{}, fmt.Errorf("sim: flood: no bus")
	}
	type result struct {
		st  FloodStats
		err error
	}
	results := make(chan result, len(buses))
	k := len(buses)
	for i, bus := range buses {
		part := cfg
		part.Seed = cfg.Seed + uint64(i)*7919
		part.Rate = cfg.Rate / float64(k)
		if cfg.N > 0 {
			part.N = cfg.N / k
			if i < cfg.N%k {
				part.N++
			}
			if part.N == 0 {
				results <- result{st: FloodStats{ByKind: map[string]uint64{}}}
				continue
			}
		}
		go func(bus Bus, part FloodConfig) {
			st, err := Flood(ctx, bus, part)
			results <- result{st, err}
		}(bus, part)
	}
	total := FloodStats{ByKind: map[string]uint64{}}
	var firstErr error
	for range buses {
		r := <-results
		total.Sent += r.st.Sent
		total.Errors += r.st.Errors
		total.Bytes += r.st.Bytes
		total.Elapsed = max(total.Elapsed, r.st.Elapsed)
		for k, v := range r.st.ByKind {
			total.ByKind[k] += v
		}
		if total.FirstErr == nil {
			total.FirstErr = r.st.FirstErr
		}
		if firstErr == nil {
			firstErr = r.err
		}
	}
	return total, firstErr
}
