package actions

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// Platform is one platform's part in the operator actions: the forms it
// offers, how a filled form becomes the platform's publish, and why a kind
// does not apply there. Each platform's unit (tui/platforms/<name>)
// implements it; the Builder dispatches through it.
type Platform interface {
	// Form appends the fields of kind's form to f (Kind, Platform and
	// Target are set); false when the kind does not apply.
	Form(b *Builder, kind Kind, sel Selection, f *Form) bool
	// Build reads the filled form and returns the platform's publish; it
	// sets a's target, name, summary and the answer to expect.
	Build(b *Builder, a *Action, f Form) (platform.Action, error)
	// Traits are what the platform says of the actions as data.
	Traits() Traits
}

// Traits are what a platform says of the actions as data rather than
// code; the zero value is a platform that explains nothing, writes
// setpoints only and acknowledges no events.
type Traits struct {
	// Unsupported says in the platform's terms why a kind does not apply;
	// a kind not named has nothing particular to say.
	Unsupported map[Kind]string
	// Settable are the kinds of series the setpoint form writes; none
	// named: setpoints (SmartWorks writes reported properties too).
	Settable []fleet.SeriesKind
	// Acks: the console acknowledges the platform's events (DRIVR's
	// GraphQL ackEvent).
	Acks bool
	// Titles name a kind in the platform's words where the general title
	// would mislead (the device API's "setpoint" is a configuration update).
	Titles map[Kind]string
}

// Title is the kind in the words of the builder's platform.
func (b *Builder) Title(k Kind) string {
	if b.Unit != nil {
		if t := b.Unit.Traits().Titles[k]; t != "" {
			return t
		}
	}
	return k.Title()
}

// Writes reports whether the setpoint form writes a series of kind k.
func (t Traits) Writes(k fleet.SeriesKind) bool {
	if len(t.Settable) == 0 {
		return k == fleet.SeriesSetpoint
	}
	return slices.Contains(t.Settable, k)
}

// Time is the builder's clock (Builder.Now, else time.Now).
func (b *Builder) Time() time.Time { return b.now() }

// UUID is a new command id (Builder.NewUUID, else NewUUID).
func (b *Builder) UUID() string { return b.newUUID() }

// QoSField is the QoS input with its default.
func QoSField(def string) Field {
	return Field{Key: FQoS, Label: "QoS", Value: def, Choices: []string{"0", "1", "2"}}
}

// MostRecent is the first of a most-recent-first list, "" when empty.
func MostRecent(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// FirstNonEmpty is the first value that is not blank, trimmed.
func FirstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// ParseObject reads a JSON object ({...}) typed into a form.
func ParseObject(text string) (decode.Node, error) {
	n, err := decode.ParseJSON(text)
	if err != nil {
		return decode.Node{}, err
	}
	if n.Kind != decode.KindObject {
		return decode.Node{}, errors.New("must be a JSON object {...}")
	}
	return n, nil
}
