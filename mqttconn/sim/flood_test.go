package sim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

func TestFloodRealisticPayloads(t *testing.T) {
	bus := &memBus{}
	st, err := Flood(context.Background(), bus, FloodConfig{N: 3000, Topics: 50})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 3000 || len(bus.pubs) != 3000 || st.Errors != 0 {
		t.Fatalf("stats %v, published %d", st, len(bus.pubs))
	}
	for _, k := range []string{"drivr datapoint", "drivr event", "drivr state", "drogue structured", "drogue binary", "devapi telemetry"} {
		if st.ByKind[k] == 0 {
			t.Errorf("no %s in %v", k, st.ByKind)
		}
	}
	systems, devices := map[string]bool{}, map[string]bool{}
	var bytes uint64
	for _, m := range bus.pubs {
		bytes += uint64(len(m.Payload))
		v := decode.Decode(m.Payload, ingest.Hints(&m, ""), decode.Limits{})
		switch {
		case strings.HasPrefix(m.Topic, "drivr/"):
			systems[strings.Split(m.Topic, "/")[4]] = true
			if strings.HasSuffix(m.Topic, "/state") {
				if string(m.Payload) != "ACTIVE" {
					t.Fatalf("state %q", m.Payload)
				}
			} else if v.Format != decode.FormatJSON {
				t.Fatalf("%s: %s %v", m.Topic, v.Format, v.Warnings)
			}
		case strings.HasPrefix(m.Topic, "app/"):
			if v.Format != decode.FormatCloudEvents || len(v.Warnings) > 0 {
				t.Fatalf("drogue message decoded as %s %v", v.Format, v.Warnings)
			}
		case strings.HasPrefix(m.Topic, "v1/device/"):
			devices[strings.Split(m.Topic, "/")[2]] = true
			if _, ok := v.Data.Get("telemetries", "fan_speed"); !ok {
				t.Fatalf("telemetry %s", m.Payload)
			}
		default:
			t.Fatalf("unexpected topic %s", m.Topic)
		}
	}
	if len(systems) != 50 || len(devices) != 50 {
		t.Fatalf("spread over %d systems and %d devices, want 50", len(systems), len(devices))
	}
	if bytes != st.Bytes {
		t.Fatalf("bytes %d, stats say %d", bytes, st.Bytes)
	}
}

func TestFloodSizeAndRate(t *testing.T) {
	bus := &memBus{}
	st, err := Flood(context.Background(), bus, FloodConfig{N: 300, Rate: 1000, Size: 1024, Platform: PlatformDevAPI})
	if err != nil {
		t.Fatal(err)
	}
	if st.Elapsed < 280*time.Millisecond || st.Elapsed > 3*time.Second {
		t.Fatalf("300 messages at 1000/s took %v", st.Elapsed)
	}
	for _, m := range bus.pubs {
		if len(m.Payload) != 1024 {
			t.Fatalf("payload of %d bytes, want 1024", len(m.Payload))
		}
		if _, err := decode.ParseJSON(string(m.Payload)); err != nil {
			t.Fatalf("padded payload is not JSON: %v", err)
		}
	}
}

type failBus struct{}

func (failBus) Publish(string, []byte, byte, bool, *mqttconn.Props) error {
	return errors.New("broker gone")
}
func (failBus) Subscribe(string, func(mqttconn.Message)) error { return nil }

func TestFloodParallelSharesOut(t *testing.T) {
	a, b, c := &memBus{}, &memBus{}, &memBus{}
	st, err := FloodParallel(context.Background(), []Bus{a, b, c}, FloodConfig{N: 1000, Platform: PlatformDevAPI})
	if err != nil || st.Sent != 1000 || st.ByKind["devapi telemetry"] != 1000 {
		t.Fatalf("%v %v", st, err)
	}
	if len(a.pubs) != 334 || len(b.pubs) != 333 || len(c.pubs) != 333 {
		t.Fatalf("split %d/%d/%d", len(a.pubs), len(b.pubs), len(c.pubs))
	}
	if _, err := FloodParallel(context.Background(), []Bus{&memBus{}, failBus{}}, FloodConfig{N: 10}); err == nil {
		t.Fatal("a failing bus went unreported")
	}
}

func TestFloodStopsAndReports(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	st, err := Flood(ctx, &memBus{}, FloodConfig{N: 0, Rate: 500, Platform: PlatformDRIVR})
	if err != nil || st.Sent == 0 || st.Sent > 200 {
		t.Fatalf("endless flood at 500/s for 100 ms: %v %v", st, err)
	}
	st, err = Flood(context.Background(), &failBus{}, FloodConfig{N: 10})
	if err == nil || st.Errors != 10 || !strings.Contains(err.Error(), "broker gone") {
		t.Fatalf("failures: %v %v", st, err)
	}
	for _, bad := range []FloodConfig{{N: -1}, {Platform: "mqtt"}, {QoS: 3}} {
		if _, err := Flood(context.Background(), &memBus{}, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

type nullBus struct{}

func (nullBus) Publish(string, []byte, byte, bool, *mqttconn.Props) error { return nil }
func (nullBus) Subscribe(string, func(mqttconn.Message)) error            { return nil }

// BenchmarkFloodGenerate is the cost of making one message, without a broker.
func BenchmarkFloodGenerate(b *testing.B) {
	for _, p := range []string{PlatformDRIVR, PlatformDrogue, PlatformDevAPI} {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			if _, err := Flood(context.Background(), nullBus{}, FloodConfig{N: b.N, Platform: p}); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkFloodTo measures what Flood sustains into a real broker, as
// `mqdeck bench pub` will: through the embedded broker's in-process
// client, and through an mqttconn.Client (MQTT 5, QoS 0) to Mosquitto.
//
//	go test -run XXX -bench FloodTo -benchtime 200000x ./mqttconn/sim/
func BenchmarkFloodTo(b *testing.B) {
	b.Run("embedded", func(b *testing.B) {
		br := mqtttest.EmbeddedBroker(b)
		benchFlood(b, NewBrokerBus(br))
	})
	for _, conns := range []int{1, 4} {
		b.Run(fmt.Sprintf("mosquitto-%dconn", conns), func(b *testing.B) {
			m := mqtttest.StartMosquitto(b, mqtttest.MosquittoConfig{})
			var buses []Bus
			for i := 0; i < conns; i++ {
				c, err := mqttconn.New(mqttconn.Options{Broker: m.URL(), Protocol: mqttconn.Protocol5, ClientID: fmt.Sprintf("mqdeck-bench-pub-%d", i)})
				if err != nil {
					b.Fatal(err)
				}
				if err := c.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				buses = append(buses, NewClientBus(c))
			}
			benchFlood(b, buses...)
		})
	}
}

func benchFlood(b *testing.B, buses ...Bus) {
	b.ReportAllocs()
	b.ResetTimer()
	st, err := FloodParallel(context.Background(), buses, FloodConfig{N: b.N, Topics: 1000})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(st.PerSecond(), "msg/s")
	b.ReportMetric(float64(st.Bytes)/float64(max(1, st.Sent)), "B/msg")
}
