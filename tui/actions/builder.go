package actions

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Builder turns filled forms into Actions for one platform. The root keeps
// one per connection.
type Builder struct {
	Platform string
	// Unit is the platform's part: its forms and builders
	// (tui/platforms/<name>). nil: only free-form publishes.
	Unit     Platform
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
	a := Action{ID: b.newID(), Kind: f.Kind, Title: b.Title(f.Kind), Platform: b.Platform, Target: f.Target, Created: b.now()}
	a.Target.Platform = b.Platform
	var err error
	switch {
	case f.Kind == KindPublish || f.Has(FTopic): // a form naming its topic is published as typed
		err = b.buildPublish(&a, f)
	default:
		err = b.buildPlatform(&a, f)
	}
	if err != nil {
		return Action{}, err
	}
	if err := ValidateTopic(a.Request.Topic); err != nil {
		return Action{}, FieldErr(FTopic, err)
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
		return FieldErr(FTopic, err)
	}
	qos, err := ParseQoS(f.Value(FQoS))
	if err != nil {
		return FieldErr(FQoS, err)
	}
	retain, err := ParseBool(f.Value(FRetain))
	if err != nil {
		return FieldErr(FRetain, err)
	}
	payload := f.Value(FPayload)
	ct := f.Value(FContentType)
	// A payload declared or looking like JSON must be JSON: catch typos
	// before they reach devices.
	if strings.Contains(ct, "json") || (ct == "" && looksJSON(payload)) {
		if err := ValidateJSON([]byte(payload)); err != nil {
			return FieldErr(FPayload, err)
		}
		a.Encoding = "json"
	}
	user, err := ParseUserProps(f.Value(FUser))
	if err != nil {
		return FieldErr(FUser, err)
	}
	resp := f.Value(FResponse)
	if resp != "" {
		if err := ValidateTopic(resp); err != nil {
			return FieldErr(FResponse, err)
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

// Unsupported is the error for a kind that does not apply on the
// builder's platform, in the platform's terms where it has some.
func (b *Builder) Unsupported(kind Kind) error {
	if w := b.UnsupportedWhy(kind); w != "" {
		return fmt.Errorf("%s on %s: %w: %s", kind.Title(), b.Platform, ErrUnsupported, w)
	}
	return fmt.Errorf("%s on %q: %w", kind.Title(), b.Platform, ErrUnsupported)
}

// UnsupportedWhy says in the platform's terms why a kind does not apply
// there, "" when there is nothing particular to say.
func (b *Builder) UnsupportedWhy(kind Kind) string {
	if b.Unit == nil {
		return ""
	}
	return b.Unit.Traits().Unsupported[kind]
}

// buildPlatform fills a from a platform form through the platform's unit
// (which uses mqttconn/platform's builders: topic, payload, properties,
// error twin), then records what answer to expect.
func (b *Builder) buildPlatform(a *Action, f Form) error {
	qos, err := ParseQoS(f.Value(FQoS))
	if err != nil {
		return FieldErr(FQoS, err)
	}
	if b.Unit == nil {
		return b.Unsupported(f.Kind)
	}
	pa, err := b.Unit.Build(b, a, f)
	if err != nil {
		return err
	}
	pa.QoS = qos
	if pa.Props != nil && pa.Props.ResponseTopic != "" && len(pa.Props.CorrelationData) == 0 {
		pa.Props.CorrelationData = []byte(a.ID)
	}
	req, err := pa.Request()
	if err != nil {
		return err
	}
	a.Request = req
	a.Expect.ErrorTopic = pa.ErrorTopic
	switch pa.Format {
	case decode.FormatJSON, decode.FormatMsgPack:
		a.Encoding = string(pa.Format)
	}
	return nil
}

// IsUnsupported reports whether err says the kind does not apply.
func IsUnsupported(err error) bool { return errors.Is(err, ErrUnsupported) }
