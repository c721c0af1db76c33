package views

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// Telemetry of all systems in the 48-cell grid column (120x40) dropped the
// entity: twelve rows "dp hvac-1.target-te… 21 °C" could not be told apart.
// The entity stays, the names keep their distinguishing end, and the rows
// go by entity, then name.
func TestTelemetryAllSystemsKeepsEntity(t *testing.T) {
	f := fixture.NewFeeder()
	for i, name := range []string{"EMS Building 02", "EMS Building 03"} {
		sys := fmt.Sprintf("00000000-0000-4000-8000-00000000000%d", i+1)
		base := "drivr/v1/" + fixture.Slug + "/systems/" + sys
		f.Add(platform.DRIVR, base, `{"uuid":"`+sys+`","code":"ems-`+fmt.Sprint(i)+`","name":"`+name+`","connectionState":"CONNECTED"}`, time.Minute, true, nil)
		for _, dp := range []string{"target-temperature", "temperature"} {
			f.Add(platform.DRIVR, base+"/components/hvac-1/datapoints/"+dp, `{"value":21,"unit":"°C"}`, 10*time.Second, false, nil)
		}
		for _, dp := range []string{"power", "voltage", "energy"} {
			f.Add(platform.DRIVR, base+"/components/smart-meter-v2/datapoints/"+dp, `{"value":3,"unit":"kW"}`, 10*time.Second, false, nil)
		}
	}
	store := fixture.Store()
	store.Apply(f.Items())
	p := NewTelemetryPane(themes.New(themes.Mono), DefaultKeys(), store)
	p.SetSize(48, 16)
	out := ansi.Strip(p.View())
	lines := strings.Split(out, "\n")
	if !strings.Contains(lines[1], "entity") {
		t.Fatalf("no entity column:\n%s", out)
	}
	seen := map[string]bool{}
	var order []string
	for _, l := range lines[2:12] {
		row := strings.Join(strings.Fields(strings.Trim(l, "│┃")), " ")
		if seen[row] {
			t.Errorf("two rows read the same: %q\n%s", row, out)
		}
		seen[row] = true
		order = append(order, row)
	}
	for _, want := range []string{"…02", "…03", ".power", ".voltage", ".energy", "target-tempe"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q missing: the distinguishing end was cut\n%s", want, out)
		}
	}
	// Within an entity, by name: hvac-1.* before smart-meter-v2.*, and
	// energy < power < voltage.
	joined := strings.Join(order[:5], "\n")
	if !(strings.Contains(joined, "target") && strings.Index(joined, "target") < strings.Index(joined, "smart") &&
		strings.Index(joined, "energy") < strings.Index(joined, "power") && strings.Index(joined, "power") < strings.Index(joined, "voltage")) {
		t.Errorf("not by entity then name:\n%s", joined)
	}
}

// A unit of six letters was cut to "peo…" while the name kept its full
// width: the value and its unit are the fact a row states, so they get the
// room and the name is elided in its middle, rows still apart (issue 13
// item 14). Checked at the widths of the 80x24 and 120x40 layouts.
func TestTelemetryKeepsValueAndUnitWhole(t *testing.T) {
	f := fixture.NewFeeder()
	sys := "00000000-0000-4000-8000-000000000001"
	base := "drivr/v1/" + fixture.Slug + "/systems/" + sys
	f.Add(platform.DRIVR, base, `{"uuid":"`+sys+`","name":"EMS Building 02","connectionState":"CONNECTED"}`, time.Minute, true, nil)
	f.Add(platform.DRIVR, base+"/components/occupancy-sensor-1/datapoints/occupancy", `{"value":5,"unit":"people"}`, 10*time.Second, false, nil)
	f.Add(platform.DRIVR, base+"/components/occupancy-sensor-1/datapoints/occupancy-peak", `{"value":12,"unit":"people"}`, 10*time.Second, false, nil)
	f.Add(platform.DRIVR, base+"/components/smart-meter-v2/datapoints/energy-consumption", `{"value":1234567.8,"unit":"kWh"}`, 10*time.Second, false, nil)
	store := fixture.Store()
	store.Apply(f.Items())
	for _, w := range []int{48, 80, 120} { // the grid column at 120x40, 80x24, zoomed
		for _, all := range []bool{false, true} {
			p := NewTelemetryPane(themes.New(themes.Mono), DefaultKeys(), store)
			if !all {
				p.SetSystem(fleet.Ref{Platform: platform.DRIVR, Fleet: fixture.Slug, System: sys})
			}
			p.SetSize(w, 8)
			out := ansi.Strip(p.View())
			for _, want := range []string{"5 people", "12 people", "1234567.8 kWh"} {
				if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
					t.Errorf("width %d all %v: %q not whole\n%s", w, all, want, out)
				}
			}
			if strings.Contains(out, "rec…") || strings.Contains(strings.Split(out, "\n")[1], " … ") {
				t.Errorf("width %d all %v: a sparkline column too narrow to say anything\n%s", w, all, out)
			}
			rows := map[string]bool{}
			for _, l := range strings.Split(out, "\n")[2:5] {
				name := strings.Fields(strings.Trim(l, "│┃ "))
				if len(name) < 3 {
					t.Fatalf("width %d: short row %q\n%s", w, l, out)
				}
				key := strings.Join(name[:len(name)-3], " ")
				if rows[key] {
					t.Errorf("width %d all %v: two rows named alike %q\n%s", w, all, key, out)
				}
				rows[key] = true
			}
		}
	}
}

// A value that takes the sparkline's cells leaves no 1-cell sparkline
// under a "…" header (Drogue's status.proxied ["sensor-01"] at 120x40).
func TestTelemetryFactsLeaveNoUselessSparkline(t *testing.T) {
	for inner := 40; inner <= 120; inner++ {
		for _, all := range []bool{false, true} {
			for _, vw := range []int{0, 9, 13, 17, 20} {
				c := seriesColumns(inner, all).fitFacts(vw, 6)
				if c.spark > 0 && c.spark < minSparkCols {
					t.Errorf("inner %d all %v value %d: a %d-cell sparkline", inner, all, vw, c.spark)
				}
				used := 1 + c.kind + 1 + c.name + 1 + c.value + 1 + c.unit + 1 + c.age + 1
				if c.entity > 0 {
					used += c.entity + 1
				}
				if c.spark > 0 {
					used += c.spark + 1
				}
				if used > inner+1 {
					t.Errorf("inner %d all %v value %d: columns take %d cells", inner, all, vw, used)
				}
			}
		}
	}
}

// Drogue's series are "state.temperature" and "state.target-temperature"
// (the channel, then the field): cut in the middle of the whole, both read
// "state.…ure". The last part tells them apart, as a component's name
// does. And a text value (a list of proxied devices) is cut visibly, so it
// does not take the names' room as a number does.
func TestTelemetryDottedNamesStayApart(t *testing.T) {
	for _, w := range []int{10, 12, 14} {
		a, b := fitDotted("", "state.temperature", w), fitDotted("", "state.target-temperature", w)
		if a == b {
			t.Errorf("width %d: both read %q", w, a)
		}
	}
	if got := fitDotted("", "state.battery", 13); got != "state.battery" {
		t.Errorf("a name that fits is cut: %q", got)
	}
	f := fixture.NewFeeder()
	sys := "00000000-0000-4000-8000-0000000000d1"
	base := "drivr/v1/" + fixture.Slug + "/systems/" + sys
	f.Add(platform.DRIVR, base, `{"uuid":"`+sys+`","name":"gateway-01"}`, time.Minute, true, nil)
	f.Add(platform.DRIVR, base+"/components/gw/datapoints/proxied", `{"value":"[\"sensor-01\",\"sensor-02\"]"}`, 10*time.Second, false, nil)
	f.Add(platform.DRIVR, base+"/components/gw/datapoints/uptime-secs", `{"value":60300493}`, 10*time.Second, false, nil)
	store := fixture.Store()
	store.Apply(f.Items())
	p := NewTelemetryPane(themes.New(themes.Mono), DefaultKeys(), store)
	p.SetSize(48, 6)
	out := ansi.Strip(p.View())
	if !strings.Contains(out, "uptime-secs ") {
		t.Errorf("a text value took the names' room:\n%s", out)
	}
}
