// Package generic is the unit of any MQTT broker without a platform: raw
// routing of the filters the operator gives (mqttconn/platform's generic
// scheme) and free-form publishes. It has no simulator and no Apply: its
// messages are logged and counted in the topic tree, and model nothing.
package generic

import "github.com/mqdeck/mqdeck/mqttconn/platform"

// Name is the platform's name on the command line and in profiles.
const Name = platform.Generic

// Scheme subscribes the operator's filters (Params.Filters, default #).
func Scheme(p platform.Params) (platform.Scheme, error) { return platform.New(Name, p) }
