package sim

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

const (
	slugBase   = "drivr/v1/company-example"
	emsTopic   = slugBase + "/systems/" + SeedSystemUUID
	meterTopic = emsTopic + "/components/" + SeedComponentCode
	sysInput   = slugBase + "/input/event/s/" + SeedSystemUUID + "/json"
	compInput  = slugBase + "/input/event/c/" + SeedComponentUUID + "/json"
)

// Seed 001's example documents, as cut verbatim into decode's fixtures
// (decode's TestSeedFixturesAreVerbatim checks them against the seeds).
const (
	mkSysRequest    = "drivr_event_input_system.json"
	mkSysEvent      = "drivr_event_system.json"
	mkSysAck        = "drivr_event_ack_system.json"
	mkBadFieldReq   = "drivr_event_input_bad_field.json"
	mkBadFieldErr   = "drivr_error_validation.json"
	mkCompRequest   = "drivr_event_input_component.json"
	mkCompEvent     = "drivr_event_component.json"
	mkCompAck       = "drivr_event_ack_component.json"
	mkBadModelReq   = "drivr_event_input_bad_model.json"
	mkBadModelErr   = "drivr_error_unknown_model.json"
	quiet           = 500 * time.Millisecond // no spontaneous event is due this early
	afterAckWindow  = 25 * time.Second
	seedSystemEvent = "a707aa3a-b44f-42e0-9ab8-b8efe13409c8"
)

// newEvent finds the one event entity published after mark under entity.
func newEvent(t *testing.T, bus *memBus, mark int, entity string) (id string, payload []byte) {
	t.Helper()
	msgs := bus.since(mark, entity+"/events/+")
	if len(msgs) != 1 {
		t.Fatalf("%d event entities under %s, want 1: %v", len(msgs), entity, msgs)
	}
	return msgs[0].Topic[strings.LastIndexByte(msgs[0].Topic, '/')+1:], msgs[0].Payload
}

// withIDsOf rewrites the seed document's per-instance values (uuid,
// createdAt, updatedAt, and whatever else is listed) to ours, so the rest
// must match byte for byte.
func withIDsOf(t *testing.T, seed, ours []byte, keys ...string) []byte {
	t.Helper()
	s, o := asMap(t, seed), asMap(t, ours)
	out := seed
	for _, k := range append([]string{"uuid", "createdAt", "updatedAt"}, keys...) {
		from, _ := json.Marshal(s[k])
		to, _ := json.Marshal(o[k])
		out = bytes.Replace(out, append([]byte(`"`+k+`":`), from...), append([]byte(`"`+k+`":`), to...), 1)
	}
	return out
}

func TestSeedSystemEventStateAck(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	mark := bus.mark()
	bus.inject(sysInput, seedJSON(t, mkSysRequest), nil)
	s.Step(t0.Add(quiet))

	id, payload := newEvent(t, bus, mark, emsTopic)
	if !uuidRE.MatchString(id) || id == seedSystemEvent {
		t.Fatalf("event uuid %q", id)
	}
	o := asMap(t, payload)
	if o["uuid"] != id || !naiveRE.MatchString(o["createdAt"].(string)) || !naiveRE.MatchString(o["updatedAt"].(string)) {
		t.Fatalf("ids and times: %s", payload)
	}
	want := withIDsOf(t, seedJSON(t, mkSysEvent), payload)
	if !bytes.Equal(payload, want) {
		t.Fatalf("event payload\n got %s\nwant %s", payload, want)
	}
	state := bus.since(mark, emsTopic+"/events/"+id+"/state")
	if len(state) != 1 || string(state[0].Payload) != "ACTIVE" {
		t.Fatalf("state %v", state)
	}
	if errs := bus.since(mark, sysInput+"/error"); len(errs) != 0 {
		t.Fatalf("valid input answered with an error: %s", errs[0].Payload)
	}

	// Acknowledged "after a while": the ack topic, then the event again.
	mark = bus.mark()
	run(s, t0.Add(quiet), t0.Add(afterAckWindow), 100*time.Millisecond)
	acks := bus.since(mark, emsTopic+"/events/"+id+"/ack")
	if len(acks) != 1 {
		t.Fatalf("%d acks", len(acks))
	}
	if got, want := keysOf(t, acks[0].Payload), keysOf(t, seedJSON(t, mkSysAck)); got != want {
		t.Fatalf("ack shape %s, want %s", got, want)
	}
	a := asMap(t, acks[0].Payload)
	if !awareRE.MatchString(a["time"].(string)) || !uuidRE.MatchString(a["userUuid"].(string)) {
		t.Fatalf("ack %s", acks[0].Payload)
	}
	again := bus.since(mark, emsTopic+"/events/"+id)
	if len(again) != 1 || asMap(t, again[0].Payload)["acknowledged"] != true {
		t.Fatalf("event after ack: %v", again)
	}
}

func TestSeedComponentEventRangedResolves(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	mark := bus.mark()
	bus.inject(compInput, seedJSON(t, mkCompRequest), nil)
	s.Step(t0.Add(quiet))

	id, payload := newEvent(t, bus, mark, meterTopic)
	o := asMap(t, payload)
	// Seed 001 prints the response of another run (its time differs from
	// the request's); ours echoes the request's time.
	if o["time"] != "2025-05-07T10:02:00+00:00" {
		t.Fatalf("time %v", o["time"])
	}
	want := withIDsOf(t, seedJSON(t, mkCompEvent), payload, "time")
	if !bytes.Equal(payload, want) {
		t.Fatalf("component event\n got %s\nwant %s", payload, want)
	}
	if st := bus.since(mark, meterTopic+"/events/"+id+"/state"); len(st) != 1 || string(st[0].Payload) != "ACTIVE" {
		t.Fatalf("state %v", st)
	}
	mark = bus.mark()
	run(s, t0.Add(quiet), t0.Add(afterAckWindow), 100*time.Millisecond)
	acks := bus.since(mark, meterTopic+"/events/"+id+"/ack")
	if len(acks) != 1 || keysOf(t, acks[0].Payload) != keysOf(t, seedJSON(t, mkCompAck)) {
		t.Fatalf("acks %v", acks)
	}

	// The operator resolves it by sending the same uuid with an end time.
	mark = bus.mark()
	bus.inject(compInput, mustJSON(map[string]any{"uuid": id, "eventModelCode": SeedMalfunctionCode,
		"time": "2025-05-07T10:02:00Z", "endTime": "2025-05-07T10:12:00Z"}), nil)
	s.Step(t0.Add(afterAckWindow + time.Second))
	ev := bus.since(mark, meterTopic+"/events/"+id)
	if len(ev) != 1 {
		t.Fatalf("resolved event published %d times", len(ev))
	}
	r := asMap(t, ev[0].Payload)
	if r["status"] != "RESOLVED" || r["endTime"] != "2025-05-07T10:12:00+00:00" || r["acknowledged"] != true {
		t.Fatalf("resolved %s", ev[0].Payload)
	}
	if st := bus.since(mark, meterTopic+"/events/"+id+"/state"); len(st) != 1 || string(st[0].Payload) != "RESOLVED" {
		t.Fatalf("state after resolve %v", st)
	}
}

func TestSeedErrorReplies(t *testing.T) {
	for _, tc := range []struct {
		name, topic, req, reply string
	}{
		{"unknown field", sysInput, mkBadFieldReq, mkBadFieldErr},
		{"unknown event model", compInput, mkBadModelReq, mkBadModelErr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bus := newTestSim(t, Config{})
			mark := bus.mark()
			bus.inject(tc.topic, seedJSON(t, tc.req), nil)
			s.Step(t0.Add(quiet))
			errs := bus.since(mark, tc.topic+"/error")
			if len(errs) != 1 {
				t.Fatalf("%d replies on %s/error", len(errs), tc.topic)
			}
			if want := seedJSON(t, tc.reply); !bytes.Equal(errs[0].Payload, want) {
				t.Fatalf("reply\n got %s\nwant %s", errs[0].Payload, want)
			}
			for _, f := range []string{slugBase + "/systems/+/events/#", slugBase + "/systems/+/components/+/events/#"} {
				if ev := bus.since(mark, f); len(ev) != 0 {
					t.Fatalf("a refused input created %s", ev[0].Topic)
				}
			}
			if s.Stats().Rejected != 1 || s.Stats().Inputs != 1 {
				t.Fatalf("stats %+v", s.Stats())
			}
		})
	}
}

// msgpackOf re-encodes a JSON document as MsgPack with the keys in order,
// through the decode package (not the simulator's code).
func msgpackOf(t *testing.T, doc []byte) []byte {
	t.Helper()
	n, err := decode.ParseJSON(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	b, err := decode.EncodeMsgPack(n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMsgPackInputAnsweredInMsgPack(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	topic := strings.TrimSuffix(sysInput, "json") + "msgpack"
	mark := bus.mark()
	bus.inject(topic, msgpackOf(t, seedJSON(t, mkBadFieldReq)), nil)
	s.Step(t0.Add(quiet))
	errs := bus.since(mark, topic+"/error")
	if len(errs) != 1 {
		t.Fatalf("%d replies", len(errs))
	}
	// Independent check: the MsgPack library's own reading equals the seed.
	var got, want any
	if err := msgpack.Unmarshal(errs[0].Payload, &got); err != nil {
		t.Fatalf("reply is not MsgPack: %v", err)
	}
	_ = json.Unmarshal(seedJSON(t, mkBadFieldErr), &want)
	var norm any
	_ = json.Unmarshal(mustJSON(got), &norm)
	if !reflect.DeepEqual(norm, want) {
		t.Fatalf("msgpack reply %v, want %v", norm, want)
	}
	// And the key order is the seed's.
	v := decode.Decode(errs[0].Payload, decode.Hints{Encoding: "msgpack"}, decode.Limits{})
	js, _ := decode.EncodeJSON(v.Data)
	if v.Format != decode.FormatMsgPack || !bytes.Equal(js, seedJSON(t, mkBadFieldErr)) {
		t.Fatalf("decoded %s %s", v.Format, js)
	}

	// A valid MsgPack input creates the event; the event topic is JSON.
	mark = bus.mark()
	bus.inject(topic, msgpackOf(t, seedJSON(t, mkSysRequest)), nil)
	s.Step(t0.Add(2 * quiet))
	_, payload := newEvent(t, bus, mark, emsTopic)
	if asMap(t, payload)["time"] != "2025-05-09T13:28:42.611276+00:00" {
		t.Fatalf("event from msgpack %s", payload)
	}
	if errs := bus.since(mark, topic+"/error"); len(errs) != 0 {
		t.Fatalf("valid msgpack refused: %x", errs[0].Payload)
	}
}

func TestInputValidation(t *testing.T) {
	unknownSys := slugBase + "/input/event/s/00000000-0000-4000-8000-000000000000/json"
	for _, tc := range []struct {
		name, topic, body, want string
	}{
		{"missing time", sysInput, `{"eventModelCode":"energy-overload-model"}`,
			`{"0":[{"code":"validation_error","message":{"time":["Missing data for required field."]}}]}`},
		{"bad time and two unknown fields", sysInput, `{"eventModelCode":"energy-overload-model","time":"soon","a":1,"b":2}`,
			`{"0":[{"code":"validation_error","message":{"time":["Not a valid datetime."],"a":["Unknown field."],"b":["Unknown field."]}}]}`},
		{"no model", sysInput, `{"time":"2025-05-09T13:28:42Z"}`,
			`{"0":[{"code":"validation_error","message":{"_schema":["Either eventModelCode or eventModelUuid is required."]}}]}`},
		{"code and uuid", sysInput, `{"eventModelCode":"energy-overload-model","eventModelUuid":"c867ee9d-52f1-4819-9bfc-b64d6321a04b","time":"2025-05-09T13:28:42Z"}`,
			`{"0":[{"code":"validation_error","message":{"_schema":["Pass either eventModelCode or eventModelUuid, not both."]}}]}`},
		{"unknown model uuid", sysInput, `{"eventModelUuid":"11111111-2222-4333-8444-555555555555","time":"2025-05-09T13:28:42Z"}`,
			`{"0":[{"code":"event_model_does_not_exist","message":"An event model with the uuid 11111111-2222-4333-8444-555555555555 does not exist"}]}`},
		{"component model on a system", sysInput, `{"eventModelCode":"smart-meter-malfunction-event","time":"2025-05-09T13:28:42Z"}`,
			`{"0":[{"code":"event_model_entity_type_mismatch","message":"The event model smart-meter-malfunction-event is for COMPONENT entities, not SYSTEM"}]}`},
		{"unknown system", unknownSys, `{"eventModelCode":"energy-overload-model","time":"2025-05-09T13:28:42Z"}`,
			`{"0":[{"code":"system_does_not_exist","message":"A system with the uuid 00000000-0000-4000-8000-000000000000 does not exist"}]}`},
		{"not JSON", sysInput, `{"eventModelCode":`,
			`{"0":[{"code":"validation_error","message":{"_schema":["Invalid input type."]}}]}`},
		{"end time on a single point event", sysInput, `{"eventModelCode":"energy-overload-model","time":"2025-05-09T13:28:42Z","endTime":"2025-05-09T14:00:00Z"}`,
			`{"0":[{"code":"validation_error","message":{"endTime":["Only RANGED events have an end time."]}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bus := newTestSim(t, Config{})
			mark := bus.mark()
			bus.inject(tc.topic, []byte(tc.body), nil)
			s.Step(t0.Add(quiet))
			errs := bus.since(mark, tc.topic+"/error")
			if len(errs) != 1 {
				t.Fatalf("%d replies", len(errs))
			}
			want := `{"code":"SOME_DATA_INVALID","message":"Some Events couldn't be imported/updated.","stats":{"total":1,"errors":1,"imported":0},"errors":` + tc.want + `}`
			if string(errs[0].Payload) != want {
				t.Fatalf("reply\n got %s\nwant %s", errs[0].Payload, want)
			}
		})
	}

	// An array imports what it can and reports the rest by index.
	s, bus := newTestSim(t, Config{})
	mark := bus.mark()
	bus.inject(sysInput, []byte(`[{"eventModelCode":"energy-overload-model","time":"2025-05-09T13:28:42Z"},{"eventModelCode":"en","time":"2025-05-09T13:28:42Z"}]`), nil)
	s.Step(t0.Add(quiet))
	errs := bus.since(mark, sysInput+"/error")
	if len(errs) != 1 || !strings.Contains(string(errs[0].Payload), `"stats":{"total":2,"errors":1,"imported":1},"errors":{"1":[{"code":"event_model_does_not_exist"`) {
		t.Fatalf("array reply %v", errs)
	}
	newEvent(t, bus, mark, emsTopic)
}

func TestSystemInputUpdatesSystem(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	topic := slugBase + "/input/system/" + SeedSystemUUID + "/json"
	mark := bus.mark()
	bus.inject(topic, []byte(`{"name":"EMS North","connectionState":"DISCONNECTED"}`), nil)
	s.Step(t0.Add(quiet))
	sys := bus.since(mark, emsTopic)
	if len(sys) != 1 || !sys[0].Retain {
		t.Fatalf("system republished %v", sys)
	}
	o := asMap(t, sys[0].Payload)
	if o["name"] != "EMS North" || o["connectionState"] != "DISCONNECTED" {
		t.Fatalf("system %s", sys[0].Payload)
	}
	if c := bus.since(mark, emsTopic+"/connectionState"); len(c) != 1 || string(c[0].Payload) != "DISCONNECTED" {
		t.Fatalf("connection state %v", c)
	}
	mark = bus.mark()
	bus.inject(topic, []byte(`{"colour":"red"}`), nil)
	s.Step(t0.Add(2 * quiet))
	if e := bus.since(mark, topic+"/error"); len(e) != 1 || !strings.Contains(string(e[0].Payload), `"colour":["Unknown field."]`) {
		t.Fatalf("system input error %v", e)
	}
}

func TestRetainedPictureAndSpontaneousTraffic(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	start := bus.since(0, "#")
	retained := map[string]bool{}
	for _, m := range start {
		if m.Retain {
			retained[m.Topic] = true
		}
	}
	for _, topic := range []string{slugBase, emsTopic, emsTopic + "/connectionState", meterTopic,
		slugBase + "/eventModels/" + SeedOverloadModel, slugBase + "/eventModels/" + SeedMalfunctionModel} {
		if !retained[topic] {
			t.Errorf("%s not published retained at start", topic)
		}
	}
	var sysCount int
	for topic := range retained {
		if platform.Matches(slugBase+"/systems/+", topic) {
			sysCount++
		}
	}
	if sysCount != DefaultSystems {
		t.Errorf("%d systems, want %d", sysCount, DefaultSystems)
	}
	sys := asMap(t, bus.since(0, emsTopic)[0].Payload)
	for _, k := range []string{"uuid", "code", "name", "description", "connectionState", "connectionStateUpdatedAt", "status", "metadata", "domainUuid", "ownerUuid", "createdAt", "updatedAt"} {
		if _, ok := sys[k]; !ok {
			t.Errorf("system payload lacks %s", k)
		}
	}
	if m := asMap(t, bus.since(0, slugBase+"/eventModels/"+SeedMalfunctionModel)[0].Payload); m["code"] != SeedMalfunctionCode || m["eventType"] != "RANGED" || m["entityType"] != "COMPONENT" {
		t.Errorf("malfunction model %v", m)
	}

	mark := bus.mark()
	run(s, t0, t0.Add(90*time.Second), 250*time.Millisecond)

	// Datapoints at plausible values.
	volts := bus.since(mark, meterTopic+"/datapoints/voltage")
	if len(volts) < 30 {
		t.Fatalf("%d voltage readings in 90 s", len(volts))
	}
	for _, m := range volts {
		v := asMap(t, m.Payload)["value"].(float64)
		if v < 220 || v > 240 {
			t.Errorf("voltage %v", v)
		}
	}
	for _, dp := range []string{"power", "energy-consumption"} {
		if len(bus.since(mark, meterTopic+"/datapoints/"+dp)) == 0 {
			t.Errorf("no %s datapoints", dp)
		}
	}
	if len(bus.since(mark, emsTopic+"/components/hvac-1/datapoints/temperature")) == 0 {
		t.Error("no temperature datapoints")
	}

	// The EMS overload (early, by design) goes ACTIVE and is acknowledged.
	var overload string
	for _, m := range bus.since(mark, emsTopic+"/events/+") {
		o := asMap(t, m.Payload)
		if o["eventModel"].(map[string]any)["code"] == SeedOverloadCode {
			overload = o["uuid"].(string)
			break
		}
	}
	if overload == "" {
		t.Fatal("no overload event on the EMS in 90 s")
	}
	if len(bus.since(mark, emsTopic+"/events/"+overload+"/state")) != 1 || len(bus.since(mark, emsTopic+"/events/"+overload+"/ack")) != 1 {
		t.Fatal("overload without state or ack")
	}
	// The malfunction on the smart meter resolves.
	resolved := false
	for _, m := range bus.since(mark, meterTopic+"/events/+/state") {
		resolved = resolved || string(m.Payload) == "RESOLVED"
	}
	if !resolved {
		t.Fatal("no malfunction resolved in 90 s")
	}
	// The second building drops off and comes back.
	second := s.drivr.systems[1]
	var states []string
	for _, m := range bus.since(mark, slugBase+"/systems/"+second.uuid+"/connectionState") {
		if !m.Retain {
			t.Error("connection state not retained")
		}
		states = append(states, string(m.Payload))
	}
	if len(states) < 2 || states[0] != "DISCONNECTED" || states[1] != "CONNECTED" {
		t.Fatalf("connection states of %s: %v", second.code, states)
	}
}

func TestDeterministic(t *testing.T) {
	trace := func(seed uint64) []string {
		s, bus := newTestSim(t, Config{Seed: seed})
		bus.inject(sysInput, []byte(`{"eventModelCode":"energy-overload-model","time":"2025-05-09T13:28:42Z"}`), nil)
		run(s, t0, t0.Add(30*time.Second), 100*time.Millisecond)
		var out []string
		for _, m := range bus.since(0, "#") {
			out = append(out, m.Topic+" "+string(m.Payload))
		}
		return out
	}
	a, b, c := trace(7), trace(7), trace(8)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different traffic")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same traffic")
	}
}

func TestHostileRequestsDoNotCrash(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	mp := strings.TrimSuffix(sysInput, "json") + "msgpack"
	bodies := [][]byte{nil, {0xdd, 0xff, 0xff, 0xff, 0xff}, {0xdf, 0x7f, 0xff, 0xff, 0xff}, bytes.Repeat([]byte{0x91}, 100000),
		[]byte(strings.Repeat("[", 100000)), []byte("\x1b]2;pwned\x07"), []byte(`{"time":{"a":[1,2,{"b":null}]}}`), []byte(`[]`), []byte(`[1,"x",null]`)}
	topics := []string{sysInput, mp, compInput, slugBase + "/input/system/" + SeedSystemUUID + "/msgpack",
		"command/demo-app/thermostat-01/setTemperature", "set/demo-account/things/x/properties/p"}
	for _, id := range s.DeviceIDs()[:1] {
		topics = append(topics, "v1/device/"+id+"/commands", "v1/device/"+id+"/config", "v1/device/"+id+"/license", "v1/device/"+id+"/get")
	}
	for _, th := range s.sw.things[:1] {
		topics = append(topics, "set/demo-account/things/"+th.id+"/properties", "set/demo-account/things/"+th.id+"/actions/reboot",
			"set/demo-account/things/"+th.id+"/events/e")
	}
	for _, topic := range topics {
		for _, b := range bodies {
			bus.inject(topic, b, &mqttconn.Props{User: []mqttconn.UserProperty{{Key: "access_key", Value: "\x00"}}})
			s.Step(t0.Add(quiet))
		}
	}
	run(s, t0.Add(quiet), t0.Add(10*time.Second), time.Second)
	if s.Stats().Inputs == 0 {
		t.Fatal("no input handled")
	}
}
