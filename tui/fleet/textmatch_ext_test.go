package fleet_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// The Fleet and Events filters match what their rows show, not only ids:
// a DRIVR system's id is a uuid while the rows show its name, an events
// row shows the component by name and the state in words, and an expanded
// fleet row lists its components (issue 13 item 5).
func TestFleetAndEventsTextMatchWhatRowsShow(t *testing.T) {
	s := fixture.Fleet()
	events := func(text string) string {
		rows, n := s.EventsWindow(fleet.EventQuery{Text: text}, 0, 20, nil)
		var codes []string
		for _, e := range rows {
			codes = append(codes, e.ModelCode)
		}
		sort.Strings(codes)
		if n != len(rows) {
			t.Errorf("events %q: %d counted, %d listed", text, n, len(rows))
		}
		return strings.Join(codes, ",")
	}
	for text, want := range map[string]string{
		"energy management": "energy-overload-model,smart-meter-malfunction-event", // the system's name
		"Smart Meter":       "smart-meter-malfunction-event",                       // the component's name
		"resolved":          "hvac-filter-clogged",                                 // the state column
		"warehouse":         "hvac-filter-clogged",                                 // the system's name
		"3348037a":          "smart-meter-malfunction-event",                       // who acknowledged it
	} {
		if got := events(text); got != want {
			t.Errorf("events filter %q: %q, want %q", text, got, want)
		}
	}
	systems := func(text string) string {
		rows, _ := s.SystemsWindow(fleet.SystemQuery{Text: text}, 0, 20, nil)
		var out []string
		for _, r := range rows {
			out = append(out, r.Label())
		}
		return strings.Join(out, ",")
	}
	for text, want := range map[string]string{
		"lighting": "Energy Management System", // a component's name
		"hvac-u":   "Energy Management System", // a component's code
		"offline":  "Warehouse HVAC",           // the state column
		"plant-03": "plant-03",
	} {
		if got := systems(text); got != want {
			t.Errorf("fleet filter %q: %q, want %q", text, got, want)
		}
	}
}
