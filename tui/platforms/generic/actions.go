package generic

import (
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// Actions are the generic platform's: any topic, and no commands, setpoints
// or events to address. t, c and s each opened the same raw publish form
// titled "Trigger event · generic"; now only P (publish) is a key here.
type Actions struct{}

var _ actions.Platform = Actions{}

// Traits: a generic broker has nothing but publish (P), which addresses
// any topic; nothing to acknowledge without a platform.
func (Actions) Traits() actions.Traits {
	const why = "a generic broker has no commands, setpoints or events: P publishes to any topic"
	return actions.Traits{Unsupported: map[actions.Kind]string{
		actions.KindSendCommand: why, actions.KindSetSetpoint: why, actions.KindTriggerEvent: why, actions.KindRequestSnapshot: why,
	}}
}

// Form: none but publish, which the builder makes for every platform.
func (Actions) Form(*actions.Builder, actions.Kind, actions.Selection, *actions.Form) bool {
	return false
}

// Build is never reached: a form with a topic is published as typed.
func (Actions) Build(b *actions.Builder, _ *actions.Action, f actions.Form) (platform.Action, error) {
	return platform.Action{}, b.Unsupported(f.Kind)
}
