package broker

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqdeck/mqdeck/mqttconn"
)

func start(t *testing.T, cfg Config) *Broker {
	t.Helper()
	b, err := StartConfig(cfg)
	if err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// connect opens a real MQTT 3.1.1 client over the socket.
func connect(t *testing.T, url string, onMsg paho.MessageHandler) paho.Client {
	t.Helper()
	opts := paho.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("t-%d", time.Now().UnixNano())).
		SetAutoReconnect(false).SetConnectTimeout(5 * time.Second).SetDefaultPublishHandler(onMsg)
	c := paho.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect %s: %v", url, tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

func subscribe(t *testing.T, c paho.Client, filter string) {
	t.Helper()
	if tok := c.Subscribe(filter, 0, nil); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe %s: %v", filter, tok.Error())
	}
}

func TestStartURLOnLoopbackFreePort(t *testing.T) {
	b := start(t, Config{Addr: "127.0.0.1:0"})
	if !strings.HasPrefix(b.URL(), "mqtt://127.0.0.1:") || b.Port() == 0 {
		t.Fatalf("URL %q port %d: want mqtt://127.0.0.1:<free port>", b.URL(), b.Port())
	}
	if b.WSURL() != "" {
		t.Fatalf("WSURL %q without a websocket listener", b.WSURL())
	}
	b2 := start(t, Config{Addr: "127.0.0.1:0"})
	if b2.Port() == b.Port() {
		t.Fatalf("two brokers on the same port %d", b.Port())
	}
}

func TestInlinePublishReachesSocketClientAndBack(t *testing.T) {
	b := start(t, Config{Addr: "127.0.0.1:0"})
	got := make(chan string, 4)
	c := connect(t, "tcp://"+b.Addr(), func(_ paho.Client, m paho.Message) {
		got <- m.Topic() + "=" + string(m.Payload())
	})
	subscribe(t, c, "demo/#")

	if err := b.Publish("demo/a", []byte("one"), false, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "demo/a=one" {
			t.Fatalf("client got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("socket client did not receive the inline publish")
	}

	// A socket client's publish reaches an inline subscriber.
	inline := make(chan string, 1)
	if err := b.Subscribe("up/+", 1, func(topic string, payload []byte, _ *mqttconn.Props) {
		inline <- topic + "=" + string(payload)
	}); err != nil {
		t.Fatal(err)
	}
	if tok := c.Publish("up/x", 1, false, "two"); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	select {
	case s := <-inline:
		if s != "up/x=two" {
			t.Fatalf("inline subscriber got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("inline subscriber did not receive the client's publish")
	}
	if err := b.Unsubscribe("up/+", 1); err != nil {
		t.Fatal(err)
	}
}

func TestInlinePropsRoundTrip(t *testing.T) {
	b := start(t, Config{Addr: "127.0.0.1:0"})
	got := make(chan *mqttconn.Props, 1)
	if err := b.Subscribe("v1/device/+/get", 7, func(_ string, _ []byte, p *mqttconn.Props) { got <- p }); err != nil {
		t.Fatal(err)
	}
	exp := uint32(30)
	want := &mqttconn.Props{
		ContentType: "application/json", ResponseTopic: "r/1", CorrelationData: []byte{1, 2},
		User:          []mqttconn.UserProperty{{Key: "device_id", Value: "d1"}, {Key: "access_key", Value: "k"}, {Key: "device_id", Value: "dup"}},
		MessageExpiry: &exp,
	}
	if err := b.PublishProps("v1/device/d1/get", []byte("{}"), false, 1, want); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		if p == nil || p.ContentType != want.ContentType || p.ResponseTopic != want.ResponseTopic ||
			string(p.CorrelationData) != string(want.CorrelationData) || p.MessageExpiry == nil || *p.MessageExpiry != 30 {
			t.Fatalf("props %+v, want %+v", p, want)
		}
		if len(p.User) != 3 || p.User[0] != want.User[0] || p.User[1] != want.User[1] || p.User[2] != want.User[2] {
			t.Fatalf("user properties %v, want %v in order", p.User, want.User)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("inline subscriber got nothing")
	}
	if err := b.Publish("bad/#", nil, false, 0); err == nil {
		t.Fatal("publish to a wildcard topic succeeded")
	}
	if err := b.Publish("a", nil, false, 3); err == nil {
		t.Fatal("publish with QoS 3 succeeded")
	}
}

// A burst far beyond mochi's default 8192 pending writes reaches a socket
// subscriber whole: the raised queue is what keeps demo floods lossless.
func TestBurstBeyondDefaultQueueIsNotDropped(t *testing.T) {
	b := start(t, Config{Addr: "127.0.0.1:0"})
	const n = 40000
	var count atomic.Int64
	done := make(chan struct{})
	c := connect(t, "tcp://"+b.Addr(), func(_ paho.Client, _ paho.Message) {
		if count.Add(1) == n {
			close(done)
		}
	})
	subscribe(t, c, "burst/#")
	payload := []byte(strings.Repeat("x", 200))
	for i := range n {
		if err := b.Publish("burst/t", payload, false, 0); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if d := b.Dropped(); d != 0 {
		t.Fatalf("broker dropped %d of a %d burst", d, n)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("received %d of %d, broker dropped %d", count.Load(), n, b.Dropped())
	}
	if d := b.Dropped(); d != 0 {
		t.Fatalf("broker dropped %d", d)
	}
}

func TestWebsocketListener(t *testing.T) {
	b := start(t, Config{Addr: "127.0.0.1:0", WSAddr: "127.0.0.1:0"})
	if !strings.HasPrefix(b.WSURL(), "ws://127.0.0.1:") || !strings.HasSuffix(b.WSURL(), WSPath) {
		t.Fatalf("WSURL %q", b.WSURL())
	}
	got := make(chan string, 1)
	c := connect(t, b.WSURL(), func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) })
	subscribe(t, c, "ws/#")
	if err := b.Publish("ws/a", []byte("over websocket"), false, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "over websocket" {
			t.Fatalf("got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("websocket client received nothing")
	}
	if n := b.Clients(); n != 1 {
		t.Fatalf("Clients() = %d, want 1", n)
	}
}
