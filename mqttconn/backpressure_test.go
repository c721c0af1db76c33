package mqttconn_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// A consumer slower than the broker but never stuck (issue 12): the
// hand-off buffer fills, the handler waits, the broker is held back, and
// over several keepalive periods with the read loop mostly waiting the
// connection stays up and not one message is lost or reordered, on both
// protocols and for QoS 0 and 1.
func TestSlowSteadyConsumerLosesNothing(t *testing.T) {
	const (
		keepalive = 2 * time.Second
		n         = 2500
		step      = 2 * time.Millisecond // ~5 s to drain: more than two keepalives
	)
	// max_queued_messages 0: Mosquitto itself drops QoS 0 for a client more
	// than 1000 packets behind; this test is about mqdeck's side.
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Extra: []string{"max_queued_messages 0"}})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
		for _, qos := range []byte{0, 1} {
			t.Run(fmt.Sprintf("%s/qos%d", p, qos), func(t *testing.T) {
				t.Parallel()
				topic := fmt.Sprintf("slow/%s/%d", p, qos)
				c, rec := start(t, mqttconn.Options{Broker: m.URL(), Protocol: p, KeepAlive: keepalive, BufferSize: 16,
					Subscriptions: []mqttconn.Subscription{{Filter: topic, QoS: qos}}})
				pub, _ := start(t, mqttconn.Options{Broker: m.URL(), Protocol: mqttconn.Protocol5})
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				published := make(chan error, 1)
				go func() {
					for i := range n {
						if r := pub.Publish(ctx, mqttconn.PublishRequest{Topic: topic, Payload: []byte(strconv.Itoa(i)), QoS: qos}); r.Outcome != mqttconn.OutcomeAcked {
							published <- fmt.Errorf("publish %d: %+v", i, r)
							return
						}
					}
					published <- nil
				}()
				start := time.Now()
				for i := range n {
					msg := next(t, c, 3*keepalive)
					if got := string(msg.Payload); got != strconv.Itoa(i) {
						t.Fatalf("message %d is %q: lost or reordered", i, got)
					}
					time.Sleep(step)
				}
				took := time.Since(start)
				if err := <-published; err != nil {
					t.Fatal(err)
				}
				none(t, c, 300*time.Millisecond)
				if d := c.Dropped(); d != 0 {
					t.Fatalf("%d dropped by a consumer that never stopped", d)
				}
				if w := c.(interface{ Waits() uint64 }).Waits(); w == 0 {
					t.Fatal("the handler never waited: the test did not apply backpressure")
				}
				st, _ := rec.snapshot()
				if k := countKind(st, mqttconn.StateReconnecting); k != 0 || took < 2*keepalive {
					t.Fatalf("%d reconnects while draining for %s: %s", k, took, describeStates(st))
				}
			})
		}
	}
}

// A persistent session resumed with a backlog (issue 12): the broker sends
// the queued messages before the SUBACK, which then queues behind them
// while the handler waits for the consumer. Start must not sit out the
// connect timeout waiting for that SUBACK while nobody consumes, the
// SUBACK must not be given up as "refused" because it came late, and
// nothing may be lost. The consumer takes ~12 s.
func TestResumedBacklogBeforeSuback(t *testing.T) {
	const n = 3000
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Extra: []string{"max_queued_messages 0", "queue_qos0_messages true"}})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			id, topic := "backlog-"+string(p), "backlog/"+string(p)
			o := mqttconn.Options{Broker: m.URL(), Protocol: p, ClientID: id, SessionExpiry: time.Hour, BufferSize: 16,
				ConnectTimeout: 8 * time.Second, Subscriptions: []mqttconn.Subscription{{Filter: topic}}}
			first, err := mqttconn.New(o)
			if err != nil {
				t.Fatal(err)
			}
			if err := first.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			_ = first.Close() // the session stays, offline
			pub, _ := start(t, mqttconn.Options{Broker: m.URL(), Protocol: mqttconn.Protocol5})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for i := range n {
				if r := pub.Publish(ctx, mqttconn.PublishRequest{Topic: topic, Payload: []byte(strconv.Itoa(i)), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
					t.Fatalf("publish %d: %+v", i, r)
				}
			}
			began := time.Now()
			c, rec := start(t, o)
			if took := time.Since(began); took > 4*time.Second {
				t.Fatalf("Start took %s with the backlog waiting on it", took)
			}
			for i := range n {
				if got := string(next(t, c, 5*time.Second).Payload); got != strconv.Itoa(i) {
					t.Fatalf("message %d is %q", i, got)
				}
				time.Sleep(4 * time.Millisecond)
			}
			rec.waitFor(t, 5*time.Second, "the late SUBACK", func(_ []mqttconn.State, subs [][]mqttconn.SubResult) bool {
				return len(subs) > 0
			})
			_, subs := rec.snapshot()
			if r := subs[0][0]; r.Err != nil {
				t.Fatalf("the SUBACK behind the backlog was reported as %v", r.Err)
			}
			if d := c.Dropped(); d != 0 {
				t.Fatalf("%d dropped", d)
			}
		})
	}
}
