// Package platforms is the one place the platforms are registered. Each
// platform is a unit, tui/platforms/<name>: its topic grammar (a
// mqttconn/platform.Scheme, the seam the ingest stage, the recorder and the
// simulator call), its operator actions, and its simulator's pairing. A
// new platform is one new package plus one line in All.
package platforms

import (
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
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
	Actions actions.Platform
}

// All lists the units, one line each.
func All() []Unit {
	return []Unit{
		{Name: drivr.Name, Scheme: drivr.Scheme, Actions: drivr.Actions{}},
		{Name: drogue.Name, Scheme: drogue.Scheme, Actions: drogue.Actions{}},
		{Name: devapi.Name, Scheme: devapi.Scheme, Actions: devapi.Actions{}},
		{Name: smartworks.Name, Scheme: smartworks.Scheme, Actions: smartworks.Actions{}},
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

// Actions is the actions part of the named platform, nil for none (the
// builder then offers free-form publishes only).
func Actions(name string) actions.Platform {
	if u, ok := Lookup(name); ok {
		return u.Actions
	}
	return nil
}
