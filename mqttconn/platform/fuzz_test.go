package platform

import (
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// FuzzRoute feeds every scheme any topic and one user property: Route must
// not panic and must keep the invariants of checkSane. The committed corpus
// is in testdata/fuzz/FuzzRoute.
func FuzzRoute(f *testing.F) {
	for _, seed := range []string{
		"drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/a707aa3a-b44f-42e0-9ab8-b8efe13409c8/ack",
		"drivr/v1/company-example/input/event/c/6d6eb245-599e-42c6-b1a6-009805655fbd/json/error",
		"app/my-app", "command/my-app/my-device/setTemperature", "v1/device/d/commands/update",
		"set/MyAccount001/collections/c/things/t/actions/a/id", "//", "drivr/v1/s/systems/+/#",
	} {
		f.Add(seed, "ce-type", "io.drogue.event.v1")
	}
	schemes := make([]Scheme, 0, len(Names()))
	for _, n := range Names() {
		s, err := New(n, Params{Slug: "s", Apps: []string{"a"}, Account: "a"})
		if err != nil {
			f.Fatal(err)
		}
		schemes = append(schemes, s)
	}
	f.Fuzz(func(t *testing.T, topic, key, value string) {
		props := &mqttconn.Props{User: []mqttconn.UserProperty{{Key: key, Value: value}, {Key: "device", Value: value}}}
		for _, s := range schemes {
			checkSane(t, s.Name(), topic, props, s.Route(topic, props))
			checkSane(t, s.Name(), topic, nil, s.Route(topic, nil))
		}
	})
}

var benchTopics = map[string][]string{
	DRIVR: {
		"drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/a707aa3a-b44f-42e0-9ab8-b8efe13409c8/state",
		"drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/components/smart-meter-v2/datapoints/voltage",
		"drivr/v1/company-example/input/event/s/792b6149-1daa-488f-b07a-f684503b0586/json/error",
	},
	Drogue:     {"app/my-app", "command/my-app/my-device/setTemperature"},
	DevAPI:     {"v1/device/c0ffee00-0000-4000-8000-000000000001/telemetry", "v1/device/c0ffee00-0000-4000-8000-000000000001/commands/update"},
	SmartWorks: {"status/MyAccount001/collections/c1/things/01H8XGJWBWBAQ4Z4BA3N0SAKJZ/properties/temperature"},
	Generic:    {"some/topic/of/a/device"},
}

// BenchmarkRoute measures Route per scheme (run with -benchmem): it runs
// once per received message in the ingest stage.
func BenchmarkRoute(b *testing.B) {
	binary := &mqttconn.Props{ContentType: "application/json", User: []mqttconn.UserProperty{
		{Key: "specversion", Value: "1.0"}, {Key: "id", Value: "8a4f"}, {Key: "source", Value: "drogue://my-app/d1"},
		{Key: "type", Value: "io.drogue.event.v1"}, {Key: "subject", Value: "temperature"},
		{Key: "application", Value: "my-app"}, {Key: "device", Value: "d1"}, {Key: "sender", Value: "gw"}}}
	for _, n := range Names() {
		s, err := New(n, Params{Slug: "company-example", Apps: []string{"my-app"}, Account: "MyAccount001"})
		if err != nil {
			b.Fatal(err)
		}
		var props *mqttconn.Props
		if n == Drogue {
			props = binary
		}
		topics := benchTopics[n]
		b.Run(n, func(b *testing.B) {
			b.ReportAllocs()
			var sink Route
			for i := 0; b.Loop(); i++ {
				sink = s.Route(topics[i%len(topics)], props)
			}
			if sink.Kind == KindUnknown {
				b.Fatalf("benchmark topic routed as unknown: %+v", sink)
			}
		})
	}
}
