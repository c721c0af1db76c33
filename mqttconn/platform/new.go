package platform

import (
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// Names lists the platform names New accepts, for the CLI's help.
func Names() []string { return []string{DRIVR, Drogue, DevAPI, SmartWorks, Generic} }

// New builds the scheme of one platform from its parameters. It checks
// every parameter that ends up in a filter, so Filters never fails later.
// "xyte" is accepted for devapi and "" for generic.
func New(name string, p Params) (Scheme, error) {
	if p.QoS > 2 {
		return nil, fmt.Errorf("platform %s: QoS %d: must be 0, 1 or 2: %w", name, p.QoS, ErrInvalidParam)
	}
	switch strings.ToLower(name) {
	case DRIVR:
		return newDRIVR(p)
	case Drogue:
		return newDrogue(p)
	case DevAPI, "xyte":
		return newDevAPI(p)
	case SmartWorks:
		return newSmartWorks(p)
	case Generic, "":
		return newGeneric(p)
	}
	return nil, fmt.Errorf("platform %q (choose one of %s): %w", name, strings.Join(Names(), ", "), ErrUnknownPlatform)
}

// userFilters are the filters the user named (--topic, or SmartWorks'
// pattern_sub from the credential response), replacing the platform's own.
// Each is checked (never $share) and, through forbid, against what the
// platform must never receive.
func userFilters(p Params, forbid func(string) error, user []mqttconn.UserProperty) ([]mqttconn.Subscription, error) {
	out := make([]mqttconn.Subscription, 0, len(p.Filters))
	for _, f := range p.Filters {
		if err := CheckFilter(f); err != nil {
			return nil, err
		}
		if forbid != nil {
			if err := forbid(f); err != nil {
				return nil, err
			}
		}
		out = append(out, mqttconn.Subscription{Filter: f, QoS: p.QoS, User: user})
	}
	return out, nil
}

// Matches reports whether an MQTT topic filter matches a topic name
// (+ one level, # the rest; $ topics only with a literal first level).
func Matches(filter, topic string) bool {
	if topic != "" && topic[0] == '$' && filter != "" && (filter[0] == '+' || filter[0] == '#') {
		return false
	}
	f, t := filter, topic
	for {
		fl, frest, fmore := cut(f)
		if fl == "#" && !fmore {
			return true
		}
		tl, trest, tmore := cut(t)
		if fl != "+" && fl != tl {
			return false
		}
		if !fmore || !tmore {
			// "a/#" also matches "a": the parent level.
			return fmore == tmore || fmore && frest == "#"
		}
		f, t = frest, trest
	}
}

// subs builds subscriptions at one QoS.
func subs(qos byte, filters ...string) []mqttconn.Subscription {
	out := make([]mqttconn.Subscription, len(filters))
	for i, f := range filters {
		out[i] = mqttconn.Subscription{Filter: f, QoS: qos}
	}
	return out
}

// copySubs returns a deep copy, so a caller cannot change a scheme's filters.
func copySubs(in []mqttconn.Subscription) []mqttconn.Subscription {
	out := make([]mqttconn.Subscription, len(in))
	for i, s := range in {
		out[i] = s
		if s.User != nil {
			out[i].User = append([]mqttconn.UserProperty(nil), s.User...)
		}
	}
	return out
}
