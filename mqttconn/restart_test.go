package mqttconn_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// The broker goes away and comes back on the same port while the client is
// subscribed: the client reconnects by itself, reports why and when, makes
// its subscriptions again, and messages flow.
func TestMosquittoRestartReconnectsAndResubscribes(t *testing.T) {
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
			port := strconv.Itoa(m.Port)
			c, rec := start(t, mqttconn.Options{Broker: m.URL(), Protocol: p, BackoffMax: 2 * time.Second,
				Subscriptions: []mqttconn.Subscription{{Filter: "live/#", QoS: 1}}})
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-t", "live/a", "-m", "before", "-q", "1")
			if msg := next(t, c, 5*time.Second); string(msg.Payload) != "before" {
				t.Fatalf("got %+v", msg)
			}

			m.Stop()
			rec.waitFor(t, 5*time.Second, "reconnecting after the broker stopped", func(st []mqttconn.State, _ [][]mqttconn.SubResult) bool {
				return countKind(st, mqttconn.StateReconnecting) >= 2 // the drop, then at least one refused retry
			})
			m.Restart()
			rec.waitFor(t, 10*time.Second, "connected again with subscriptions", func(st []mqttconn.State, subs [][]mqttconn.SubResult) bool {
				return countKind(st, mqttconn.StateConnected) == 2 && len(subs) == 2
			})
			st, subs := rec.snapshot()
			if subs[1][0].Filter != "live/#" || subs[1][0].Err != nil {
				t.Fatalf("resubscribe result %+v", subs[1])
			}
			var first *mqttconn.State
			for i := range st {
				if st[i].Kind == mqttconn.StateReconnecting {
					if first == nil {
						first = &st[i]
					}
					if st[i].Err == nil || st[i].RetryIn <= 0 || st[i].RetryIn > 2*time.Second {
						t.Fatalf("reconnecting state without reason or with delay %s past the 2s cap:\n%s", st[i].RetryIn, describeStates(st))
					}
				}
			}
			if first.RetryIn > time.Second {
				t.Fatalf("first retry in %s, want within 1s", first.RetryIn)
			}
			if c.Protocol() != string(p) {
				t.Fatalf("protocol after reconnect %q", c.Protocol())
			}
			// Messages flow again, through the restored subscription.
			for i := range 3 {
				mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-t", "live/b", "-m", fmt.Sprint("after ", i), "-q", "1")
				if msg := next(t, c, 5*time.Second); string(msg.Payload) != fmt.Sprint("after ", i) {
					t.Fatalf("after restart got %+v", msg)
				}
			}
			if r := publish(t, c, mqttconn.PublishRequest{Topic: "live/c", Payload: []byte("mine"), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
				t.Fatalf("publish after reconnect %+v", r)
			}
		})
	}
}

// A paused broker (a hung process or a dead path) is detected by keepalive
// and the client recovers once it answers again.
func TestMosquittoPauseDetectedByKeepalive(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	c, rec := start(t, mqttconn.Options{Broker: m.URL(), Protocol: mqttconn.Protocol5, KeepAlive: time.Second, BackoffMax: time.Second,
		Subscriptions: []mqttconn.Subscription{{Filter: "p/#"}}})
	m.Pause()
	rec.waitFor(t, 10*time.Second, "keepalive to notice the paused broker", func(st []mqttconn.State, _ [][]mqttconn.SubResult) bool {
		return countKind(st, mqttconn.StateReconnecting) > 0
	})
	m.Resume()
	rec.waitFor(t, 15*time.Second, "reconnect after resume", func(st []mqttconn.State, subs [][]mqttconn.SubResult) bool {
		return countKind(st, mqttconn.StateConnected) >= 2 && len(subs) >= 2
	})
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-t", "p/x", "-m", "awake")
	if msg := next(t, c, 5*time.Second); string(msg.Payload) != "awake" {
		t.Fatalf("got %+v", msg)
	}
}

// A named client with a persistent session gets the QoS 1 messages that
// arrived while it was away.
func TestMosquittoPersistentSessionCatchUp(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
		t.Run(string(p), func(t *testing.T) {
			o := mqttconn.Options{Broker: m.URL(), Protocol: p, ClientID: "mqdeck-session-" + string(p),
				SessionExpiry: time.Hour, Subscriptions: []mqttconn.Subscription{{Filter: "away/" + string(p) + "/#", QoS: 1}}}
			first, _ := start(t, o)
			_ = first.Close()
			for i := range 3 {
				mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-q", "1", "-t", "away/"+string(p)+"/x", "-m", fmt.Sprint("missed ", i))
			}
			again, _ := start(t, o)
			for i := range 3 {
				if msg := next(t, again, 5*time.Second); string(msg.Payload) != fmt.Sprint("missed ", i) || msg.QoS != 1 {
					t.Fatalf("catch-up message %d: %+v", i, msg)
				}
			}
		})
	}
}
