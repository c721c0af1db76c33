package views

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
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
