package platforms

import (
	"slices"
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// Every platform mqttconn/platform knows has exactly one unit, and the
// unit's scheme is that platform's.
func TestEveryPlatformHasOneUnit(t *testing.T) {
	params := platform.Params{Slug: "company-example", Apps: []string{"demo-app"}, Account: "acct"}
	seen := map[string]int{}
	for _, u := range All() {
		seen[u.Name]++
		if u.Scheme == nil || u.Actions == nil || u.Fleet == nil && u.Name != platform.Generic {
			t.Errorf("%s: a part is missing: %+v", u.Name, u)
			continue
		}
		s, err := u.Scheme(params)
		if err != nil {
			t.Errorf("%s: scheme: %v", u.Name, err)
			continue
		}
		if s.Name() != u.Name {
			t.Errorf("unit %s builds the scheme of %s", u.Name, s.Name())
		}
	}
	for _, name := range platform.Names() {
		if seen[name] != 1 {
			t.Errorf("platform %s has %d units, want 1", name, seen[name])
		}
		if _, ok := Lookup(name); !ok {
			t.Errorf("Lookup(%q) finds nothing", name)
		}
	}
	if len(seen) != len(platform.Names()) {
		t.Errorf("units %v, platforms %v", seen, platform.Names())
	}
	if Actions("no-such-platform") != nil {
		t.Error("an unknown platform has actions")
	}
}

// A kind a unit offers no form for is refused as unsupported, in the
// platform's words where it has some; a kind it offers builds a form.
func TestUnitsOfferOrExplainEveryKind(t *testing.T) {
	kinds := []actions.Kind{actions.KindTriggerEvent, actions.KindSendCommand, actions.KindSetSetpoint, actions.KindRequestSnapshot}
	offered := 0
	for _, u := range All() {
		b := &actions.Builder{Platform: u.Name, Unit: u.Actions}
		for _, k := range kinds {
			var f actions.Form
			ok := u.Actions.Form(b, k, actions.Selection{}, &f)
			_, err := b.NewForm(k, actions.Selection{})
			switch {
			case ok && err != nil:
				t.Errorf("%s %s: the unit offers a form, NewForm says %v", u.Name, k, err)
			case !ok && !actions.IsUnsupported(err):
				t.Errorf("%s %s: no form, yet NewForm says %v", u.Name, k, err)
			case ok:
				offered++
				if len(f.Fields) == 0 {
					t.Errorf("%s %s: an empty form", u.Name, k)
				}
			}
			if w := u.Actions.Traits().Unsupported[k]; w != "" && ok {
				t.Errorf("%s %s: offered and explained as unsupported (%q)", u.Name, k, w)
			}
		}
	}
	// DRIVR 2, Drogue 2, device API 3, SmartWorks 3; generic none: only
	// publish, which every platform has (t, c and s opened the same raw
	// publish form there, titled as an event, a command, a setpoint).
	if offered != 10 {
		t.Errorf("%d forms offered, want 10", offered)
	}
}

// The simulators live in mqttconn/sim, below the program (ARCHITECTURE.md
// says why), one per platform in the files of its name: every unit but
// generic has one, and every simulator has a unit.
func TestEveryUnitHasItsSimulator(t *testing.T) {
	for _, u := range All() {
		if has := slices.Contains(sim.Platforms(), u.Name); has != (u.Name != platform.Generic) {
			t.Errorf("unit %s: simulated %v", u.Name, has)
		}
	}
	for _, p := range sim.Platforms() {
		if _, ok := Lookup(p); !ok {
			t.Errorf("simulator %s has no unit", p)
		}
	}
}
