package generic

import (
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// Actions are the generic platform's: any topic, so a command, a setpoint
// or an event is a free-form publish the operator addresses.
type Actions struct{}

var _ actions.Platform = Actions{}

// Unsupported: a snapshot has no meaning without a platform.
func (Actions) Unsupported(actions.Kind) string { return "" }

// Settable: setpoints, should a generic broker's data be routed as such.
func (Actions) Settable(k fleet.SeriesKind) bool { return k == fleet.SeriesSetpoint }

// Acks: nothing to acknowledge without a platform.
func (Actions) Acks() bool { return false }

// Form is the publish form, kept under the kind the operator chose.
func (Actions) Form(b *actions.Builder, kind actions.Kind, _ actions.Selection, f *actions.Form) bool {
	switch kind {
	case actions.KindSendCommand, actions.KindSetSetpoint, actions.KindTriggerEvent:
		b.PublishFields(f)
		return true
	}
	return false
}

// Build is never reached: a form with a topic is published as typed.
func (Actions) Build(b *actions.Builder, _ *actions.Action, f actions.Form) (platform.Action, error) {
	return platform.Action{}, b.Unsupported(f.Kind)
}
