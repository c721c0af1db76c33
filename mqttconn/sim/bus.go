package sim

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/broker"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Bus is what the simulator publishes to and listens on: the embedded
// broker's in-process client for `mqdeck demo`, or an mqttconn.Client for
// `mqdeck sim --broker URL`. fn may be called from any goroutine and must
// return quickly.
type Bus interface {
	Publish(topic string, payload []byte, qos byte, retain bool, props *mqttconn.Props) error
	Subscribe(filter string, fn func(mqttconn.Message)) error
}

// BrokerBus adapts the embedded broker's in-process client: no socket, no
// acknowledgement to wait for. Handlers run in the publisher's goroutine.
type BrokerBus struct {
	b      *broker.Broker
	nextID atomic.Int32
}

// NewBrokerBus wraps an embedded broker.
func NewBrokerBus(b *broker.Broker) *BrokerBus { return &BrokerBus{b: b} }

// Publish injects one message into the broker.
func (b *BrokerBus) Publish(topic string, payload []byte, qos byte, retain bool, props *mqttconn.Props) error {
	return b.b.PublishProps(topic, payload, retain, qos, props)
}

// Subscribe adds an inline subscription. The inline client does not learn
// the QoS or retain flag of what it receives; the simulator needs neither.
func (b *BrokerBus) Subscribe(filter string, fn func(mqttconn.Message)) error {
	id := int(b.nextID.Add(1))
	return b.b.Subscribe(filter, id, func(topic string, payload []byte, props *mqttconn.Props) {
		fn(mqttconn.Message{Topic: topic, Payload: payload, Props: props, Received: time.Now()})
	})
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
// until ctx ends or the client's message channel closes. Sim.Run starts it.
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
				if platform.Matches(h.filter, m.Topic) {
					h.fn(m)
				}
			}
			b.mu.RUnlock()
		}
	}
}

// Connect makes an mqttconn.Client for opts, with the simulator's request
// filters added to its subscriptions, starts it, and returns a simulator
// publishing through it: `mqdeck sim --broker URL`. Run the simulator, then
// Close the client. Over MQTT 3.1.1 the MQTT 5 properties (Drogue binary
// mode's attributes, the device API's user properties) are dropped.
func Connect(ctx context.Context, cfg Config, opts mqttconn.Options) (*Sim, mqttconn.Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	opts.Subscriptions = append(append([]mqttconn.Subscription(nil), opts.Subscriptions...), Subscriptions(cfg)...)
	c, err := mqttconn.New(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: %w", err)
	}
	if err := c.Start(ctx); err != nil {
		_ = c.Close()
		return nil, nil, fmt.Errorf("sim: connect: %w", err)
	}
	return New(cfg, NewClientBus(c)), c, nil
}
