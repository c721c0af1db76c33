package mqttconn

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseBroker(t *testing.T) {
	cases := []struct {
		in, want string
		tls, ws  bool
	}{
		{"", "mqtt://127.0.0.1:1883", false, false},
		{"broker.example", "mqtt://broker.example:1883", false, false},
		{"broker.example:1884", "mqtt://broker.example:1884", false, false},
		{"tcp://h", "mqtt://h:1883", false, false},
		{"mqtts://h", "mqtts://h:8883", true, false},
		{"ssl://h:9883", "mqtts://h:9883", true, false},
		{"TLS://h", "mqtts://h:8883", true, false},
		{"ws://h", "ws://h:80/mqtt", false, true},
		{"ws://h:8080/custom/path", "ws://h:8080/custom/path", false, true},
		{"wss://h/mqtt?token=secret", "wss://h:443/mqtt", true, true},
		{"mqtt://[::1]:1883", "mqtt://[::1]:1883", false, false},
	}
	for _, c := range cases {
		b, err := ParseBroker(c.in)
		if err != nil {
			t.Errorf("ParseBroker(%q): %v", c.in, err)
			continue
		}
		if b.String() != c.want || b.TLS() != c.tls || b.Websocket() != c.ws {
			t.Errorf("ParseBroker(%q) = %s tls=%v ws=%v, want %s tls=%v ws=%v", c.in, b, b.TLS(), b.Websocket(), c.want, c.tls, c.ws)
		}
	}
	b, _ := ParseBroker("wss://h/mqtt?token=secret")
	if b.dialURL() != "wss://h:443/mqtt?token=secret" {
		t.Errorf("dial URL lost the query: %s", b.dialURL())
	}
}

func TestParseBrokerRefusals(t *testing.T) {
	for _, in := range []string{"mqtt://alice:s3cret@h", "mqtt://alice@h"} {
		_, err := ParseBroker(in)
		if !errors.Is(err, ErrCredentialsInURL) {
			t.Errorf("ParseBroker(%q) err %v, want ErrCredentialsInURL", in, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error repeats the secret: %v", err)
		}
	}
	for _, in := range []string{"http://h", "mqtt://h:0", "mqtt://h:70000", "mqtt:///nohost", "mqtt://h/path"} {
		if _, err := ParseBroker(in); err == nil {
			t.Errorf("ParseBroker(%q) accepted", in)
		}
	}
}

func TestNewValidates(t *testing.T) {
	bad := []Options{
		{Protocol: "4.0"},
		{Broker: "mqtt://h", CACert: "/nonexistent"}, // TLS file on a plain URL
		{Broker: "mqtts://h", CACert: "/nonexistent/ca.pem"},
		{Broker: "mqtts://h", Key: "k.pem"},
		{Subscriptions: []Subscription{{Filter: ""}}},
		{Subscriptions: []Subscription{{Filter: "a/#/b"}}},
		{Subscriptions: []Subscription{{Filter: "a/b+"}}},
		{Subscriptions: []Subscription{{Filter: "a", QoS: 3}}},
		{Will: &PublishRequest{Topic: "a/+"}},
		{KeepAlive: 70000 * time.Second},
	}
	for i, o := range bad {
		if _, err := New(o); err == nil {
			t.Errorf("case %d: New(%+v) accepted", i, o)
		}
	}
	c, err := New(Options{Subscriptions: []Subscription{{Filter: "#"}, {Filter: "a/+/c/#"}, {Filter: "$share/g/x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if cap(c.Messages()) != DefaultBufferSize {
		t.Errorf("buffer %d, want %d", cap(c.Messages()), DefaultBufferSize)
	}
}

func TestGeneratedClientIDAndSessions(t *testing.T) {
	a, _ := newCommon(Options{})
	b, _ := newCommon(Options{})
	if !strings.HasPrefix(a.clientID, "mqdeck-") || len(a.clientID) > 23 || a.clientID == b.clientID {
		t.Fatalf("generated ids %q %q: want distinct mqdeck-… of at most 23 chars", a.clientID, b.clientID)
	}
	if a.persistent3 {
		t.Error("a generated client id asked for a persistent 3.1.1 session")
	}
	named, _ := newCommon(Options{ClientID: "console-1"})
	if !named.persistent3 {
		t.Error("named client without clean start is not persistent on 3.1.1")
	}
	clean, _ := newCommon(Options{ClientID: "console-1", CleanStart: true})
	if clean.persistent3 {
		t.Error("clean start asked for a persistent session")
	}
}

func TestRetryDelay(t *testing.T) {
	c, _ := newCommon(Options{BackoffMax: 30 * time.Second})
	for n, hi := range []time.Duration{1, 2, 4, 8, 16, 30, 30, 30} {
		hi *= time.Second
		if n >= 5 {
			hi = 30 * time.Second
		}
		for range 50 {
			d := c.retryDelay(n)
			if d < hi/2 || d > hi {
				t.Fatalf("retryDelay(%d) = %s, want within [%s, %s]", n, d, hi/2, hi)
			}
		}
	}
	if d := c.retryDelay(1000); d > 30*time.Second {
		t.Fatalf("retryDelay(1000) = %s over the cap", d)
	}
	// Jitter: many draws are not all equal.
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[c.retryDelay(3)] = true
	}
	if len(seen) < 2 {
		t.Fatal("no jitter")
	}
}

func TestOneLine(t *testing.T) {
	in := "bad\x1b]2;title\x07 thing\nnext\u202eline"
	got := oneLine(in)
	if strings.ContainsAny(got, "\x1b\x07\n\u202e") || !strings.Contains(got, "bad") || !strings.Contains(got, "next") {
		t.Fatalf("oneLine(%q) = %q", in, got)
	}
	if oneLine("plain text") != "plain text" {
		t.Fatal("clean text changed")
	}
}

// A publish acknowledgement's 0x01 is no grant: only a SUBACK grants a QoS.
func TestAckReasonText(t *testing.T) {
	for code, want := range map[byte]string{
		0x00: "success (0x00)",
		0x10: "no matching subscribers (0x10)",
		0x87: "not authorized (0x87)",
		0x01: "reason code 0x01, not valid in a publish acknowledgement",
		0x02: "reason code 0x02, not valid in a publish acknowledgement",
	} {
		if got := AckReasonText(code); got != want {
			t.Errorf("AckReasonText(0x%02X) = %q, want %q", code, got, want)
		}
	}
}

func TestReasonText(t *testing.T) {
	if got := ReasonText(0x87); got != "not authorized (0x87)" {
		t.Fatalf("ReasonText(0x87) = %q", got)
	}
	e := &SubscribeError{Code: 0x87, Reason: "acl\x1b[2J"}
	if got := e.Error(); got != "not authorized (0x87): acl[2J" {
		t.Fatalf("SubscribeError = %q", got)
	}
}
