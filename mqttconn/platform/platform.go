// Package platform holds the topic grammar of each IoT platform mqdeck
// serves: the filters a read-mostly console subscribes to, Route (what a
// received topic is), and the topics and payloads of operator actions.
package platform

import "github.com/mqdeck/mqdeck/mqttconn"

// Kind names what a topic carries. Unknown is a valid answer, never an error.
// The values are printed by `mqdeck log`; see kinds.go.
type Kind string

// Route is what a received topic is. Empty fields do not apply. String
// fields are substrings of the topic or property values as received: they
// may hold invalid UTF-8 or control characters, so sanitize (decode.Safe)
// before display.
type Route struct {
	Platform  string // drivr, drogue, devapi, smartworks, generic
	Kind      Kind
	Fleet     string // DRIVR slug, Drogue application, SmartWorks account
	System    string // DRIVR system uuid, Drogue device, device API id, SmartWorks thing
	Component string // DRIVR component code (uuid on input topics)
	Event     string // event uuid
	Device    string
	App       string
	Thing     string
	Command   string // Drogue command name; SmartWorks action request id
	Channel   string // Drogue channel (CloudEvent subject)
	Name      string // property / action / event name (SmartWorks), datapoint or setpoint name; DRIVR input resource ("event", "system", ...)
	Encoding  string // "json" or "msgpack" from the topic suffix, else ""
	Input     string // for error topics: the input topic the error answers
	Side      string // SmartWorks "status" or "set"

	// Added by the platform package (extensions, nothing above renamed).
	Sender string // Drogue: the device that delivered the event (a gateway when != Device)
	Model  string // DRIVR event model or component model uuid
	Group  string // SmartWorks path between account and things: "collections/{c}", "categories/{c}" or ""
	Secret bool   // the payload carries credentials (DRIVR local API tokens): never show, log or record it
}

// Params are the platform parameters from flags or a profile.
type Params struct {
	Slug    string   // DRIVR domain
	Apps    []string // Drogue applications
	Account string   // SmartWorks account / space
	Device  string   // device API: watch one device (device mode)
	CEMode  string   // Drogue on MQTT 5: "binary" or "structured" (default)
	Filters []string // filters to subscribe instead of the platform's own (generic: default "#"); never $share
	QoS     byte
}

// Scheme is one platform's topic grammar.
type Scheme interface {
	Name() string
	// Filters are the subscriptions of a read-mostly console: never a
	// $share group, never DRIVR's local API token topics.
	Filters() []mqttconn.Subscription
	// Route classifies a received topic. It never fails and never panics.
	Route(topic string, props *mqttconn.Props) Route
}
