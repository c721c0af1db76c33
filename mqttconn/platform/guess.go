package platform

import (
	"bytes"
	"sort"
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// Guess names the platform whose topics make up most of msgs (a sample of
// a recording), with the parameters its scheme needs: the slug, the
// applications or the account seen most. Generic when no platform routes
// more than half of them. A Drogue app/{app} topic counts only with a
// CloudEvent in it: "a/x" is also any broker's topic.
func Guess(msgs []mqttconn.Message) (string, Params) {
	schemes := []Scheme{drivrScheme{}, drogueScheme{}, devapiScheme{}, smartworksScheme{}}
	counts := make([]int, len(schemes))
	fleets := make([]map[string]int, len(schemes))
	for i := range fleets {
		fleets[i] = map[string]int{}
	}
	for _, m := range msgs {
		for i, s := range schemes {
			r := s.Route(m.Topic, m.Props)
			if r.Kind == KindUnknown || r.Kind == KindCloudEvent && !cloudEvent(m) {
				continue
			}
			counts[i]++
			if r.Fleet != "" {
				fleets[i][r.Fleet]++
			}
		}
	}
	best := -1
	for i, n := range counts {
		if 2*n > len(msgs) && (best < 0 || n > counts[best]) {
			best = i
		}
	}
	if best < 0 {
		return Generic, Params{}
	}
	names := byCount(fleets[best])
	var p Params
	switch name := schemes[best].Name(); name {
	case DRIVR:
		p.Slug = first(names)
	case Drogue:
		p.Apps = names
	case SmartWorks:
		p.Account = first(names)
	}
	return schemes[best].Name(), p
}

// cloudEvent reports whether a message carries a CloudEvent: binary mode
// (specversion in the user properties, bare or ce- / ce_ prefixed) or
// structured mode (a content type or a payload naming specversion).
func cloudEvent(m mqttconn.Message) bool {
	if p := m.Props; p != nil {
		if strings.HasPrefix(p.ContentType, "application/cloudevents") {
			return true
		}
		for _, u := range p.User {
			if strings.EqualFold(ceName(u.Key), "specversion") {
				return true
			}
		}
	}
	return bytes.Contains(m.Payload, []byte(`"specversion"`))
}

// byCount lists the keys, most frequent first, then by name.
func byCount(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if m[out[i]] != m[out[j]] {
			return m[out[i]] > m[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
