package platform

import (
	"reflect"
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn"
)

func msgs(topics ...string) []mqttconn.Message {
	out := make([]mqttconn.Message, len(topics))
	for i, t := range topics {
		out[i] = mqttconn.Message{Topic: t, Payload: []byte(`{}`)}
	}
	return out
}

// A recording names its platform by its topics: a replay without
// --platform showed "0 systems" on the generic view.
func TestGuess(t *testing.T) {
	ce := mqttconn.Message{Topic: "app/demo-app", Payload: []byte(`{"specversion":"1.0","type":"io.drogue.event.v1"}`)}
	ceBinary := mqttconn.Message{Topic: "app/other-app", Props: &mqttconn.Props{User: []mqttconn.UserProperty{{Key: "ce_specversion", Value: "1.0"}}}}
	for _, tc := range []struct {
		name string
		in   []mqttconn.Message
		want string
		p    Params
	}{
		{"drivr", msgs("drivr/v1/company-example/systems/792b", "drivr/v1/company-example/systems/792b/components/hvac-1/datapoints/temperature",
			"drivr/v1/other/systems/1", "$SYS/broker/uptime"), DRIVR, Params{Slug: "company-example"}},
		{"drogue", []mqttconn.Message{ce, ce, ceBinary, msgs("command/demo-app/dev/reboot")[0]}, Drogue, Params{Apps: []string{"demo-app", "other-app"}}},
		{"devapi", msgs("v1/device/d1/telemetry", "v1/device/d2/config/update", "lab/x"), DevAPI, Params{}},
		{"smartworks", msgs("status/acct/things/01T/properties/temperature", "set/acct/things/01T/events/alarm"), SmartWorks, Params{Account: "acct"}},
		// "a/b" is Drogue's alias of app/b only with a CloudEvent in it.
		{"generic", msgs("a/b", "a/c", "lab/sensor/1"), Generic, Params{}},
		{"mixed, no majority", msgs("drivr/v1/s/systems/1", "v1/device/d1/telemetry", "lab/x", "lab/y"), Generic, Params{}},
		{"empty", nil, Generic, Params{}},
	} {
		name, p := Guess(tc.in)
		if name != tc.want || !reflect.DeepEqual(p, tc.p) {
			t.Errorf("%s: Guess = %s %+v, want %s %+v", tc.name, name, p, tc.want, tc.p)
		}
		if _, err := New(name, p); err != nil {
			t.Errorf("%s: the guess does not build a scheme: %v", tc.name, err)
		}
	}
}
