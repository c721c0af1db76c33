package actions_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	. "github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

func fixedBuilder(plat string) *Builder {
	return &Builder{
		Platform: plat,
		Unit:     platforms.Actions(plat),
		Params:   platform.Params{Slug: SeedSlug, Apps: []string{"my-app"}, Account: "MyAccount001"},
		Now:      func() time.Time { return SeedTime },
		NewID:    func() string { return "act-0001" },
	}
}

func form(t *testing.T, b *Builder, kind Kind, sel Selection, set map[string]string) Form {
	t.Helper()
	f, err := b.NewForm(kind, sel)
	if err != nil {
		t.Fatalf("NewForm(%s): %v", kind, err)
	}
	for k, v := range set {
		if !f.Has(k) {
			t.Fatalf("form %s has no field %s", kind, k)
		}
		f.Set(k, v)
	}
	return f
}

func TestDRIVRTriggerEventJSONIsSeed001(t *testing.T) {
	b := fixedBuilder(platform.DRIVR)
	sel := Selection{Target: Target{Fleet: SeedSlug, System: SeedSys}, Models: []string{"energy-overload-model", "smart-meter-malfunction-event"}}
	f := form(t, b, KindTriggerEvent, sel, nil)
	if f.Value(FModel) != "energy-overload-model" || f.Value(FSystem) != SeedSys || f.Value(FTime) != "" {
		t.Fatalf("prefill: %+v", f.Fields)
	}
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	if a.Request.Topic != SeedInput {
		t.Errorf("topic %q", a.Request.Topic)
	}
	want := `{"eventModelCode":"energy-overload-model","time":"2025-05-09T13:28:42.611276Z"}`
	if string(a.Request.Payload) != want {
		t.Errorf("payload\n got %s\nwant %s", a.Request.Payload, want)
	}
	if a.Request.QoS != 1 || a.Request.Retain || a.Kind != KindTriggerEvent || a.ID != "act-0001" {
		t.Errorf("request %+v", a)
	}
	x := a.Expect
	if x.EventEntity != SeedSys || x.EventModel != "energy-overload-model" || !x.EventTime.Equal(SeedTime) || x.ErrorTopic != SeedInput+"/error" {
		t.Errorf("expect %+v", x)
	}
}

func TestDRIVRTriggerComponentEventMsgPack(t *testing.T) {
	b := fixedBuilder(platform.DRIVR)
	f := form(t, b, KindTriggerEvent, Selection{Target: Target{Fleet: SeedSlug, System: SeedSys, Component: SeedComp}}, map[string]string{
		FModel:    "6b5e0830-6d7d-4871-9c1a-4a6e899aa5c7",
		FTime:     "2025-05-07T10:02:00Z",
		FEndTime:  "2025-05-07T11:00:00Z",
		FMetadata: `{"phase": "L2", "amps": 63}`,
		FEncoding: "msgpack",
	})
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	if a.Request.Topic != "drivr/v1/company-example/input/event/c/"+SeedComp+"/msgpack" {
		t.Errorf("topic %q", a.Request.Topic)
	}
	var got map[string]any
	if err := msgpack.Unmarshal(a.Request.Payload, &got); err != nil {
		t.Fatalf("not msgpack: %v", err)
	}
	if got["eventModelUuid"] != "6b5e0830-6d7d-4871-9c1a-4a6e899aa5c7" || got["time"] != "2025-05-07T10:02:00Z" ||
		got["endTime"] != "2025-05-07T11:00:00Z" {
		t.Errorf("decoded %v", got)
	}
	md, _ := got["metadata"].(map[string]any)
	if md["phase"] != "L2" {
		t.Errorf("metadata %v", got["metadata"])
	}
	// Keys in the order DRIVR's guide writes them.
	p := a.Request.Payload
	if i, j := bytes.Index(p, []byte("eventModelUuid")), bytes.Index(p, []byte("time")); i < 0 || j < i {
		t.Error("key order lost")
	}
	if a.Expect.EventEntity != SeedComp || a.Expect.ErrorTopic != a.Request.Topic+"/error" {
		t.Errorf("expect %+v", a.Expect)
	}
}

func TestDRIVRTriggerEventValidation(t *testing.T) {
	b := fixedBuilder(platform.DRIVR)
	cases := []struct {
		set   map[string]string
		field string
		msg   string
	}{
		{map[string]string{FSystem: "not-a-uuid"}, FSystem, "system uuid"},
		{map[string]string{FComponent: "smart-meter-v2"}, FComponent, "not one"},
		{map[string]string{FModel: ""}, FModel, "empty"},
		{map[string]string{FModel: "a/b"}, FModel, "/"},
		{map[string]string{FModel: "energy-+"}, FModel, "wildcards"},
		{map[string]string{FTime: "yesterday"}, FTime, "RFC 3339"},
		{map[string]string{FEndTime: "2020-01-01T00:00:00Z"}, FEndTime, "before"},
		{map[string]string{FMetadata: `{"a": 1,}`}, FMetadata, "offset 8"},
		{map[string]string{FMetadata: `[1]`}, FMetadata, "object"},
		{map[string]string{FQoS: "3"}, FQoS, "QoS"},
		{map[string]string{FEncoding: "xml"}, FEncoding, "json or msgpack"},
	}
	for _, c := range cases {
		set := map[string]string{FModel: "energy-overload-model"}
		for k, v := range c.set {
			set[k] = v
		}
		f := form(t, b, KindTriggerEvent, Selection{Target: Target{System: SeedSys}}, set)
		_, err := b.Build(f)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: got %v, want field %s with %q", c.set, err, c.field, c.msg)
		}
	}
}

func TestReadOnlyRefusesToBuild(t *testing.T) {
	b := fixedBuilder(platform.DRIVR)
	f := form(t, b, KindTriggerEvent, Selection{Target: Target{System: SeedSys}, Models: []string{"m"}}, nil)
	b.ReadOnly = true
	if _, err := b.Build(f); !errors.Is(err, ErrReadOnly) {
		t.Errorf("build: %v", err)
	}
	if _, err := b.NewForm(KindPublish, Selection{}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("form: %v", err)
	}
}

func TestDrogueCommand(t *testing.T) {
	b := fixedBuilder(platform.Drogue)
	f := form(t, b, KindSendCommand, Selection{Target: Target{Fleet: "my-app", System: "my-device"}}, map[string]string{
		FName: "setTemperature", FPayload: `{"value": 1.23 }`})
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	if a.Request.Topic != "command/my-app/my-device/setTemperature" || string(a.Request.Payload) != `{"value":1.23}` || a.Request.QoS != 1 {
		t.Errorf("%+v", a.Request)
	}
	f.Set(FPayload, `{"value": }`)
	if _, err := b.Build(f); err == nil || !strings.Contains(err.Error(), "offset 10") {
		t.Errorf("bad JSON: %v", err)
	}
	f.Set(FPayload, `{}`)
	f.Set(FSystem, "dev/ice")
	if _, err := b.Build(f); err == nil {
		t.Error("device with / accepted")
	}
}

func TestDevAPICommandAndSnapshotMaskKey(t *testing.T) {
	const key = "AK-1234-secret"
	t.Setenv("MQDECK_TEST_ACCESS_KEY", key)
	b := fixedBuilder(platform.DevAPI)
	b.AccessKey = Secret{Env: "MQDECK_TEST_ACCESS_KEY"}
	f := form(t, b, KindSendCommand, Selection{Target: Target{System: "dev-1"}}, map[string]string{
		FName: "update_firmware", FPayload: `{"url": "https://example.com/x.zip", "version": "1.3.4"}`})
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		ID, Status, Name string
		Parameters       map[string]string
	}
	if err := json.Unmarshal(a.Request.Payload, &body); err != nil {
		t.Fatal(err)
	}
	if a.Request.Topic != "v1/device/dev-1/commands" || body.Status != "pending" || body.Name != "update_firmware" ||
		body.Parameters["version"] != "1.3.4" || !IsUUID(body.ID) || a.Expect.CommandID != body.ID {
		t.Errorf("command %s %+v", a.Request.Topic, body)
	}
	if a.Request.Props.ResponseTopic != "v1/device/dev-1/commands/update" || a.Expect.ResponseTopic != a.Request.Props.ResponseTopic {
		t.Errorf("props %+v", a.Request.Props)
	}

	s := form(t, b, KindRequestSnapshot, Selection{Target: Target{System: "dev-1"}}, nil)
	snap, err := b.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Request.Topic != "v1/device/dev-1/get" {
		t.Errorf("topic %q", snap.Request.Topic)
	}
	if v, _ := snap.Request.Props.UserValue("access_key"); v != key {
		t.Error("the key must be sent")
	}
	if v, _ := snap.Request.Props.UserValue("device_id"); v != "dev-1" {
		t.Error("device_id missing")
	}
	for _, u := range snap.DisplayProps() {
		if strings.Contains(u.Value, key) {
			t.Error("display shows the key")
		}
	}
	// The request itself was not changed by masking.
	if v, _ := snap.Request.Props.UserValue("access_key"); v != key {
		t.Error("masking changed the request")
	}
	b.AccessKey = Secret{}
	if _, err := b.Build(s); err == nil || !strings.Contains(err.Error(), "access_key_env") {
		t.Errorf("snapshot without key: %v", err)
	}
}

func TestSmartWorksPayloads(t *testing.T) {
	b := fixedBuilder(platform.SmartWorks)
	sel := Selection{Target: Target{Fleet: "MyAccount001", System: "AwesomeDevice"}}
	cases := []struct {
		kind           Kind
		payload, topic string
		want           string
	}{
		{KindSendCommand, `{"delay": 5}`, "set/MyAccount001/things/AwesomeDevice/actions/reboot", `{"reboot":{"input":{"delay":5}}}`},
		{KindSetSetpoint, `41.2`, "set/MyAccount001/things/AwesomeDevice/properties/reboot", `{"reboot":41.2}`},
		{KindTriggerEvent, `{"level": 3}`, "set/MyAccount001/things/AwesomeDevice/events/reboot", `{"reboot":{"data":{"level":3}}}`},
	}
	for _, c := range cases {
		a, err := b.Build(form(t, b, c.kind, sel, map[string]string{FName: "reboot", FPayload: c.payload}))
		if err != nil {
			t.Fatalf("%s: %v", c.kind, err)
		}
		if a.Request.Topic != c.topic || string(a.Request.Payload) != c.want {
			t.Errorf("%s: %s %s", c.kind, a.Request.Topic, a.Request.Payload)
		}
	}
}

func TestGenericPublish(t *testing.T) {
	b := fixedBuilder(platform.Generic)
	f := form(t, b, KindPublish, Selection{}, map[string]string{
		FTopic: "lab/dev/1/cmd", FPayload: `{"on": true}`, FQoS: "2", FRetain: "yes",
		FContentType: "application/json", FUser: "trace=abc; access_key=hunter2", FResponse: "lab/dev/1/reply"})
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	r := a.Request
	if r.Topic != "lab/dev/1/cmd" || r.QoS != 2 || !r.Retain || string(r.Payload) != `{"on": true}` ||
		r.Props.ContentType != "application/json" || len(r.Props.User) != 2 || r.Props.ResponseTopic != "lab/dev/1/reply" ||
		string(r.Props.CorrelationData) != "act-0001" {
		t.Errorf("%+v %+v", r, r.Props)
	}
	if !bytes.Equal(a.Expect.CorrelationData, []byte("act-0001")) || a.Expect.ResponseTopic != "lab/dev/1/reply" {
		t.Errorf("expect %+v", a.Expect)
	}
	if a.DisplayProps()[1].Value != Mask {
		t.Error("access_key not masked in display")
	}
	bad := []struct{ field, value, msg string }{
		{FTopic, "lab/+/cmd", "wildcards"},
		{FTopic, "", "empty"},
		{FPayload, `{"on": tru}`, "offset"},
		{FUser, "novalue", "key=value"},
		{FResponse, "a/#", "wildcards"},
		{FRetain, "perhaps", "yes or no"},
	}
	for _, c := range bad {
		g := form(t, b, KindPublish, Selection{}, map[string]string{FTopic: "ok/topic", c.field: c.value})
		_, err := b.Build(g)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s=%q: %v", c.field, c.value, err)
		}
	}
	// Text payloads are fine when they do not look like JSON.
	g := form(t, b, KindPublish, Selection{}, map[string]string{FTopic: "ok/topic", FPayload: "ACTIVE"})
	if _, err := b.Build(g); err != nil {
		t.Error(err)
	}
}

func TestUnsupportedKindsExplain(t *testing.T) {
	cases := map[string]Kind{platform.DRIVR: KindRequestSnapshot, platform.Drogue: KindTriggerEvent, platform.DevAPI: KindTriggerEvent}
	for plat, kind := range cases {
		_, err := fixedBuilder(plat).NewForm(kind, Selection{})
		if !IsUnsupported(err) || len(err.Error()) < 40 {
			t.Errorf("%s %s: %v", plat, kind, err)
		}
	}
}

func TestDRIVRSetpointAndDeviceConfig(t *testing.T) {
	b := fixedBuilder(platform.DRIVR)
	f := form(t, b, KindSetSetpoint, Selection{Target: Target{Fleet: SeedSlug, System: SeedSys}}, map[string]string{
		FName: "target-power", FPayload: "4200"})
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	if a.Request.Topic != "drivr/v1/company-example/input/setpoint/s/"+SeedSys+"/json" ||
		string(a.Request.Payload) != `{"characteristicCode":"target-power","value":4200}` || a.Expect.ErrorTopic != a.Request.Topic+"/error" {
		t.Errorf("%s %s %+v", a.Request.Topic, a.Request.Payload, a.Expect)
	}

	d := fixedBuilder(platform.DevAPI)
	g := form(t, d, KindSetSetpoint, Selection{Target: Target{System: "dev-1"}}, map[string]string{
		FVersion: "7", FPayload: `{"brightness": 80}`})
	c, err := d.Build(g)
	if err != nil {
		t.Fatal(err)
	}
	if c.Request.Topic != "v1/device/dev-1/config" ||
		string(c.Request.Payload) != `{"version":"7","last_updated":"2025-05-09T13:28:42.611276Z","brightness":80}` {
		t.Errorf("%s %s", c.Request.Topic, c.Request.Payload)
	}
	g.Set(FVersion, "")
	if _, err := d.Build(g); err == nil {
		t.Error("config without version accepted")
	}
}

// The event's time is taken when the form is reviewed (Build), not when
// it opened: a form left open for minutes sent its opening time before.
// Microseconds, as the payload carries them.
func TestTriggerTimeIsTakenAtReview(t *testing.T) {
	b := fixedBuilder(platform.DRIVR)
	opened := SeedTime
	b.Now = func() time.Time { return opened }
	f, err := b.NewForm(KindTriggerEvent, Selection{Target: Target{Fleet: SeedSlug, System: SeedSys}, Models: []string{"energy-overload-model"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Value(FTime) != "" {
		t.Fatalf("form time prefilled with %q: it would be the opening time", f.Value(FTime))
	}
	reviewed := SeedTime.Add(3*time.Minute + 123) // 123 ns past a whole microsecond
	b.Now = func() time.Time { return reviewed }
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	want := reviewed.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	if !strings.Contains(string(a.Request.Payload), `"time":"`+want+`"`) {
		t.Errorf("payload %s does not carry the review time %s", a.Request.Payload, want)
	}
}
