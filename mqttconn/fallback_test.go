package mqttconn_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// A broker that speaks only 3.1.1: auto falls back, says so, and works.
func TestAutoFallsBackTo311(t *testing.T) {
	for _, refuse := range []bool{true, false} {
		name := "connack-0x01"
		if !refuse {
			name = "closes-handshake"
		}
		t.Run(name, func(t *testing.T) {
			b := mqtttest.EmbeddedBroker(t)
			peer := v3OnlyPeer(t, b.Addr(), refuse)

			c, rec := start(t, mqttconn.Options{Broker: peer, Protocol: mqttconn.ProtocolAuto,
				Subscriptions: []mqttconn.Subscription{{Filter: "fb/#", QoS: 1}}})
			if c.Protocol() != "3.1.1" {
				t.Fatalf("auto ended on %q, want 3.1.1", c.Protocol())
			}
			st, subs := rec.snapshot()
			var sawFallback, connected311 bool
			for _, s := range st {
				if s.Kind == mqttconn.StateConnecting && s.Protocol == "3.1.1" && s.Err != nil && strings.Contains(s.Err.Error(), "MQTT 5 refused") {
					sawFallback = true
				}
				if s.Kind == mqttconn.StateConnected && s.Protocol == "3.1.1" {
					connected311 = true
				}
			}
			if !sawFallback || !connected311 {
				t.Fatalf("states do not report the fallback:\n%s", describeStates(st))
			}
			if len(subs) != 1 || subs[0][0].Err != nil {
				t.Fatalf("subscriptions %+v", subs)
			}
			if err := b.Publish("fb/x", []byte("via 3.1.1"), false, 1); err != nil {
				t.Fatal(err)
			}
			if m := next(t, c, 5*time.Second); string(m.Payload) != "via 3.1.1" || m.Props != nil {
				t.Fatalf("got %+v", m)
			}
			if r := publish(t, c, mqttconn.PublishRequest{Topic: "fb/out", Payload: []byte("x"), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
				t.Fatalf("publish after fallback %+v", r)
			}
		})
	}
}

// Forced MQTT 5 against the same peer fails with a clear reason.
func TestForced5AgainstV311Broker(t *testing.T) {
	b := mqtttest.EmbeddedBroker(t)
	_, _, err := tryStart(t, mqttconn.Options{Broker: v3OnlyPeer(t, b.Addr(), true), Protocol: mqttconn.Protocol5})
	if !errors.Is(err, mqttconn.ErrUnsupportedProtocol) {
		t.Fatalf("err %v, want ErrUnsupportedProtocol", err)
	}
	if line := mqttconn.Describe(err); !strings.Contains(line, "unacceptable protocol version") {
		t.Fatalf("line %q does not name the refusal", line)
	}
	// The bare-close variant cannot be told apart from other hang-ups, so
	// it is reported as what happened.
	_, _, err = tryStart(t, mqttconn.Options{Broker: v3OnlyPeer(t, b.Addr(), false), Protocol: mqttconn.Protocol5})
	if !errors.Is(err, mqttconn.ErrHandshake) || !strings.Contains(err.Error(), "closed the connection") {
		t.Fatalf("err %v, want handshake closed", err)
	}
}
