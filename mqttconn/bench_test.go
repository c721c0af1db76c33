package mqttconn_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// blaster is a loopback peer that completes the MQTT handshake and then
// writes n pre-encoded QoS 0 PUBLISH packets as fast as the socket takes
// them. It costs almost nothing itself, so a benchmark against it measures
// the client's receive path: read, decode, Message, hand-off.
func blaster(b *testing.B, v5 bool, n int, topic string, payload []byte) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ln.Close() })
	var pkt bytes.Buffer
	body := len(topic) + 2 + len(payload)
	if v5 {
		body++ // empty property block
	}
	pkt.WriteByte(0x30)
	for x := body; ; {
		d := byte(x % 128)
		x /= 128
		if x > 0 {
			d |= 0x80
		}
		pkt.WriteByte(d)
		if x == 0 {
			break
		}
	}
	pkt.WriteByte(byte(len(topic) >> 8))
	pkt.WriteByte(byte(len(topic)))
	pkt.WriteString(topic)
	if v5 {
		pkt.WriteByte(0)
	}
	pkt.Write(payload)
	one := pkt.Bytes()
	batch := bytes.Repeat(one, 256)

	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		if _, _, err := readPacket(conn); err != nil { // CONNECT
			return
		}
		if v5 {
			_, _ = conn.Write([]byte{0x20, 0x03, 0x00, 0x00, 0x00})
		} else {
			_, _ = conn.Write([]byte{0x20, 0x02, 0x00, 0x00})
		}
		var sub []byte
		for sub == nil { // SUBSCRIBE (answered with its packet id); a PINGREQ may come first
			h, body, err := readPacket(conn)
			if err != nil {
				return
			}
			if h[0]>>4 == 8 && len(body) >= 2 {
				sub = body
			}
		}
		if v5 {
			_, _ = conn.Write([]byte{0x90, 0x04, sub[0], sub[1], 0x00, 0x00})
		} else {
			_, _ = conn.Write([]byte{0x90, 0x03, sub[0], sub[1], 0x00})
		}
		go func() { // swallow PINGREQs
			buf := make([]byte, 64)
			for {
				if _, err := conn.Read(buf); err != nil {
					return
				}
			}
		}()
		for sent := 0; sent < n; sent += 256 {
			chunk := batch
			if n-sent < 256 {
				chunk = batch[:len(one)*(n-sent)]
			}
			if _, err := conn.Write(chunk); err != nil {
				return
			}
		}
		time.Sleep(time.Minute) // keep the connection until the client leaves
	}()
	return "mqtt://" + ln.Addr().String()
}

func benchReceive(b *testing.B, p mqttconn.Protocol) {
	payload := []byte(`{"uuid":"6f1c2a9e-1b7d-4c3e-9a55-3f7d2b8e1c40","timestamp":"2024-05-01T12:00:00.000Z","status":"ACTIVE","level":"ERROR","code":"ENERGY_OVERLOAD","system":{"uuid":"0b2f7c1e-5d4a-4e8b-9c3f-1a2b3c4d5e6f"},"metadata":{"value":231.4,"unit":"V","note":"` + strings.Repeat("x", 40) + `"}}`)
	url := blaster(b, p == mqttconn.Protocol5, b.N, "drivr/v1/company-example/systems/0b2f7c1e/events/6f1c2a9e", payload)
	c, err := mqttconn.New(mqttconn.Options{Broker: url, Protocol: p, Subscriptions: []mqttconn.Subscription{{Filter: "#"}}})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	b.ResetTimer()
	timeout := time.After(time.Minute)
	for i := 0; i < b.N; i++ {
		select {
		case <-c.Messages():
		case <-timeout:
			b.Fatalf("received %d of %d (dropped %d)", i, b.N, c.Dropped())
		}
	}
	b.StopTimer()
	if d := c.Dropped(); d != 0 {
		b.Fatalf("dropped %d", d)
	}
}

// go test -run x -bench Receive -benchmem ./mqttconn/
func BenchmarkReceive5(b *testing.B)   { benchReceive(b, mqttconn.Protocol5) }
func BenchmarkReceive311(b *testing.B) { benchReceive(b, mqttconn.Protocol311) }
