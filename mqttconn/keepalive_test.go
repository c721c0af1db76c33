package mqttconn

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// The MQTT 5 pinger gives up on a silent broker within about 1.1x the
// keepalive, and keeps a broker that answers.
func TestPingerDeadlines(t *testing.T) {
	t.Run("silent broker", func(t *testing.T) {
		client, server := net.Pipe()
		defer client.Close()
		defer server.Close()
		go func() { _, _ = io.Copy(io.Discard, server) }() // reads PINGREQ, never answers
		p := &pinger{}
		start := time.Now()
		err := p.Run(context.Background(), client, 1)
		took := time.Since(start)
		if err == nil || took > 1200*time.Millisecond || took < 800*time.Millisecond {
			t.Fatalf("Run returned %v after %s, want an error after about 1s", err, took)
		}
	})
	t.Run("answering broker", func(t *testing.T) {
		client, server := net.Pipe()
		defer client.Close()
		defer server.Close()
		p := &pinger{}
		go func() {
			buf := make([]byte, 2)
			for {
				if _, err := io.ReadFull(server, buf); err != nil {
					return
				}
				p.PacketReceived() // what paho does when the PINGRESP arrives
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		if err := p.Run(ctx, client, 1); err != nil {
			t.Fatalf("an answering broker was given up: %v", err)
		}
	})
}

func TestKeepalive311(t *testing.T) {
	for _, c := range []struct{ k, interval time.Duration }{
		{time.Second, time.Second},
		{2 * time.Second, 2 * time.Second},
		{3 * time.Second, 2 * time.Second},
		{30 * time.Second, 15 * time.Second},
		{31 * time.Second, 15 * time.Second},
	} {
		if i := keepalive311(c.k); i != c.interval {
			t.Errorf("keepalive311(%s) = %s; want %s", c.k, i, c.interval)
		}
	}
}
