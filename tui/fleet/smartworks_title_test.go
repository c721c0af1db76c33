package fleet

import (
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

func TestSmartWorksTitleNamesTheThing(t *testing.T) {
	clk := &clock{now: time.Date(2025, 5, 12, 9, 0, 0, 0, time.UTC)}
	s := newTestStore(clk, nil)
	f := newFeeder(t, platform.SmartWorks, platform.Params{Account: "acct"}, clk)
	ref := Ref{Platform: platform.SmartWorks, Fleet: "acct", System: "01HTHING"}
	s.Apply([]Item{f.item("status/acct/things/01HTHING/properties/temperature", `{"temperature": 21}`)})
	if got := s.System(ref).Label(); got != "01HTHING" {
		t.Fatalf("before a title: %q", got)
	}
	s.Apply([]Item{f.item("set/acct/things/01HTHING/properties/title", `{"title": "Requested"}`)})
	if got := s.System(ref).Label(); got != "01HTHING" {
		t.Fatalf("a set/ request renamed the thing: %q", got)
	}
	s.Apply([]Item{f.item("status/acct/things/01HTHING/properties/title", `{"title": "Cold Room 1"}`)})
	if got := s.System(ref).Label(); got != "Cold Room 1" {
		t.Fatalf("title not used: %q", got)
	}
	s.Apply([]Item{f.item("status/acct/things/01HTHING/properties", `{"title": "Cold Room 2", "power": true}`)})
	if got := s.System(ref).Label(); got != "Cold Room 2" {
		t.Fatalf("whole-section title not used: %q", got)
	}
	checkInvariants(t, s)
}

// An event emitted through set/ is a request (the operator's action); the
// thing's event is the one its status/ twin reports, counted once (the
// Events pane showed "emitted on set" and "emitted on status" rows).
func TestSmartWorksSetEventIsARequestNotAnEvent(t *testing.T) {
	clk := &clock{now: time.Date(2025, 5, 12, 9, 0, 0, 0, time.UTC)}
	s := newTestStore(clk, nil)
	f := newFeeder(t, platform.SmartWorks, platform.Params{Account: "acct"}, clk)
	ref := Ref{Platform: platform.SmartWorks, Fleet: "acct", System: "01HTHING"}
	s.Apply([]Item{f.item("set/acct/things/01HTHING/events/alarm", `{"alarm": {"data": {}}}`)})
	if _, total := s.EventsWindow(EventQuery{Entity: ref}, 0, 10, nil); total != 0 {
		t.Fatalf("a set/ request made %d events before the thing reported any", total)
	}
	s.Apply([]Item{f.item("status/acct/things/01HTHING/events/alarm",
		`{"alarm": {"data": {}, "timestamp": "2025-05-12T09:00:00.120Z"}}`)})
	evs, total := s.EventsWindow(EventQuery{Entity: ref}, 0, 10, nil)
	if total != 1 || evs[0].ModelCode != "alarm" {
		t.Fatalf("events after the status twin: %d %+v, want the one alarm", total, evs)
	}
	checkInvariants(t, s)
}
