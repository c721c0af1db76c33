package generic

import (
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// Actions are the generic platform's: any topic, and no commands, setpoints
// or events to address. t, c and s each opened the same raw publish form
// titled "Trigger event · generic"; now only P (publish) is a key here.
type Actions struct{}

var _ actions.Platform = Actions{}

// Unsupported says what to use instead: publish, which addresses any topic.
func (Actions) Unsupported(k actions.Kind) string {
	switch k {
	case actions.KindSendCommand, actions.KindSetSetpoint, actions.KindTriggerEvent, actions.KindRequestSnapshot:
		return "a generic broker has no commands, setpoints or events: P publishes to any topic"
	}
	return ""
}

// Settable: setpoints, should a generic broker's data be routed as such.
func (Actions) Settable(k fleet.SeriesKind) bool { return k == fleet.SeriesSetpoint }

// Acks: nothing to acknowledge without a platform.
func (Actions) Acks() bool { return false }

// Form: none but publish, which the builder makes for every platform.
func (Actions) Form(*actions.Builder, actions.Kind, actions.Selection, *actions.Form) bool {
	return false
}

// Build is never reached: a form with a topic is published as typed.
func (Actions) Build(b *actions.Builder, _ *actions.Action, f actions.Form) (platform.Action, error) {
	return platform.Action{}, b.Unsupported(f.Kind)
}
