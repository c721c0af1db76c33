package drivr

import (
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/platforms/payload"
)

var _ actions.EventReader = Actions{}

// EventNews reads DRIVR's event topics (platforms.md §1): the event's
// record on .../events/{uuid}, its /state and its /ack.
func (Actions) EventNews(r *platform.Route, v *decode.Value) (actions.EventNews, bool) {
	switch r.Kind {
	case platform.KindEventState:
		return actions.EventNews{Event: r.Event, Kind: actions.NewsState, State: actions.Text(v.Data)}, true
	case platform.KindEventAck:
		return actions.EventNews{Event: r.Event, Kind: actions.NewsAck}, true
	case platform.KindEvent:
	default:
		return actions.EventNews{}, false
	}
	d := v.Data
	acked := payload.Get(d, "acknowledged")
	model := payload.Get(d, "eventModel")
	n := actions.EventNews{
		Event:     r.Event,
		Kind:      actions.NewsRecord,
		State:     recordStatus(d),
		Acked:     acked.Kind == decode.KindBool && acked.Bool,
		Entity:    actions.Text(payload.Get(d, "entityUuid")),
		ModelCode: actions.Text(payload.Get(model, "code")),
		ModelUUID: payload.Or(actions.Text(payload.Get(model, "uuid")), r.Model),
	}
	n.Time, _ = time.Parse(time.RFC3339Nano, actions.Text(payload.Get(d, "time")))
	return n, true
}

// recordStatus is an event record's state: its status, else RESOLVED when
// it has an end time.
func recordStatus(d decode.Node) string {
	if s := actions.Text(payload.Get(d, "status")); s != "" {
		return s
	}
	if et := payload.Get(d, "endTime"); et.Kind != decode.KindNull && actions.Text(et) != "" {
		return "RESOLVED"
	}
	return ""
}
