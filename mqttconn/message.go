// Package mqttconn is mqdeck's transport: one Client interface over MQTT 5
// (paho.golang/autopaho) and MQTT 3.1.1 (paho.mqtt.golang), the message type
// every other package consumes, and (in subpackages) platform topic schemes,
// the embedded broker, the fleet simulator and recording.
package mqttconn

import (
	"context"
	"errors"
	"time"
)

// UserProperty is one MQTT 5 user property. Order on the wire is kept.
type UserProperty struct {
	Key   string
	Value string
}

// Props holds the MQTT 5 properties of a PUBLISH. It is nil for MQTT 3.1.1.
type Props struct {
	ContentType     string
	PayloadFormat   *byte // 1 = UTF-8 declared
	ResponseTopic   string
	CorrelationData []byte
	User            []UserProperty
	MessageExpiry   *uint32 // seconds
}

// UserValue returns the first user property named key.
func (p *Props) UserValue(key string) (string, bool) {
	if p == nil {
		return "", false
	}
	for _, u := range p.User {
		if u.Key == key {
			return u.Value, true
		}
	}
	return "", false
}

// Message is a received PUBLISH as the rest of mqdeck sees it.
type Message struct {
	Topic    string
	Payload  []byte
	QoS      byte
	Retain   bool
	Dup      bool
	Received time.Time
	Props    *Props // nil on MQTT 3.1.1
}

// Subscription is one filter the client subscribes to on every connect.
type Subscription struct {
	Filter string
	QoS    byte
	// User properties on the SUBSCRIBE (MQTT 5 only), e.g. Drogue's
	// content-mode=binary. Ignored on 3.1.1.
	User []UserProperty
}

// SubResult is the broker's answer for one filter of a SUBSCRIBE.
type SubResult struct {
	Filter  string
	Granted byte  // QoS granted when Err is nil
	Err     error // refused (reason code in the text), nil when granted
}

// Outcome says in one word what became of a filter that was not granted:
// "refused" when the broker answered with a failure code (0x80 and up),
// "failed" when no valid answer came (a code a SUBACK cannot carry, a
// timeout, a lost connection): whether it is subscribed is then unknown.
func (r SubResult) Outcome() string {
	var se *SubscribeError
	if errors.As(r.Err, &se) && se.Code >= 0x80 {
		return "refused"
	}
	return "failed"
}

// PublishRequest is what an operator action or the simulator sends.
type PublishRequest struct {
	Topic   string
	Payload []byte
	QoS     byte
	Retain  bool
	Props   *Props // MQTT 5 only; dropped (with ErrPropsDropped in the result) on 3.1.1
}

// Outcome says what became of a publish.
type Outcome int

const (
	OutcomeAcked    Outcome = iota // PUBACK/PUBCOMP success, or QoS 0 written
	OutcomeRefused                 // broker reason code >= 0x80
	OutcomeTimeout                 // no acknowledgement in time
	OutcomeOffline                 // not connected: nothing was sent
	OutcomeReadOnly                // --readonly: the transport refused to send
	OutcomeFailed                  // any other local error
)

// PublishResult comes back from Client.Publish as a value, never a panic.
type PublishResult struct {
	Outcome    Outcome
	ReasonCode byte   // MQTT 5 reason code when the broker gave one
	Reason     string // reason string or error text, terminal-unsafe: sanitize before display
	Err        error
}

// StateKind is the phase of the connection.
type StateKind int

const (
	StateConnecting StateKind = iota
	StateConnected
	StateReconnecting
	StateStopped
)

// State is one connection state change, reported as a value the UI shows.
type State struct {
	Kind     StateKind
	Protocol string        // "5" or "3.1.1" once connected
	Broker   string        // URL without credentials
	RetryIn  time.Duration // for StateReconnecting
	Attempt  int
	Err      error // why it went down or stopped
	At       time.Time
}

// Client is a connection to one broker. Implementations: MQTT 5, MQTT 3.1.1
// and auto (5 first, 3.1.1 on refusal).
type Client interface {
	// Start connects and subscribes. It returns once the first connection is
	// up, or an error when it fails within the connect timeout. After that,
	// the client reconnects by itself until Close.
	Start(ctx context.Context) error
	// Messages delivers received messages. When the buffer is full the
	// network waits (backpressure); QoS 0 messages are dropped and counted
	// only once the consumer has taken nothing for Options.DropAfter.
	Messages() <-chan Message
	// Dropped counts messages lost because the consumer made no progress.
	Dropped() uint64
	// Publish sends one message and waits for its acknowledgement (QoS > 0)
	// or until ctx ends. It never panics and reports every failure as a value.
	Publish(ctx context.Context, req PublishRequest) PublishResult
	// Protocol is "5" or "3.1.1" once connected, "" before.
	Protocol() string
	// Close disconnects cleanly and stops reconnecting.
	Close() error
}
