package actions

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Builder turns filled forms into Actions for one platform. The root keeps
// one per connection.
type Builder struct {
	Platform string
	Params   platform.Params
	ReadOnly bool
	// AccessKey is where the device API access key lives (profile: env var
	// or file). It is read when an action is built, and never shown.
	AccessKey Secret
	Now       func() time.Time // default time.Now
	NewID     func() string    // default NewID
	NewUUID   func() string    // device API command ids; default NewUUID
}

func (b *Builder) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Builder) newID() string {
	if b.NewID != nil {
		return b.NewID()
	}
	return NewID()
}

func (b *Builder) newUUID() string {
	if b.NewUUID != nil {
		return b.NewUUID()
	}
	return NewUUID()
}

// Build validates the form and returns the action it describes. Errors are
// *FieldError where a field is to blame.
func (b *Builder) Build(f Form) (Action, error) {
	if b.ReadOnly {
		return Action{}, ErrReadOnly
	}
	a := Action{ID: b.newID(), Kind: f.Kind, Platform: b.Platform, Target: f.Target, Created: b.now()}
	a.Target.Platform = b.Platform
	var err error
	switch {
	case f.Kind == KindPublish || b.Platform == platform.Generic:
		err = b.buildPublish(&a, f)
	default:
		err = b.buildPlatform(&a, f)
	}
	if err != nil {
		return Action{}, err
	}
	if err := ValidateTopic(a.Request.Topic); err != nil {
		return Action{}, fieldErr(FTopic, err)
	}
	if p := a.Request.Props; p != nil {
		a.Expect.ResponseTopic = p.ResponseTopic
		if p.ResponseTopic != "" {
			a.Expect.CorrelationData = p.CorrelationData
		}
	}
	if f.Template != "" && a.Name == "" {
		a.Name = f.Template
	}
	return a, nil
}

func (b *Builder) buildPublish(a *Action, f Form) error {
	topic := f.Value(FTopic)
	if err := ValidateTopic(topic); err != nil {
		return fieldErr(FTopic, err)
	}
	qos, err := ParseQoS(f.Value(FQoS))
	if err != nil {
		return fieldErr(FQoS, err)
	}
	retain, err := ParseBool(f.Value(FRetain))
	if err != nil {
		return fieldErr(FRetain, err)
	}
	payload := f.Value(FPayload)
	ct := f.Value(FContentType)
	// A payload declared or looking like JSON must be JSON: catch typos
	// before they reach devices.
	if strings.Contains(ct, "json") || (ct == "" && looksJSON(payload)) {
		if err := ValidateJSON([]byte(payload)); err != nil {
			return fieldErr(FPayload, err)
		}
		a.Encoding = "json"
	}
	user, err := ParseUserProps(f.Value(FUser))
	if err != nil {
		return fieldErr(FUser, err)
	}
	resp := f.Value(FResponse)
	if resp != "" {
		if err := ValidateTopic(resp); err != nil {
			return fieldErr(FResponse, err)
		}
	}
	a.Request = mqttconn.PublishRequest{Topic: topic, Payload: []byte(payload), QoS: qos, Retain: retain}
	if ct != "" || len(user) > 0 || resp != "" {
		p := &mqttconn.Props{ContentType: ct, User: user, ResponseTopic: resp}
		if resp != "" {
			p.CorrelationData = []byte(a.ID)
			if c := f.Value(FCorrelation); c != "" {
				p.CorrelationData = []byte(c)
			}
		}
		a.Request.Props = p
	}
	a.Summary = topic
	return nil
}

func looksJSON(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")
}

// ParseUserProps reads "k=v; k2=v2" (also newline separated). Order is kept;
// keys may repeat, as MQTT 5 allows.
func ParseUserProps(s string) ([]mqttconn.UserProperty, error) {
	var out []mqttconn.UserProperty
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("want key=value, got %q", part)
		}
		out = append(out, mqttconn.UserProperty{Key: k, Value: strings.TrimSpace(v)})
	}
	return out, nil
}

// unsupported explains why a kind does not apply on a platform, in the
// platform's terms (platforms.md §6.4).
func unsupported(kind Kind, plat string) error {
	if w := UnsupportedWhy(kind, plat); w != "" {
		return fmt.Errorf("%s on %s: %w: %s", kind.Title(), plat, ErrUnsupported, w)
	}
	return fmt.Errorf("%s on %q: %w", kind.Title(), plat, ErrUnsupported)
}

// UnsupportedWhy says in the platform's terms why a kind does not apply
// there, "" when there is nothing particular to say.
func UnsupportedWhy(kind Kind, plat string) string {
	why := map[string]map[Kind]string{
		platform.DRIVR: {
			KindSendCommand:     "DRIVR has no command topic; use a setpoint or trigger an event",
			KindRequestSnapshot: "DRIVR's topics are retained: the snapshot arrives on subscribe",
		},
		platform.Drogue: {
			KindTriggerEvent:    "on Drogue only devices emit events; send a command (c)",
			KindRequestSnapshot: "Drogue has no point-in-time snapshot; reconnect with the same client id to catch up",
		},
		platform.DevAPI: {
			KindTriggerEvent: "device API incidents are HTTPS only",
		},
		platform.SmartWorks: {
			KindRequestSnapshot: "SmartWorks snapshots come from its REST API",
		},
	}
	return why[plat][kind]
}

// IsUnsupported reports whether err says the kind does not apply.
func IsUnsupported(err error) bool { return errors.Is(err, ErrUnsupported) }
