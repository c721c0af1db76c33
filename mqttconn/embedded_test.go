package mqttconn_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/broker"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

var protocols = []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311}

func TestEmbeddedPubSubBothProtocols(t *testing.T) {
	url := mqtttest.Embedded(t)
	for _, p := range protocols {
		t.Run(string(p), func(t *testing.T) {
			// A session expiry puts properties into CONNECT: they must not
			// cost the user properties of received messages.
			sub, rec := start(t, mqttconn.Options{Broker: url, Protocol: p, SessionExpiry: time.Minute,
				Subscriptions: []mqttconn.Subscription{{Filter: "emb/" + string(p) + "/#", QoS: 1}}})
			if sub.Protocol() != string(p) {
				t.Fatalf("Protocol() = %q, want %q", sub.Protocol(), p)
			}
			st, subs := rec.snapshot()
			if len(st) < 2 || st[0].Kind != mqttconn.StateConnecting || st[1].Kind != mqttconn.StateConnected || st[1].Protocol != string(p) {
				t.Fatalf("states:\n%s", describeStates(st))
			}
			if st[1].Broker != url {
				t.Fatalf("state broker %q, want %q", st[1].Broker, url)
			}
			if len(subs) != 1 || len(subs[0]) != 1 || subs[0][0].Err != nil || subs[0][0].Granted != 1 {
				t.Fatalf("SUBACK results %+v", subs)
			}
			pub, _ := start(t, mqttconn.Options{Broker: url, Protocol: p})
			props := &mqttconn.Props{ContentType: "application/json", ResponseTopic: "reply/1", CorrelationData: []byte("c1"),
				User: []mqttconn.UserProperty{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}, {Key: "b", Value: "3"}}}
			res := publish(t, pub, mqttconn.PublishRequest{Topic: "emb/" + string(p) + "/x", Payload: []byte(`{"v":1}`), QoS: 1, Props: props})
			if res.Outcome != mqttconn.OutcomeAcked {
				t.Fatalf("publish: %+v", res)
			}
			m := next(t, sub, 5*time.Second)
			if m.Topic != "emb/"+string(p)+"/x" || string(m.Payload) != `{"v":1}` || m.QoS != 1 || m.Retain || m.Received.IsZero() {
				t.Fatalf("message %+v", m)
			}
			if time.Since(m.Received) > 5*time.Second {
				t.Fatalf("receive time %s is stale", m.Received)
			}
			switch p {
			case mqttconn.Protocol5:
				// The console shows a PUBACK's reason: the embedded broker's
				// must be a plain success, not "granted QoS 1 (0x01)".
				if res.ReasonCode != 0 || res.Reason != "" {
					t.Fatalf("v5 publish acked with reason 0x%02X %q, want success and no reason", res.ReasonCode, res.Reason)
				}
				if m.Props != nil && m.Props.MessageExpiry != nil {
					t.Fatalf("message expiry %d that the publisher did not set", *m.Props.MessageExpiry)
				}
				if m.Props == nil || m.Props.ContentType != "application/json" || m.Props.ResponseTopic != "reply/1" ||
					string(m.Props.CorrelationData) != "c1" || len(m.Props.User) != 3 ||
					m.Props.User[0] != props.User[0] || m.Props.User[1] != props.User[1] || m.Props.User[2] != props.User[2] {
					t.Fatalf("v5 props %+v", m.Props)
				}
			case mqttconn.Protocol311:
				if m.Props != nil {
					t.Fatalf("3.1.1 message has props %+v", m.Props)
				}
				if !errors.Is(res.Err, mqttconn.ErrPropsDropped) || res.Reason == "" {
					t.Fatalf("3.1.1 publish with props did not say they were dropped: %+v", res)
				}
			}
			// Retained messages arrive flagged on subscribe.
			if r := publish(t, pub, mqttconn.PublishRequest{Topic: "ret/" + string(p), Payload: []byte("R"), Retain: true, QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
				t.Fatalf("retained publish %+v", r)
			}
			late, _ := start(t, mqttconn.Options{Broker: url, Protocol: p, Subscriptions: []mqttconn.Subscription{{Filter: "ret/" + string(p)}}})
			if m := next(t, late, 5*time.Second); !m.Retain || string(m.Payload) != "R" {
				t.Fatalf("retained message %+v", m)
			}
		})
	}
}

func TestEmbeddedWebsocket(t *testing.T) {
	b := mqtttest.EmbeddedConfig(t, broker.Config{Addr: "127.0.0.1:0", WSAddr: "127.0.0.1:0"})
	for _, p := range protocols {
		t.Run(string(p), func(t *testing.T) {
			c, _ := start(t, mqttconn.Options{Broker: b.WSURL(), Protocol: p,
				Subscriptions: []mqttconn.Subscription{{Filter: "ws/" + string(p) + "/#"}}})
			// Topics per subtest: mochi acknowledges a QoS 1 publish before it
			// routes it, so a late delivery must not reach the next subtest.
			if err := b.Publish("ws/"+string(p)+"/in", []byte("over ws"), false, 0); err != nil {
				t.Fatal(err)
			}
			if m := next(t, c, 5*time.Second); string(m.Payload) != "over ws" {
				t.Fatalf("got %+v", m)
			}
			if r := publish(t, c, mqttconn.PublishRequest{Topic: "ws/" + string(p) + "/back", Payload: []byte("x"), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
				t.Fatalf("publish over ws: %+v", r)
			}
		})
	}
}

func TestReadOnlyRefusesAtTransport(t *testing.T) {
	url := mqtttest.Embedded(t)
	watcher, _ := start(t, mqttconn.Options{Broker: url, Protocol: mqttconn.Protocol5,
		Subscriptions: []mqttconn.Subscription{{Filter: "#"}}})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
		ro, _ := start(t, mqttconn.Options{Broker: url, Protocol: p, ReadOnly: true})
		for _, qos := range []byte{0, 1} {
			r := publish(t, ro, mqttconn.PublishRequest{Topic: "drivr/v1/x/input/event/s/1/json", Payload: []byte("{}"), QoS: qos})
			if r.Outcome != mqttconn.OutcomeReadOnly || !errors.Is(r.Err, mqttconn.ErrReadOnly) {
				t.Fatalf("%s read-only publish: %+v", p, r)
			}
		}
	}
	none(t, watcher, 300*time.Millisecond)
}

func TestOfflinePublishReturnsAtOnce(t *testing.T) {
	for _, p := range protocols {
		t.Run(string(p), func(t *testing.T) {
			b := mqtttest.EmbeddedBroker(t)
			c, rec := start(t, mqttconn.Options{Broker: b.URL(), Protocol: p})
			_ = b.Close()
			rec.waitFor(t, 5*time.Second, "reconnecting", func(st []mqttconn.State, _ [][]mqttconn.SubResult) bool {
				return countKind(st, mqttconn.StateReconnecting) > 0
			})
			t0 := time.Now()
			r := publish(t, c, mqttconn.PublishRequest{Topic: "a", Payload: []byte("x"), QoS: 1})
			if r.Outcome != mqttconn.OutcomeOffline || !errors.Is(r.Err, mqttconn.ErrOffline) {
				t.Fatalf("publish while down: %+v", r)
			}
			if d := time.Since(t0); d > 200*time.Millisecond {
				t.Fatalf("offline publish took %s", d)
			}
			st, _ := rec.snapshot()
			for _, s := range st {
				if s.Kind == mqttconn.StateReconnecting && (s.RetryIn <= 0 || s.RetryIn > time.Second || s.Err == nil) {
					t.Fatalf("first reconnect state %+v: want a delay within 1s and a reason", s)
				}
				if s.Kind == mqttconn.StateReconnecting {
					break
				}
			}
		})
	}
}

func TestDropsCountedAndConnectionHolds(t *testing.T) {
	for _, p := range protocols {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			b := mqtttest.EmbeddedBroker(t)
			// 2 s: mochi allows keepalive*1.5 in whole seconds, so 1 s would
			// leave no slack at all.
			c, rec := start(t, mqttconn.Options{Broker: b.URL(), Protocol: p, BufferSize: 4, KeepAlive: 2 * time.Second,
				Subscriptions: []mqttconn.Subscription{{Filter: "flood/#"}}})
			const n = 500
			for i := range n {
				if err := b.Publish("flood/x", []byte{byte(i)}, false, 0); err != nil {
					t.Fatal(err)
				}
			}
			deadline := time.Now().Add(5 * time.Second)
			for c.Dropped() < n-4 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if d := c.Dropped(); d != n-4 {
				t.Fatalf("Dropped() = %d, want %d (buffer 4, nobody reading)", d, n-4)
			}
			// Nobody read for DropAfter (half the keepalive), so the rest
			// was dropped. Several keepalive periods pass with a full
			// buffer: the handler no longer waits, the link stays up.
			time.Sleep(4500 * time.Millisecond)
			st, _ := rec.snapshot()
			if countKind(st, mqttconn.StateReconnecting) != 0 {
				t.Fatalf("connection dropped while the buffer was full:\n%s", describeStates(st))
			}
			for range 4 {
				next(t, c, time.Second)
			}
			if err := b.Publish("flood/after", []byte("fresh"), false, 0); err != nil {
				t.Fatal(err)
			}
			if m := next(t, c, 5*time.Second); m.Topic != "flood/after" {
				t.Fatalf("after draining got %+v", m)
			}
		})
	}
}

func TestConnectionRefusedIsOneClearLine(t *testing.T) {
	port := mqtttest.FreePort(t)
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
		t0 := time.Now()
		_, rec, err := tryStart(t, mqttconn.Options{Broker: "mqtt://127.0.0.1:" + itoa(port), Protocol: p})
		if !errors.Is(err, mqttconn.ErrRefused) {
			t.Fatalf("%s: err %v, want ErrRefused", p, err)
		}
		line := mqttconn.Describe(err)
		if strings.Contains(line, "\n") || !strings.Contains(line, "connection refused") || !strings.Contains(line, "127.0.0.1:"+itoa(port)) {
			t.Fatalf("%s: %q", p, line)
		}
		if d := time.Since(t0); d > 2*time.Second {
			t.Fatalf("%s: refused took %s", p, d)
		}
		st, _ := rec.snapshot()
		if last := st[len(st)-1]; last.Kind != mqttconn.StateStopped || !errors.Is(last.Err, mqttconn.ErrRefused) {
			t.Fatalf("%s: last state %+v, want stopped because refused", p, last)
		}
	}
}

func TestConnectTimeout(t *testing.T) {
	// A listener that accepts and never answers CONNECT.
	ln := silentListener(t)
	t0 := time.Now()
	_, _, err := tryStart(t, mqttconn.Options{Broker: "mqtt://" + ln, Protocol: mqttconn.ProtocolAuto, ConnectTimeout: 700 * time.Millisecond})
	if !errors.Is(err, mqttconn.ErrTimeout) {
		t.Fatalf("err %v, want ErrTimeout", err)
	}
	if d := time.Since(t0); d < 600*time.Millisecond || d > 2*time.Second {
		t.Fatalf("Start returned after %s with a 700ms connect timeout", d)
	}
}

func TestCloseStopsAndReports(t *testing.T) {
	url := mqtttest.Embedded(t)
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
		c, rec := start(t, mqttconn.Options{Broker: url, Protocol: p})
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		_ = c.Close() // twice is fine
		st, _ := rec.snapshot()
		if last := st[len(st)-1]; last.Kind != mqttconn.StateStopped || last.Err != nil || countKind(st, mqttconn.StateStopped) != 1 {
			t.Fatalf("%s: states after Close:\n%s", p, describeStates(st))
		}
		if r := publish(t, c, mqttconn.PublishRequest{Topic: "a", Payload: []byte("x")}); r.Outcome != mqttconn.OutcomeOffline {
			t.Fatalf("%s: publish after Close %+v", p, r)
		}
		if err := c.Start(t.Context()); err == nil {
			t.Fatalf("%s: Start after Start succeeded", p)
		}
	}
}
