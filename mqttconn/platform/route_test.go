package platform

import (
	"strings"
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn"
)

func mustNew(t testing.TB, name string, p Params) Scheme {
	t.Helper()
	s, err := New(name, p)
	if err != nil {
		t.Fatalf("New(%q): %v", name, err)
	}
	return s
}

type routeCase struct {
	name  string
	topic string
	props *mqttconn.Props
	want  Route
}

func runRoutes(t *testing.T, s Scheme, cases []routeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := s.Route(c.topic, c.props)
			if got != c.want {
				t.Errorf("Route(%q)\n got %+v\nwant %+v", c.topic, got, c.want)
			}
		})
	}
}

// Ids of seed 001.
const (
	seedSlug      = "company-example"
	seedSystem    = "792b6149-1daa-488f-b07a-f684503b0586"
	seedEvent     = "a707aa3a-b44f-42e0-9ab8-b8efe13409c8"
	seedComponent = "smart-meter-v2"
	seedCompUUID  = "6d6eb245-599e-42c6-b1a6-009805655fbd"
	seedCompEvent = "5c39a4e0-9813-4e7e-90dd-ac621ae8c6dd"
	seedModelUUID = "c867ee9d-52f1-4819-9bfc-b64d6321a04b"
)

func TestDRIVRRouteSeedTopics(t *testing.T) {
	s := mustNew(t, DRIVR, Params{Slug: seedSlug})
	base := "drivr/v1/" + seedSlug
	sys := base + "/systems/" + seedSystem
	comp := sys + "/components/" + seedComponent
	d := func(k Kind) Route { return Route{Platform: DRIVR, Kind: k, Fleet: seedSlug} }
	with := func(r Route, f func(*Route)) Route { f(&r); return r }
	sysR := func(k Kind) Route { return with(d(k), func(r *Route) { r.System = seedSystem }) }
	compR := func(k Kind) Route {
		return with(sysR(k), func(r *Route) { r.Component = seedComponent })
	}
	runRoutes(t, s, []routeCase{
		{"domain", base, nil, d(KindDomain)},
		{"domain state", base + "/state", nil, d(KindDomainState)},
		{"jwks", base + "/jwks", nil, d(KindJWKS)},
		{"system", sys, nil, sysR(KindSystem)},
		{"system state", sys + "/state", nil, sysR(KindSystemState)},
		{"connection", sys + "/connection", nil, sysR(KindConnectionState)},
		{"connectionState", sys + "/connectionState", nil, sysR(KindConnectionState)},
		{"overload event", sys + "/events/" + seedEvent, nil,
			with(sysR(KindEvent), func(r *Route) { r.Event = seedEvent })},
		{"overload event state", sys + "/events/" + seedEvent + "/state", nil,
			with(sysR(KindEventState), func(r *Route) { r.Event = seedEvent })},
		{"overload event ack", sys + "/events/" + seedEvent + "/ack", nil,
			with(sysR(KindEventAck), func(r *Route) { r.Event = seedEvent })},
		{"component", comp, nil, compR(KindComponent)},
		{"component state", comp + "/state", nil, compR(KindComponentState)},
		{"component connection", comp + "/connection", nil, compR(KindConnectionState)},
		{"malfunction event", comp + "/events/" + seedCompEvent, nil,
			with(compR(KindEvent), func(r *Route) { r.Event = seedCompEvent })},
		{"malfunction state", comp + "/events/" + seedCompEvent + "/state", nil,
			with(compR(KindEventState), func(r *Route) { r.Event = seedCompEvent })},
		{"malfunction ack (seed example uuid)", comp + "/events/123e4567-e89b-12d3-a456-426614174001/ack", nil,
			with(compR(KindEventAck), func(r *Route) { r.Event = "123e4567-e89b-12d3-a456-426614174001" })},
		{"system datapoint", sys + "/datapoints/voltage", nil,
			with(sysR(KindDatapoint), func(r *Route) { r.Name = "voltage" })},
		{"system datapoint bundle", sys + "/datapoints", nil, sysR(KindDatapoint)},
		{"component datapoint by service/characteristic", comp + "/datapoints/electricity/voltage", nil,
			with(compR(KindDatapoint), func(r *Route) { r.Name = "electricity/voltage" })},
		{"component setpoint", comp + "/setpoints/target-power", nil,
			with(compR(KindSetpoint), func(r *Route) { r.Name = "target-power" })},
		{"setpoint ack", comp + "/setpoints/target-power/ack", nil,
			with(compR(KindSetpointAck), func(r *Route) { r.Name = "target-power" })},
		{"event model", base + "/eventModels/" + seedModelUUID, nil,
			with(d(KindEventModel), func(r *Route) { r.Model = seedModelUUID })},
		{"event model state", base + "/eventModels/" + seedModelUUID + "/state", nil,
			with(d(KindEventModelState), func(r *Route) { r.Model = seedModelUUID })},
		{"component model", base + "/componentModels/m1", nil,
			with(d(KindComponentModel), func(r *Route) { r.Model = "m1" })},
		{"component model state", base + "/componentModels/m1/state", nil,
			with(d(KindComponentModelState), func(r *Route) { r.Model = "m1" })},
		{"organization", base + "/organizations/o1", nil,
			with(d(KindOrganization), func(r *Route) { r.Model = "o1" })},
		{"system event error", base + "/input/event/s/" + seedSystem + "/json/error", nil,
			with(d(KindError), func(r *Route) {
				r.System, r.Name, r.Encoding = seedSystem, "event", "json"
				r.Input = base + "/input/event/s/" + seedSystem + "/json"
			})},
		{"component event error", base + "/input/event/c/" + seedCompUUID + "/json/error", nil,
			with(d(KindError), func(r *Route) {
				r.Component, r.Name, r.Encoding = seedCompUUID, "event", "json"
				r.Input = base + "/input/event/c/" + seedCompUUID + "/json"
			})},
		{"msgpack error", base + "/input/event/s/" + seedSystem + "/msgpack/error", nil,
			with(d(KindError), func(r *Route) {
				r.System, r.Name, r.Encoding = seedSystem, "event", "msgpack"
				r.Input = base + "/input/event/s/" + seedSystem + "/msgpack"
			})},
		{"error of an unknown input shape", base + "/input/datapoint/whatever/json/error", nil,
			with(d(KindError), func(r *Route) {
				r.Name, r.Encoding = "datapoint", "json"
				r.Input = base + "/input/datapoint/whatever/json"
			})},
		{"system event input echo", base + "/input/event/s/" + seedSystem + "/json", nil,
			with(d(KindInput), func(r *Route) { r.System, r.Name, r.Encoding = seedSystem, "event", "json" })},
		{"component event input echo msgpack", base + "/input/event/c/" + seedCompUUID + "/msgpack", nil,
			with(d(KindInput), func(r *Route) { r.Component, r.Name, r.Encoding = seedCompUUID, "event", "msgpack" })},
		{"system update input", base + "/input/system/" + seedSystem + "/json", nil,
			with(d(KindInput), func(r *Route) { r.System, r.Name, r.Encoding = seedSystem, "system", "json" })},
		{"local api tokens are secret", base + "/authorization/localApiTokens/" + seedSystem, nil,
			with(d(KindLocalAPITokens), func(r *Route) { r.Secret = true })},
		{"anything under authorization is secret", base + "/authorization/other", nil,
			with(d(KindUnknown), func(r *Route) { r.Secret = true })},
		{"unknown leaf keeps the system", sys + "/services/x", nil, sysR(KindUnknown)},
		{"other slug", "drivr/v1/other/systems/u1", nil,
			Route{Platform: DRIVR, Kind: KindSystem, Fleet: "other", System: "u1"}},
		{"not drivr", "app/x", nil, Route{Platform: DRIVR, Kind: KindUnknown}},
	})
}

func TestDrogueRoute(t *testing.T) {
	s := mustNew(t, Drogue, Params{Apps: []string{"my-app"}})
	user := func(kv ...string) *mqttconn.Props {
		p := &mqttconn.Props{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.User = append(p.User, mqttconn.UserProperty{Key: kv[i], Value: kv[i+1]})
		}
		return p
	}
	app := Route{Platform: Drogue, Fleet: "my-app", App: "my-app"}
	with := func(f func(*Route)) Route { r := app; f(&r); return r }
	runRoutes(t, s, []routeCase{
		{"seed command topic", "command/my-app/my-device/setTemperature", nil, Route{
			Platform: Drogue, Kind: KindCommand, Fleet: "my-app", App: "my-app",
			System: "my-device", Device: "my-device", Command: "setTemperature"}},
		{"structured mode before Refine", "app/my-app", nil, with(func(r *Route) { r.Kind = KindCloudEvent })},
		{"structured with a content type only", "app/my-app",
			&mqttconn.Props{ContentType: "application/cloudevents+json; charset=utf-8"},
			with(func(r *Route) { r.Kind = KindCloudEvent })},
		{"binary, plain names", "app/my-app",
			user("specversion", "1.0", "type", "io.drogue.event.v1", "device", "d1", "sender", "d1", "subject", "temp"),
			with(func(r *Route) {
				r.Kind, r.Device, r.System, r.Sender, r.Channel = KindDeviceEvent, "d1", "d1", "d1", "temp"
			})},
		{"binary, ce- names", "app/my-app",
			user("ce-type", "io.drogue.connection.v1", "ce-device", "d2", "ce-sender", "d2", "ce-subject", "connection"),
			with(func(r *Route) { r.Kind, r.Device, r.System, r.Sender = KindConnectionEvent, "d2", "d2", "d2" })},
		{"binary, ce_ names", "app/my-app",
			user("ce_type", "io.drogue.registry.v1", "ce_subject", "devices"),
			with(func(r *Route) { r.Kind = KindRegistryEvent })},
		{"gateway sends for another device", "app/my-app",
			user("type", "io.drogue.event.v1", "device", "sensor-7", "sender", "gateway-1", "subject", "state"),
			with(func(r *Route) {
				r.Kind, r.Device, r.System, r.Sender, r.Channel = KindDeviceEvent, "sensor-7", "sensor-7", "gateway-1", "state"
			})},
		{"first occurrence wins", "app/my-app",
			user("type", "io.drogue.event.v1", "ce-type", "io.drogue.registry.v1"),
			with(func(r *Route) { r.Kind = KindDeviceEvent })},
		{"foreign type", "app/my-app", user("type", "com.example.x"),
			with(func(r *Route) { r.Kind = KindCloudEvent })},
		{"alias a/", "a/my-app", nil, with(func(r *Route) { r.Kind = KindCloudEvent })},
		{"alias application/", "application/my-app", nil, with(func(r *Route) { r.Kind = KindCloudEvent })},
		{"extra level", "app/my-app/x", nil, Route{Platform: Drogue, Kind: KindUnknown}},
		{"command with 5 levels", "command/a/d/c/x", nil, Route{Platform: Drogue, Kind: KindUnknown}},
		{"command with 3 levels", "command/a/d", nil, Route{Platform: Drogue, Kind: KindUnknown}},
		{"device-side inbox (empty device)", "command/inbox//reset", nil, Route{Platform: Drogue, Kind: KindUnknown}},
	})
}

func TestDevAPIRouteEveryTopic(t *testing.T) {
	const id = "c0ffee00-0000-4000-8000-000000000001"
	want := map[string]Kind{
		"telemetry": KindTelemetry, "config": KindConfig, "config/update": KindConfigUpdate,
		"commands": KindCommands, "commands/update": KindCommandUpdate,
		"command": KindCommand, "command/children": KindChildCommand,
		"license": KindLicense, "license/update": KindLicenseUpdate,
		"space_info": KindSpaceInfo, "firmware": KindFirmware, "incidents": KindIncidents,
		"update": KindUpdate, "cloud_settings/update": KindCloudSettings,
		"get": KindGet, "get/response": KindGetResponse,
		"nope": KindUnknown, "telemetry/x": KindUnknown, "": KindUnknown,
	}
	for _, p := range []Params{{}, {Device: id}} {
		s := mustNew(t, DevAPI, p)
		var cases []routeCase
		for suffix, k := range want {
			cases = append(cases, routeCase{suffix, "v1/device/" + id + "/" + suffix, nil,
				Route{Platform: DevAPI, Kind: k, Device: id, System: id}})
		}
		cases = append(cases,
			routeCase{"device only", "v1/device/" + id, nil, Route{Platform: DevAPI, Kind: KindUnknown, Device: id, System: id}},
			routeCase{"no id", "v1/device//telemetry", nil, Route{Platform: DevAPI, Kind: KindUnknown}},
			routeCase{"v2", "v2/device/x/telemetry", nil, Route{Platform: DevAPI, Kind: KindUnknown}},
		)
		runRoutes(t, s, cases)
	}
}

func TestSmartWorksRoute(t *testing.T) {
	s := mustNew(t, SmartWorks, Params{Account: "MyAccount001"})
	sw := func(side string, k Kind, f func(*Route)) Route {
		r := Route{Platform: SmartWorks, Kind: k, Side: side, Fleet: "MyAccount001",
			Thing: "AwesomeDevice", System: "AwesomeDevice"}
		if f != nil {
			f(&r)
		}
		return r
	}
	name := func(n string) func(*Route) { return func(r *Route) { r.Name = n } }
	const a = "MyAccount001/things/AwesomeDevice"
	const b = "MyAccount001/collections/Col1/things/AwesomeDevice"
	const c = "MyAccount001/categories/Cat1/things/AwesomeDevice"
	runRoutes(t, s, []routeCase{
		{"A status properties", "status/" + a + "/properties/humidity", nil, sw("status", KindProperty, name("humidity"))},
		{"A set properties", "set/" + a + "/properties/humidity", nil, sw("set", KindProperty, name("humidity"))},
		{"A status actions", "status/" + a + "/actions/reboot", nil, sw("status", KindAction, name("reboot"))},
		{"A set actions", "set/" + a + "/actions/reboot", nil, sw("set", KindAction, name("reboot"))},
		{"A action request id", "status/" + a + "/actions/reboot/01H8XGJWBWBAQ4Z4BA3N0SAKJZ", nil,
			sw("status", KindAction, func(r *Route) { r.Name, r.Command = "reboot", "01H8XGJWBWBAQ4Z4BA3N0SAKJZ" })},
		{"A status events", "status/" + a + "/events/overheat", nil, sw("status", KindThingEvent, name("overheat"))},
		{"A set events", "set/" + a + "/events/overheat", nil, sw("set", KindThingEvent, name("overheat"))},
		{"A whole properties section", "status/" + a + "/properties", nil, sw("status", KindProperty, nil)},
		{"B collection", "status/" + b + "/properties/temp", nil,
			sw("status", KindProperty, func(r *Route) { r.Name, r.Group = "temp", "collections/Col1" })},
		{"B set action", "set/" + b + "/actions/open", nil,
			sw("set", KindAction, func(r *Route) { r.Name, r.Group = "open", "collections/Col1" })},
		{"C category", "set/" + c + "/properties/temp", nil,
			sw("set", KindProperty, func(r *Route) { r.Name, r.Group = "temp", "categories/Cat1" })},
		{"raw data collection", "set/" + b + "/data", nil,
			sw("set", KindRawData, func(r *Route) { r.Group = "collections/Col1" })},
		{"raw data category", "set/" + c + "/data", nil,
			sw("set", KindRawData, func(r *Route) { r.Group = "categories/Cat1" })},
		{"thing only", "status/" + a, nil, sw("status", KindUnknown, nil)},
		{"unknown section", "status/" + a + "/logs/x", nil, sw("status", KindUnknown, nil)},
		{"property too deep", "status/" + a + "/properties/p/q", nil, sw("status", KindUnknown, name("p"))},
		{"data with more", "set/" + a + "/data/x", nil, sw("set", KindUnknown, nil)},
		{"other side", "get/" + a + "/properties/p", nil, Route{Platform: SmartWorks, Kind: KindUnknown}},
		{"no things", "status/MyAccount001/devices/x/properties/p", nil,
			Route{Platform: SmartWorks, Kind: KindUnknown, Side: "status", Fleet: "MyAccount001"}},
	})
}

func TestGenericRoute(t *testing.T) {
	s := mustNew(t, Generic, Params{})
	runRoutes(t, s, []routeCase{
		{"anything", "a/b/c", nil, Route{Platform: Generic, Kind: KindRaw}},
		{"empty", "", nil, Route{Platform: Generic, Kind: KindRaw}},
		{"drivr token topic flagged", "drivr/v1/x/authorization/localApiTokens/u", nil,
			Route{Platform: Generic, Kind: KindRaw, Secret: true}},
	})
}

// Every scheme survives hostile topics and answers unknown (or a sane
// route whose ids are non-empty substrings of the topic).
func TestRouteHostileTopics(t *testing.T) {
	long := strings.Repeat("x", 60000)
	topics := []string{
		"", "/", "//", "///", "drivr/v1/", "drivr/v1//", "drivr/v1//systems/u", "/drivr/v1/s/systems/u",
		"drivr/v1/s/systems/", "drivr/v1/s/systems//events/e", "drivr/v1/s/systems/u/events/",
		"drivr/v1/s/systems/u/events//state", "drivr/v1/s/systems/u/components//state",
		"drivr/v1/s/systems/u/", "drivr/v1/s/systems/+/events/#", "drivr/v1/+/systems/u",
		"drivr/v1/s/systems/u/datapoints//x", "drivr/v1/s/systems/u/setpoints/ack", "drivr/v1/s/systems/u/setpoints//ack",
		"drivr/v1/s/input", "drivr/v1/s/input/", "drivr/v1/s/input/error", "drivr/v1/s/input//error",
		"drivr/v1/s/input/event/s", "drivr/v1/s/input/event/s/error", "drivr/v1/s/input/event/s//json/error",
		"drivr/v1/s/" + long, "drivr/v1/s/systems/" + long + "/events/" + long + "/state",
		"drivr/v1/s/input/" + strings.Repeat("a/", 30000) + "json/error",
		"app/", "app//", "app/+", "app/#", "command////", "command/a//c", "command/a/d/" + long,
		"v1/device/", "v1/device/+/telemetry", "v1/device/#", "v1/device/" + long + "/telemetry",
		"status/", "status//things/t/properties/p", "status/a/things//properties/p", "status/a/collections//things/t/data",
		"status/a/collections/c", "set/a/things/t/actions/x/", "set/a/things/t/actions//", "status/a/things/t/properties/",
		"\xff\xfe", "drivr/v1/\xff/systems/\xc3(/events/\xe2\x82", "app/\x80", "status/\xff/things/\xfe/properties/\xfd",
		"v1/device/\xff/get", "drivr/v1/s\x00/state", "a\x00b", long, strings.Repeat("/", 60000),
		"drivr/v1/s/systems/u/events/e/\x1b]2;pwned\x07",
	}
	for _, name := range Names() {
		s := mustNew(t, name, Params{Slug: "s", Apps: []string{"a"}, Account: "a"})
		for _, topic := range topics {
			props := &mqttconn.Props{User: []mqttconn.UserProperty{{Key: "ce-type", Value: "\xff"}, {Key: "device", Value: "+"}}}
			checkSane(t, name, topic, props, s.Route(topic, props))
		}
	}
}

// checkSane asserts the invariants every route keeps.
func checkSane(t *testing.T, scheme, topic string, props *mqttconn.Props, r Route) {
	t.Helper()
	if r.Platform != scheme {
		t.Errorf("%s: Route(%.40q).Platform = %q", scheme, topic, r.Platform)
	}
	if r.Kind == "" {
		t.Errorf("%s: Route(%.40q) has no kind", scheme, topic)
	}
	if strings.ContainsAny(topic, "+#\x00") && r.Kind != KindUnknown && r.Kind != KindRaw {
		t.Errorf("%s: Route(%.40q) = %s for a topic no broker may deliver", scheme, topic, r.Kind)
	}
	for _, id := range []string{r.Fleet, r.System, r.Component, r.Event, r.Device, r.App, r.Thing,
		r.Command, r.Name, r.Model, r.Group, r.Input} {
		if id != "" && !strings.Contains(topic, id) && !fromProps(props, id) {
			t.Errorf("%s: Route(%.40q): id %.40q is not from the topic", scheme, topic, id)
		}
	}
	for _, id := range []string{r.Fleet, r.System, r.Component, r.Event, r.Device, r.App, r.Thing, r.Command, r.Model} {
		if strings.IndexByte(id, '/') >= 0 && !fromProps(props, id) {
			t.Errorf("%s: Route(%.40q): id %.40q spans levels", scheme, topic, id)
		}
	}
	if r.Kind == KindError && r.Input+"/error" != topic {
		t.Errorf("%s: Route(%.40q): error Input %.40q is not the topic without /error", scheme, topic, r.Input)
	}
	if r.Encoding != "" && r.Encoding != "json" && r.Encoding != "msgpack" {
		t.Errorf("%s: Route(%.40q): encoding %q", scheme, topic, r.Encoding)
	}
}

// fromProps reports whether v is the value of one of the user properties
// (Drogue binary mode takes device, sender and subject from there).
func fromProps(p *mqttconn.Props, v string) bool {
	if p == nil {
		return false
	}
	for _, u := range p.User {
		if u.Value == v {
			return true
		}
	}
	return false
}
