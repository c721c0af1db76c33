package devapi

import (
	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/platforms/payload"
)

var _ actions.StatusReader = Actions{}

// Status reads a command's status updates (platforms.md §3): on
// commands/update or the command's response topic, the update of the
// command's id.
func (Actions) Status(x *actions.Expect, msg *mqttconn.Message, r *platform.Route, v *decode.Value) (actions.Answer, bool, bool) {
	if x.CommandID == "" || r.Kind != platform.KindCommandUpdate && msg.Topic != x.ResponseTopic {
		return actions.Answer{}, false, false
	}
	if actions.Text(payload.Get(v.Data, "id")) != x.CommandID {
		return actions.Answer{}, true, false
	}
	return actions.Answer{Kind: actions.AnswerCommandStatus, State: actions.Text(payload.Get(v.Data, "status")),
		Message: actions.Text(payload.Get(v.Data, "message"))}, true, true
}
