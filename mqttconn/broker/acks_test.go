package broker

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
)

// connect5 opens a raw MQTT 5 client (paho.golang) over the socket; msgs
// receives what it is sent.
func connect5(t *testing.T, addr, id string, msgs chan<- *paho.Publish) *paho.Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := paho.NewClient(paho.ClientConfig{
		ClientID: id,
		Conn:     conn,
		OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
			if msgs != nil {
				msgs <- pr.Packet
			}
			return true, nil
		}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Connect(ctx, &paho.Connect{ClientID: id, CleanStart: true, KeepAlive: 30}); err != nil {
		_ = conn.Close()
		t.Fatalf("connect %s: %v", id, err)
	}
	t.Cleanup(func() { _ = c.Disconnect(&paho.Disconnect{}) })
	return c
}

// PUBACK and PUBREC carry a reason code valid for them (mochi sent
// "granted QoS 1", 0x01, which mqtt.js refuses) and none of the publish's
// properties: mochi echoed its user properties, the device API's access_key
// among them.
func TestAcksCarryValidCodeAndNoEchoedProperties(t *testing.T) {
	b := start(t, Config{Addr: "127.0.0.1:0"})
	pub := connect5(t, b.Addr(), "pub", nil)
	for _, qos := range []byte{1, 2} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		resp, err := pub.Publish(ctx, &paho.Publish{
			Topic: "v1/device/d1/get", QoS: qos, Payload: []byte("{}"),
			Properties: &paho.PublishProperties{User: paho.UserProperties{
				{Key: "device_id", Value: "d1"}, {Key: "access_key", Value: "s3cret"},
			}},
		})
		cancel()
		if err != nil {
			t.Fatalf("QoS %d publish: %v", qos, err)
		}
		if resp.ReasonCode != 0x00 {
			t.Errorf("QoS %d: ack reason 0x%02X, want 0x00 (success)", qos, resp.ReasonCode)
		}
		if resp.Properties != nil && len(resp.Properties.User) > 0 {
			t.Errorf("QoS %d: ack echoes the publish's user properties %v", qos, resp.Properties.User)
		}
	}
}

// A message reaches a subscriber without a message expiry its publisher did
// not set (mochi stamped its 24 h maximum on every one); one that was set
// arrives, counted down at most.
func TestNoMessageExpiryThePublisherDidNotSet(t *testing.T) {
	b := start(t, Config{Addr: "127.0.0.1:0"})
	msgs := make(chan *paho.Publish, 8)
	sub := connect5(t, b.Addr(), "sub", msgs)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := sub.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: "x/#", QoS: 1}}}); err != nil {
		t.Fatal(err)
	}
	pub := connect5(t, b.Addr(), "pub", nil)
	exp := uint32(30)
	for _, p := range []*paho.Publish{
		{Topic: "x/plain", QoS: 1, Payload: []byte("a")},
		{Topic: "x/expiring", QoS: 1, Payload: []byte("b"), Properties: &paho.PublishProperties{MessageExpiry: &exp}},
	} {
		if _, err := pub.Publish(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Publish("x/inline", []byte("c"), false, 1); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		select {
		case m := <-msgs:
			var got *uint32
			if m.Properties != nil {
				got = m.Properties.MessageExpiry
			}
			switch {
			case m.Topic == "x/expiring" && (got == nil || *got == 0 || *got > 30):
				t.Errorf("%s: message expiry %v, want 1..30 as published", m.Topic, got)
			case m.Topic != "x/expiring" && got != nil:
				t.Errorf("%s: message expiry %d that no publisher set", m.Topic, *got)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("subscriber got fewer than 3 messages")
		}
	}
}
