// Package drogue is the Drogue Cloud platform's unit. Its parts:
//   - routing and refining: mqttconn/platform's Drogue scheme (drogue.go
//     there: applications, CloudEvents in structured or binary mode);
//   - how its messages change the fleet store: Apply (fleet.go), through
//     fleet.Writer;
//   - operator actions: Actions (a command to a device);
//   - the simulator of an application: mqttconn/sim (drogue.go).
//
// Its builders say what answer to expect (actions.Expect), which the
// tracker in tui/actions matches.
package drogue

import "github.com/mqdeck/mqdeck/mqttconn/platform"

// Name is the platform's name on the command line and in profiles.
const Name = platform.Drogue

// Scheme is Drogue's topic grammar for the applications (Params.Apps).
func Scheme(p platform.Params) (platform.Scheme, error) { return platform.New(Name, p) }
