package sim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// Bus is what the simulator publishes to and listens on: the embedded
// broker's in-process client for `mqdeck demo`, or an mqttconn.Client for
// `mqdeck sim --broker URL`. fn may be called from any goroutine and must
// return quickly.
type Bus interface {
	Publish(topic string, payload []byte, qos byte, retain bool, props *mqttconn.Props) error
	Subscribe(filter string, fn func(mqttconn.Message)) error
}

// ClientBus adapts an mqttconn.Client. A Client subscribes to the filters
// of its Options on every connect, so the filters the simulator listens on
// must be in Options.Subscriptions (see Subscriptions); Subscribe here only
// registers where matching messages go. Run dispatches them.
type ClientBus struct {
	c       mqttconn.Client
	timeout time.Duration

	mu       sync.RWMutex
	handlers []handler
}

type handler struct {
	filter string
	fn     func(mqttconn.Message)
}

// NewClientBus wraps c. Publishes with QoS > 0 wait up to 10 s for their
// acknowledgement.
func NewClientBus(c mqttconn.Client) *ClientBus {
	return &ClientBus{c: c, timeout: 10 * time.Second}
}

// Publish sends one message; any outcome but acknowledged is an error.
func (b *ClientBus) Publish(topic string, payload []byte, qos byte, retain bool, props *mqttconn.Props) error {
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	res := b.c.Publish(ctx, mqttconn.PublishRequest{Topic: topic, Payload: payload, QoS: qos, Retain: retain, Props: props})
	if res.Outcome == mqttconn.OutcomeAcked {
		return nil
	}
	if res.Err != nil {
		return fmt.Errorf("publish %s: %w", topic, res.Err)
	}
	return fmt.Errorf("publish %s: outcome %d (reason 0x%02x %s)", topic, res.Outcome, res.ReasonCode, res.Reason)
}

// Subscribe registers fn for messages matching filter.
func (b *ClientBus) Subscribe(filter string, fn func(mqttconn.Message)) error {
	if fn == nil || filter == "" {
		return errors.New("sim: client bus: subscribe needs a filter and a handler")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handlers = append(b.handlers, handler{filter: filter, fn: fn})
	return nil
}

// Run hands every received message to the handlers whose filter matches,
// until ctx ends or the client's message channel closes.
func (b *ClientBus) Run(ctx context.Context) error {
	msgs := b.c.Messages()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			b.mu.RLock()
			for _, h := range b.handlers {
				if Match(h.filter, m.Topic) {
					h.fn(m)
				}
			}
			b.mu.RUnlock()
		}
	}
}

// Match reports whether an MQTT topic filter (with + and #) matches topic.
// Topics starting with $ match only filters that name that level.
func Match(filter, topic string) bool {
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	for {
		f, frest, fmore := strings.Cut(filter, "/")
		if f == "#" {
			return true
		}
		t, trest, tmore := strings.Cut(topic, "/")
		if f != "+" && f != t {
			return false
		}
		if !fmore || !tmore {
			// "a/#" also matches "a".
			return fmore == tmore || (!tmore && frest == "#")
		}
		filter, topic = frest, trest
	}
}
