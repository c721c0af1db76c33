package mqttconn_test

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// foreignPeer listens on loopback and answers every connection with greeting
// after reading its first bytes, as an HTTP or SSH server does.
func foreignPeer(t *testing.T, greeting string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if !strings.HasPrefix(greeting, "SSH-") { // SSH speaks first
					_, _ = bufio.NewReader(c).ReadByte()
				}
				_, _ = c.Write([]byte(greeting))
				buf := make([]byte, 512)
				_, _ = c.Read(buf) // until the client hangs up
			}()
		}
	}()
	return "mqtt://" + ln.Addr().String()
}

// A peer that is not an MQTT broker is reported in one line as such, with
// what it looks like; not as a packet decoder's complaint ("invalid Prop
// type 46 for packet 4").
func TestPeerThatDoesNotSpeakMQTT(t *testing.T) {
	for _, tc := range []struct{ name, greeting, looks string }{
		{"http", "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n400 Bad Request", "an HTTP server"},
		{"ssh", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "an SSH server"},
		{"tls", "\x15\x03\x01\x00\x02\x02\x46", "a TLS server"},
	} {
		url := foreignPeer(t, tc.greeting)
		for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311, mqttconn.ProtocolAuto} {
			t.Run(tc.name+"/"+string(p), func(t *testing.T) {
				_, _, err := tryStart(t, mqttconn.Options{Broker: url, Protocol: p})
				if !errors.Is(err, mqttconn.ErrNotMQTT) {
					t.Fatalf("err %v, want ErrNotMQTT", err)
				}
				line := mqttconn.Describe(err)
				if !strings.Contains(line, "does not speak MQTT") || !strings.Contains(line, tc.looks) || strings.ContainsAny(line, "\r\n") {
					t.Fatalf("line %q: want one line saying the peer does not speak MQTT and looks like %s", line, tc.looks)
				}
			})
		}
	}
}
