package platform

import (
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
)

// drogueScheme is Drogue Cloud's MQTT integration: one app/{app} stream
// per application (wildcards are refused there), CloudEvents in structured
// or binary mode, and command/{app}/{device}/{command} to act.
type drogueScheme struct {
	filters []mqttconn.Subscription
}

// Drogue CloudEvent types (platforms.md §2.4).
const (
	drogueEventType      = "io.drogue.event.v1"
	drogueConnectionType = "io.drogue.connection.v1"
	drogueRegistryType   = "io.drogue.registry.v1"
)

func newDrogue(p Params) (Scheme, error) {
	if len(p.Apps) == 0 {
		return nil, fmt.Errorf("platform drogue needs at least one application (--app): %w", ErrMissingParam)
	}
	mode := strings.ToLower(p.CEMode)
	switch mode {
	case "", "binary", "structured":
	default:
		return nil, fmt.Errorf("platform drogue: content mode %q: must be binary or structured: %w", p.CEMode, ErrInvalidParam)
	}
	var filters []mqttconn.Subscription
	seen := make(map[string]bool, len(p.Apps))
	for _, app := range p.Apps {
		if err := checkLevel("drogue application", app); err != nil {
			return nil, fmt.Errorf("platform drogue: %w", err)
		}
		if seen[app] {
			continue // one subscription per application is enough
		}
		seen[app] = true
		s := mqttconn.Subscription{Filter: "app/" + app, QoS: p.QoS}
		if mode != "" {
			// MQTT 5 only; the transport drops it on 3.1.1, where Drogue
			// always sends structured mode anyway.
			s.User = []mqttconn.UserProperty{{Key: "content-mode", Value: mode}}
		}
		filters = append(filters, s)
	}
	if len(p.Filters) > 0 {
		var user []mqttconn.UserProperty
		if len(filters) > 0 {
			user = filters[0].User
		}
		f, err := userFilters(p, nil, user)
		if err != nil {
			return nil, fmt.Errorf("platform drogue: %w", err)
		}
		filters = f
	}
	return drogueScheme{filters: filters}, nil
}

func (drogueScheme) Name() string                       { return Drogue }
func (s drogueScheme) Filters() []mqttconn.Subscription { return copySubs(s.filters) }

// Route classifies app/{app} (and its aliases a/, application/) and
// command/{app}/{device}/{command}. On the app stream the kind comes from
// the CloudEvent type in the user properties (binary mode); in structured
// mode the type is in the payload, so the kind stays KindCloudEvent until
// Refine sees the decoded event.
func (drogueScheme) Route(topic string, props *mqttconn.Props) Route {
	r := Route{Platform: Drogue, Kind: KindUnknown}
	if hostile(topic) {
		return r
	}
	head, rest, more := cut(topic)
	if !more {
		return r
	}
	switch head {
	case "app", "a", "application":
		if !idOK(rest) || strings.IndexByte(rest, '/') >= 0 {
			return r
		}
		r.Fleet, r.App, r.Kind = rest, rest, KindCloudEvent
		if props != nil {
			var a ceAttrs
			a.fromProps(props)
			a.apply(&r)
		}
	case "command":
		app, rest, more := cut(rest)
		if !more || !idOK(app) {
			return r
		}
		dev, cmd, more := cut(rest)
		if !more || !idOK(dev) || !idOK(cmd) || strings.IndexByte(cmd, '/') >= 0 {
			return r
		}
		r.Fleet, r.App = app, app
		r.System, r.Device, r.Command = dev, dev, cmd
		r.Kind = KindCommand
	}
	return r
}

// ceAttrs holds the CloudEvent attributes Route needs.
type ceAttrs struct {
	typ, device, sender, subject, app string
}

// ceName strips the ce- or ce_ prefix some SDKs put on binary-mode names.
func ceName(key string) string {
	if len(key) > 3 && (key[2] == '-' || key[2] == '_') && strings.EqualFold(key[:2], "ce") {
		return key[3:]
	}
	return key
}

// set records one attribute; the first occurrence of a name wins.
func (a *ceAttrs) set(name, value string) {
	var dst *string
	switch {
	case strings.EqualFold(name, "type"):
		dst = &a.typ
	case strings.EqualFold(name, "device"):
		dst = &a.device
	case strings.EqualFold(name, "sender"):
		dst = &a.sender
	case strings.EqualFold(name, "subject"):
		dst = &a.subject
	case strings.EqualFold(name, "application"):
		dst = &a.app
	default:
		return
	}
	if *dst == "" {
		*dst = value
	}
}

func (a *ceAttrs) fromProps(p *mqttconn.Props) {
	for _, u := range p.User {
		a.set(ceName(u.Key), u.Value)
	}
}

// apply fills a route of the app stream from the attributes.
func (a *ceAttrs) apply(r *Route) {
	switch a.typ {
	case "":
	case drogueEventType:
		r.Kind = KindDeviceEvent
	case drogueConnectionType:
		r.Kind = KindConnectionEvent
	case drogueRegistryType:
		r.Kind = KindRegistryEvent
	default:
		r.Kind = KindCloudEvent
	}
	if r.App == "" && a.app != "" {
		r.App, r.Fleet = a.app, a.app
	}
	if a.device != "" {
		r.Device, r.System = a.device, a.device
	}
	if a.sender != "" {
		r.Sender = a.sender
	}
	if r.Kind == KindDeviceEvent && a.subject != "" {
		r.Channel = a.subject // the channel the device published on
	}
}

// RefineDrogue completes a route of the app stream from the decoded
// CloudEvent (structured mode carries the type, device, sender and subject
// in the payload, which Route cannot see). Other routes pass unchanged.
func RefineDrogue(r Route, ev *decode.CloudEvent) Route {
	if ev == nil || r.Platform != Drogue {
		return r
	}
	switch r.Kind {
	case KindCloudEvent, KindDeviceEvent, KindConnectionEvent, KindRegistryEvent:
	default:
		return r
	}
	a := ceAttrs{typ: ev.Type, subject: ev.Subject}
	for _, x := range ev.Extensions {
		a.set(ceName(x.Name), x.Value)
	}
	a.apply(&r)
	return r
}

// Refine completes a route from the decoded payload where the topic alone
// cannot say enough. Today that is Drogue's structured CloudEvents; every
// other route is returned as it is.
func Refine(r Route, v *decode.Value) Route {
	if v == nil || v.Event == nil {
		return r
	}
	return RefineDrogue(r, v.Event)
}
