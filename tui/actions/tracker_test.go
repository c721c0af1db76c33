package actions

import (
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Seed 001 values.
const (
	slug        = "company-example"
	sysUUID     = "792b6149-1daa-488f-b07a-f684503b0586"
	compUUID    = "6d6eb245-599e-42c6-b1a6-009805655fbd"
	sysInput    = "drivr/v1/company-example/input/event/s/792b6149-1daa-488f-b07a-f684503b0586/json"
	sysEventTop = "drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/a707aa3a-b44f-42e0-9ab8-b8efe13409c8"
	createdJSON = `{ "uuid": "a707aa3a-b44f-42e0-9ab8-b8efe13409c8", "createdAt": "2025-05-09T13:28:42.658581", "updatedAt": "2025-05-09T13:28:42.658962", "entityUuid": "792b6149-1daa-488f-b07a-f684503b0586", "time": "2025-05-09T13:28:42.611276+00:00", "endTime": null, "status": null, "acknowledged": false, "eventModel": { "uuid": "c867ee9d-52f1-4819-9bfc-b64d6321a04b", "entityType": "SYSTEM", "eventType": "SINGLE_POINT", "eventLevel": "ERROR", "code": "energy-overload-model", "message": null }, "metadata": {} }`
	errorJSON   = `{ "code": "SOME_DATA_INVALID", "message": "Some Events couldn't be imported/updated.", "stats": { "total": 1, "errors": 1, "imported": 0 }, "errors": { "0": [ { "code": "validation_error", "message": { "eventModel": ["Unknown field."] } } ] } }`
)

var seedTime = time.Date(2025, 5, 9, 13, 28, 42, 611276000, time.UTC)

func drivrAction(id string, at time.Time, model string) Action {
	return Action{
		ID: id, Kind: KindTriggerEvent, Platform: platform.DRIVR,
		Target:  Target{Platform: platform.DRIVR, Fleet: slug, System: sysUUID},
		Request: mqttconn.PublishRequest{Topic: sysInput, Payload: []byte(`{}`), QoS: 1},
		Created: at,
		Expect:  Expect{Events: drivrEvents, EventEntity: sysUUID, EventModel: model, EventTime: at, ErrorTopic: sysInput + "/error"},
	}
}

func eventRoute(kind platform.Kind) platform.Route {
	return platform.Route{Platform: platform.DRIVR, Kind: kind, Fleet: slug, System: sysUUID,
		Event: "a707aa3a-b44f-42e0-9ab8-b8efe13409c8"}
}

func rx(topic string, at time.Time) mqttconn.Message {
	return mqttconn.Message{Topic: topic, Received: at}
}

func TestTrackerDRIVREventLifecycle(t *testing.T) {
	tr := NewTracker(0)
	sent := seedTime
	e := tr.Add(drivrAction("a1", sent, "energy-overload-model"), sent)
	if st := e.Status(); st.Word != "sending" {
		t.Fatalf("new: %+v", st)
	}
	if ch, ok := tr.Result("a1", mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, sent.Add(5*time.Millisecond)); !ok || ch.Outcome != "acked" {
		t.Fatalf("result: %+v %v", ch, ok)
	}
	// Noise: another system's event, a retained copy, another model.
	other := eventRoute(platform.KindEvent)
	if ch := tr.ObserveMessage(rx(sysEventTop, sent.Add(time.Second)), other,
		value(t, strings.Replace(createdJSON, sysUUID, "00000000-0000-0000-0000-000000000000", 1))); len(ch) != 0 {
		t.Fatalf("other entity matched: %+v", ch)
	}
	ret := rx(sysEventTop, sent.Add(time.Second))
	ret.Retain = true
	if ch := tr.ObserveMessage(ret, other, value(t, createdJSON)); len(ch) != 0 {
		t.Fatal("retained event matched")
	}
	if ch := tr.ObserveMessage(rx(sysEventTop, sent.Add(time.Second)), other,
		value(t, strings.Replace(createdJSON, "energy-overload-model", "other-model", 1))); len(ch) != 0 {
		t.Fatal("other model matched")
	}

	ch := tr.ObserveMessage(rx(sysEventTop, sent.Add(47*time.Millisecond)), eventRoute(platform.KindEvent), value(t, createdJSON))
	if len(ch) != 1 || ch[0].ID != "a1" || ch[0].Outcome != "event" {
		t.Fatalf("created: %+v", ch)
	}
	if e.EventUUID != "a707aa3a-b44f-42e0-9ab8-b8efe13409c8" || e.Status().Word != "event created" {
		t.Fatalf("entry: %+v %+v", e.EventUUID, e.Status())
	}
	ch = tr.ObserveMessage(rx(sysEventTop+"/state", sent.Add(time.Second)), eventRoute(platform.KindEventState), value(t, "ACTIVE"))
	if len(ch) != 1 || ch[0].Outcome != "state:ACTIVE" || e.Status().Word != "event ACTIVE" {
		t.Fatalf("state: %+v %+v", ch, e.Status())
	}
	ch = tr.ObserveMessage(rx(sysEventTop+"/ack", sent.Add(2*time.Second)), eventRoute(platform.KindEventAck),
		value(t, `{ "time": "2025-05-06T14:39:44.368252+00:00", "userUuid": "8718ca2a-5134-41bb-ab81-b65cec310ab9" }`))
	if len(ch) != 1 || e.Status().Word != "acknowledged" || e.Status().Glyph == "" {
		t.Fatalf("ack: %+v %+v", ch, e.Status())
	}
	if len(e.Answers) != 3 {
		t.Errorf("answers: %d", len(e.Answers))
	}
}

func TestTrackerPicksActionByEventTime(t *testing.T) {
	tr := NewTracker(0)
	other := seedTime.Add(-10 * time.Second)
	tr.Add(drivrAction("early", other, "energy-overload-model"), seedTime.Add(-time.Second))
	tr.Add(drivrAction("exact", seedTime, "energy-overload-model"), seedTime.Add(-time.Second))
	tr.Add(drivrAction("late", seedTime.Add(time.Second), "energy-overload-model"), seedTime.Add(-time.Second))
	ch := tr.ObserveMessage(rx(sysEventTop, seedTime.Add(time.Second)), eventRoute(platform.KindEvent), value(t, createdJSON))
	if len(ch) != 1 || ch[0].ID != "exact" {
		t.Fatalf("want the action whose time matches: %+v", ch)
	}
	// Model given by uuid matches as well; no time match: the newest wins.
	tr2 := NewTracker(0)
	tr2.Add(drivrAction("byuuid", seedTime.Add(time.Hour), "C867EE9D-52F1-4819-9BFC-B64D6321A04B"), seedTime)
	ch = tr2.ObserveMessage(rx(sysEventTop, seedTime.Add(time.Second)), eventRoute(platform.KindEvent), value(t, createdJSON))
	if len(ch) != 1 || ch[0].ID != "byuuid" {
		t.Fatalf("by uuid: %+v", ch)
	}
}

func TestTrackerPlatformErrorOnTwin(t *testing.T) {
	tr := NewTracker(0)
	tr.Add(drivrAction("old", seedTime, "x"), seedTime)
	tr.Add(drivrAction("new", seedTime, "y"), seedTime.Add(time.Second))
	r := platform.Route{Platform: platform.DRIVR, Kind: platform.KindError, Fleet: slug, Input: sysInput, Encoding: "json"}
	ch := tr.ObserveMessage(rx(sysInput+"/error", seedTime.Add(2*time.Second)), r, value(t, errorJSON))
	if len(ch) != 1 || ch[0].ID != "new" || ch[0].Outcome != "platform_error:SOME_DATA_INVALID" {
		t.Fatalf("error: %+v", ch)
	}
	e, _ := tr.Get("new")
	a, _ := e.LastAnswer()
	if a.Code != "SOME_DATA_INVALID" || !strings.Contains(a.Message, "Some Events couldn't be imported/updated.") ||
		!strings.Contains(a.Message, "0: validation_error: eventModel: Unknown field.") {
		t.Fatalf("answer: %+v", a)
	}
	if st := e.Status(); st.Tone != ToneError || st.Word != "error SOME_DATA_INVALID" || st.Glyph != "✗" {
		t.Errorf("status: %+v", st)
	}
	if old, _ := tr.Get("old"); len(old.Answers) != 0 {
		t.Error("the report answered two actions")
	}
	// A report on another input topic is not ours.
	if ch := tr.ObserveMessage(rx("drivr/v1/company-example/input/event/c/"+compUUID+"/json/error", seedTime.Add(3*time.Second)),
		r, value(t, errorJSON)); len(ch) != 0 {
		t.Error("foreign error matched")
	}
}

func TestTrackerReplyAndCommandStatus(t *testing.T) {
	tr := NewTracker(0)
	corr := []byte("a-1")
	tr.Add(Action{ID: "a-1", Kind: KindPublish, Request: mqttconn.PublishRequest{Topic: "req/x"},
		Expect: Expect{ResponseTopic: "resp/x", CorrelationData: corr}}, seedTime)
	cmdID := "0f8fad5b-d9cb-469f-a165-70867728950e"
	tr.Add(Action{ID: "c-1", Kind: KindSendCommand, Platform: platform.DevAPI,
		Request: mqttconn.PublishRequest{Topic: "v1/device/d1/commands"},
		Expect:  Expect{Status: devapiStatus, CommandID: cmdID, ResponseTopic: "v1/device/d1/commands/update"}}, seedTime)

	wrong := rx("resp/x", seedTime.Add(time.Second))
	wrong.Props = &mqttconn.Props{CorrelationData: []byte("other")}
	if ch := tr.ObserveMessage(wrong, platform.Route{Kind: platform.KindRaw}, value(t, `{"ok":true}`)); len(ch) != 0 {
		t.Fatal("wrong correlation matched")
	}
	right := wrong
	right.Props = &mqttconn.Props{CorrelationData: corr}
	if ch := tr.ObserveMessage(right, platform.Route{Kind: platform.KindRaw}, value(t, `{"ok":true}`)); len(ch) != 1 || ch[0].ID != "a-1" || ch[0].Outcome != "reply" {
		t.Fatalf("reply: %+v", ch)
	}

	upd := platform.Route{Platform: platform.DevAPI, Kind: platform.KindCommandUpdate, System: "d1", Device: "d1"}
	if ch := tr.ObserveMessage(rx("v1/device/d1/commands/update", seedTime.Add(time.Second)), upd,
		value(t, `{"status":"done","id":"someone-else"}`)); len(ch) != 0 {
		t.Fatal("other command id matched")
	}
	for _, st := range []string{"in_progress", "done"} {
		ch := tr.ObserveMessage(rx("v1/device/d1/commands/update", seedTime.Add(2*time.Second)), upd,
			value(t, `{"status":"`+st+`","message":"great, success!","id":"`+cmdID+`"}`))
		if len(ch) != 1 || ch[0].Outcome != "command:"+st {
			t.Fatalf("%s: %+v", st, ch)
		}
	}
	e, _ := tr.Get("c-1")
	if st := e.Status(); st.Word != "done" || st.Tone != ToneOK {
		t.Errorf("status %+v", st)
	}
}

func TestTrackerTransportPhases(t *testing.T) {
	cases := []struct {
		r    mqttconn.PublishResult
		word string
		tone Tone
	}{
		{mqttconn.PublishResult{Outcome: mqttconn.OutcomeRefused, ReasonCode: 0x87}, "refused 0x87", ToneError},
		{mqttconn.PublishResult{Outcome: mqttconn.OutcomeTimeout}, "timed out", ToneError},
		{mqttconn.PublishResult{Outcome: mqttconn.OutcomeOffline}, "offline, not sent", ToneError},
		{mqttconn.PublishResult{Outcome: mqttconn.OutcomeReadOnly}, "read-only, not sent", ToneWarn},
		{mqttconn.PublishResult{Outcome: mqttconn.OutcomeFailed}, "failed", ToneError},
	}
	for _, c := range cases {
		tr := NewTracker(0)
		e := tr.Add(drivrAction("x", seedTime, "m"), seedTime)
		tr.Result("x", c.r, seedTime)
		if st := e.Status(); st.Word != c.word || st.Tone != c.tone || st.Glyph == "" {
			t.Errorf("%v: %+v", c.r.Outcome, st)
		}
		// Not sent: no platform answer may attach.
		if c.r.Outcome == mqttconn.OutcomeOffline || c.r.Outcome == mqttconn.OutcomeReadOnly {
			r := platform.Route{Kind: platform.KindError, Input: sysInput}
			if ch := tr.ObserveMessage(rx(sysInput+"/error", seedTime.Add(time.Second)), r, value(t, errorJSON)); len(ch) != 0 {
				t.Errorf("%v: answer attached to an unsent action", c.r.Outcome)
			}
		}
	}
	if _, ok := NewTracker(0).Result("nope", mqttconn.PublishResult{}, seedTime); ok {
		t.Error("unknown id accepted")
	}
}

func TestTrackerIsBounded(t *testing.T) {
	tr := NewTracker(3)
	for i := range 5 {
		tr.Add(drivrAction(string(rune('a'+i)), seedTime, "m"), seedTime)
	}
	if tr.Len() != 3 || tr.Evicted() != 2 {
		t.Fatalf("len %d evicted %d", tr.Len(), tr.Evicted())
	}
	es := tr.Entries()
	if es[0].Action.ID != "e" || es[2].Action.ID != "c" || es[0].Seq != 5 {
		t.Fatalf("order: %s %s seq %d", es[0].Action.ID, es[2].Action.ID, es[0].Seq)
	}
	if _, ok := tr.Get("a"); ok {
		t.Error("evicted entry still found")
	}
	e := es[0]
	e.EventUUID = "a707aa3a-b44f-42e0-9ab8-b8efe13409c8"
	for i := range maxAnswers + 5 {
		st := []string{"ACTIVE", "RESOLVED"}[i%2] // a repeat would not count
		tr.ObserveMessage(rx(sysEventTop+"/state", seedTime.Add(time.Duration(i)*time.Millisecond)),
			eventRoute(platform.KindEventState), value(t, st))
	}
	if len(e.Answers) != maxAnswers || e.DroppedAnswers != 5 {
		t.Errorf("answers %d dropped %d", len(e.Answers), e.DroppedAnswers)
	}
}

func TestTrackerAnswerWindowAndSecretRoutes(t *testing.T) {
	tr := NewTracker(0)
	tr.Add(drivrAction("a", seedTime, "energy-overload-model"), seedTime)
	late := rx(sysEventTop, seedTime.Add(answerWindow+time.Second))
	if ch := tr.ObserveMessage(late, eventRoute(platform.KindEvent), value(t, createdJSON)); len(ch) != 0 {
		t.Error("matched after the answer window")
	}
	r := eventRoute(platform.KindEvent)
	r.Secret = true
	if ch := tr.ObserveMessage(rx(sysEventTop, seedTime.Add(time.Second)), r, value(t, createdJSON)); len(ch) != 0 {
		t.Error("a secret route was read")
	}
}

// Repeats change nothing: the state topic saying what the created event
// said, or a bare re-publish of the event; the event re-published with
// acknowledged set is the acknowledgement.
func TestTrackerIgnoresRepeats(t *testing.T) {
	tr := NewTracker(0)
	tr.Add(drivrAction("a", seedTime, "energy-overload-model"), seedTime)
	at := seedTime.Add(time.Second)
	active := strings.Replace(createdJSON, `"status": null`, `"status": "ACTIVE"`, 1)
	if ch := tr.ObserveMessage(rx(sysEventTop, at), eventRoute(platform.KindEvent), value(t, active)); len(ch) != 1 {
		t.Fatalf("created: %v", ch)
	}
	if ch := tr.ObserveMessage(rx(sysEventTop+"/state", at), eventRoute(platform.KindEventState), value(t, "ACTIVE")); len(ch) != 0 {
		t.Errorf("the same state again changed %v", ch)
	}
	if ch := tr.ObserveMessage(rx(sysEventTop, at), eventRoute(platform.KindEvent), value(t, createdJSON)); len(ch) != 0 {
		t.Errorf("a bare re-publish changed %v", ch)
	}
	acked := strings.Replace(createdJSON, `"acknowledged": false`, `"acknowledged": true`, 1)
	ch := tr.ObserveMessage(rx(sysEventTop, at), eventRoute(platform.KindEvent), value(t, acked))
	e, _ := tr.Get("a")
	if len(ch) != 1 || e.Status().Word != "acknowledged" {
		t.Errorf("acknowledged re-publish: %v %+v", ch, e.Status())
	}
	if ch := tr.ObserveMessage(rx(sysEventTop+"/ack", at), eventRoute(platform.KindEventAck), value(t, `{"time":"x"}`)); len(ch) != 0 {
		t.Errorf("the ack topic after the flag changed %v", ch)
	}
}
