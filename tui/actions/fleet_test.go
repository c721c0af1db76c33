package actions_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	. "github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// items routes and decodes messages as the pump does.
func items(t *testing.T, msgs ...mqttconn.Message) []fleet.Item {
	t.Helper()
	sc, err := platform.New(platform.DRIVR, platform.Params{Slug: SeedSlug})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]fleet.Item, 0, len(msgs))
	for _, m := range msgs {
		r := sc.Route(m.Topic, m.Props)
		v := decode.Decode(m.Payload, ingest.Hints(&m, r.Encoding), decode.DefaultLimits())
		out = append(out, fleet.Item{Msg: m, Route: platform.Refine(r, &v), Value: v})
	}
	return out
}

func TestObserveRoutedBatchAndSelection(t *testing.T) {
	at := SeedTime.Add(time.Second)
	modelTopic := "drivr/v1/company-example/eventModels/c867ee9d-52f1-4819-9bfc-b64d6321a04b"
	modelJSON := `{ "uuid": "c867ee9d-52f1-4819-9bfc-b64d6321a04b", "code": "energy-overload-model", "status": "ACTIVATED", "eventType": "SINGLE_POINT", "eventLevel": "ERROR", "entityType": "SYSTEM" }`
	batch := items(t,
		mqttconn.Message{Topic: modelTopic, Payload: []byte(modelJSON), Received: at, Retain: true},
		mqttconn.Message{Topic: SeedEventTopic, Payload: []byte(SeedCreatedJSON), Received: at},
		mqttconn.Message{Topic: SeedEventTopic + "/state", Payload: []byte("ACTIVE"), Received: at},
		mqttconn.Message{Topic: SeedInput + "/error", Payload: []byte(SeedErrorJSON), Received: at},
	)
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	store.Apply(batch)
	sel := fixedBuilder(platform.DRIVR).SelectionFor(store, fleet.Ref{Platform: platform.DRIVR, Fleet: SeedSlug, System: SeedSys})
	if sel.Target.System != SeedSys || len(sel.Models) == 0 || sel.Models[0] != "energy-overload-model" {
		t.Fatalf("selection %+v", sel)
	}

	tr := NewTracker(0)
	b := fixedBuilder(platform.DRIVR)
	f, err := b.NewForm(KindTriggerEvent, sel)
	if err != nil {
		t.Fatal(err)
	}
	good, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	good.ID = "good"
	f.Set(FModel, "en")
	bad, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	bad.ID = "bad"
	// The failing action goes first: the report must still find it, not
	// the newer action whose event was created.
	tr.Add(bad, SeedTime)
	tr.Result("bad", mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, SeedTime)
	tr.Add(good, SeedTime)
	tr.Result("good", mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, SeedTime)

	changes := tr.Observe(batch)
	got := map[string][]string{}
	for _, c := range changes {
		got[c.ID] = append(got[c.ID], c.Outcome)
	}
	if len(got["good"]) != 2 || got["good"][0] != "event" || got["good"][1] != "state:ACTIVE" {
		t.Errorf("good: %v", got["good"])
	}
	if len(got["bad"]) != 1 || got["bad"][0] != "platform_error:SOME_DATA_INVALID" {
		t.Errorf("bad: %v", got["bad"])
	}
	if tr.Observe(nil) != nil {
		t.Error("empty batch changed something")
	}
}

// A model the selected system raised ranks before one merely seen later in
// the retained model list.
func TestSelectionPrefersModelsTheEntityRaised(t *testing.T) {
	at := SeedTime.Add(time.Second)
	model := func(uuid, code string) mqttconn.Message {
		return mqttconn.Message{Topic: "drivr/v1/company-example/eventModels/" + uuid, Retain: true, Received: at.Add(time.Duration(len(code)) * time.Millisecond),
			Payload: []byte(`{"uuid":"` + uuid + `","code":"` + code + `","eventType":"SINGLE_POINT","eventLevel":"INFO","entityType":"SYSTEM"}`)}
	}
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	store.Apply(items(t,
		model("c867ee9d-52f1-4819-9bfc-b64d6321a04b", "energy-overload-model"),
		model("0d5e6f70-1111-4222-8333-944455566677", "system-restarted-and-more-words"), // seen last
		mqttconn.Message{Topic: SeedEventTopic, Payload: []byte(SeedCreatedJSON), Received: at},
	))
	sel := fixedBuilder(platform.DRIVR).SelectionFor(store, fleet.Ref{Platform: platform.DRIVR, Fleet: SeedSlug, System: SeedSys})
	if len(sel.Models) != 2 || sel.Models[0] != "energy-overload-model" {
		t.Fatalf("models %v", sel.Models)
	}
	// Announced together: code order. Announced later: first.
	other := fixedBuilder(platform.DRIVR).SelectionFor(store, fleet.Ref{Platform: platform.DRIVR, Fleet: SeedSlug, System: "1c7f2d63-8b5a-4c9f-8e4d-6a3b2f1e0d55"})
	if len(other.Models) != 2 || other.Models[0] != "energy-overload-model" {
		t.Fatalf("another system's models %v", other.Models)
	}
	later := model("0d5e6f70-1111-4222-8333-944455566677", "system-restarted-and-more-words")
	later.Received = at.Add(3 * time.Second)
	store.Apply(items(t, later))
	if other = fixedBuilder(platform.DRIVR).SelectionFor(store, fleet.Ref{Platform: platform.DRIVR, Fleet: SeedSlug, System: "1c7f2d63-8b5a-4c9f-8e4d-6a3b2f1e0d55"}); other.Models[0] != "system-restarted-and-more-words" {
		t.Fatalf("a model announced later: %v", other.Models)
	}
}

// The setpoint form offers the setpoints (DRIVR) or properties (SmartWorks)
// the entity reported, the newest first, and starts from the last value:
// pressing s, enter, y must never write an arbitrary 0. Without a value
// the form does not build.
func TestSetpointFormFromWhatWasSeen(t *testing.T) {
	sc, err := platform.New(platform.SmartWorks, platform.Params{Account: "acct"})
	if err != nil {
		t.Fatal(err)
	}
	var batch []fleet.Item
	for i, m := range [][2]string{
		{"status/acct/things/01T/properties/temperature", `{"temperature": 20.1}`},
		{"status/acct/things/01T/properties/power", `{"power": true}`},
		{"status/acct/things/01T/properties/temperature", `{"temperature": 20.3}`},
		{"status/acct/things/01T/properties/setpoint", `{"setpoint": 21.5}`},
		{"status/acct/things/02T/properties/other", `{"other": 1}`},
	} {
		msg := mqttconn.Message{Topic: m[0], Payload: []byte(m[1]), Received: SeedTime.Add(time.Duration(i) * time.Second)}
		r := sc.Route(msg.Topic, nil)
		batch = append(batch, fleet.Item{Msg: msg, Route: r, Value: decode.Decode(msg.Payload, ingest.Hints(&msg, ""), decode.DefaultLimits())})
	}
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	store.Apply(batch)
	sel := fixedBuilder(platform.SmartWorks).SelectionFor(store, fleet.Ref{Platform: platform.SmartWorks, Fleet: "acct", System: "01T"})
	// A measurement updating often (temperature) comes after the settings.
	if strings.Join(sel.Settables, ",") != "setpoint,power,temperature" || sel.Values["setpoint"] != "21.5" || sel.Values["temperature"] != "20.3" {
		t.Fatalf("settables %v values %v", sel.Settables, sel.Values)
	}
	b := fixedBuilder(platform.SmartWorks)
	b.Params.Account = "acct"
	f, err := b.NewForm(KindSetSetpoint, sel)
	if err != nil {
		t.Fatal(err)
	}
	if f.Value(FName) != "setpoint" || f.Value(FPayload) != "21.5" {
		t.Fatalf("form starts at %q = %q", f.Value(FName), f.Value(FPayload))
	}
	f.Set(FPayload, "")
	var fe *FieldError
	if _, err := b.Build(f); !errors.As(err, &fe) || fe.Field != FPayload {
		t.Fatalf("empty value built: %v", err)
	}
	d := fixedBuilder(platform.DRIVR)
	df, err := d.NewForm(KindSetSetpoint, Selection{Target: Target{Fleet: SeedSlug, System: SeedSys}})
	if err != nil {
		t.Fatal(err)
	}
	df.Set(FName, "target-power")
	if _, err := d.Build(df); !errors.As(err, &fe) || fe.Field != FPayload {
		t.Fatalf("DRIVR setpoint without a value built: %v", err)
	}
}

// SmartWorks: t offers the events the thing emitted, c the actions it ran;
// an action name is never offered as an event.
func TestSmartWorksEventAndActionNames(t *testing.T) {
	sc, err := platform.New(platform.SmartWorks, platform.Params{Account: "acct"})
	if err != nil {
		t.Fatal(err)
	}
	var batch []fleet.Item
	for i, m := range [][2]string{
		{"status/acct/things/01T/actions/calibrate", `{"calibrate": {"input": {}, "href": "/things/01T/actions/calibrate/01A", "status": "completed"}}`},
		{"status/acct/things/01T/events/overheat", `{"overheat": {"data": {"temperature": 29}}}`},
	} {
		msg := mqttconn.Message{Topic: m[0], Payload: []byte(m[1]), Received: SeedTime.Add(time.Duration(i) * time.Second)}
		batch = append(batch, fleet.Item{Msg: msg, Route: sc.Route(msg.Topic, nil), Value: decode.Decode(msg.Payload, ingest.Hints(&msg, ""), decode.DefaultLimits())})
	}
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	store.Apply(batch)
	sel := fixedBuilder(platform.SmartWorks).SelectionFor(store, fleet.Ref{Platform: platform.SmartWorks, Fleet: "acct", System: "01T"})
	b := fixedBuilder(platform.SmartWorks)
	for kind, want := range map[Kind]string{KindTriggerEvent: "overheat", KindSendCommand: "calibrate"} {
		f, err := b.NewForm(kind, sel)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Value(FName); got != want {
			t.Errorf("%s: name %q, want %q (events %v, names %v)", kind, got, want, sel.EventNames, sel.Names)
		}
	}
}
