package benchkit

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

// The blaster's hand-made packets must reach a real broker's subscriber
// intact, over every connection; the raw bus the same.
func TestBlasterDeliversThroughBroker(t *testing.T) {
	br := mqtttest.EmbeddedBroker(t)
	var mu sync.Mutex
	got := map[string][]byte{}
	done := make(chan struct{})
	const n = 300
	if err := br.Subscribe("#", 1, func(topic string, payload []byte, _ *mqttconn.Props) {
		mu.Lock()
		defer mu.Unlock()
		got[topic] = append([]byte(nil), payload...)
		if len(got) == n+1 {
			close(done)
		}
	}); err != nil {
		t.Fatal(err)
	}
	msgs := make([]Msg, n)
	for i := range msgs {
		// Sizes across the 1- and 2-byte remaining-length boundary and a
		// 3-byte one.
		size := []int{0, 100, 127, 128, 300, 16383, 16384, 70000}[i%8]
		msgs[i] = Msg{Topic: fmt.Sprintf("t/%d", i), Payload: make([]byte, size)}
		for k := range msgs[i].Payload {
			msgs[i].Payload[k] = byte(i + k)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bl, err := Dial(ctx, br.Addr(), "blast", 3)
	if err != nil {
		t.Fatal(err)
	}
	defer bl.Close()
	if err := bl.Send(Encode(msgs, 3)); err != nil {
		t.Fatal(err)
	}
	raw, err := DialRaw(ctx, br.Addr(), "raw")
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Publish("raw/last", []byte(`{"ok":true}`), 0, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		mu.Lock()
		t.Fatalf("received %d of %d", len(got), n+1)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range msgs {
		if string(got[m.Topic]) != string(m.Payload) {
			t.Fatalf("%s: payload of %d bytes arrived as %d bytes", m.Topic, len(m.Payload), len(got[m.Topic]))
		}
	}
	if string(got["raw/last"]) != `{"ok":true}` {
		t.Fatalf("raw bus: %q", got["raw/last"])
	}
}

func TestGenerateIsTheFlood(t *testing.T) {
	msgs, err := Generate(sim.FloodConfig{N: 1000, Platform: sim.PlatformDRIVR, Size: 280, Topics: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1000 {
		t.Fatalf("%d messages", len(msgs))
	}
	padded := 0
	for _, m := range msgs {
		if len(m.Payload) == 280 {
			padded++
		}
	}
	if padded < 700 { // datapoints and events are padded, "ACTIVE" states are not
		t.Fatalf("only %d of 1000 payloads padded to 280 bytes", padded)
	}
	if _, err := Generate(sim.FloodConfig{}); err == nil {
		t.Fatal("N=0 accepted")
	}
}

func TestParseTotal(t *testing.T) {
	for screen, want := range map[string]float64{
		"… ● connected  999 msgs  12/s":   999,
		"x 12.3k msgs y":                  12300,
		"│ 1.0M msgs │ 48.2k/s dropped 0": 1e6,
	} {
		got, err := ParseTotal(screen)
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", screen, got, err, want)
		}
	}
	if _, err := ParseTotal("no status bar"); err == nil {
		t.Error("a screen without a count parsed")
	}
}

func TestMedian(t *testing.T) {
	if Median(nil) != 0 || Median([]time.Duration{3, 1, 2}) != 2 || Median([]time.Duration{4, 1, 3, 2}) != 2 {
		t.Fatal("median")
	}
}

func TestProcStatus(t *testing.T) {
	st, err := ProcStatus(0, "VmRSS", "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	if st["VmRSS"] <= 0 || st["VmHWM"] < st["VmRSS"] {
		t.Fatalf("%v", st)
	}
	if _, err := ProcStatus(0, "NoSuchField"); err == nil {
		t.Fatal("missing field not reported")
	}
}
