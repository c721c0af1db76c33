package ingest

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

func TestHints(t *testing.T) {
	one := byte(1)
	m := mqttconn.Message{Payload: []byte("x"), Props: &mqttconn.Props{
		ContentType: "application/json", PayloadFormat: &one,
		User: []mqttconn.UserProperty{{Key: "a", Value: "b"}},
	}}
	h := Hints(&m, "msgpack")
	if h.ContentType != "application/json" || !h.PayloadFormatUTF8 || h.Encoding != "msgpack" ||
		len(h.User) != 1 || h.User[0] != (decode.Property{Key: "a", Value: "b"}) {
		t.Fatalf("hints %+v", h)
	}
	if h := Hints(&mqttconn.Message{}, ""); h.ContentType != "" || h.PayloadFormatUTF8 || h.User != nil {
		t.Fatalf("3.1.1 hints %+v", h)
	}
}

// A secret route's payload is never decoded and not kept: the item holds
// its size only, so no consumer can print or record it.
func TestSecretPayloadIsNeitherDecodedNorKept(t *testing.T) {
	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: "company-example"})
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"token":"s3cr3t"}`)
	it := NewStage(scheme, decode.Limits{}).Item(mqttconn.Message{
		Topic: "drivr/v1/company-example/authorization/localApiTokens/x", Payload: payload})
	if !it.Route.Secret {
		t.Fatalf("route %+v is not secret", it.Route)
	}
	if it.Msg.Payload != nil || !reflect.DeepEqual(it.Value, decode.Value{Size: len(payload)}) {
		t.Fatalf("secret item keeps or decoded its payload: %+v", it)
	}
	plain := NewStage(scheme, decode.Limits{}).Item(mqttconn.Message{
		Topic: "drivr/v1/company-example/systems/s1", Payload: payload})
	if plain.Value.Format != decode.FormatJSON || string(plain.Msg.Payload) != string(payload) {
		t.Fatalf("a plain item was not decoded: %+v", plain)
	}
}

// Many workers, payloads of very different cost, and the items (and their
// encoded lines) still come out exactly in receive order, each with its
// own decoded value.
func TestStreamKeepsReceiveOrder(t *testing.T) {
	const n = 30_000
	in := make(chan mqttconn.Message, 64)
	go func() {
		defer close(in)
		for i := range n {
			p := `{"seq":` + strconv.Itoa(i) + `}`
			if i%97 == 0 { // an expensive one now and then
				p = `{"seq":` + strconv.Itoa(i) + `,"pad":"` + strings.Repeat("x", 20_000) + `"}`
			}
			in <- mqttconn.Message{Topic: "t/" + strconv.Itoa(i), Payload: []byte(p)}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	encode := func(dst []byte, it *Item) []byte { return append(append(dst, it.Msg.Topic...), '\n') }
	next := 0
	for c := range Stream(ctx, in, Config{Workers: 4, Encode: encode}) {
		if len(c.Items) == 0 || len(c.Ends) != len(c.Items) {
			t.Fatalf("chunk of %d items, %d ends", len(c.Items), len(c.Ends))
		}
		for i := range c.Items {
			it := &c.Items[i]
			want := "t/" + strconv.Itoa(next)
			if it.Msg.Topic != want {
				t.Fatalf("item %d is %s: order lost", next, it.Msg.Topic)
			}
			if seq := it.Value.Data.Fields[0].Value.Int; seq != int64(next) {
				t.Fatalf("item %d carries the value of message %d", next, seq)
			}
			if line := string(c.Line(i)); line != want+"\n" {
				t.Fatalf("line %d is %q", next, line)
			}
			next++
		}
	}
	if next != n || ctx.Err() != nil {
		t.Fatalf("%d of %d items (ctx %v)", next, n, ctx.Err())
	}
}

// State never lags data (issue 12, item 4): a connection state reported
// while the batcher is busy with a flood reaches the console no later than
// the messages received after it. The flood is queued whole, and the state
// arrives while the batcher handles the chunk holding the last message
// before it (from its Tap, which runs in the batcher's inner loop); the Tap
// then waits a little on each chunk, so the next chunks are always ready
// and every full batch is taken at once: a batcher that looked at the
// hooks only when the input ran dry sends "after" batches first.
func TestStateTravelsWithTheMessagesItPrecedes(t *testing.T) {
	const before, after = 4 * maxChunk, 8 * maxChunk
	h := NewHooks()
	in := make(chan mqttconn.Message, before+after)
	for i := 0; i < before+after; i++ {
		topic := "before"
		if i >= before {
			topic = "after"
		}
		in <- mqttconn.Message{Topic: topic, Payload: []byte("1")}
	}
	close(in)
	posted := false // the Tap runs on the batcher's goroutine only
	seen := 0
	tap := func(items []Item) error {
		seen += len(items)
		if !posted && seen >= before {
			posted = true
			h.OnState(mqttconn.State{Kind: mqttconn.StateConnected, Protocol: "5"})
		}
		if posted {
			time.Sleep(20 * time.Millisecond) // the workers get ahead, the sender takes the batch
		}
		return nil
	}
	c := &collector{}
	cancel, done := runPump(t, BatchConfig{Messages: in, Hooks: h, Tap: tap, MaxBatch: maxChunk,
		Ingest: Config{Workers: 2}}, c)
	defer cancel()
	wait(t, done)
	c.mu.Lock()
	defer c.mu.Unlock()
	stateAt, afterAt, items := -1, -1, 0
	for i, b := range c.batches {
		if b.State != nil && stateAt < 0 {
			stateAt = i
		}
		for _, it := range flat(b) {
			items++
			if it.Msg.Topic == "after" && afterAt < 0 {
				afterAt = i
			}
		}
	}
	if items != before+after || afterAt < 0 {
		t.Fatalf("%d items arrived, want %d", items, before+after)
	}
	if stateAt < 0 || stateAt > afterAt {
		t.Fatalf("messages after the state change came in batch %d, the state in batch %d", afterAt, stateAt)
	}
}
