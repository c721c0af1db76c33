package platform

import (
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// genericScheme subscribes to whatever the user asks (# by default) and
// interprets nothing: every message is raw.
type genericScheme struct {
	filters []mqttconn.Subscription
}

func newGeneric(p Params) (Scheme, error) {
	filters := p.Filters
	if len(filters) == 0 {
		filters = []string{"#"}
	}
	for _, f := range filters {
		if err := CheckFilter(f); err != nil {
			return nil, fmt.Errorf("platform generic: %w", err)
		}
	}
	return genericScheme{filters: subs(p.QoS, filters...)}, nil
}

func (genericScheme) Name() string                       { return Generic }
func (s genericScheme) Filters() []mqttconn.Subscription { return copySubs(s.filters) }

// Route says raw for every topic. It still flags DRIVR's local API token
// topic (a generic # on a DRIVR broker may receive it), so it is never shown.
func (genericScheme) Route(topic string, _ *mqttconn.Props) Route {
	return Route{Platform: Generic, Kind: KindRaw, Secret: strings.Contains(topic, "/localApiTokens")}
}
