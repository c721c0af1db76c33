package hostile

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/broker"
)

// Publisher sends one hostile message.
type Publisher interface {
	Publish(ctx context.Context, topic string, payload []byte, props *mqttconn.Props) error
}

// ClientPublisher publishes over a socket with QoS 1, so each message was
// taken by the broker before the next. A broker that refuses a message
// (Wire cases) usually drops the connection: Publish waits for the client
// to reconnect, then reports the refusal.
type ClientPublisher struct{ C mqttconn.Client }

// Publish implements Publisher.
func (p ClientPublisher) Publish(ctx context.Context, topic string, payload []byte, props *mqttconn.Props) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		// A broker that refuses drops the connection without an answer.
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		r := p.C.Publish(pctx, mqttconn.PublishRequest{Topic: topic, Payload: payload, QoS: 1, Props: props})
		cancel()
		switch {
		case r.Outcome == mqttconn.OutcomeAcked:
			return nil
		case r.Outcome == mqttconn.OutcomeOffline && time.Now().Before(deadline) && ctx.Err() == nil:
			time.Sleep(50 * time.Millisecond) // reconnecting after a refusal
			continue
		}
		return fmt.Errorf("broker refused: %s", mqttconn.Describe(r.Err))
	}
}

// InjectPublisher hands messages to an embedded broker without a socket,
// past the checks a conforming broker makes on what clients send: what a
// broken or hostile broker could deliver to the console.
type InjectPublisher struct{ B *broker.Broker }

// Publish implements Publisher.
func (p InjectPublisher) Publish(_ context.Context, topic string, payload []byte, props *mqttconn.Props) error {
	return p.B.PublishProps(topic, payload, false, 1, props)
}

// Result is what became of one case.
type Result struct {
	Case    Case
	Sent    int           // messages the broker took
	Err     error         // the first refusal
	Elapsed time.Duration // publishing time
}

// Run publishes each case in order and calls after once it is sent (to
// check the console); after's error stops the sweep. Run returns what it
// did, and the error that stopped it.
func Run(ctx context.Context, pub Publisher, cases []Case, after func(Result) error) ([]Result, error) {
	out := make([]Result, 0, len(cases))
	for _, c := range cases {
		start := time.Now()
		r := Result{Case: c}
		n := max(c.Repeat, 1)
		for i := range n {
			topic := c.Topic
			if c.Repeat > 1 {
				topic += "/" + strconv.Itoa(i)
			}
			if err := pub.Publish(ctx, topic, c.Payload, c.Props); err != nil {
				r.Err = err
				break
			}
			r.Sent++
		}
		r.Elapsed = time.Since(start)
		out = append(out, r)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if after != nil {
			if err := after(r); err != nil {
				return out, fmt.Errorf("after %q: %w", c.Name, err)
			}
		}
	}
	return out, nil
}

// Totals sums a sweep: messages tried, taken by the broker, refused.
func Totals(rs []Result) (tried, sent, refused int) {
	for _, r := range rs {
		tried += max(r.Case.Repeat, 1)
		sent += r.Sent
		if r.Err != nil {
			refused++
		}
	}
	return tried, sent, refused
}

// ErrProblem marks a check that found the console harmed.
var ErrProblem = errors.New("console harmed")
