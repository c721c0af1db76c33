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
