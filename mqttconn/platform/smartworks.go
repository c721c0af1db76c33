package platform

import (
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// smartworksScheme is Altair SmartWorks (AnythingDB): status/{account}/...
// reports state, set/{account}/... carries writes and requests.
type smartworksScheme struct {
	filters []mqttconn.Subscription
}

func newSmartWorks(p Params) (Scheme, error) {
	if p.Account == "" {
		return nil, fmt.Errorf("platform smartworks needs the account or space id (--account): %w", ErrMissingParam)
	}
	if err := checkLevel("smartworks account", p.Account); err != nil {
		return nil, fmt.Errorf("platform smartworks: %w", err)
	}
	if len(p.Filters) > 0 {
		// The credential's pattern_sub filters are the source of truth
		// when the account-wide ones are refused by the broker's ACL.
		f, err := userFilters(p, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("platform smartworks: %w", err)
		}
		return smartworksScheme{filters: f}, nil
	}
	// status/ is what a console watches. set/ is subscribed too: it shows
	// the property writes and action requests that operators, apps and
	// other consoles send, so a request is visible before (and even when
	// never) its status arrives. A broker ACL that refuses set/ only costs
	// that filter; the SUBACK error says so.
	return smartworksScheme{filters: subs(p.QoS,
		"status/"+p.Account+"/#",
		"set/"+p.Account+"/#",
	)}, nil
}

func (smartworksScheme) Name() string                       { return SmartWorks }
func (s smartworksScheme) Filters() []mqttconn.Subscription { return copySubs(s.filters) }

// Route classifies the grammar variants of platforms.md §4.2:
//
//	A  {side}/{acct}/things/{thing}/{properties|actions|events}[/{name}]
//	B  {side}/{acct}/collections/{c}/things/{thing}/{...}[/{name}]
//	C  {side}/{space}/categories/{c}/things/{thing}/{...}[/{name}]
//	raw data: ... /things/{thing}/data
//
// An action may carry one more level, the request id (Command).
func (smartworksScheme) Route(topic string, _ *mqttconn.Props) Route {
	r := Route{Platform: SmartWorks, Kind: KindUnknown}
	if hostile(topic) {
		return r
	}
	side, rest, more := cut(topic)
	if side != "set" && side != "status" || !more {
		return r
	}
	r.Side = side
	acct, rest, more := cut(rest)
	if !idOK(acct) || !more {
		return r
	}
	r.Fleet = acct
	head, tail, more := cut(rest)
	if head == "collections" || head == "categories" {
		if !more {
			return r
		}
		g, t, m := cut(tail)
		if !idOK(g) || !m {
			return r
		}
		r.Group = rest[:len(head)+1+len(g)] // a substring: no allocation
		head, tail, more = cut(t)
	}
	if head != "things" || !more {
		return r
	}
	thing, rest, more := cut(tail)
	if !idOK(thing) {
		return r
	}
	r.Thing, r.System = thing, thing
	if !more {
		return r
	}
	section, rest, more := cut(rest)
	var kind Kind
	switch section {
	case "properties":
		kind = KindProperty
	case "actions":
		kind = KindAction
	case "events":
		kind = KindThingEvent
	case "data":
		if !more {
			r.Kind = KindRawData
		}
		return r
	default:
		return r
	}
	if !more {
		r.Kind = kind // the whole section in one message
		return r
	}
	name, rest, more := cut(rest)
	if !idOK(name) {
		return r
	}
	r.Name = name
	if !more {
		r.Kind = kind
		return r
	}
	if kind == KindAction && idOK(rest) && strings.IndexByte(rest, '/') < 0 {
		r.Kind, r.Command = kind, rest
	}
	return r
}
