package console

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// floodMessages is a DRIVR mix of ~280-byte messages over 10k topics:
// datapoints, events with states, system info.
func floodMessages(n int) []mqttconn.Message {
	out := make([]mqttconn.Message, n)
	now := fixture.Now
	for i := range out {
		sys := fmt.Sprintf("sys-%05d", i%2000)
		base := "drivr/v1/" + fixture.Slug + "/systems/" + sys
		var topic, payload string
		switch i % 4 {
		case 0, 1:
			topic = fmt.Sprintf("%s/components/meter/datapoints/dp%d", base, i%5)
			payload = fmt.Sprintf(`{"value":%d.5,"unit":"V","time":"2025-05-12T09:00:00Z","quality":"GOOD","source":"meter-firmware-2.4.1","characteristic_code":"voltage_l1","sequence":%d,"padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`, i%300, i)
		case 2:
			topic = fmt.Sprintf("%s/events/ev-%d", base, i%50)
			payload = fmt.Sprintf(`{"uuid":"ev-%d","time":"2025-05-12T08:00:00Z","status":"ACTIVE","acknowledged":false,"eventModel":{"uuid":"m1","eventLevel":"ERROR","eventType":"RANGED","code":"energy-overload-model","message":null},"metadata":{"n":%d}}`, i%50, i)
		default:
			topic = base
			payload = fmt.Sprintf(`{"uuid":%q,"code":"c-%s","name":"System %s","connectionState":"CONNECTED","status":"ACTIVATED","description":"a system in the flood benchmark with a longer description"}`, sys, sys, sys)
		}
		out[i] = mqttconn.Message{Topic: topic, Payload: []byte(payload), QoS: 1, Received: now}
	}
	return out
}

// BenchmarkPipeline runs the real console headless (pump, decode, store,
// renderer at 120x40) over a pre-filled channel until ExitAfter: the
// console's share of a flood, without the network.
//
//	go test ./tui -run '^$' -bench Pipeline -benchtime 3x
func BenchmarkPipeline(b *testing.B) {
	const n = 200_000
	msgs := floodMessages(n)
	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: fixture.Slug})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := make(chan mqttconn.Message, n)
		now := time.Now()
		for _, m := range msgs {
			// Received now, as a live flood is: with the fixture's fixed
			// time every system was silent for the store's clock, went
			// fresh on each message and stale again, and that churn was
			// 12.6% of the profile.
			m.Received = now
			in <- m
		}
		start := time.Now()
		err := Run(context.Background(), Config{Source: Source{Messages: in, Scheme: scheme}, ExitAfter: n}, headless()...)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msg/s")
	}
}
