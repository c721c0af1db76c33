package fleet

import (
	"strings"
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Telemetry of all systems lists the series by their system's label (as
// the fleet pane sorts: case-insensitive, equal labels kept apart in a
// stable order), then by the name a row shows, component.name; not by the
// system's uuid (issue 13 item 6).
func TestAllSeriesOrderedByEntityLabelThenName(t *testing.T) {
	clk := &clock{now: t0}
	f := newFeeder(t, platform.DRIVR, platform.Params{Slug: "acme"}, clk)
	s := newTestStore(clk, nil)
	sys := func(uuid, name string) Item {
		return f.item("drivr/v1/acme/systems/"+uuid, `{"uuid":"`+uuid+`","name":"`+name+`"}`)
	}
	dp := func(uuid, comp, name string) Item {
		return f.item("drivr/v1/acme/systems/"+uuid+"/components/"+comp+"/datapoints/"+name, `{"value":1,"unit":"V"}`)
	}
	// uuids in the opposite order of the names; two systems named alike.
	s.Apply([]Item{
		sys("a1", "Zeta plant"), sys("b2", "alpha site"), sys("c3", "Mid"), sys("d4", "Mid"),
		dp("a1", "meter", "voltage"), dp("a1", "hvac", "temp"),
		dp("b2", "meter", "voltage"), dp("b2", "hvac", "temp"), dp("b2", "hvac", "fan"),
		dp("d4", "x", "v"), dp("c3", "x", "v"),
	})
	rows, n := s.SeriesWindow(SeriesQuery{}, 0, 20, nil)
	got := make([]string, 0, len(rows))
	for _, r := range rows {
		got = append(got, s.System(r.Ref).Label()+"/"+r.Ref.Component+"."+r.Name)
	}
	want := "alpha site/hvac.fan,alpha site/hvac.temp,alpha site/meter.voltage,Mid/x.v,Mid/x.v,Zeta plant/hvac.temp,Zeta plant/meter.voltage"
	if strings.Join(got, ",") != want || n != 7 {
		t.Fatalf("all series (%d):\n got %s\nwant %s", n, strings.Join(got, ","), want)
	}
	if rows[3].Ref.System != "c3" || rows[4].Ref.System != "d4" {
		t.Errorf("equal labels not in id order: %s then %s", rows[3].Ref.System, rows[4].Ref.System)
	}
	// A window from an offset, and a renamed system moves.
	if w, _ := s.SeriesWindow(SeriesQuery{}, 5, 1, nil); len(w) != 1 || w[0].Ref.System != "a1" || w[0].Name != "temp" {
		t.Errorf("window at 5: %v", w)
	}
	s.Apply([]Item{sys("a1", "Aardvark")})
	if w, _ := s.SeriesWindow(SeriesQuery{}, 0, 1, nil); len(w) != 1 || w[0].Ref.System != "a1" {
		t.Errorf("after the rename the first row is of %v", w)
	}
	// The text filter keeps that order.
	if w, n := s.SeriesWindow(SeriesQuery{Text: "volt"}, 0, 5, nil); n != 2 || w[0].Ref.System != "a1" || w[1].Ref.System != "b2" {
		t.Errorf("filtered: %d %v", n, w)
	}
}

// The telemetry filter matches what a row shows: of all systems the entity
// column (the system's label), and component.name; it matched the name
// alone, so "EMS Building 05" found nothing in a list showing it.
func TestSeriesTextMatchesEntityAndComponent(t *testing.T) {
	clk := &clock{now: t0}
	f := newFeeder(t, platform.DRIVR, platform.Params{Slug: "acme"}, clk)
	s := newTestStore(clk, nil)
	s.Apply([]Item{
		f.item("drivr/v1/acme/systems/a1", `{"uuid":"a1","name":"Zeta plant"}`),
		f.item("drivr/v1/acme/systems/b2", `{"uuid":"b2","name":"alpha site"}`),
		f.item("drivr/v1/acme/systems/a1/components/meter/datapoints/voltage", `{"value":1}`),
		f.item("drivr/v1/acme/systems/b2/components/hvac/datapoints/temp", `{"value":1}`),
		f.item("drivr/v1/acme/systems/b2/components/meter/datapoints/power", `{"value":1}`),
	})
	for text, want := range map[string]string{
		"ZETA":          "a1.meter.voltage",
		"alpha":         "b2.hvac.temp,b2.meter.power",
		"hvac":          "b2.hvac.temp",
		"meter.vol":     "a1.meter.voltage",
		"meter":         "b2.meter.power,a1.meter.voltage",
		"nothing-there": "",
	} {
		rows, n := s.SeriesWindow(SeriesQuery{Text: text}, 0, 10, nil)
		var got []string
		for _, r := range rows {
			got = append(got, r.Ref.System+"."+r.Ref.Component+"."+r.Name)
		}
		if strings.Join(got, ",") != want || n != len(rows) {
			t.Errorf("all systems, %q: %d %q, want %q", text, n, strings.Join(got, ","), want)
		}
	}
	// One system: its label is the pane's title, not a column.
	one := Ref{Platform: platform.DRIVR, Fleet: "acme", System: "b2"}
	if _, n := s.SeriesWindow(SeriesQuery{Entity: one, Text: "hvac"}, 0, 10, nil); n != 1 {
		t.Errorf("one system, hvac: %d", n)
	}
}
