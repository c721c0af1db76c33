// Package smartworks is the SmartWorks IoT platform's unit. Its parts:
//   - routing and refining: mqttconn/platform's SmartWorks scheme
//     (smartworks.go there: status/ and set/ sides of an account);
//   - how its messages change the fleet store: Apply (fleet.go), through
//     fleet.Writer;
//   - operator actions: Actions (invoke an action, write a property, emit
//     an event);
//   - the simulator of things: mqttconn/sim (smartworks.go).
//
// Its builders say what answer to expect (actions.Expect), which the
// tracker in tui/actions matches.
package smartworks

import "github.com/mqdeck/mqdeck/mqttconn/platform"

// Name is the platform's name on the command line and in profiles.
const Name = platform.SmartWorks

// Scheme is SmartWorks' topic grammar for an account (Params.Account).
func Scheme(p platform.Params) (platform.Scheme, error) { return platform.New(Name, p) }
