// Package drivr is the DRIVR platform's unit: what mqdeck knows of a DRIVR
// domain beyond its topic grammar. Its parts:
//   - routing and refining: mqttconn/platform's DRIVR scheme (drivr.go
//     there), the seam the ingest stage, the recorder and the simulator call;
//   - how its messages change the fleet store: Apply (fleet.go), through
//     fleet.Writer;
//   - operator actions: Actions (trigger an event, set a setpoint);
//   - the simulator that plays a domain: mqttconn/sim (drivr*.go).
//
// Its builders say what answer to expect (actions.Expect), which the
// tracker in tui/actions matches.
package drivr

import "github.com/mqdeck/mqdeck/mqttconn/platform"

// Name is the platform's name on the command line and in profiles.
const Name = platform.DRIVR

// Scheme is DRIVR's topic grammar for a domain (Params.Slug).
func Scheme(p platform.Params) (platform.Scheme, error) { return platform.New(Name, p) }
