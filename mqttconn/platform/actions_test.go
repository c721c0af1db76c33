package platform

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func encoded(t *testing.T, a Action) string {
	t.Helper()
	req, err := a.Request()
	if err != nil {
		t.Fatalf("Request: %v", err)
	}
	if req.Topic != a.Topic || req.QoS != a.QoS {
		t.Fatalf("request %q QoS %d from action %q QoS %d", req.Topic, req.QoS, a.Topic, a.QoS)
	}
	return string(req.Payload)
}

// The two requests of seed 001, byte for byte (times in UTC "Z" form, the
// same instants the seed writes as +00:00).
func TestTriggerEventSeed001(t *testing.T) {
	a, err := TriggerEvent(seedSlug, EntityRef{System: seedSystem}, "json", EventSpec{
		ModelCode: "energy-overload-model", Time: mustTime(t, "2025-05-09T13:28:42.611276+00:00")})
	if err != nil {
		t.Fatal(err)
	}
	wantTopic := "drivr/v1/company-example/input/event/s/792b6149-1daa-488f-b07a-f684503b0586/json"
	if a.Topic != wantTopic || a.ErrorTopic != wantTopic+"/error" || a.QoS != 1 || a.Props != nil {
		t.Errorf("action %+v", a)
	}
	if a.Reply != "drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/+" {
		t.Errorf("reply filter %q", a.Reply)
	}
	if got := encoded(t, a); got != `{"eventModelCode":"energy-overload-model","time":"2025-05-09T13:28:42.611276Z"}` {
		t.Errorf("payload %s", got)
	}

	c, err := TriggerEvent(seedSlug, EntityRef{System: seedSystem, Component: seedCompUUID}, "", EventSpec{
		ModelUUID: "6b5e0830-6d7d-4871-9c1a-4a6e899aa5c7", Time: mustTime(t, "2025-05-07T10:02:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if c.Topic != "drivr/v1/company-example/input/event/c/6d6eb245-599e-42c6-b1a6-009805655fbd/json" || c.Reply != "" {
		t.Errorf("component action %+v", c)
	}
	if got := encoded(t, c); got != `{"eventModelUuid":"6b5e0830-6d7d-4871-9c1a-4a6e899aa5c7","time":"2025-05-07T10:02:00Z"}` {
		t.Errorf("payload %s", got)
	}

	// The built topics route back as what they are, and their error twins
	// as errors answering them.
	s := mustNew(t, DRIVR, Params{Slug: seedSlug})
	if r := s.Route(c.Topic, nil); r.Kind != KindInput || r.Component != seedCompUUID || r.Encoding != "json" {
		t.Errorf("built topic routes as %+v", r)
	}
	if r := s.Route(c.ErrorTopic, nil); r.Kind != KindError || r.Input != c.Topic {
		t.Errorf("error twin routes as %+v", r)
	}
}

func TestTriggerEventMsgPackAndOptionalFields(t *testing.T) {
	start := mustTime(t, "2025-05-12T08:50:57.847702123+02:00")
	a, err := TriggerEvent(seedSlug, EntityRef{Component: seedCompUUID}, "msgpack", EventSpec{
		ModelCode: "smart-meter-malfunction-event", Time: start, EndTime: start.Add(90 * time.Second),
		Metadata: []decode.Field{decode.KV("zone", decode.StringNode("B2")), decode.KV("load", decode.FloatNode(31.5))}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(a.Topic, "/input/event/c/"+seedCompUUID+"/msgpack") || a.Format != decode.FormatMsgPack {
		t.Fatalf("action %+v", a)
	}
	req, err := a.Request()
	if err != nil {
		t.Fatal(err)
	}
	// Decode the MsgPack bytes and compare with the JSON form of the same action.
	v := decode.Decode(req.Payload, decode.Hints{Encoding: "msgpack"}, decode.DefaultLimits())
	if v.Format != decode.FormatMsgPack {
		t.Fatalf("payload decoded as %s %v", v.Format, v.Warnings)
	}
	js, err := decode.EncodeJSON(v.Data)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"eventModelCode":"smart-meter-malfunction-event","time":"2025-05-12T06:50:57.847702Z",` +
		`"endTime":"2025-05-12T06:52:27.847702Z","metadata":{"zone":"B2","load":31.5}}`
	if string(js) != want {
		t.Errorf("msgpack payload as JSON\n got %s\nwant %s", js, want)
	}
}

func TestTriggerEventErrors(t *testing.T) {
	now := mustTime(t, "2025-05-09T13:28:42Z")
	cases := []struct {
		slug   string
		target EntityRef
		enc    string
		spec   EventSpec
		is     error
	}{
		{"", EntityRef{System: "u"}, "json", EventSpec{ModelCode: "m", Time: now}, ErrMissingParam},
		{"s", EntityRef{}, "json", EventSpec{ModelCode: "m", Time: now}, ErrMissingParam},
		{"s", EntityRef{System: "u/x"}, "json", EventSpec{ModelCode: "m", Time: now}, ErrInvalidParam},
		{"s", EntityRef{Component: "#"}, "json", EventSpec{ModelCode: "m", Time: now}, ErrInvalidParam},
		{"s", EntityRef{System: "u"}, "xml", EventSpec{ModelCode: "m", Time: now}, ErrInvalidParam},
		{"s", EntityRef{System: "u"}, "json", EventSpec{Time: now}, ErrMissingParam},
		{"s", EntityRef{System: "u"}, "json", EventSpec{ModelCode: "m", ModelUUID: "x", Time: now}, ErrInvalidParam},
		{"s", EntityRef{System: "u"}, "json", EventSpec{ModelCode: "m"}, ErrMissingParam},
		{"s", EntityRef{System: "u"}, "json", EventSpec{ModelCode: "m", Time: now, EndTime: now.Add(-time.Second)}, ErrInvalidParam},
	}
	for i, c := range cases {
		if _, err := TriggerEvent(c.slug, c.target, c.enc, c.spec); !errors.Is(err, c.is) {
			t.Errorf("case %d: err %v, want %v", i, err, c.is)
		}
	}
	if _, err := TriggerEventTopic("s", EntityRef{}, "json"); err == nil {
		t.Error("TriggerEventTopic without a target succeeded")
	}
	if got, _ := TriggerEventTopic("s", EntityRef{System: "u"}, "msgpack"); got != "drivr/v1/s/input/event/s/u/msgpack" {
		t.Errorf("TriggerEventTopic = %q", got)
	}
}

func TestSetSetpoint(t *testing.T) {
	a, err := SetSetpoint(seedSlug, EntityRef{Component: seedCompUUID}, "json", SetpointSpec{
		Characteristic: "target-power", Service: "electricity", Value: decode.IntNode(30)})
	if err != nil {
		t.Fatal(err)
	}
	if a.Topic != "drivr/v1/company-example/input/setpoint/c/"+seedCompUUID+"/json" || a.ErrorTopic != a.Topic+"/error" {
		t.Errorf("action %+v", a)
	}
	if got := encoded(t, a); got != `{"characteristicCode":"target-power","serviceCode":"electricity","value":30}` {
		t.Errorf("payload %s", got)
	}
	if _, err := SetSetpoint("s", EntityRef{System: "u"}, "json", SetpointSpec{Value: decode.IntNode(1)}); !errors.Is(err, ErrMissingParam) {
		t.Errorf("missing characteristic: %v", err)
	}
	if got, _ := SetpointTopic("s", EntityRef{System: "u"}, ""); got != "drivr/v1/s/input/setpoint/s/u/json" {
		t.Errorf("SetpointTopic = %q", got)
	}
}

func TestDrogueCommand(t *testing.T) {
	a, err := SendCommand("my-app", "my-device", "setTemperature",
		decode.ObjectNode(decode.KV("value", decode.FloatNode(1.23))))
	if err != nil {
		t.Fatal(err)
	}
	if a.Topic != "command/my-app/my-device/setTemperature" || a.Reply != "app/my-app" || a.Props != nil {
		t.Errorf("action %+v", a)
	}
	if got := encoded(t, a); got != `{"value":1.23}` {
		t.Errorf("payload %s", got)
	}
	empty, err := SendCommand("my-app", "my-device", "reboot", decode.Node{})
	if err != nil || encoded(t, empty) != "" {
		t.Errorf("empty command: %v %+v", err, empty)
	}
	for _, bad := range [][3]string{{"", "d", "c"}, {"a", "", "c"}, {"a", "d", ""}, {"a", "d/x", "c"}, {"a+", "d", "c"}} {
		if _, err := CommandTopic(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("CommandTopic%q accepted", bad)
		}
	}
	r := mustNew(t, Drogue, Params{Apps: []string{"my-app"}}).Route(a.Topic, nil)
	if r.Kind != KindCommand || r.Device != "my-device" || r.Command != "setTemperature" {
		t.Errorf("built command routes as %+v", r)
	}
}

func TestDeviceAPIActions(t *testing.T) {
	const dev = "dev-42"
	auth := &DeviceAuth{AccessKey: "k3y-s3cret"}
	cmd, err := DeviceCommand(dev, DeviceCommandSpec{ID: "c-1", Name: "update_firmware",
		Parameters: decode.ObjectNode(decode.KV("url", decode.StringNode("https://s3.amazonaws.com/x.zip")),
			decode.KV("version", decode.StringNode("1.3.4")))}, auth)
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Topic != "v1/device/dev-42/commands" || cmd.Props.ResponseTopic != "v1/device/dev-42/commands/update" ||
		cmd.Props.ContentType != "application/json" {
		t.Errorf("command %+v props %+v", cmd, cmd.Props)
	}
	wantUser := []mqttconn.UserProperty{{Key: "device_id", Value: dev}, {Key: "access_key", Value: "k3y-s3cret"}}
	if !reflect.DeepEqual(cmd.Props.User, wantUser) {
		t.Errorf("user properties %v", cmd.Props.User)
	}
	if got := encoded(t, cmd); got != `{"id":"c-1","status":"pending","name":"update_firmware","parameters":{"url":"https://s3.amazonaws.com/x.zip","version":"1.3.4"}}` {
		t.Errorf("command payload %s", got)
	}
	// Fleet mode: no credentials, parameters default to {}.
	fleet, err := DeviceCommand(dev, DeviceCommandSpec{ID: "c-2", Name: "reboot"}, nil)
	if err != nil || fleet.Props.User != nil || encoded(t, fleet) != `{"id":"c-2","status":"pending","name":"reboot","parameters":{}}` {
		t.Errorf("fleet command %v %+v", err, fleet)
	}

	cfg, err := DeviceConfig(dev, "7", mustTime(t, "2021-08-04T07:45:44.122Z"),
		[]decode.Field{decode.KV("brightness", decode.IntNode(80))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Topic != "v1/device/dev-42/config" || cfg.Reply != "v1/device/dev-42/config/update" {
		t.Errorf("config %+v", cfg)
	}
	if got := encoded(t, cfg); got != `{"version":"7","last_updated":"2021-08-04T07:45:44.122Z","brightness":80}` {
		t.Errorf("config payload %s", got)
	}

	snap, err := DeviceSnapshot(dev, DeviceAuth{DeviceID: dev, AccessKey: "k3y-s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Topic != "v1/device/dev-42/get" || snap.Props.ResponseTopic != "v1/device/dev-42/get/response" ||
		!reflect.DeepEqual(snap.Props.User, wantUser) || encoded(t, snap) != "" || snap.Props.ContentType != "" {
		t.Errorf("snapshot %+v props %+v", snap, snap.Props)
	}
	s := mustNew(t, DevAPI, Params{Device: dev})
	for topic, k := range map[string]Kind{cmd.Topic: KindCommands, cmd.Props.ResponseTopic: KindCommandUpdate,
		snap.Topic: KindGet, snap.Reply: KindGetResponse, cfg.Reply: KindConfigUpdate} {
		if r := s.Route(topic, nil); r.Kind != k || r.Device != dev {
			t.Errorf("%s routes as %+v, want %s", topic, r, k)
		}
	}

	errCases := []error{
		func() error { _, err := DeviceSnapshot(dev, DeviceAuth{}); return err }(),
		func() error { _, err := DeviceSnapshot(dev, DeviceAuth{DeviceID: "other", AccessKey: "k"}); return err }(),
		func() error { _, err := DeviceCommand(dev, DeviceCommandSpec{Name: "x"}, nil); return err }(),
		func() error { _, err := DeviceCommand("a/b", DeviceCommandSpec{ID: "1", Name: "x"}, nil); return err }(),
		func() error { _, err := DeviceConfig(dev, "", time.Now(), nil, nil); return err }(),
		func() error {
			_, err := DeviceConfig(dev, "1", time.Now(), []decode.Field{decode.KV("version", decode.IntNode(2))}, nil)
			return err
		}(),
	}
	for i, err := range errCases {
		if err == nil {
			t.Errorf("error case %d succeeded", i)
		}
	}
}

// The access key never survives Redacted, and Redacted does not touch the
// action that will be sent.
func TestRedacted(t *testing.T) {
	a, err := DeviceSnapshot("d", DeviceAuth{AccessKey: "k3y-s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	red := a.Redacted()
	for _, u := range red.Props.User {
		if strings.Contains(u.Value, "k3y") {
			t.Errorf("redacted action still holds the key in %q", u.Key)
		}
	}
	if red.Props.User[0].Value != "d" {
		t.Errorf("device_id was masked: %v", red.Props.User)
	}
	if a.Props.User[1].Value != "k3y-s3cret" {
		t.Error("Redacted changed the original action")
	}
	for _, k := range []string{"access_key", "Access_Key", "Access-Key", "ce-access_key", "ce_apikey", "password", "api_token", "x_token", "authorization", "Authorization", "client_secret", "X-API-Key", "private_key"} {
		if !SecretKey(k) {
			t.Errorf("SecretKey(%q) = false", k)
		}
	}
	for _, k := range []string{"device_id", "content-mode", "type", "key", "ce-type", "sender"} {
		if SecretKey(k) {
			t.Errorf("SecretKey(%q) = true", k)
		}
	}
}

func TestSmartWorksActions(t *testing.T) {
	thing := ThingRef{Account: "MyAccount001", Thing: "AwesomeDevice"}
	act, err := InvokeAction(thing, "reboot", decode.ObjectNode(decode.KV("delay", decode.IntNode(5))))
	if err != nil {
		t.Fatal(err)
	}
	if act.Topic != "set/MyAccount001/things/AwesomeDevice/actions/reboot" ||
		act.Reply != "status/MyAccount001/things/AwesomeDevice/actions/reboot" {
		t.Errorf("action %+v", act)
	}
	if got := encoded(t, act); got != `{"reboot":{"input":{"delay":5}}}` {
		t.Errorf("action payload %s", got)
	}
	noInput, _ := InvokeAction(thing, "reboot", decode.Node{})
	if got := encoded(t, noInput); got != `{"reboot":{"input":{}}}` {
		t.Errorf("action without input %s", got)
	}
	prop, err := SetProperty(ThingRef{Account: "acct", Group: "collections/Col1", Thing: "t1"}, "humidity", decode.FloatNode(41.2))
	if err != nil {
		t.Fatal(err)
	}
	if prop.Topic != "set/acct/collections/Col1/things/t1/properties/humidity" || encoded(t, prop) != `{"humidity":41.2}` {
		t.Errorf("property %+v", prop)
	}
	ev, err := EmitEvent(ThingRef{Account: "sp", Group: "categories/c", Thing: "t"}, "overheat", decode.BoolNode(true))
	if err != nil || ev.Topic != "set/sp/categories/c/things/t/events/overheat" || encoded(t, ev) != `{"overheat":{"data":true}}` {
		t.Errorf("event %v %+v", err, ev)
	}
	// Built topics route back with the same ids (the group round-trips).
	s := mustNew(t, SmartWorks, Params{Account: "acct"})
	r := s.Route(prop.Topic, nil)
	if r.Kind != KindProperty || r.Side != "set" || r.Group != "collections/Col1" || r.Thing != "t1" || r.Name != "humidity" {
		t.Errorf("property topic routes as %+v", r)
	}
	back, err := SetProperty(ThingRef{Account: r.Fleet, Group: r.Group, Thing: r.Thing}, r.Name, decode.IntNode(1))
	if err != nil || back.Topic != prop.Topic {
		t.Errorf("topic from a route: %v %q", err, back.Topic)
	}
	for _, bad := range []ThingRef{{Thing: "t"}, {Account: "a"}, {Account: "a", Thing: "t", Group: "folders/x"},
		{Account: "a", Thing: "t", Group: "collections/"}, {Account: "a", Thing: "t", Group: "collections/x/y"}} {
		if _, err := SetProperty(bad, "p", decode.IntNode(1)); err == nil {
			t.Errorf("SetProperty(%+v) accepted", bad)
		}
	}
	if _, err := ThingTopic("get", thing, "properties", "p"); err == nil {
		t.Error("side get accepted")
	}
}

func TestPublishAndRequestChecks(t *testing.T) {
	a, err := Publish("lab/device/1/cmd", []byte("on"), 2, true)
	if err != nil {
		t.Fatal(err)
	}
	req, err := a.Request()
	if err != nil || string(req.Payload) != "on" || req.QoS != 2 || !req.Retain || req.Props != nil {
		t.Errorf("request %+v %v", req, err)
	}
	for _, topic := range []string{"", "a/+", "a/#", "$SYS/x", "a\x00b", "\xff", strings.Repeat("x", 70000)} {
		if _, err := Publish(topic, nil, 0, false); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("Publish(%.20q): %v", topic, err)
		}
	}
	if _, err := Publish("a", nil, 3, false); err == nil {
		t.Error("QoS 3 accepted")
	}
	edited := a
	edited.Topic = "a/#"
	if _, err := edited.Request(); err == nil {
		t.Error("an edited wildcard topic reached the request")
	}
	bad := Action{Topic: "x", Format: "xml"}
	if _, err := bad.Request(); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestNewUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id, err := NewUUID()
		if err != nil || !re.MatchString(id) || seen[id] {
			t.Fatalf("NewUUID = %q, %v (seen: %v)", id, err, seen[id])
		}
		seen[id] = true
	}
}
