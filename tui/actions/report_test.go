package actions_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	. "github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

const drogueApp = "demo-app"

func drogueCommand(t *testing.T, dev string) Action {
	t.Helper()
	b := &Builder{Platform: platform.Drogue, Unit: platforms.Actions(platform.Drogue), Params: platform.Params{Apps: []string{drogueApp}},
		Now: func() time.Time { return SeedTime }, NewID: func() string { return "d-" + dev }}
	f, err := b.NewForm(KindSendCommand, Selection{Target: Target{Fleet: drogueApp, System: dev}})
	if err != nil {
		t.Fatal(err)
	}
	f.Set(FName, "setTemperature")
	f.Set(FPayload, `{"value": 22}`)
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// deviceEvent is an io.drogue.event.v1 from dev in binary mode (the
// route knows the device) or structured mode (only the payload does).
func deviceEvent(t *testing.T, dev, typ string, structured bool, data string) (platform.Route, decode.Value) {
	t.Helper()
	v := JSONValue(t, data)
	v.Event = &decode.CloudEvent{Mode: "binary", Type: typ, Subject: "state",
		Extensions: []decode.Attribute{{Name: "application", Value: drogueApp}, {Name: "device", Value: dev}}}
	r := platform.Route{Platform: platform.Drogue, Kind: platform.KindDeviceEvent, Fleet: drogueApp, App: drogueApp,
		System: dev, Device: dev, Channel: "state"}
	if typ == "io.drogue.connection.v1" {
		r.Kind, r.Channel = platform.KindConnectionEvent, ""
	}
	if structured {
		v.Event.Mode = "structured"
		r = platform.Route{Platform: platform.Drogue, Kind: platform.KindCloudEvent, Fleet: drogueApp, App: drogueApp}
		// The ingest stage refines a structured event's route from its
		// attributes before anything downstream sees it.
		r = platform.Refine(r, &v)
	}
	return r, v
}

// Drogue keeps no command status: the device's next event is the answer,
// linked to the command and shown with what it says.
func TestTrackerDrogueCommandAnsweredByNextEvent(t *testing.T) {
	for _, structured := range []bool{false, true} {
		tr := NewTracker(0)
		a := drogueCommand(t, "thermostat-01")
		if a.Expect.ReportTopic != "app/"+drogueApp || a.Expect.ReportDevice != "thermostat-01" {
			t.Fatalf("expect %+v", a.Expect)
		}
		tr.Add(a, SeedTime)
		tr.Result(a.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, SeedTime)
		at := SeedTime.Add(300 * time.Millisecond)
		topic := "app/" + drogueApp

		for name, ev := range map[string][3]string{
			"another device":   {"thermostat-02", "io.drogue.event.v1", `{"temperature": 20}`},
			"connection event": {"thermostat-01", "io.drogue.connection.v1", `{"connected": true}`},
		} {
			r, v := deviceEvent(t, ev[0], ev[1], structured, ev[2])
			if ch := tr.ObserveMessage(Received(topic, at), r, v); len(ch) != 0 {
				t.Errorf("structured=%v: %s answered the command: %+v", structured, name, ch)
			}
		}
		r, v := deviceEvent(t, "thermostat-01", "io.drogue.event.v1", false, `{"temperature": 21.5}`)
		if ch := tr.ObserveMessage(Received(topic, SeedTime.Add(-time.Second)), r, v); len(ch) != 0 {
			t.Errorf("an event from before the command answered it")
		}
		r, v = deviceEvent(t, "thermostat-01", "io.drogue.event.v1", structured,
			`{"temperature": 21.5, "targetTemperature": 22, "lastCommand": "setTemperature"}`)
		ch := tr.ObserveMessage(Received(topic, at), r, v)
		if len(ch) != 1 || ch[0].ID != a.ID || ch[0].Outcome != "reported" {
			t.Fatalf("structured=%v: next event: %+v", structured, ch)
		}
		e, _ := tr.Get(a.ID)
		if st := e.Status(); st.Word != "device event" || st.Tone != ToneOK {
			t.Errorf("status %+v", st)
		}
		if ans, _ := e.LastAnswer(); !strings.Contains(ans.Summary, "targetTemperature: 22") {
			t.Errorf("answer summary %q", ans.Summary)
		}
		// Only the next event answers; later ones are the device's life.
		if ch := tr.ObserveMessage(Received(topic, at.Add(3*time.Second)), r, v); len(ch) != 0 {
			t.Errorf("a later event was linked too: %+v", ch)
		}
		if got := tr.Expire(SeedTime.Add(time.Hour)); len(got) != 0 {
			t.Errorf("an answered command expired: %+v", got)
		}
	}
}

// Where nothing comes back within the answer window the entry stops
// waiting and says so plainly; an action that expects nothing (a free
// publish), or that never left, does not.
func TestTrackerExpiresSilentActions(t *testing.T) {
	tr := NewTracker(0)
	cmd := drogueCommand(t, "thermostat-03")
	setpoint := Action{ID: "sp", Kind: KindSetSetpoint, Platform: platform.DRIVR,
		Request: mqttconn.PublishRequest{Topic: "drivr/v1/s/input/setpoint/s/x/json"},
		Expect:  Expect{ErrorTopic: "drivr/v1/s/input/setpoint/s/x/json/error"}}
	free := Action{ID: "pub", Kind: KindPublish, Request: mqttconn.PublishRequest{Topic: "lab/x"}}
	refused := drogueCommand(t, "thermostat-04")
	for _, a := range []Action{cmd, setpoint, free, refused} {
		tr.Add(a, SeedTime)
		tr.Result(a.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, SeedTime)
	}
	tr.Result(refused.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeRefused, ReasonCode: 0x87}, SeedTime)

	if ch := tr.Expire(SeedTime.Add(AnswerWindow())); len(ch) != 0 {
		t.Fatalf("expired inside the window: %+v", ch)
	}
	ch := tr.Expire(SeedTime.Add(AnswerWindow() + time.Second))
	got := map[string]string{}
	for _, c := range ch {
		got[c.ID] = c.Outcome
	}
	if len(got) != 2 || got[cmd.ID] != "no_answer" || got["sp"] != "no_answer" {
		t.Fatalf("expired %v, want the command and the setpoint", got)
	}
	e, _ := tr.Get(cmd.ID)
	if st := e.Status(); st.Word != "no device event in 2m" || st.Tone != ToneWarn {
		t.Errorf("command status %+v", st)
	}
	if txt := e.NoAnswerText(); !strings.Contains(txt, "Drogue keeps no command status") || !strings.Contains(txt, "thermostat-03") {
		t.Errorf("command text %q", txt)
	}
	sp, _ := tr.Get("sp")
	if st := sp.Status(); st.Word != "no error in 2m" || st.Tone != ToneOK {
		t.Errorf("setpoint status %+v", st)
	}
	if ch := tr.Expire(SeedTime.Add(time.Hour)); len(ch) != 0 {
		t.Errorf("expired twice: %+v", ch)
	}
	for _, id := range []string{"pub", refused.ID} {
		if e, _ := tr.Get(id); e.Unanswered || strings.HasPrefix(e.Status().Word, "no ") {
			t.Errorf("%s: %+v", id, e.Status())
		}
	}
	// An error that was on its way still counts.
	msg := Received(setpoint.Expect.ErrorTopic, SeedTime.Add(time.Minute))
	if ch := tr.ObserveMessage(msg, platform.Route{Platform: platform.DRIVR, Kind: platform.KindError}, JSONValue(t, SeedErrorJSON)); len(ch) != 1 || ch[0].Outcome != "platform_error:SOME_DATA_INVALID" {
		t.Fatalf("late error: %+v", ch)
	}
}

// A SmartWorks property write is answered by its status/ twin, with the
// value the thing reports.
func TestTrackerSmartWorksPropertyReported(t *testing.T) {
	b := &Builder{Platform: platform.SmartWorks, Unit: platforms.Actions(platform.SmartWorks), Params: platform.Params{Account: "acme"},
		Now: func() time.Time { return SeedTime }, NewID: func() string { return "sw-1" }}
	f, err := b.NewForm(KindSetSetpoint, Selection{Target: Target{Fleet: "acme", System: "01THING"}})
	if err != nil {
		t.Fatal(err)
	}
	f.Set(FName, "setpoint")
	f.Set(FPayload, "22")
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := NewTracker(0)
	tr.Add(a, SeedTime)
	tr.Result(a.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, SeedTime)
	r := platform.Route{Platform: platform.SmartWorks, Kind: platform.KindProperty, Side: "status", Fleet: "acme",
		System: "01THING", Thing: "01THING"}
	r.Name = "temperature"
	if ch := tr.ObserveMessage(Received("status/acme/things/01THING/properties/temperature", SeedTime.Add(time.Second)), r, JSONValue(t, `{"temperature": 20.1}`)); len(ch) != 0 {
		t.Fatalf("another property answered: %+v", ch)
	}
	r.Name = "setpoint"
	ch := tr.ObserveMessage(Received("status/acme/things/01THING/properties/setpoint", SeedTime.Add(time.Second)), r, JSONValue(t, `{"setpoint": 22}`))
	if len(ch) != 1 || ch[0].Outcome != "reported:22" {
		t.Fatalf("status twin: %+v", ch)
	}
	e, _ := tr.Get(a.ID)
	if st := e.Status(); st.Word != "reported 22" {
		t.Errorf("status %+v", st)
	}
}

// A device API config is confirmed by the device reporting the version on
// config/update, which carries no correlation data; another version is not
// the answer.
func TestTrackerDeviceConfigConfirmedByVersion(t *testing.T) {
	b := fixedBuilder(platform.DevAPI)
	f, err := b.NewForm(KindSetSetpoint, Selection{Target: Target{System: "d1"}})
	if err != nil {
		t.Fatal(err)
	}
	f.Set(FVersion, "8")
	f.Set(FPayload, `{"brightness": 80}`)
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := NewTracker(0)
	tr.Add(a, SeedTime)
	tr.Result(a.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, SeedTime)
	r := platform.Route{Platform: platform.DevAPI, Kind: platform.KindConfigUpdate, System: "d1", Device: "d1"}
	at := SeedTime.Add(500 * time.Millisecond)
	if ch := tr.ObserveMessage(Received("v1/device/d1/config/update", at), r, JSONValue(t, `{"version": 7, "brightness": 60}`)); len(ch) != 0 {
		t.Fatalf("the old version answered: %+v", ch)
	}
	ch := tr.ObserveMessage(Received("v1/device/d1/config/update", at), r, JSONValue(t, `{"version": 8, "last_updated": "2025-05-09T13:28:43Z", "brightness": 80}`))
	if len(ch) != 1 || ch[0].Outcome != "reported:version 8" {
		t.Fatalf("config/update: %+v", ch)
	}
	e, _ := tr.Get(a.ID)
	if st := e.Status(); st.Word != "reported version 8" || st.Tone != ToneOK {
		t.Errorf("status %+v", st)
	}
}

// A DRIVR setpoint is answered by the component's next datapoint of that
// characteristic, with the value it shows: the action row says whether the
// setpoint landed (it only said "no error in 2m", whatever the device did).
func TestTrackerDrivrSetpointReportedByNextDatapoint(t *testing.T) {
	const hvacUUID = "5d1c7f38-8f1a-4d5e-9a43-0c7d2e9b6a11"
	compTopic := "drivr/v1/" + SeedSlug + "/systems/" + SeedSys + "/components/hvac-1"
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	store.Apply(items(t, mqttconn.Message{Topic: compTopic, Retain: true, Received: SeedTime,
		Payload: []byte(`{"uuid": "` + hvacUUID + `", "code": "hvac-1", "name": "HVAC"}`)}))
	sel := fixedBuilder(platform.DRIVR).SelectionFor(store, fleet.Ref{Platform: platform.DRIVR, Fleet: SeedSlug, System: SeedSys, Component: "hvac-1"})
	b := fixedBuilder(platform.DRIVR)
	f, err := b.NewForm(KindSetSetpoint, sel)
	if err != nil {
		t.Fatal(err)
	}
	f.Set(FName, "target-temperature")
	f.Set(FPayload, "22.5")
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := "drivr/v1/" + SeedSlug + "/input/setpoint/c/" + hvacUUID + "/json"; a.Request.Topic != want {
		t.Fatalf("topic %q, want %q", a.Request.Topic, want)
	}
	tr := NewTracker(0)
	tr.Add(a, SeedTime)
	tr.Result(a.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, SeedTime)
	at := SeedTime.Add(time.Second)
	other := items(t, mqttconn.Message{Topic: compTopic + "/datapoints/temperature", Received: at,
		Payload: []byte(`{"time": "2025-05-09T13:28:43.000000", "value": 20.4, "unit": "°C"}`)})
	if ch := tr.Observe(other); len(ch) != 0 {
		t.Fatalf("another characteristic answered: %+v", ch)
	}
	dp := items(t, mqttconn.Message{Topic: compTopic + "/datapoints/target-temperature", Received: at,
		Payload: []byte(`{"time": "2025-05-09T13:28:43.000000", "value": 22.5, "unit": "°C"}`)})
	ch := tr.Observe(dp)
	if len(ch) != 1 || ch[0].Outcome != "reported:22.5" {
		t.Fatalf("next datapoint: %+v", ch)
	}
	e, _ := tr.Get(a.ID)
	if st := e.Status(); st.Word != "reported 22.5" || st.Tone != ToneOK {
		t.Errorf("status %+v", st)
	}
}
