package mqttconn_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

func TestMosquittoPlainBothProtocolsAndCLIPublisher(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
		t.Run(string(p), func(t *testing.T) {
			c, _ := start(t, mqttconn.Options{Broker: m.URL(), Protocol: p,
				Subscriptions: []mqttconn.Subscription{{Filter: "mq/" + string(p) + "/#", QoS: 1}}})
			want := string(p)
			if p == mqttconn.ProtocolAuto {
				want = "5" // Mosquitto speaks 5: auto must not fall back
			}
			if c.Protocol() != want {
				t.Fatalf("Protocol() = %q, want %q", c.Protocol(), want)
			}
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-V", "mqttv5", "-q", "1",
				"-t", "mq/"+string(p)+"/a", "-m", `{"level":"ERROR"}`,
				"-D", "publish", "content-type", "application/json",
				"-D", "publish", "user-property", "specversion", "1.0",
				"-D", "publish", "user-property", "type", "io.drogue.event.v1")
			msg := next(t, c, 5*time.Second)
			if msg.Topic != "mq/"+string(p)+"/a" || string(msg.Payload) != `{"level":"ERROR"}` || msg.QoS != 1 {
				t.Fatalf("message %+v", msg)
			}
			if want == "5" {
				if msg.Props == nil || msg.Props.ContentType != "application/json" || len(msg.Props.User) != 2 ||
					msg.Props.User[0] != (mqttconn.UserProperty{Key: "specversion", Value: "1.0"}) ||
					msg.Props.User[1] != (mqttconn.UserProperty{Key: "type", Value: "io.drogue.event.v1"}) {
					t.Fatalf("props from mosquitto_pub: %+v", msg.Props)
				}
			} else if msg.Props != nil {
				t.Fatalf("3.1.1 message with props %+v", msg.Props)
			}
			// And the other way: the CLI sees what the client publishes.
			got := make(chan string, 1)
			go func() {
				got <- mqtttest.SubCLIQuiet("-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-t", "back/"+string(p), "-C", "1", "-W", "5")
			}()
			time.Sleep(300 * time.Millisecond) // let mosquitto_sub subscribe
			if r := publish(t, c, mqttconn.PublishRequest{Topic: "back/" + string(p), Payload: []byte("hello cli"), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
				t.Fatalf("publish %+v", r)
			}
			if s := strings.TrimSpace(<-got); s != "hello cli" {
				t.Fatalf("mosquitto_sub got %q", s)
			}
		})
	}
}

func TestMosquittoTLS(t *testing.T) {
	pki := mqtttest.NewPKI(t)
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{TLS: pki.Files()})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
		c, _ := start(t, mqttconn.Options{Broker: m.TLSURL(), Protocol: p, CACert: pki.CA,
			Subscriptions: []mqttconn.Subscription{{Filter: "tls/#"}}})
		if r := publish(t, c, mqttconn.PublishRequest{Topic: "tls/" + string(p), Payload: []byte("sealed"), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
			t.Fatalf("%s publish over TLS %+v", p, r)
		}
		if msg := next(t, c, 5*time.Second); string(msg.Payload) != "sealed" {
			t.Fatalf("%s got %+v", p, msg)
		}
	}
	fails := []struct {
		name string
		o    mqttconn.Options
		kind error
		text string
	}{
		{"system roots only", mqttconn.Options{}, mqttconn.ErrTLSVerify, "unknown authority"},
		{"wrong CA", mqttconn.Options{CACert: pki.OtherCA}, mqttconn.ErrTLSVerify, "unknown authority"},
		{"plain port", mqttconn.Options{Broker: strings.Replace(m.URL(), "mqtt://", "mqtts://", 1), CACert: pki.CA}, mqttconn.ErrTLSHandshake, "plain mqtt:// or ws:// port"},
	}
	for _, f := range fails {
		for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
			o := f.o
			if o.Broker == "" {
				o.Broker = m.TLSURL()
			}
			o.Protocol = p
			_, _, err := tryStart(t, o)
			if !errors.Is(err, f.kind) || !strings.Contains(err.Error(), f.text) {
				t.Errorf("%s (%s): %v, want %v mentioning %q", f.name, p, err, f.kind, f.text)
			}
		}
	}
	// Insecure skips verification (and the UI keeps warning about it).
	if _, _, err := tryStart(t, mqttconn.Options{Broker: m.TLSURL(), CACert: pki.OtherCA, Insecure: true}); err != nil {
		t.Fatalf("insecure: %v", err)
	}
}

func TestMosquittoClientCertificates(t *testing.T) {
	pki := mqtttest.NewPKI(t)
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{TLS: pki.Files(), RequireCertificate: true})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
		c, _ := start(t, mqttconn.Options{Broker: m.TLSURL(), Protocol: p, CACert: pki.CA, Cert: pki.ClientCert, Key: pki.ClientKey,
			Subscriptions: []mqttconn.Subscription{{Filter: "mtls/#"}}})
		if r := publish(t, c, mqttconn.PublishRequest{Topic: "mtls/x", Payload: []byte("ok"), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
			t.Fatalf("%s publish %+v", p, r)
		}
		next(t, c, 5*time.Second)
	}
	for _, f := range []struct {
		name, cert, key, text string
	}{
		{"no certificate", "", "", "--cert"},
		{"certificate from another CA", pki.OtherClientCert, pki.OtherClientKey, "does not accept this client certificate"},
		{"expired certificate", pki.ExpiredClientCert, pki.ExpiredClientKey, "does not accept this client certificate"},
	} {
		for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
			_, _, err := tryStart(t, mqttconn.Options{Broker: m.TLSURL(), Protocol: p, CACert: pki.CA, Cert: f.cert, Key: f.key})
			if !errors.Is(err, mqttconn.ErrBadClientCert) || !strings.Contains(err.Error(), f.text) {
				t.Errorf("%s (%s): %v, want bad client certificate mentioning %q", f.name, p, err, f.text)
			}
		}
	}
}

func TestMosquittoWebsockets(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{WebSockets: true})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
		c, _ := start(t, mqttconn.Options{Broker: m.WSURL(), Protocol: p, Subscriptions: []mqttconn.Subscription{{Filter: "ws/#"}}})
		mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-t", "ws/"+string(p), "-m", "through websockets")
		if msg := next(t, c, 5*time.Second); string(msg.Payload) != "through websockets" {
			t.Fatalf("%s got %+v", p, msg)
		}
	}
}

func TestMosquittoACLRefusedFilterSurfaces(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{DenySubscribe: []string{"secret/#"}, DenyPublish: []string{"fleet/out"}})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
		c, rec := start(t, mqttconn.Options{Broker: m.URL(), Protocol: p,
			Subscriptions: []mqttconn.Subscription{{Filter: "fleet/#", QoS: 1}, {Filter: "secret/#", QoS: 1}}})
		_, subs := rec.snapshot()
		if len(subs) != 1 || len(subs[0]) != 2 {
			t.Fatalf("%s: SUBACK results %+v", p, subs)
		}
		ok, refused := subs[0][0], subs[0][1]
		if ok.Filter != "fleet/#" || ok.Err != nil || refused.Filter != "secret/#" || refused.Err == nil {
			t.Fatalf("%s: results %+v", p, subs[0])
		}
		var se *mqttconn.SubscribeError
		if !errors.As(refused.Err, &se) {
			t.Fatalf("%s: refused error %T %v", p, refused.Err, refused.Err)
		}
		if p == mqttconn.Protocol5 && (se.Code != 0x87 || !strings.Contains(refused.Err.Error(), "not authorized (0x87)")) {
			t.Fatalf("v5 refusal %q", refused.Err)
		}
		if p == mqttconn.Protocol311 && se.Code != 0x80 {
			t.Fatalf("3.1.1 refusal code 0x%02X", se.Code)
		}
		// Publishing where the ACL forbids it: MQTT 5 says so in the PUBACK.
		r := publish(t, c, mqttconn.PublishRequest{Topic: "fleet/out", Payload: []byte("x"), QoS: 1})
		if p == mqttconn.Protocol5 && (r.Outcome != mqttconn.OutcomeRefused || r.ReasonCode != 0x87) {
			t.Fatalf("v5 publish against the ACL: %+v", r)
		}
		if r := publish(t, c, mqttconn.PublishRequest{Topic: "fleet/in/1", Payload: []byte("allowed"), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
			t.Fatalf("%s allowed publish %+v", p, r)
		}
		if msg := next(t, c, 5*time.Second); msg.Topic != "fleet/in/1" {
			t.Fatalf("%s got %+v", p, msg)
		}
	}
}

func TestMosquittoNotAuthorized(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{"operator": "right horse"}})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
		if _, _, err := tryStart(t, mqttconn.Options{Broker: m.URL(), Protocol: p, Username: "operator", Password: "right horse"}); err != nil {
			t.Fatalf("%s good password: %v", p, err)
		}
		for _, creds := range [][2]string{{"operator", "wrong"}, {"", ""}} {
			_, _, err := tryStart(t, mqttconn.Options{Broker: m.URL(), Protocol: p, Username: creds[0], Password: creds[1]})
			if !errors.Is(err, mqttconn.ErrNotAuthorized) {
				t.Errorf("%s user %q: %v, want not authorized", p, creds[0], err)
			}
			if err != nil && strings.Contains(err.Error(), "wrong") {
				t.Errorf("error shows the password: %v", err)
			}
		}
	}
}
