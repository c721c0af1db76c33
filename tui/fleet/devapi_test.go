package fleet

import (
	"math"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Every v1/device topic of seed 003 updates the model as the API means it.
func TestSeedDeviceAPI(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, func(c *Config) { c.StaleAfter = time.Minute })
	f := newFeeder(t, platform.DevAPI, platform.Params{}, clk)
	const dev = "v1/device/DEVICE_ID/"
	ref := Ref{Platform: platform.DevAPI, System: "DEVICE_ID"}

	s.Apply([]Item{
		f.item(dev+"telemetry", `{"status": "online", "timestamp": "2021-08-04T07:45:44.122Z", "telemetries": {"fan_speed": 100.1, "connection": "4g", "usbc": true}}`),
		f.item(dev+"config/update", `{"version": "CONFIG_VERSION", "last_updated": "2021-08-04T07:45:44.122Z", "brightness": 70}`),
		f.item(dev+"commands", `{"id": "cmd-1", "status": "pending", "name": "update_firmware", "parameters": {"url": "https://s3.amazonaws.com/xxxx.zip", "version": "1.3.4"}}`),
		f.item(dev+"license", `{"data": "device-specific license info...", "signature": "RSA signature...", "id": "lic-1", "add": true, "update": false, "remove": false}`),
		f.item(dev+"space_info", `{"location": {"coordinates": {"lat": 51.165691, "lng": 10.451526}, "utc_offset": 60, "name": "Germany"}, "temperature_units": "celsius", "maintenance": false, "name": "Interactive Class", "local_time": "2022-03-17T10:55:28+01:00"}`),
		f.item(dev+"firmware", `{"latest_fw_version": "1.0.8", "latest_fw_file_id": "f62e0c28-5ce2-4590-a6cf-2f255a338544"}`),
		f.item(dev+"update", `{"firmware_version": "1.0.7", "name": "Lobby display"}`),
		f.item(dev+"cloud_settings/update", `{"property": "property_name", "value": "property_value"}`),
		f.item(dev+"incidents", `[{"id": "inc-1", "device_id": "DEVICE_ID", "status": "active", "priority": "critical", "title": "Device offline", "issue": "offline", "created_at": "2025-05-12T08:00:00Z", "updated_at": "2025-05-12T08:00:00Z"}]`),
	})
	sys := s.System(ref)
	if sys == nil {
		t.Fatal("device missing")
	}
	if sys.Conn != ConnOnline || sys.Authoritative || sys.Status != "online" || sys.Name != "Lobby display" {
		t.Errorf("device: conn %v authoritative %v status %q name %q", sys.Conn, sys.Authoritative, sys.Status, sys.Name)
	}
	series := map[string]*Series{}
	rows, _ := s.SeriesWindow(SeriesQuery{Entity: ref}, 0, 100, nil)
	for _, se := range rows {
		series[se.Kind.String()+":"+se.Name] = se
	}
	for key, want := range map[string]string{
		"telemetry:fan_speed":                 "100.1",
		"telemetry:connection":                "4g",
		"telemetry:usbc":                      "true",
		"config:version":                      "CONFIG_VERSION",
		"config:brightness":                   "70",
		"property:space.name":                 "Interactive Class",
		"property:space.location.name":        "Germany",
		"property:firmware.latest_fw_version": "1.0.8",
		"property:device.firmware_version":    "1.0.7",
		"config:cloud.property_name":          "property_value",
	} {
		se := series[key]
		if se == nil {
			t.Errorf("series %s missing", key)
			continue
		}
		if se.Text != want {
			t.Errorf("series %s = %q, want %q", key, se.Text, want)
		}
	}
	if se := series["telemetry:fan_speed"]; se != nil {
		if want := time.Date(2021, 8, 4, 7, 45, 44, 122000000, time.UTC); !se.Time.Equal(want) {
			t.Errorf("telemetry time %v, want the payload timestamp", se.Time)
		}
		// The sparkline keeps 32-bit points; the value itself is exact.
		if p := se.Points(nil); len(p) != 1 || math.Abs(p[0]-100.1) > 1e-5 {
			t.Errorf("points %v", p)
		}
		if f, ok := se.Number(); !ok || f != 100.1 {
			t.Errorf("value %v", f)
		}
	}
	// The command's lifecycle: pending, in_progress, done.
	s.Apply([]Item{f.item(dev+"commands/update", `{"status": "in_progress", "id": "cmd-1"}`)})
	s.Apply([]Item{f.item(dev+"commands/update", `{"status": "done", "message": "great, success!", "id": "cmd-1"}`)})
	c := s.Command(ref, "cmd-1")
	if c == nil || c.Name != "update_firmware" || c.Status != "done" || c.Message != "great, success!" {
		t.Fatalf("command %+v", c)
	}
	var hist []string
	for _, h := range c.History() {
		hist = append(hist, h.What)
	}
	if len(hist) != 3 || hist[0] != "pending" || hist[1] != "in_progress" || hist[2] != "done" {
		t.Errorf("command history %v", hist)
	}
	// License: assigned (add), then the device reports it in use.
	s.Apply([]Item{f.item(dev+"license/update", `{"id": "lic-1", "state": "inuse"}`)})
	lics := s.Licenses(ref, nil)
	if len(lics) != 1 || lics[0].Action != "add" || lics[0].State != "inuse" {
		t.Errorf("licenses %+v", lics)
	}
	// The incident is an ERROR-level active event without acknowledgement.
	e := s.Event(platform.DevAPI, "", "inc-1")
	if e == nil || e.Level != LevelError || e.State != StateActive || e.ModelCode != "offline" || e.Message != "Device offline" {
		t.Fatalf("incident %+v", e)
	}
	if c := s.EventCounts(EventQuery{}); c.Active != 1 || c.Unacked != 0 {
		t.Errorf("incident counts %+v (incidents have no ack)", c)
	}
	s.Apply([]Item{f.item(dev+"incidents", `[{"id": "inc-1", "status": "closed", "updated_at": "2025-05-12T08:05:00Z"}]`)})
	if e.State != StateResolved || e.EndTime().IsZero() || sys.ActiveEvents != 0 {
		t.Errorf("closed incident: %v end %v active %d", e.State, e.EndTime(), sys.ActiveEvents)
	}

	// Telemetry merge: null deletes a key, override replaces the state.
	s.Apply([]Item{f.item(dev+"telemetry", `{"telemetries": {"connection": null, "rssi": -61}}`)})
	if _, total := s.SeriesWindow(SeriesQuery{Entity: ref, Text: "connection"}, 0, 10, nil); total != 0 {
		t.Error("null must delete the telemetry key")
	}
	s.Apply([]Item{f.item(dev+"telemetry", `{"override": true, "telemetries": {"rssi": -60}}`)})
	rows, _ = s.SeriesWindow(SeriesQuery{Entity: ref}, 0, 100, nil)
	var tele []string
	for _, se := range rows {
		if se.Kind == SeriesTelemetry {
			tele = append(tele, se.Name+"="+se.Text)
		}
	}
	if len(tele) != 1 || tele[0] != "rssi=-60" {
		t.Errorf("after override: %v", tele)
	}

	// Status offline from the device, then error (which files an error report).
	s.Apply([]Item{f.item(dev+"telemetry", `{"status": "offline"}`)})
	if s.PresenceOf(sys) != PresenceOffline {
		t.Errorf("offline: %v", s.PresenceOf(sys))
	}
	s.Apply([]Item{f.item(dev+"telemetry", `{"status": "error", "message": "fan stuck"}`)})
	errs, _ := s.ErrorsWindow(0, 1, nil)
	if len(errs) != 1 || errs[0].Source != ErrDevice || errs[0].Message != "fan stuck" {
		t.Errorf("device error report %+v", errs)
	}
	// Device-reported presence goes stale with silence.
	clk.advance(2 * time.Minute)
	if p := s.PresenceOf(sys); p != PresenceOnline {
		t.Errorf("a read moved the system to %v: reads are read-only, the writer's Refresh marks staleness", p)
	}
	s.Refresh()
	if p := s.PresenceOf(sys); p != PresenceStale {
		t.Errorf("silent device: %v, want stale", p)
	}
	s.Apply([]Item{f.item(dev+"telemetry", `{"status": "online"}`)})
	if p := s.PresenceOf(sys); p != PresenceOnline {
		t.Errorf("heard again: %v", p)
	}
	checkInvariants(t, s)
}

// SmartWorks patterns of seed 004: status properties, set properties as
// setpoints, actions with their status, thing events.
func TestSeedSmartWorks(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, nil)
	f := newFeeder(t, platform.SmartWorks, platform.Params{Account: "MyAccount001"}, clk)
	const base = "MyAccount001/things/AwesomeDevice/"
	ref := Ref{Platform: platform.SmartWorks, Fleet: "MyAccount001", System: "AwesomeDevice"}
	s.Apply([]Item{
		f.item("status/"+base+"properties/humidity", `{"humidity": 41.2}`),
		f.item("set/"+base+"properties/humidity", `{"humidity": 40}`),
		f.item("set/"+base+"actions/reboot", `{"reboot": {"input": {"delay": 5}}}`),
		f.item("status/"+base+"actions/reboot", `{"reboot": {"input": {"delay": 5}, "href": "/things/AwesomeDevice/actions/reboot/01H8X", "timeRequested": "2025-05-12T08:59:00Z", "status": "pending"}}`),
		f.item("status/"+base+"events/overheat", `{"overheat": {"data": {"temp": 90}, "timestamp": "2025-05-12T08:59:30Z"}}`),
	})
	s.Apply([]Item{f.item("status/"+base+"actions/reboot", `{"reboot": {"href": "/things/AwesomeDevice/actions/reboot/01H8X", "status": "completed", "timeCompleted": "2025-05-12T09:00:00Z"}}`)})
	sys := s.System(ref)
	if sys == nil || sys.Messages != 4 {
		t.Fatalf("thing: %+v (only status topics count as heard from it)", sys)
	}
	rows, _ := s.SeriesWindow(SeriesQuery{Entity: ref}, 0, 10, nil)
	got := map[string]string{}
	for _, se := range rows {
		got[se.Kind.String()+":"+se.Name] = se.Text
	}
	if got["property:humidity"] != "41.2" || got["setpoint:humidity"] != "40" {
		t.Errorf("series %v", got)
	}
	c := s.Command(ref, "01H8X")
	if c == nil || c.Name != "reboot" || c.Status != "completed" {
		t.Fatalf("action %+v", c)
	}
	if _, total := s.CommandsWindow(CommandQuery{Entity: ref}, 0, 10, nil); total != 2 {
		t.Errorf("commands: %d, want the set request and the tracked action", total)
	}
	evs, total := s.EventsWindow(EventQuery{Entity: ref}, 0, 10, nil)
	if total != 1 || evs[0].ModelCode != "overheat" || evs[0].Type != "SINGLE_POINT" ||
		!evs[0].Time().Equal(time.Date(2025, 5, 12, 8, 59, 30, 0, time.UTC)) {
		t.Errorf("thing event %d %+v", total, evs)
	}
	if c := s.EventCounts(EventQuery{Ack: AckNo}); c.Matched != 0 {
		t.Errorf("thing events cannot be acknowledged: %+v", c)
	}
	checkInvariants(t, s)
}
