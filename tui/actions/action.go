// Package actions builds, tracks and audits operator actions: what the
// console publishes (trigger an event, send a command, set a setpoint, ask
// for a snapshot, a free-form publish), the lifecycle of each one from the
// broker's acknowledgement to the platform's answer, command templates from
// the config file, and DRIVR's GraphQL acknowledgement. Pure Go: no Bubble
// Tea, so all of it is tested without a terminal.
package actions

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Kind is what an action does.
type Kind string

const (
	KindTriggerEvent    Kind = "trigger_event"
	KindSendCommand     Kind = "send_command"
	KindSetSetpoint     Kind = "set_setpoint"
	KindRequestSnapshot Kind = "request_snapshot"
	KindPublish         Kind = "publish"
)

// Kinds lists every kind, in the order of the console's keys (t c s r P).
func Kinds() []Kind {
	return []Kind{KindTriggerEvent, KindSendCommand, KindSetSetpoint, KindRequestSnapshot, KindPublish}
}

// Title is the kind in words for headings.
func (k Kind) Title() string {
	switch k {
	case KindTriggerEvent:
		return "Trigger event"
	case KindSendCommand:
		return "Send command"
	case KindSetSetpoint:
		return "Set setpoint"
	case KindRequestSnapshot:
		return "Request snapshot"
	case KindPublish:
		return "Publish"
	case KindAckEvent:
		return "Acknowledge event"
	}
	return string(k)
}

// Target is the entity an action is about.
type Target struct {
	Platform  string // drivr, drogue, devapi, smartworks, generic
	Fleet     string // DRIVR slug, Drogue application, SmartWorks account
	System    string // DRIVR system uuid, Drogue device, device API id, SmartWorks thing
	Component string // DRIVR component uuid (input topics name components by uuid)
	// ComponentCode is the DRIVR component's code, the name its twin
	// topics (datapoints) use; "" when unknown.
	ComponentCode string
	Group         string // SmartWorks path between account and things (Route.Group), "" for variant A
}

// Entity is the id an answer will carry: the component when there is one.
func (t Target) Entity() string {
	if t.Component != "" {
		return t.Component
	}
	return t.System
}

// Expect says what answer from the platform belongs to an action. The
// Tracker matches incoming routed messages against it.
type Expect struct {
	// Trigger event: the event created for the entity (DRIVR: on
	// .../events/{uuid}), read by the platform's Events.
	Events      EventReader
	EventEntity string    // entity uuid in the created event
	EventModel  string    // model code or uuid the operator gave
	EventTime   time.Time // the time sent; zero when unknown
	// The input topic's /error twin.
	ErrorTopic string
	// MQTT 5 request/response.
	ResponseTopic   string
	CorrelationData []byte
	// Status reads the platform's status reports of the request.
	Status StatusReader
	// Device API command status updates, by command id.
	CommandID string
	// SmartWorks action status, by thing and action name.
	Thing, ActionName string
	// ReportTopic is where the entity reports what became of a request
	// that has no status of its own: Drogue commands (the device's next
	// event on app/{app}, from ReportDevice), SmartWorks property writes
	// and events (their status/ twin), DRIVR setpoints (the entity's next
	// datapoint of that characteristic).
	ReportTopic  string
	ReportDevice string
	// ReportField is the field of the report that holds the value written
	// (the property's name on a SmartWorks twin, "value" in a DRIVR
	// datapoint): the answer shows it. "" when the report has no value.
	ReportField string
	// ConfigVersion: a device API config is confirmed on its response
	// topic by the device reporting that version (devices answer on
	// config/update without the correlation data).
	ConfigVersion string
}

// waits reports whether any answer from the platform is expected; an
// action that expects none (a free publish) is done once acked.
func (x Expect) waits() bool {
	return x.EventEntity != "" || x.ErrorTopic != "" || x.ResponseTopic != "" || x.CommandID != "" ||
		x.ActionName != "" || x.ReportTopic != ""
}

// onlyErrors reports whether the platform's only possible answer is an
// error report (DRIVR setpoints): silence then means no error.
func (x Expect) onlyErrors() bool {
	return x.ErrorTopic != "" && x.EventEntity == "" && x.ResponseTopic == "" && x.CommandID == "" &&
		x.ActionName == "" && x.ReportTopic == ""
}

// Action is one operator action, ready to confirm and publish.
type Action struct {
	ID       string // random, also used as correlation data
	Kind     Kind
	Title    string // the kind in the platform's words (Builder.Title)
	Platform string
	Target   Target
	Name     string // command, setpoint, property or template name, if any
	// By names who sent it under mqdeck serve: the SSH user and key
	// fingerprint; "" in a console of one's own.
	By      string
	Summary string // one line for lists: "energy-overload-model on 792b6149…"
	Request mqttconn.PublishRequest
	Created time.Time
	Expect  Expect
	// Encoding is "json", "msgpack" or "" (raw) for confirmation display.
	Encoding string
}

// Digest is the SHA-256 of the payload in hex: what the audit keeps instead
// of the payload.
func (a Action) Digest() string {
	sum := sha256.Sum256(a.Request.Payload)
	return hex.EncodeToString(sum[:])
}

// DisplayProps returns the user properties with secret values masked, for
// the confirmation and the audit.
func (a Action) DisplayProps() []mqttconn.UserProperty {
	if a.Request.Props == nil {
		return nil
	}
	return MaskUser(a.Request.Props.User)
}

// MaskUser copies user properties, masking values under secret keys.
func MaskUser(in []mqttconn.UserProperty) []mqttconn.UserProperty {
	if len(in) == 0 {
		return nil
	}
	out := make([]mqttconn.UserProperty, len(in))
	for i, u := range in {
		out[i] = u
		if platform.SecretKey(u.Key) {
			out[i].Value = Mask
		}
	}
	return out
}

// NewID returns a short random id (8 hex digits).
func NewID() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms; keep a value anyway.
		return fmt.Sprintf("%08x", time.Now().UnixNano()&0xffffffff)
	}
	return hex.EncodeToString(b[:])
}

// NewUUID returns a random version 4 UUID (device API command ids).
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		now := time.Now().UnixNano()
		for i := range b {
			b[i] = byte(now >> (8 * (i % 8)))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Short keeps the head of a long id for one-line summaries.
func Short(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}
