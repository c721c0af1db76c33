package ingest

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

type boomScheme struct{ platform.Scheme }

func (b boomScheme) Route(topic string, props *mqttconn.Props) platform.Route {
	if topic == "boom" {
		panic("routing bug")
	}
	return b.Scheme.Route(topic, props)
}

// senders counts the goroutines that hand batches to Run's send.
func senders() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "(*Batcher).Run.func1")
}

// A worker's panic is raised again from Run (the caller decides: serve
// restarts its ingest), and Run's sending goroutine ends with it: a hub that
// restarts after every panic must not leave one blocked sender each time.
func TestPanicEndsTheSender(t *testing.T) {
	generic, err := platform.New(platform.Generic, platform.Params{})
	if err != nil {
		t.Fatal(err)
	}
	before := senders()
	in := make(chan mqttconn.Message, 2)
	in <- mqttconn.Message{Topic: "ok", Payload: []byte("1")}
	in <- mqttconn.Message{Topic: "boom", Payload: []byte("2")}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raised := make(chan any, 1)
	go func() {
		defer func() { raised <- recover() }()
		NewBatcher(BatchConfig{Messages: in, Ingest: Config{Scheme: boomScheme{generic}}}).Run(ctx, func(Batch) {})
	}()
	select {
	case r := <-raised:
		if r == nil || !strings.Contains(toString(r), "routing bug") {
			t.Fatalf("Run ended with %v, want the worker's panic raised again", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not raise the worker's panic")
	}
	deadline := time.Now().Add(5 * time.Second)
	for senders() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d sending goroutines still run after the panic (%d before)", senders(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func toString(r any) string {
	if p, ok := r.(*Panic); ok {
		return p.String()
	}
	if s, ok := r.(interface{ String() string }); ok {
		return s.String()
	}
	if s, ok := r.(string); ok {
		return s
	}
	return ""
}
