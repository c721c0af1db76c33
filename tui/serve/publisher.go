package serve

import (
	"context"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/tui/console"
)

// ViewerRefusal is what a viewer's action gets instead of a publish.
const ViewerRefusal = "refused: role viewer may not publish (only keys in --operator-keys act); nothing was sent"

// rolePublisher is the only way a session reaches the broker: the role is
// checked here, where the action publishes, whatever the keys and panes
// allowed.
type rolePublisher struct {
	role Role
	next console.Publisher
}

// Publish sends req for an operator; anyone else gets a refusal and the
// broker sees nothing.
func (p rolePublisher) Publish(ctx context.Context, req mqttconn.PublishRequest) mqttconn.PublishResult {
	if p.role != RoleOperator {
		return mqttconn.PublishResult{Outcome: mqttconn.OutcomeReadOnly, Reason: ViewerRefusal}
	}
	if p.next == nil {
		return mqttconn.PublishResult{Outcome: mqttconn.OutcomeOffline, Reason: "no broker connection"}
	}
	return p.next.Publish(ctx, req)
}
