package serve

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// boomScheme routes like the generic platform and panics on one topic: a
// bug in a platform's routing, as an operator would meet it.
type boomScheme struct{ platform.Scheme }

func (b boomScheme) Route(topic string, props *mqttconn.Props) platform.Route {
	if topic == "boom" {
		panic("routing bug")
	}
	return b.Scheme.Route(topic, props)
}

// A panic in the ingest does not take the server down: it is logged with
// its stack, every session is told, and the ingest starts again on the
// same input, so what arrives afterwards is applied.
func TestIngestPanicKeepsServing(t *testing.T) {
	generic, err := platform.New(platform.Generic, platform.Params{})
	if err != nil {
		t.Fatal(err)
	}
	h := NewHub(fleet.New(fleet.DefaultConfig(), platforms.Fleet()))
	var mu sync.Mutex
	var log []string
	h.setLog(func(l string) { mu.Lock(); log = append(log, l); mu.Unlock() })
	sub := h.Subscribe()
	in := make(chan mqttconn.Message, 8)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx, Source{Messages: in, Scheme: boomScheme{generic}}) }()

	in <- mqttconn.Message{Topic: "before", Payload: []byte("1")}
	waitTopic(t, h, "before")
	in <- mqttconn.Message{Topic: "boom", Payload: []byte("2")}
	deadline := time.Now().Add(10 * time.Second)
	for h.ingestPanics.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	in <- mqttconn.Message{Topic: "after", Payload: []byte("3")}
	waitTopic(t, h, "after")

	mu.Lock()
	text := strings.Join(log, "\n")
	mu.Unlock()
	if !strings.Contains(text, "internal error in the ingest: routing bug") || !strings.Contains(text, "keeps serving") || !strings.Contains(text, "boomScheme") {
		t.Fatalf("the log does not say what happened, with the stack:\n%s", text)
	}
	news := h.Shared(sub).Take()
	if len(news.Notices) != 1 || !strings.Contains(news.Notices[0], "internal error in the ingest") {
		t.Fatalf("the sessions were told %q", news.Notices)
	}
	close(in)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the hub did not end with its input")
	}
}

func waitTopic(t *testing.T, h *Hub, topic string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !markerIn(h, topic) {
		if time.Now().After(deadline) {
			t.Fatalf("%s was never applied", topic)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
