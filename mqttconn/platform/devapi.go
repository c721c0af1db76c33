package platform

import (
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// devapiScheme is the Xyte device API (v1/device/{id}/...). There is no
// fleet feed on Xyte itself: fleet mode (Device empty) subscribes every
// device on a broker where that is allowed (a lab broker, a bridge, the
// demo); device mode watches one device with its own credentials.
type devapiScheme struct {
	filters []mqttconn.Subscription
}

const devapiPrefix = "v1/device/"

func newDevAPI(p Params) (Scheme, error) {
	if p.Device != "" {
		if err := checkLevel("device id", p.Device); err != nil {
			return nil, fmt.Errorf("platform devapi: %w", err)
		}
	}
	if len(p.Filters) > 0 {
		f, err := userFilters(p, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("platform devapi: %w", err)
		}
		return devapiScheme{filters: f}, nil
	}
	if p.Device == "" {
		return devapiScheme{filters: subs(p.QoS, devapiPrefix+"+/#")}, nil
	}
	return devapiScheme{filters: subs(p.QoS, devapiPrefix+p.Device+"/#")}, nil
}

func (devapiScheme) Name() string                       { return DevAPI }
func (s devapiScheme) Filters() []mqttconn.Subscription { return copySubs(s.filters) }

// Route classifies v1/device/{id}/{topic}: every topic of seed 003 and
// platforms.md §3.2, both the device's publishes and the server's pushes
// (the singular command and the plural commands are both in use).
func (devapiScheme) Route(topic string, _ *mqttconn.Props) Route {
	r := Route{Platform: DevAPI, Kind: KindUnknown}
	if hostile(topic) {
		return r
	}
	rest, ok := strings.CutPrefix(topic, devapiPrefix)
	if !ok {
		return r
	}
	id, rest, more := cut(rest)
	if !idOK(id) {
		return r
	}
	r.Device, r.System = id, id
	if more {
		r.Kind = devapiKind(rest)
	}
	return r
}

func devapiKind(suffix string) Kind {
	switch suffix {
	case "telemetry":
		return KindTelemetry
	case "config":
		return KindConfig
	case "config/update":
		return KindConfigUpdate
	case "commands":
		return KindCommands
	case "commands/update":
		return KindCommandUpdate
	case "command":
		return KindCommand
	case "command/children":
		return KindChildCommand
	case "license":
		return KindLicense
	case "license/update":
		return KindLicenseUpdate
	case "space_info":
		return KindSpaceInfo
	case "firmware":
		return KindFirmware
	case "incidents":
		return KindIncidents
	case "update":
		return KindUpdate
	case "cloud_settings/update", "cloud_settings":
		return KindCloudSettings
	case "get":
		return KindGet
	case "get/response":
		return KindGetResponse
	}
	return KindUnknown
}
