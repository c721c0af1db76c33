// Package devapi is the device API (v1/device) platform's unit. Its parts:
//   - routing and refining: mqttconn/platform's device API scheme
//     (devapi.go there);
//   - how its messages change the fleet store: Apply (fleet.go), through
//     fleet.Writer;
//   - operator actions: Actions (command, configuration, snapshot);
//   - the simulator of devices: mqttconn/sim (devapi.go).
//
// Its builders say what answer to expect (actions.Expect), which the
// tracker in tui/actions matches.
package devapi

import "github.com/mqdeck/mqdeck/mqttconn/platform"

// Name is the platform's name on the command line and in profiles
// ("xyte" is accepted for it by platform.New).
const Name = platform.DevAPI

// Scheme is the device API's topic grammar (all devices, or Params.Device).
func Scheme(p platform.Params) (platform.Scheme, error) { return platform.New(Name, p) }
