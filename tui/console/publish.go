package console

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// The root acts, the views only draw: the commands that publish an action
// or acknowledge an event live here, beside the root that runs them.

// PublishedMsg carries the transport's answer for a confirmed action; the
// root passes it to Tracker.Result and writes the audit line.
type PublishedMsg struct {
	ID     string
	Result mqttconn.PublishResult
	At     time.Time
}

// Publisher is what an action needs of the transport; mqttconn.Client is
// one.
type Publisher interface {
	Publish(ctx context.Context, req mqttconn.PublishRequest) mqttconn.PublishResult
}

// defaultPublishTimeout bounds a publish when Actions.Timeout is unset.
const defaultPublishTimeout = 10 * time.Second

// publishCmd publishes a confirmed action off the UI goroutine. The root
// calls Tracker.Add (and writes the audit) before returning this command.
// Read-only is enforced inside Client.Publish (OutcomeReadOnly).
func publishCmd(c Publisher, a actions.Action, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		if c == nil {
			return PublishedMsg{ID: a.ID, At: time.Now(), Result: mqttconn.PublishResult{
				Outcome: mqttconn.OutcomeOffline, Reason: "no connection"}}
		}
		if timeout <= 0 {
			timeout = defaultPublishTimeout
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		r := c.Publish(ctx, a.Request)
		return PublishedMsg{ID: a.ID, Result: r, At: time.Now()}
	}
}

// AckedMsg is the answer of DRIVR's ackEvent mutation.
type AckedMsg struct{ Result actions.AckResult }

// ackCmd acknowledges an event through DRIVR's GraphQL API off the UI
// goroutine. Without endpoint and token the root shows actions.AckHelp
// instead of calling this.
func ackCmd(c actions.AckClient, eventUUID string) tea.Cmd {
	return func() tea.Msg {
		return AckedMsg{Result: c.Ack(context.Background(), eventUUID)}
	}
}
