package fleet

import (
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Topics and payloads below are copied from ../shared/seeds/001_f5359da1be9c1c0e.txt.
const (
	seedSlug   = "company-example"
	seedSystem = "792b6149-1daa-488f-b07a-f684503b0586"
	seedSysEv  = "a707aa3a-b44f-42e0-9ab8-b8efe13409c8"
	seedComp   = "smart-meter-v2"
	seedCompID = "6d6eb245-599e-42c6-b1a6-009805655fbd"
	seedCompEv = "5c39a4e0-9813-4e7e-90dd-ac621ae8c6dd"

	seedSysEventTopic = "drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/a707aa3a-b44f-42e0-9ab8-b8efe13409c8"
	seedSysEvent      = `{ "uuid": "a707aa3a-b44f-42e0-9ab8-b8efe13409c8", "createdAt": "2025-05-09T13:28:42.658581", "updatedAt": "2025-05-09T13:28:42.658962", "entityUuid": "792b6149-1daa-488f-b07a-f684503b0586", "time": "2025-05-09T13:28:42.611276+00:00", "endTime": null, "status": null, "acknowledged": false, "eventModel": { "uuid": "c867ee9d-52f1-4819-9bfc-b64d6321a04b", "entityType": "SYSTEM", "eventType": "SINGLE_POINT", "eventLevel": "ERROR", "code": "energy-overload-model", "message": null }, "metadata": {} }`
	seedSysAck        = `{ "time": "2025-05-06T14:39:44.368252+00:00", "userUuid": "8718ca2a-5134-41bb-ab81-b65cec310ab9" }`

	seedCompEventTopic = "drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/components/smart-meter-v2/events/5c39a4e0-9813-4e7e-90dd-ac621ae8c6dd"
	seedCompEvent      = `{ "uuid": "5c39a4e0-9813-4e7e-90dd-ac621ae8c6dd", "createdAt": "2025-05-12T08:50:57.901967", "updatedAt": "2025-05-12T08:50:57.902972", "entityUuid": "6d6eb245-599e-42c6-b1a6-009805655fbd", "time": "2025-05-12T08:50:57.847702+00:00", "endTime": null, "status": "ACTIVE", "acknowledged": false, "eventModel": { "uuid": "6b5e0830-6d7d-4871-9c1a-4a6e899aa5c7", "entityType": "COMPONENT", "eventType": "RANGED", "eventLevel": "ERROR", "code": "smart-meter-malfunction-event", "message": null }, "metadata": {} }`
	seedCompAck        = `{ "time": "2025-05-12T08:50:57.902972", "userUuid": "3348037a-9f5d-425e-b593-11e6e7437b74" }`

	seedSysErrorTopic  = "drivr/v1/company-example/input/event/s/792b6149-1daa-488f-b07a-f684503b0586/json/error"
	seedSysError       = `{ "code": "SOME_DATA_INVALID", "message": "Some Events couldn't be imported/updated.", "stats": { "total": 1, "errors": 1, "imported": 0 }, "errors": { "0": [ { "code": "validation_error", "message": { "eventModel": ["Unknown field."] } } ] } }`
	seedCompErrorTopic = "drivr/v1/company-example/input/event/c/6d6eb245-599e-42c6-b1a6-009805655fbd/json/error"
	seedCompError      = `{ "code": "SOME_DATA_INVALID", "message": "Some Events couldn't be imported/updated.", "stats": { "total": 1, "errors": 1, "imported": 0 }, "errors": { "0": [ { "code": "event_model_does_not_exist", "message": "An event model with the code en does not exist" }] } }`
)

func drivrFeeder(t *testing.T, clk *clock) *feeder {
	return newFeeder(t, platform.DRIVR, platform.Params{Slug: seedSlug}, clk)
}

func sysRef() Ref { return Ref{Platform: platform.DRIVR, Fleet: seedSlug, System: seedSystem} }

// The EMS overload event of seed 001, for a system never announced: the
// system appears, the event carries the model's level and type, /state
// makes it ACTIVE, /ack records who and when.
func TestSeedSystemEventStateAck(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, nil)
	f := drivrFeeder(t, clk)

	s.Apply([]Item{f.item(seedSysEventTopic, seedSysEvent)})
	sys := s.System(sysRef())
	if sys == nil {
		t.Fatal("an event for an unannounced system must make the system appear")
	}
	e := s.Event(platform.DRIVR, seedSlug, seedSysEv)
	if e == nil {
		t.Fatal("event not recorded")
	}
	if e.Level != LevelError || e.LevelText != "ERROR" || e.Type != "SINGLE_POINT" || e.ModelCode != "energy-overload-model" {
		t.Errorf("event model: level %v (%q) type %q code %q", e.Level, e.LevelText, e.Type, e.ModelCode)
	}
	if e.State != StateNone || e.Acked {
		t.Errorf("before /state and /ack: state %v acked %v", e.State, e.Acked)
	}
	if want := time.Date(2025, 5, 9, 13, 28, 42, 611276000, time.UTC); !e.Time().Equal(want) {
		t.Errorf("time %v, want %v", e.Time(), want)
	}
	if want := time.Date(2025, 5, 9, 13, 28, 42, 658581000, time.UTC); !e.Created().Equal(want) {
		t.Errorf("createdAt without zone read as UTC: %v, want %v", e.Created(), want)
	}
	if e.Entity != seedSystem || e.Ref.Component != "" {
		t.Errorf("entity %q component %q", e.Entity, e.Ref.Component)
	}
	if c := s.EventCounts(EventQuery{}); c.Matched != 1 || c.Active != 0 || c.Unacked != 1 {
		t.Errorf("counts before state: %+v", c)
	}

	clk.advance(time.Second)
	s.Apply([]Item{f.item(seedSysEventTopic+"/state", "ACTIVE")})
	if e.State != StateActive || e.StateText != "ACTIVE" {
		t.Errorf("after /state ACTIVE: %v %q", e.State, e.StateText)
	}
	if sys.ActiveEvents != 1 || sys.UnackedEvents != 1 {
		t.Errorf("system counts active %d unacked %d", sys.ActiveEvents, sys.UnackedEvents)
	}

	clk.advance(time.Second)
	s.Apply([]Item{f.item(seedSysEventTopic+"/ack", seedSysAck)})
	if !e.Acked || e.AckUser != "8718ca2a-5134-41bb-ab81-b65cec310ab9" {
		t.Errorf("ack: %v by %q", e.Acked, e.AckUser)
	}
	if want := time.Date(2025, 5, 6, 14, 39, 44, 368252000, time.UTC); !e.AckTime().Equal(want) {
		t.Errorf("ack time %v, want %v", e.AckTime(), want)
	}
	if c := s.EventCounts(EventQuery{}); c.Active != 1 || c.Unacked != 0 {
		t.Errorf("counts after ack: %+v", c)
	}
	if got := s.EventCounts(EventQuery{Ack: AckNo}).Matched; got != 0 {
		t.Errorf("unacknowledged filter: %d", got)
	}
	// The history tells the story in order.
	var hist []string
	for _, h := range e.History() {
		hist = append(hist, h.What)
	}
	want := []string{"created ERROR energy-overload-model", "state ACTIVE", "acknowledged by 8718ca2a-5134-41bb-ab81-b65cec310ab9"}
	if strings.Join(hist, "|") != strings.Join(want, "|") {
		t.Errorf("history %q, want %q", hist, want)
	}
	// Re-delivering the payload (retained, acknowledged:false is stale
	// there) must not lose the state /state gave.
	s.Apply([]Item{f.item(seedSysEventTopic, seedSysEvent)})
	if e.State != StateActive {
		t.Errorf("payload with status null reset the state to %v", e.State)
	}
	checkInvariants(t, s)
}

// The smart meter's malfunction event lands under its component, which
// appears with the uuid from entityUuid; /state and /ack arrive first.
func TestSeedComponentEvent(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, nil)
	f := drivrFeeder(t, clk)
	s.Apply([]Item{
		f.item(seedCompEventTopic+"/state", "ACTIVE"),
		f.item(seedCompEventTopic, seedCompEvent),
		f.item(seedCompEventTopic+"/ack", seedCompAck),
	})
	e := s.Event(platform.DRIVR, seedSlug, seedCompEv)
	if e == nil {
		t.Fatal("component event missing")
	}
	if e.Ref.Component != seedComp || e.Ref.System != seedSystem {
		t.Errorf("event ref %+v", e.Ref)
	}
	if e.Level != LevelError || e.Type != "RANGED" || e.State != StateActive || e.ModelCode != "smart-meter-malfunction-event" {
		t.Errorf("event: %v %q %v %q", e.Level, e.Type, e.State, e.ModelCode)
	}
	if !e.Acked || e.AckUser != "3348037a-9f5d-425e-b593-11e6e7437b74" ||
		!e.AckTime().Equal(time.Date(2025, 5, 12, 8, 50, 57, 902972000, time.UTC)) {
		t.Errorf("ack %v %q %v", e.Acked, e.AckUser, e.AckTime())
	}
	comps := s.Components(sysRef(), nil)
	if len(comps) != 1 || comps[0].Code != seedComp || comps[0].UUID != seedCompID {
		t.Fatalf("components %+v", comps)
	}
	if s.ComponentByUUID(seedCompID) != comps[0] {
		t.Error("component not found by uuid")
	}
	compRef := sysRef()
	compRef.Component = seedComp
	rows, total := s.EventsWindow(EventQuery{Entity: compRef}, 0, 10, nil)
	if total != 1 || len(rows) != 1 || rows[0] != e {
		t.Errorf("events of the component: %d %v", total, rows)
	}
	other := compRef
	other.Component = "hvac"
	if _, total := s.EventsWindow(EventQuery{Entity: other}, 0, 10, nil); total != 0 {
		t.Errorf("events of another component: %d", total)
	}
	checkInvariants(t, s)
}

// Both error reports of seed 001: code, stats and the per-item errors
// flattened, one with a field map, one with a plain message; the component
// one is linked to its component through the uuid.
func TestSeedErrorReports(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, nil)
	f := drivrFeeder(t, clk)
	s.Apply([]Item{f.item(seedCompEventTopic, seedCompEvent)}) // learns the component uuid
	s.Apply([]Item{f.item(seedSysErrorTopic, seedSysError)})
	clk.advance(time.Second)
	s.Apply([]Item{f.item(seedCompErrorTopic, seedCompError)})

	rows, total := s.ErrorsWindow(0, 10, nil)
	if total != 2 || len(rows) != 2 {
		t.Fatalf("errors: %d", total)
	}
	comp, sys := rows[0], rows[1] // newest first
	for _, r := range rows {
		if r.Source != ErrPlatform || r.Code != "SOME_DATA_INVALID" || r.Message != "Some Events couldn't be imported/updated." {
			t.Errorf("report %+v", r)
		}
		if r.Stats == nil || *r.Stats != (ErrorStats{Total: 1, Errors: 1, Imported: 0}) {
			t.Errorf("stats %+v", r.Stats)
		}
		if r.Item == nil {
			t.Error("report without its message")
		}
	}
	if sys.Input != strings.TrimSuffix(seedSysErrorTopic, "/error") || sys.Topic != seedSysErrorTopic {
		t.Errorf("input %q topic %q", sys.Input, sys.Topic)
	}
	if got := strings.Join(sys.Lines, "\n"); got != "#0 validation_error: eventModel: Unknown field." {
		t.Errorf("system error lines %q", got)
	}
	if got := strings.Join(comp.Lines, "\n"); got != "#0 event_model_does_not_exist: An event model with the code en does not exist" {
		t.Errorf("component error lines %q", got)
	}
	if comp.Ref.System != seedSystem || comp.Ref.Component != seedComp {
		t.Errorf("component error linked to %+v", comp.Ref)
	}
	if sys.Ref.System != seedSystem {
		t.Errorf("system error linked to %+v", sys.Ref)
	}
	checkInvariants(t, s)
}

// System info with its connection state, then DISCONNECTED on the
// connection topic; an empty retained payload deletes the system.
func TestDRIVRSystemPresenceAndDeletion(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, nil)
	f := drivrFeeder(t, clk)
	info := `{"uuid":"` + seedSystem + `","code":"ems.example.com","name":"Energy Management System","connectionState":"CONNECTED","connectionStateUpdatedAt":"2025-05-12T08:00:00+00:00","status":"ACTIVATED"}`
	s.Apply([]Item{f.msg("drivr/v1/company-example/systems/"+seedSystem, info, true, nil)})
	sys := s.System(sysRef())
	if sys == nil || sys.Name != "Energy Management System" || sys.Code != "ems.example.com" || sys.Lifecycle != "ACTIVATED" {
		t.Fatalf("system %+v", sys)
	}
	if sys.Conn != ConnOnline || !sys.ConnSince.Equal(time.Date(2025, 5, 12, 8, 0, 0, 0, time.UTC)) || !sys.Authoritative {
		t.Errorf("conn %v since %v authoritative %v", sys.Conn, sys.ConnSince, sys.Authoritative)
	}
	// Platform-reported presence is not overridden by silence.
	clk.advance(time.Hour)
	if p := s.PresenceOf(sys); p != PresenceOnline {
		t.Errorf("connected but silent: %v", p)
	}
	s.Apply([]Item{f.item("drivr/v1/company-example/systems/"+seedSystem+"/connectionState", "DISCONNECTED")})
	if p := s.PresenceOf(sys); p != PresenceOffline || sys.ConnSource != "connection topic" {
		t.Errorf("after DISCONNECTED: %v from %q", p, sys.ConnSource)
	}
	// As a live subscriber receives it: the broker clears the retain flag.
	s.Apply([]Item{f.msg("drivr/v1/company-example/systems/"+seedSystem, "", false, nil)})
	if s.System(sysRef()) != nil {
		t.Error("an empty system payload (a cleared retained record) must remove the system")
	}
	if s.Totals().Removed != 1 {
		t.Errorf("removed %d", s.Totals().Removed)
	}
	checkInvariants(t, s)
}

// Drogue: a device event in structured mode feeds series per channel; a
// gateway sending for another device is recorded as Via; connection
// events drive presence; a command topic is a command.
func TestDrogue(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, nil)
	f := newFeeder(t, platform.Drogue, platform.Params{Apps: []string{"my-app"}}, clk)
	ev := `{"specversion":"1.0","id":"1","source":"drogue://my-app/gw","type":"io.drogue.event.v1","subject":"sensors","time":"2025-05-12T09:00:00Z","datacontenttype":"application/json","application":"my-app","device":"thermo-1","sender":"gw","data":{"temp":21.5,"door":"closed"}}`
	conn := `{"specversion":"1.0","id":"2","source":"drogue://my-app/thermo-1","type":"io.drogue.connection.v1","subject":"connection","time":"2025-05-12T09:00:01Z","datacontenttype":"application/json","application":"my-app","device":"thermo-1","sender":"thermo-1","data":{"connected":false}}`
	s.Apply([]Item{f.item("app/my-app", ev), f.item("app/my-app", conn), f.item("command/my-app/thermo-1/setTemperature", `{"value": 1.23 }`)})
	ref := Ref{Platform: platform.Drogue, Fleet: "my-app", System: "thermo-1"}
	sys := s.System(ref)
	if sys == nil {
		t.Fatal("device missing")
	}
	if sys.Via != "gw" {
		t.Errorf("via %q", sys.Via)
	}
	if sys.Conn != ConnOffline || !sys.Authoritative || !sys.ConnSince.Equal(time.Date(2025, 5, 12, 9, 0, 1, 0, time.UTC)) {
		t.Errorf("presence %v authoritative %v since %v", sys.Conn, sys.Authoritative, sys.ConnSince)
	}
	rows, _ := s.SeriesWindow(SeriesQuery{Entity: ref}, 0, 10, nil)
	got := map[string]string{}
	for _, se := range rows {
		got[se.Name] = se.Text
	}
	if got["sensors.temp"] != "21.5" || got["sensors.door"] != "closed" {
		t.Errorf("series %v", got)
	}
	cmds, total := s.CommandsWindow(CommandQuery{Entity: ref}, 0, 10, nil)
	if total != 1 || cmds[0].Name != "setTemperature" || cmds[0].Status != "sent" {
		t.Errorf("commands %d %+v", total, cmds)
	}
	checkInvariants(t, s)
}

// A component event published on its system's topic lands under the
// component its entityUuid names, once that uuid is known.
func TestComponentEventOnSystemTopic(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, nil)
	f := drivrFeeder(t, clk)
	s.Apply([]Item{f.item("drivr/v1/company-example/systems/"+seedSystem+"/components/"+seedComp, `{"uuid":"`+seedCompID+`","code":"`+seedComp+`","name":"Smart Meter"}`)})
	topic := "drivr/v1/company-example/systems/" + seedSystem + "/events/" + seedCompEv
	s.Apply([]Item{f.item(topic, seedCompEvent)})
	e := s.Event(platform.DRIVR, seedSlug, seedCompEv)
	if e == nil || e.Ref.Component != seedComp {
		t.Fatalf("event filed under %+v", e)
	}
	compRef := sysRef()
	compRef.Component = seedComp
	if c := s.EventCounts(EventQuery{Entity: compRef}); c.Matched != 1 || c.Active != 1 {
		t.Errorf("component counts %+v", c)
	}
	if c := s.Component(compRef); c == nil || c.Name != "Smart Meter" {
		t.Errorf("component %+v", c)
	}
	checkInvariants(t, s)
}
