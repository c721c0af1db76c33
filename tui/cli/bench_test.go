package cli

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// bench pub publishes exactly -n realistic DRIVR messages over several
// connections to a real broker, padded to --size, and says what it sent.
func TestBenchPubFloodsTheBroker(t *testing.T) {
	br := mqtttest.EmbeddedBroker(t)
	var mu sync.Mutex
	got, sizes := 0, map[int]int{}
	if err := br.Subscribe("drivr/v1/bench-slug/#", 1, func(_ string, payload []byte, _ *mqttconn.Props) {
		mu.Lock()
		got++
		sizes[len(payload)]++
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := Run(ctx, []string{"bench", "pub", "--broker", br.URL(), "-n", "300", "--size", "280",
		"--topics", "7", "--platform", "drivr", "-c", "3", "--slug", "bench-slug"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "sent 300 messages") || !strings.Contains(out.String(), "over 3 connection(s)") {
		t.Fatalf("report: %q", out.String())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n, padded := got, sizes[280]
		mu.Unlock()
		if n == 300 {
			if padded < 200 { // datapoints and events are padded; "ACTIVE" states are not
				t.Fatalf("only %d of 300 payloads padded to 280 bytes: %v", padded, sizes)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("broker delivered %d of 300", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBenchPubRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"--platform", "smartworks"},
		{"-c", "0"},
		{"-c", "1000"},
		{"--topics", "0"},
		{"-n", "-1"},
	} {
		var out, errb bytes.Buffer
		full := append([]string{"bench", "pub", "--broker", "mqtt://127.0.0.1:1"}, args...)
		if code := Run(context.Background(), full, &out, &errb); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, errb.String())
		}
	}
}
