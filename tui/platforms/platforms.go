// Package platforms is the one place the platforms are registered. Each
// platform is a unit, tui/platforms/<name>: its topic grammar (a
// mqttconn/platform.Scheme, the seam the ingest stage, the recorder and the
// simulator call), how its messages change the fleet store, its operator
// actions, and its simulator's pairing. A new platform is one new package
// plus one line in All.
package platforms

import (
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms/devapi"
	"github.com/mqdeck/mqdeck/tui/platforms/drivr"
	"github.com/mqdeck/mqdeck/tui/platforms/drogue"
	"github.com/mqdeck/mqdeck/tui/platforms/generic"
	"github.com/mqdeck/mqdeck/tui/platforms/smartworks"
)

// Unit is one platform's parts.
type Unit struct {
	Name    string
	Scheme  func(platform.Params) (platform.Scheme, error)
	Fleet   func(*fleet.Writer) // folds one of its messages into the store; nil: none
	Actions actions.Platform
}

// All lists the units, one line each.
func All() []Unit {
	return []Unit{
		{Name: drivr.Name, Scheme: drivr.Scheme, Fleet: drivr.Apply, Actions: drivr.Actions{}},
		{Name: drogue.Name, Scheme: drogue.Scheme, Fleet: drogue.Apply, Actions: drogue.Actions{}},
		{Name: devapi.Name, Scheme: devapi.Scheme, Fleet: devapi.Apply, Actions: devapi.Actions{}},
		{Name: smartworks.Name, Scheme: smartworks.Scheme, Fleet: smartworks.Apply, Actions: smartworks.Actions{}},
		{Name: generic.Name, Scheme: generic.Scheme, Actions: generic.Actions{}},
	}
}

// Lookup finds a unit by its name.
func Lookup(name string) (Unit, bool) {
	for _, u := range All() {
		if u.Name == name {
			return u, true
		}
	}
	return Unit{}, false
}

// NewScheme builds the named platform's scheme through its unit; names
// that are no unit's (aliases such as "xyte", "" for generic, and unknown
// names, which it refuses) go to mqttconn/platform.New.
func NewScheme(name string, p platform.Params) (platform.Scheme, error) {
	return SchemeOf(All(), name, p)
}

// SchemeOf is NewScheme over the given units.
func SchemeOf(units []Unit, name string, p platform.Params) (platform.Scheme, error) {
	for _, u := range units {
		if u.Name == strings.ToLower(name) && u.Scheme != nil {
			return u.Scheme(p)
		}
	}
	return platform.New(name, p)
}

// Actions is the actions part of the named platform, nil for none (the
// builder then offers free-form publishes only).
func Actions(name string) actions.Platform {
	if u, ok := Lookup(name); ok {
		return u.Actions
	}
	return nil
}

// Fleet is what the fleet store calls of every unit: fleet.New(cfg,
// platforms.Fleet()) builds a store that applies every platform.
func Fleet() []fleet.Platform { return FleetOf(All()) }

// FleetOf is the store's part of the given units.
func FleetOf(units []Unit) []fleet.Platform {
	out := make([]fleet.Platform, 0, len(units))
	for _, u := range units {
		if u.Fleet != nil {
			out = append(out, fleet.Platform{Name: u.Name, Apply: u.Fleet})
		}
	}
	return out
}
