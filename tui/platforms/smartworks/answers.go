package smartworks

import (
	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/platforms/payload"
)

var _ actions.StatusReader = Actions{}

// Status reads an action's status as the thing reports it on the status/
// side: {"<action>": {..., "status": ...}} on the thing's actions topic.
func (Actions) Status(x *actions.Expect, _ *mqttconn.Message, r *platform.Route, v *decode.Value) (actions.Answer, bool, bool) {
	if x.ActionName == "" || r.Kind != platform.KindAction || r.Side != "status" || r.Thing != x.Thing ||
		!actionNamed(r, v.Data, x.ActionName) {
		return actions.Answer{}, false, false
	}
	// The action's name is the operator's: read it as an object's key only
	// (payload.Get would index an array by a numeric name).
	var st string
	if v.Data.Kind == decode.KindObject {
		st = actions.Text(payload.Get(payload.Get(v.Data, x.ActionName), "status"))
	}
	return actions.Answer{Kind: actions.AnswerActionStatus, State: st}, true, true
}

// actionNamed reports whether a status message is about the action name:
// by its topic's last level, else by the payload's key.
func actionNamed(r *platform.Route, n decode.Node, name string) bool {
	if r.Name != "" {
		return r.Name == name
	}
	if n.Kind != decode.KindObject {
		return false
	}
	_, ok := n.Get(name)
	return ok
}
