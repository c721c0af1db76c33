package mqttconn_test

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// subackCodes makes a real broker answer chosen SUBACK codes: it notes the
// filters of each SUBSCRIBE and rewrites the codes of the SUBACK that
// answers it, as a broker that breaks the protocol would.
type subackCodes struct {
	mqtt.HookBase
	codes   map[string]byte // filter -> code to answer
	mu      sync.Mutex
	filters map[uint16][]string
}

func (*subackCodes) ID() string { return "test-suback-codes" }

func (*subackCodes) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck || b == mqtt.OnSubscribe || b == mqtt.OnPacketEncode
}

func (*subackCodes) OnConnectAuthenticate(*mqtt.Client, packets.Packet) bool { return true }
func (*subackCodes) OnACLCheck(*mqtt.Client, string, bool) bool              { return true }

func (h *subackCodes) OnSubscribe(_ *mqtt.Client, pk packets.Packet) packets.Packet {
	h.mu.Lock()
	defer h.mu.Unlock()
	fs := make([]string, len(pk.Filters))
	for i, f := range pk.Filters {
		fs[i] = f.Filter
	}
	h.filters[pk.PacketID] = fs
	return pk
}

func (h *subackCodes) OnPacketEncode(_ *mqtt.Client, pk packets.Packet) packets.Packet {
	if pk.FixedHeader.Type != packets.Suback {
		return pk
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	codes := append([]byte(nil), pk.ReasonCodes...)
	for i, f := range h.filters[pk.PacketID] {
		if c, ok := h.codes[f]; ok && i < len(codes) {
			codes[i] = c
		}
	}
	pk.ReasonCodes = codes
	return pk
}

// A SUBACK code 0x03-0x7F is neither a granted QoS (0x00-0x02) nor a
// refusal (0x80 and up): it was read as "granted QoS 5". It is a protocol
// error, reported in words; refusals stay refusals (issue 13).
func TestSubackCodesOutsideGrantedAreNotGranted(t *testing.T) {
	h := &subackCodes{codes: map[string]byte{"odd/#": 0x05, "high/#": 0x7F, "refused/#": 0x80}, filters: map[uint16][]string{}}
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(h, nil); err != nil {
		t.Fatal(err)
	}
	tcp := listeners.NewTCP(listeners.Config{Type: listeners.TypeTCP, ID: "t", Address: "127.0.0.1:0"})
	if err := srv.AddListener(tcp); err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	for _, p := range protocols {
		t.Run(string(p), func(t *testing.T) {
			_, rec := start(t, mqttconn.Options{Broker: "mqtt://" + tcp.Address(), Protocol: p, Subscriptions: []mqttconn.Subscription{
				{Filter: "ok/#", QoS: 1}, {Filter: "odd/#", QoS: 1}, {Filter: "high/#", QoS: 1}, {Filter: "refused/#", QoS: 1}}})
			_, subs := rec.snapshot()
			if len(subs) != 1 || len(subs[0]) != 4 {
				t.Fatalf("SUBACK results %+v", subs)
			}
			got := map[string]mqttconn.SubResult{}
			for _, r := range subs[0] {
				got[r.Filter] = r
			}
			if r := got["ok/#"]; r.Err != nil || r.Granted != 1 {
				t.Errorf("ok/#: %+v, want granted QoS 1", r)
			}
			for f, code := range map[string]string{"odd/#": "0x05", "high/#": "0x7F"} {
				r := got[f]
				if r.Err == nil {
					t.Errorf("%s: code %s read as granted QoS %d", f, code, r.Granted)
					continue
				}
				if msg := r.Err.Error(); !strings.Contains(msg, code) || !strings.Contains(msg, "protocol") || strings.Contains(msg, "granted QoS 5") {
					t.Errorf("%s: %q does not say the broker broke the protocol with %s", f, msg, code)
				}
				if o := r.Outcome(); o != "failed" {
					t.Errorf("%s: outcome %q, want failed (the broker refused nothing)", f, o)
				}
			}
			var se *mqttconn.SubscribeError
			if r := got["refused/#"]; !errors.As(r.Err, &se) || se.Code != 0x80 || r.Outcome() != "refused" {
				t.Errorf("refused/#: %+v (%s), want a refusal 0x80", r, r.Outcome())
			}
		})
	}
}
