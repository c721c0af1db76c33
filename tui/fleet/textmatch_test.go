package fleet

import (
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Every Drogue topic is app/<app>: the device and the gateway that sent
// for it are in the CloudEvent only. The fleet filter finds a device by its
// name and by the gateway it is heard through (issue 13 item 5).
func TestFleetTextFindsDeviceAndSender(t *testing.T) {
	clk := &clock{now: t0}
	f := newFeeder(t, platform.Drogue, platform.Params{Apps: []string{"demo-app"}}, clk)
	s := newTestStore(clk, nil)
	ce := func(device, sender string) *mqttconn.Props {
		return &mqttconn.Props{ContentType: "application/json", User: []mqttconn.UserProperty{
			{Key: "specversion", Value: "1.0"}, {Key: "id", Value: "ev-" + device}, {Key: "source", Value: "drogue://demo-app/" + device},
			{Key: "type", Value: "io.drogue.event.v1"}, {Key: "subject", Value: "state"},
			{Key: "device", Value: device}, {Key: "sender", Value: sender}, {Key: "application", Value: "demo-app"}}}
	}
	s.Apply([]Item{
		f.msg("app/demo-app", `{"temp": 21.5}`, false, ce("thermostat-02", "thermostat-02")),
		f.msg("app/demo-app", `{"temp": 19}`, false, ce("thermostat-01", "thermostat-01")),
		f.msg("app/demo-app", `{"lux": 300}`, false, ce("sensor-01", "edge-gw-9")),
	})
	for text, want := range map[string]string{"thermostat-02": "thermostat-02", "THERMOSTAT-0": "thermostat-01,thermostat-02", "edge-gw": "sensor-01"} {
		rows, n := s.SystemsWindow(SystemQuery{Text: text}, 0, 10, nil)
		if got := labels(rows); got != want || n != len(rows) {
			t.Errorf("fleet filter %q: %d %q, want %q", text, n, got, want)
		}
	}
	// A gateway seen later finds the device within a second (the filter
	// reads what does not move a system at most once a second).
	if _, n := s.SystemsWindow(SystemQuery{Text: "edge-gw-7"}, 0, 10, nil); n != 0 {
		t.Fatalf("edge-gw-7 finds %d systems before any message names it", n)
	}
	s.Apply([]Item{f.msg("app/demo-app", `{"temp": 20}`, false, ce("thermostat-01", "edge-gw-7"))})
	clk.advance(textRefresh)
	if rows, _ := s.SystemsWindow(SystemQuery{Text: "edge-gw-7"}, 0, 10, nil); labels(rows) != "thermostat-01" {
		t.Errorf("after thermostat-01 was heard through edge-gw-7: %q", labels(rows))
	}
}
