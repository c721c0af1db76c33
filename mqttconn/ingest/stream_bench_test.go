package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// BenchmarkStreamTrickle is a steady link: each message is alone when the
// stream reads it (the common case below a flood). B/op is what one
// message costs the ingest.
func BenchmarkStreamTrickle(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := make(chan mqttconn.Message, 1024)
	out := Stream(ctx, in, Config{Workers: 2})
	msg := mqttconn.Message{Topic: "site/a/meter/1", Payload: []byte(`{"value":21.5,"unit":"V"}`), Received: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		in <- msg
		if c := <-out; len(c.Items) != 1 {
			b.Fatalf("chunk of %d", len(c.Items))
		}
	}
}
