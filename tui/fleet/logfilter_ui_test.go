package fleet

import (
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Every Drogue topic is app/<app>: "thermostat-02" in the log found nothing
// though the device was listed. The text filter also reads the names the
// route gives a message, the CloudEvent's attributes and the user
// properties, never a secret's value.
func TestLogTextFindsDeviceAttributesAndUserProperties(t *testing.T) {
	clk := &clock{now: t0}
	f := newFeeder(t, platform.Drogue, platform.Params{Apps: []string{"demo-app"}}, clk)
	s := newTestStore(clk, nil)
	binary := &mqttconn.Props{ContentType: "application/json", User: []mqttconn.UserProperty{
		{Key: "specversion", Value: "1.0"}, {Key: "id", Value: "ev-77"}, {Key: "source", Value: "drogue://demo-app/thermostat-02"},
		{Key: "type", Value: "io.drogue.event.v1"}, {Key: "subject", Value: "state"},
		{Key: "device", Value: "thermostat-02"}, {Key: "sender", Value: "gateway-7"}, {Key: "application", Value: "demo-app"},
		{Key: "access_key", Value: "hunter2-secret"}}}
	s.Apply([]Item{f.msg("app/demo-app", `{"temp": 21.5}`, false, binary), f.item("app/demo-app", `{"other": true}`)})
	for _, text := range []string{"thermostat-02", "THERMOSTAT", "gateway-7", "ev-77", "io.drogue.event"} {
		got, n := s.LogWindow(LogFilter{Text: text}, 0, 10, nil)
		if n != 1 || len(got) != 1 || string(got[0].Item.Msg.Payload) != `{"temp": 21.5}` {
			t.Errorf("%q finds %d entries, want the thermostat's one", text, n)
		}
	}
	if _, n := s.LogWindow(LogFilter{Text: "hunter2"}, 0, 10, nil); n != 0 {
		t.Errorf("a secret's value is searchable: %d entries", n)
	}
}
