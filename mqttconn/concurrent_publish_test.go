package mqttconn_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// Publishes from several goroutines at once arrive whole, on both
// protocols: paho.golang writes a packet in several Write calls and relies
// on the connection's sync.Locker to keep packets apart (a wrapper without
// it let the broker read one PUBLISH inside another's payload).
func TestConcurrentPublishesArriveWhole(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
		t.Run(string(p), func(t *testing.T) {
			topic := "whole/" + string(p)
			sub, _ := start(t, mqttconn.Options{Broker: m.URL(), Protocol: mqttconn.Protocol5, BufferSize: 8192,
				Subscriptions: []mqttconn.Subscription{{Filter: topic, QoS: 1}}})
			pub, _ := start(t, mqttconn.Options{Broker: m.URL(), Protocol: p})
			const workers, each = 4, 250
			pad := strings.Repeat("x", 100)
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
						r := pub.Publish(ctx, mqttconn.PublishRequest{Topic: topic, QoS: 1, Payload: fmt.Appendf(nil, "%d/%d/%s", w, i, pad)})
						cancel()
						if r.Outcome != mqttconn.OutcomeAcked {
							t.Errorf("publish %d/%d: %+v", w, i, r)
							return
						}
					}
				}()
			}
			wg.Wait()
			seen := map[string]bool{}
			for range workers * each {
				msg := next(t, sub, 10*time.Second)
				parts := strings.Split(string(msg.Payload), "/")
				if len(parts) != 3 || parts[2] != pad {
					t.Fatalf("a payload arrived broken: %q", msg.Payload)
				}
				if _, err := strconv.Atoi(parts[0]); err != nil {
					t.Fatalf("a payload arrived broken: %q", msg.Payload)
				}
				seen[parts[0]+"/"+parts[1]] = true
			}
			if len(seen) != workers*each {
				t.Errorf("%d distinct payloads, want %d", len(seen), workers*each)
			}
		})
	}
}
