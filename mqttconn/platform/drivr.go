package platform

import (
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// drivrScheme is DRIVR's domain projection under drivr/v1/{slug}. Topic
// shapes confirmed by seed 001 and the [V] rows of platforms.md §1 are
// routed exactly; the [U] ones (connection state, datapoints, setpoints)
// follow the choices written down in ASSUMPTIONS.md.
type drivrScheme struct {
	filters []mqttconn.Subscription
}

const drivrPrefix = "drivr/v1/"

func newDRIVR(p Params) (Scheme, error) {
	if p.Slug == "" {
		return nil, fmt.Errorf("platform drivr needs the domain slug (--slug, e.g. company-example): %w", ErrMissingParam)
	}
	if err := checkLevel("drivr slug", p.Slug); err != nil {
		return nil, fmt.Errorf("platform drivr: %w", err)
	}
	base := drivrPrefix + p.Slug
	if len(p.Filters) > 0 {
		// Per-uuid filters, for certificates whose ACL refuses wildcards.
		f, err := userFilters(p, drivrForbid, nil)
		if err != nil {
			return nil, fmt.Errorf("platform drivr: %w", err)
		}
		return drivrScheme{filters: f}, nil
	}
	// systems/# covers systems/+ too. input/# brings the /error twins (and
	// the echo of requests, routed as input). Never authorization/#: the
	// local API token topic carries bearer tokens.
	return drivrScheme{filters: subs(p.QoS,
		base,
		base+"/state",
		base+"/systems/#",
		base+"/eventModels/#",
		base+"/componentModels/#",
		base+"/input/#",
	)}, nil
}

// drivrForbid refuses a filter that could receive the local API token
// topic drivr/v1/{any slug}/authorization/localApiTokens/{any uuid}: it
// carries bearer tokens. The probe takes the filter's own literal levels
// where the token topic has a variable one.
func drivrForbid(f string) error {
	probe := [...]string{"drivr", "v1", "", "authorization", "localApiTokens", ""}
	rest, more := f, true
	for i := 0; i < len(probe) && more; i++ {
		var level string
		level, rest, more = cut(rest)
		if probe[i] == "" && level != "+" && level != "#" {
			probe[i] = level
		}
	}
	if probe[2] == "" {
		probe[2] = "x"
	}
	if probe[5] == "" {
		probe[5] = "x"
	}
	if Matches(f, strings.Join(probe[:], "/")) {
		return fmt.Errorf("filter %q would receive DRIVR's local API tokens (bearer tokens); subscribe to narrower filters: %w", f, ErrInvalidParam)
	}
	return nil
}

func (drivrScheme) Name() string                       { return DRIVR }
func (s drivrScheme) Filters() []mqttconn.Subscription { return copySubs(s.filters) }

// Route classifies a DRIVR topic; any slug is accepted (Fleet says which).
func (drivrScheme) Route(topic string, _ *mqttconn.Props) Route {
	r := Route{Platform: DRIVR, Kind: KindUnknown}
	if hostile(topic) {
		return r
	}
	rest, ok := strings.CutPrefix(topic, drivrPrefix)
	if !ok {
		return r
	}
	slug, rest, more := cut(rest)
	if !idOK(slug) {
		return r
	}
	r.Fleet = slug
	if !more {
		r.Kind = KindDomain
		return r
	}
	head, rest, more := cut(rest)
	switch head {
	case "state":
		if !more {
			r.Kind = KindDomainState
		}
	case "jwks":
		if !more {
			r.Kind = KindJWKS
		}
	case "authorization":
		// Everything here is credential material; flag it even when the
		// shape is new, so no view, log or recording shows it.
		r.Secret = true
		if name, _, _ := cut(rest); more && name == "localApiTokens" {
			r.Kind = KindLocalAPITokens
		}
	case "systems":
		if more {
			drivrSystem(&r, rest)
		}
	case "eventModels":
		if more {
			drivrModel(&r, rest, KindEventModel, KindEventModelState)
		}
	case "componentModels":
		if more {
			drivrModel(&r, rest, KindComponentModel, KindComponentModelState)
		}
	case "organizations":
		if more {
			drivrModel(&r, rest, KindOrganization, KindOrganizationState)
		}
	case "input":
		drivrInput(&r, topic, rest, more)
	}
	return r
}

// drivrModel routes {uuid} and {uuid}/state of an info entity. Organizations
// share the shape; their uuid goes to Model as well.
func drivrModel(r *Route, rest string, info, state Kind) {
	id, rest, more := cut(rest)
	if !idOK(id) {
		return
	}
	r.Model = id
	switch {
	case !more:
		r.Kind = info
	case rest == "state":
		r.Kind = state
	}
}

// drivrSystem routes what follows systems/.
func drivrSystem(r *Route, rest string) {
	id, rest, more := cut(rest)
	if !idOK(id) {
		return
	}
	r.System = id
	if !more {
		r.Kind = KindSystem
		return
	}
	if comp, ok := strings.CutPrefix(rest, "components/"); ok {
		code, tail, more := cut(comp)
		if !idOK(code) {
			return
		}
		r.Component = code
		if !more {
			r.Kind = KindComponent
			return
		}
		drivrEntityTail(r, tail, KindComponentState)
		return
	}
	drivrEntityTail(r, rest, KindSystemState)
}

// drivrEntityTail routes the levels below a system or a component.
func drivrEntityTail(r *Route, rest string, lifecycle Kind) {
	head, tail, more := cut(rest)
	switch head {
	case "state":
		if !more {
			r.Kind = lifecycle
		}
	case "connection", "connectionState": // [U] name; both accepted
		if !more {
			r.Kind = KindConnectionState
		}
	case "events":
		if !more {
			return
		}
		ev, tail, more := cut(tail)
		if !idOK(ev) {
			return
		}
		r.Event = ev
		switch {
		case !more:
			r.Kind = KindEvent
		case tail == "state":
			r.Kind = KindEventState
		case tail == "ack":
			r.Kind = KindEventAck
		}
	case "datapoints": // [U] path; the name may span levels (service/characteristic)
		if !more {
			r.Kind = KindDatapoint // a bundle for the whole entity
		} else if pathOK(tail) {
			r.Kind, r.Name = KindDatapoint, tail
		}
	case "setpoints": // [U] path, like datapoints, plus the device's /ack
		switch {
		case !more:
			r.Kind = KindSetpoint
		case strings.HasSuffix(tail, "/ack") && pathOK(tail[:len(tail)-4]):
			r.Kind, r.Name = KindSetpointAck, tail[:len(tail)-4]
		case pathOK(tail):
			r.Kind, r.Name = KindSetpoint, tail
		}
	}
}

// pathOK accepts one or more levels with none empty.
func pathOK(p string) bool {
	return p != "" && p[0] != '/' && p[len(p)-1] != '/' && !strings.Contains(p, "//")
}

// drivrInput routes input/{resource}/... request echoes and their /error
// twins. Ids are read from the confirmed shapes only:
// input/{resource}/s|c/{uuid}/{enc} and input/system|component/{uuid}/{enc}.
func drivrInput(r *Route, topic, rest string, more bool) {
	body := rest
	if strings.HasSuffix(topic, "/error") {
		r.Kind = KindError
		r.Input = topic[:len(topic)-len("/error")]
		if len(body) >= len("/error") {
			body = body[:len(body)-len("/error")]
		} else {
			body, more = "", false // input/error: the twin of input itself
		}
	} else {
		r.Kind = KindInput
	}
	if !more {
		return
	}
	// The encoding is the last level of the request topic.
	if i := strings.LastIndexByte(body, '/'); i >= 0 {
		r.Encoding = encodingOf(body[i+1:])
	}
	res, tail, more := cut(body)
	if !idOK(res) || !more {
		return
	}
	r.Name = res
	lvl, tail, more := cut(tail)
	entity := res
	if lvl == "s" || lvl == "c" {
		if !more {
			return
		}
		entity = lvl
		lvl, tail, more = cut(tail)
	}
	if !idOK(lvl) || !more || strings.IndexByte(tail, '/') >= 0 || encodingOf(tail) == "" {
		return
	}
	switch entity {
	case "s", "system":
		r.System = lvl
	case "c", "component":
		r.Component = lvl
	}
}

// encodingOf maps DRIVR's codec level to Route.Encoding.
func encodingOf(level string) string {
	switch level {
	case "json", "msgpack":
		return level
	}
	return ""
}
