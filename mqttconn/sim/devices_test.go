package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
)

// cloudEvents decodes what was published on app/demo-app with the decode
// package, as the console will.
func cloudEvents(t *testing.T, msgs []mqttconn.Message) []decode.Value {
	t.Helper()
	var out []decode.Value
	for _, m := range msgs {
		v := decode.Decode(m.Payload, ingest.Hints(&m, ""), decode.Limits{})
		if v.Format != decode.FormatCloudEvents || v.Event == nil {
			t.Fatalf("not a CloudEvent (%s %v): %s", v.Format, v.Warnings, m.Payload)
		}
		if len(v.Warnings) != 0 {
			t.Errorf("decode warnings %v for %s", v.Warnings, m.Payload)
		}
		out = append(out, v)
	}
	return out
}

func ext(ev *decode.CloudEvent, name string) string {
	for _, a := range ev.Extensions {
		if a.Name == name {
			return a.Value
		}
	}
	return ""
}

func TestDrogueCloudEventsBothModes(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	run(s, t0, t0.Add(10*time.Second), 100*time.Millisecond)
	msgs := bus.since(0, "app/demo-app")
	vals := cloudEvents(t, msgs)
	modes := map[string]int{}
	var gatewayed, connected int
	for i, v := range vals {
		ev := v.Event
		modes[ev.Mode]++
		if ev.SpecVersion != "1.0" || ev.ID == "" || !strings.HasPrefix(ev.Source, "drogue://demo-app/") || ev.Time == "" {
			t.Errorf("attributes %+v", ev)
		}
		if ext(ev, "application") != "demo-app" || ext(ev, "instance") == "" || ext(ev, "applicationuid") == "" {
			t.Errorf("extensions %v", ev.Extensions)
		}
		if ev.DataContentType != "application/json" {
			t.Errorf("datacontenttype %q", ev.DataContentType)
		}
		switch ev.Mode {
		case "structured":
			if msgs[i].Props.ContentType != structuredCT {
				t.Errorf("structured content type %q", msgs[i].Props.ContentType)
			}
		case "binary":
			if msgs[i].Props.ContentType != "application/json" || !strings.HasPrefix(string(msgs[i].Payload), "{") {
				t.Errorf("binary mode message %v %s", msgs[i].Props, msgs[i].Payload)
			}
			if u, _ := msgs[i].Props.UserValue("specversion"); u != "1.0" {
				t.Errorf("binary mode without specversion property")
			}
		}
		if ext(ev, "sender") != ext(ev, "device") {
			gatewayed++
			if ext(ev, "device") != "sensor-01" || ext(ev, "sender") != "gateway-01" || ev.Type != DrogueEventType {
				t.Errorf("gateway event %+v", ev)
			}
		}
		if ev.Type == DrogueConnectionType {
			connected++
			if ev.Subject != "connection" {
				t.Errorf("connection event subject %q", ev.Subject)
			}
			if c, ok := v.Data.Get("connected"); !ok || c.Kind != decode.KindBool {
				t.Errorf("connection data %v", v.Data)
			}
		} else if _, ok := v.Data.Get("temperature"); !ok && ev.Subject != "status" {
			t.Errorf("device event data %v", v.Data)
		}
	}
	if modes["structured"] == 0 || modes["binary"] == 0 || gatewayed == 0 || connected == 0 {
		t.Fatalf("modes %v, gateway events %d, connection events %d", modes, gatewayed, connected)
	}
}

func TestDrogueCommandAnsweredByNextEvent(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	for i, dev := range []string{"thermostat-01", "thermostat-02"} { // structured and binary
		at := t0.Add(time.Duration(i+1) * time.Second)
		s.Step(at)
		mark := bus.mark()
		bus.inject("command/demo-app/"+dev+"/setTemperature", []byte(`{"value": 25.5}`), nil)
		s.Step(at)
		s.Step(at.Add(s.scale(400 * time.Millisecond)))
		var answer *decode.Value
		for _, v := range cloudEvents(t, bus.since(mark, "app/demo-app")) {
			if ext(v.Event, "device") == dev && v.Event.Type == DrogueEventType {
				answer = &v
				break
			}
		}
		if answer == nil {
			t.Fatalf("%s: no event within 400 ms of the command", dev)
		}
		if tt, _ := answer.Data.Get("targetTemperature"); tt.Float != 25.5 {
			t.Fatalf("%s: answer %v", dev, answer.Data)
		}
		if lc, _ := answer.Data.Get("lastCommand"); lc.Str != "setTemperature" {
			t.Fatalf("%s: lastCommand %v", dev, answer.Data)
		}
	}
	// A bad value is reported by the device, the target stays.
	mark := bus.mark()
	bus.inject("command/demo-app/thermostat-01/setTemperature", []byte(`{"value": 99}`), nil)
	s.Step(t0.Add(3 * time.Second))
	s.Step(t0.Add(4 * time.Second))
	found := false
	for _, v := range cloudEvents(t, bus.since(mark, "app/demo-app")) {
		if ce, ok := v.Data.Get("commandError"); ok && ext(v.Event, "device") == "thermostat-01" {
			found = strings.Contains(ce.Str, "5..35")
			if tt, _ := v.Data.Get("targetTemperature"); tt.Float != 25.5 {
				t.Fatalf("target changed by a refused command: %v", v.Data)
			}
		}
	}
	if !found {
		t.Fatal("refused command not reported")
	}
}

func TestDeviceAPICommandLifecycle(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	id := s.DeviceIDs()[0]
	base := "v1/device/" + id
	mark := bus.mark()
	bus.inject(base+"/commands", []byte(`{"id":"cmd-1","status":"pending","name":"set_fan_speed","parameters":{"value":120}}`), nil)
	bus.inject(base+"/commands", []byte(`{"id":"cmd-2","status":"pending","name":"self_destruct","parameters":{}}`), nil)
	s.Step(t0.Add(100 * time.Millisecond))

	// While cmd-1 runs, a snapshot shows cmd-1 as the pending command.
	s.Step(t0.Add(time.Second))
	smark := bus.mark()
	bus.inject(base+"/get", nil, &mqttconn.Props{ResponseTopic: base + "/get/response", CorrelationData: []byte("c-7"),
		User: []mqttconn.UserProperty{{Key: "device_id", Value: id}, {Key: "access_key", Value: DefaultAccessKey}}})
	s.Step(t0.Add(time.Second))
	if c := bus.since(smark, base+"/command"); len(c) != 1 || !strings.Contains(string(c[0].Payload), `"id":"cmd-1","status":"pending","name":"set_fan_speed"`) {
		t.Fatalf("pending command in snapshot: %v", c)
	}

	run(s, t0.Add(time.Second), t0.Add(15*time.Second), 100*time.Millisecond)
	var got []string
	for _, m := range bus.since(mark, base+"/commands/update") {
		o := asMap(t, m.Payload)
		got = append(got, o["id"].(string)+":"+o["status"].(string))
		if k := keysOf(t, m.Payload); k != "{status message id }" {
			t.Errorf("update shape %s", k)
		}
		if v, _ := m.Props.UserValue("device_id"); v != id {
			t.Errorf("update without device_id user property")
		}
	}
	want := []string{"cmd-1:in_progress", "cmd-1:done", "cmd-2:in_progress", "cmd-2:error"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("lifecycle %v, want %v", got, want)
	}
	tel := bus.since(mark, base+"/telemetry")
	last := asMap(t, tel[len(tel)-1].Payload)["telemetries"].(map[string]any)
	if fs := last["fan_speed"].(float64); fs < 115 || fs > 125 {
		t.Fatalf("fan speed after set_fan_speed 120: %v", fs)
	}
}

func TestDeviceAPISnapshotConfigLicense(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	id := s.DeviceIDs()[1]
	base := "v1/device/" + id
	auth := func(key string) *mqttconn.Props {
		return &mqttconn.Props{ResponseTopic: base + "/get/response", CorrelationData: []byte("corr-1"),
			User: []mqttconn.UserProperty{{Key: "device_id", Value: id}, {Key: "access_key", Value: key}}}
	}
	// Wrong key: ignored.
	mark := bus.mark()
	bus.inject(base+"/get", []byte("{}"), auth("wrong"))
	bus.inject(base+"/get", []byte("{}"), nil)
	s.Step(t0.Add(time.Second))
	if got := bus.since(mark, base+"/+"); len(got) > 0 {
		for _, m := range got {
			if !strings.HasSuffix(m.Topic, "/telemetry") && !strings.HasSuffix(m.Topic, "/get") {
				t.Fatalf("unauthorized get answered on %s", m.Topic)
			}
		}
	}
	if s.Stats().Rejected < 2 {
		t.Fatalf("rejected %d", s.Stats().Rejected)
	}
	// Right key: the snapshot topics, then the reply on the response topic.
	mark = bus.mark()
	bus.inject(base+"/get", []byte("{}"), auth(DefaultAccessKey))
	s.Step(t0.Add(2 * time.Second))
	var topics []string
	for _, m := range bus.since(mark, base+"/#") {
		topics = append(topics, strings.TrimPrefix(m.Topic, base+"/"))
	}
	if got := strings.Join(topics, ","); !strings.HasPrefix(got, "get,space_info,config,license,firmware,get/response") {
		t.Fatalf("snapshot topics %s", got)
	}
	resp := bus.since(mark, base+"/get/response")[0]
	if string(resp.Props.CorrelationData) != "corr-1" {
		t.Fatalf("correlation data %q", resp.Props.CorrelationData)
	}
	space := asMap(t, bus.since(mark, base+"/space_info")[0].Payload)
	for _, k := range []string{"location", "temperature_units", "maintenance", "name", "local_time"} {
		if _, ok := space[k]; !ok {
			t.Errorf("space_info lacks %s", k)
		}
	}
	// The snapshot's own config and license must not be taken as requests.
	run(s, t0.Add(2*time.Second), t0.Add(5*time.Second), 100*time.Millisecond)
	if u := bus.since(mark, base+"/config/update"); len(u) != 0 {
		t.Fatalf("snapshot echo handled as a config push: %s", u[0].Payload)
	}

	// Config push: merged and confirmed.
	mark = bus.mark()
	bus.inject(base+"/config", []byte(`{"version":"4","brightness":55}`), nil)
	run(s, t0.Add(5*time.Second), t0.Add(7*time.Second), 100*time.Millisecond)
	cu := bus.since(mark, base+"/config/update")
	if len(cu) != 1 {
		t.Fatalf("%d config updates", len(cu))
	}
	c := asMap(t, cu[0].Payload)
	if c["version"] != "4" || c["brightness"] != 55.0 || c["input_source"] != "hdmi1" {
		t.Fatalf("config %s", cu[0].Payload)
	}
	// Licenses: add is in use, remove is removed, no data is an error.
	mark = bus.mark()
	bus.inject(base+"/license", []byte(`[{"id":"L1","data":"x","signature":"s","add":true,"update":false,"remove":false},`+
		`{"id":"L2","data":"x","signature":"s","add":false,"update":false,"remove":true},{"id":"L3","add":true}]`), nil)
	run(s, t0.Add(7*time.Second), t0.Add(10*time.Second), 100*time.Millisecond)
	states := map[string]string{}
	for _, m := range bus.since(mark, base+"/license/update") {
		o := asMap(t, m.Payload)
		states[o["id"].(string)] = o["state"].(string)
	}
	if states["L1"] != "inuse" || states["L2"] != "removed" || states["L3"] != "error" {
		t.Fatalf("license states %v", states)
	}
	// firmware update command: the device reports its new version.
	mark = bus.mark()
	bus.inject(base+"/commands", []byte(`{"id":"fw","status":"pending","name":"update_firmware","parameters":{"url":"https://example.invalid/fw.zip","version":"1.0.8"}}`), nil)
	run(s, t0.Add(10*time.Second), t0.Add(16*time.Second), 100*time.Millisecond)
	if u := bus.since(mark, base+"/update"); len(u) != 1 || !strings.Contains(string(u[0].Payload), `"firmware_version":"1.0.8"`) {
		t.Fatalf("update after firmware: %v", u)
	}
	mark = bus.mark()
	bus.inject(base+"/get", nil, auth(DefaultAccessKey))
	s.Step(t0.Add(17 * time.Second))
	if f := bus.since(mark, base+"/firmware"); len(f) != 0 {
		t.Fatal("firmware offered to an up-to-date device")
	}
}

func TestSmartWorksSetReflectedOnStatus(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	th := s.sw.things[0].id
	set := "set/demo-account/things/" + th
	status := "status/demo-account/things/" + th
	mark := bus.mark()
	bus.inject(set+"/properties/setpoint", []byte(`{"setpoint": 18.5}`), nil)
	bus.inject(set+"/properties", []byte(`{"power": false, "label": "north"}`), nil)
	bus.inject(set+"/properties/temperature", []byte(`{"temperature": 3}`), nil) // measured: refused
	s.Step(t0.Add(100 * time.Millisecond))
	for topic, want := range map[string]string{
		status + "/properties/setpoint": `{"setpoint":18.5}`,
		status + "/properties/power":    `{"power":false}`,
		status + "/properties/label":    `{"label":"north"}`,
	} {
		got := bus.since(mark, topic)
		if len(got) != 1 || string(got[0].Payload) != want || !got[0].Retain {
			t.Errorf("%s: %v", topic, got)
		}
	}
	if got := bus.since(mark, status+"/properties/temperature"); len(got) > 0 && string(got[0].Payload) == `{"temperature":3}` {
		t.Error("a measured property was set")
	}

	mark = bus.mark()
	bus.inject(set+"/actions/reboot", []byte(`{"reboot": {"input": {"delay": 0}}}`), nil)
	bus.inject(set+"/actions/fly", []byte(`{"fly": {"input": {}}}`), nil)
	bus.inject(set+"/events/door_open", []byte(`{"door_open": {"data": {"door": 2}}}`), nil)
	run(s, t0.Add(100*time.Millisecond), t0.Add(5*time.Second), 100*time.Millisecond)
	reboot := bus.since(mark, status+"/actions/reboot")
	if len(reboot) != 2 {
		t.Fatalf("reboot status messages: %d", len(reboot))
	}
	p, c := asMap(t, reboot[0].Payload)["reboot"].(map[string]any), asMap(t, reboot[1].Payload)["reboot"].(map[string]any)
	if p["status"] != "pending" || c["status"] != "completed" || c["timeCompleted"] == nil || p["timeCompleted"] != nil {
		t.Fatalf("reboot lifecycle %v → %v", p, c)
	}
	if p["href"] != c["href"] || !strings.HasPrefix(p["href"].(string), "/things/"+th+"/actions/reboot/") {
		t.Fatalf("href %v %v", p["href"], c["href"])
	}
	if in := p["input"].(map[string]any); in["delay"] != 0.0 {
		t.Fatalf("input %v", p["input"])
	}
	if fly := bus.since(mark, status+"/actions/fly"); len(fly) != 2 || !strings.Contains(string(fly[1].Payload), `"status":"failed"`) {
		t.Fatalf("unknown action %v", fly)
	}
	ev := bus.since(mark, status+"/events/door_open")
	if len(ev) != 1 || !strings.HasPrefix(string(ev[0].Payload), `{"door_open":{"data":{"door":2},"timestamp":"`) {
		t.Fatalf("event %v", ev)
	}
	// Spontaneous status traffic.
	if len(bus.since(mark, status+"/properties/temperature")) == 0 {
		t.Fatal("no temperature status in 5 s")
	}
}
