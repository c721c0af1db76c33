package ingest

import (
	"context"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// boomScheme routes like the generic platform and panics on one topic (or
// on every one): a bug in a platform's routing, as an operator would meet it.
type boomScheme struct {
	platform.Scheme
	every bool
}

func (b boomScheme) Route(topic string, props *mqttconn.Props) platform.Route {
	if b.every || topic == "boom" {
		panic("routing bug on " + topic)
	}
	return b.Scheme.Route(topic, props)
}

func newBoom(t *testing.T, every bool) boomScheme {
	t.Helper()
	generic, err := platform.New(platform.Generic, platform.Params{})
	if err != nil {
		t.Fatal(err)
	}
	return boomScheme{Scheme: generic, every: every}
}

// midStream is n JSON messages with "boom" in the middle; the bad one's
// payload is a secret that must not survive.
func midStream(n int) []mqttconn.Message {
	msgs := make([]mqttconn.Message, n)
	for i := range msgs {
		msgs[i] = mqttconn.Message{Topic: "t/" + strconv.Itoa(i), Payload: []byte(`{"seq":` + strconv.Itoa(i) + `}`)}
	}
	msgs[n/2] = mqttconn.Message{Topic: "boom", Payload: []byte(`{"token":"s3cr3t"}`)}
	return msgs
}

// checkMidStream asserts what a route panic on one message in the middle
// must leave: every message in order, the bad one raw generic with its
// error and size but without its payload, the others decoded.
func checkMidStream(t *testing.T, msgs []mqttconn.Message, items []Item) {
	t.Helper()
	if len(items) != len(msgs) {
		t.Fatalf("%d items for %d messages", len(items), len(msgs))
	}
	for i, it := range items {
		if it.Msg.Topic != msgs[i].Topic {
			t.Fatalf("item %d is %q, want %q: the order is lost", i, it.Msg.Topic, msgs[i].Topic)
		}
		if it.Msg.Topic != "boom" {
			if it.Value.Format != decode.FormatJSON || len(it.Value.Warnings) > 0 || it.Route.Secret {
				t.Fatalf("item %d (%s) was not decoded as usual: %+v", i, it.Msg.Topic, it.Value)
			}
			continue
		}
		if it.Route.Platform != platform.Generic || it.Route.Kind != platform.KindRaw || !it.Route.Secret {
			t.Fatalf("the bad item's route is %+v, want raw generic with its payload withheld", it.Route)
		}
		if it.Msg.Payload != nil || it.Value.Size != len(msgs[i].Payload) || it.Value.Format != "" {
			t.Fatalf("the bad item keeps or decoded its payload (its route is unknown): %q %+v", it.Msg.Payload, it.Value)
		}
		if len(it.Value.Warnings) != 1 || !strings.HasPrefix(it.Value.Warnings[0], Understood) {
			t.Fatalf("the bad item does not say what happened: %q", it.Value.Warnings)
		}
	}
}

// A scheme whose Route panics on one topic in the middle of a stream: the
// stream goes on, every message comes out in order, the bad one as an item
// with its error, the consumer gets the panic once with its topic and
// stack, and the worker's stage keeps working (one worker: the messages
// after the bad one went through the same worker).
func TestRoutePanicCostsOneMessage(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run("workers="+strconv.Itoa(workers), func(t *testing.T) {
			msgs := midStream(41)
			in := make(chan mqttconn.Message, len(msgs))
			for _, m := range msgs {
				in <- m
			}
			close(in)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var items []Item
			var panics []Panic
			for c := range Stream(ctx, in, Config{Scheme: newBoom(t, false), Workers: workers}) {
				if c.Panic != nil {
					t.Fatalf("the whole chunk was given up: %v", c.Panic)
				}
				items = append(items, c.Items...)
				panics = append(panics, c.Panics...)
			}
			if ctx.Err() != nil {
				t.Fatal("the stream did not end with its input")
			}
			checkMidStream(t, msgs, items)
			if len(panics) != 1 {
				t.Fatalf("%d panics reported, want 1", len(panics))
			}
			p := panics[0]
			if p.Topic != "boom" || p.String() != "routing bug on boom" || !strings.Contains(string(p.Stack), "boomScheme") {
				t.Fatalf("panic report %q on %q, stack:\n%s", p.String(), p.Topic, p.Stack)
			}
		})
	}
}

// After a panic the stage has a new decoder (the old one's reused buffers
// may be half-written) and understands the next message as usual.
func TestStageIsRebuiltAfterAPanic(t *testing.T) {
	st := NewStage(newBoom(t, false), decode.Limits{})
	old := st.dec
	it, p := st.understand(mqttconn.Message{Topic: "boom", Payload: []byte("1")}, nil)
	if p == nil || !it.Route.Secret || len(it.Value.Warnings) != 1 {
		t.Fatalf("panic %v, item %+v", p, it)
	}
	if st.dec == old || st.dec == nil {
		t.Fatal("the stage kept the decoder it panicked with")
	}
	it, p = st.understand(mqttconn.Message{Topic: "t/after", Payload: []byte(`{"a":[1,2]}`)}, nil)
	if p != nil || it.Value.Format != decode.FormatJSON || len(it.Value.Data.Fields) != 1 {
		t.Fatalf("after the panic: %v, %+v", p, it.Value)
	}
}

// When the route was known and not secret and only what came after it
// (decoding, refining) panicked, the payload stays, raw (shown as binary),
// with the error; a secret route's payload is never decoded, so never at
// risk. Here Refine panics on one topic.
func TestRefinePanicKeepsAKnownRoutesPayload(t *testing.T) {
	drivr, err := platform.New(platform.DRIVR, platform.Params{Slug: "company-example"})
	if err != nil {
		t.Fatal(err)
	}
	st := NewStage(drivr, decode.Limits{})
	st.refine = func(r platform.Route, v *decode.Value) platform.Route {
		if r.System == "s-bad" {
			panic("refine bug")
		}
		return platform.Refine(r, v)
	}
	old := st.dec
	m := mqttconn.Message{Topic: "drivr/v1/company-example/systems/s-bad", Payload: []byte(`{"a":1}`)}
	it, p := st.understand(m, nil)
	if p == nil || p.String() != "refine bug" || p.Topic != m.Topic || !strings.Contains(string(p.Stack), "TestRefinePanicKeepsAKnownRoutesPayload") {
		t.Fatalf("panic report %+v", p)
	}
	if st.dec == old {
		t.Fatal("the stage kept the decoder it panicked with")
	}
	if it.Route.Secret || it.Route.Platform != platform.Generic || it.Route.Kind != platform.KindRaw {
		t.Fatalf("route %+v, want raw generic", it.Route)
	}
	if string(it.Msg.Payload) != `{"a":1}` || it.Value.Format != decode.FormatBinary || string(it.Value.Data.Bytes) != `{"a":1}` || it.Value.Size != 7 {
		t.Fatalf("payload %q, value %+v", it.Msg.Payload, it.Value)
	}
	if len(it.Value.Warnings) != 1 || !strings.HasPrefix(it.Value.Warnings[0], Understood) {
		t.Fatalf("warnings %q", it.Value.Warnings)
	}
	secret := mqttconn.Message{Topic: "drivr/v1/company-example/authorization/localApiTokens/s-bad", Payload: []byte(`{"token":"s3cr3t"}`)}
	if it, p := st.understand(secret, nil); p != nil || !it.Route.Secret || it.Msg.Payload != nil {
		t.Fatalf("a secret route after the panic: %v %+v", p, it)
	}
	good := mqttconn.Message{Topic: "drivr/v1/company-example/systems/s-good", Payload: []byte(`{"a":1}`)}
	if it, p := st.understand(good, nil); p != nil || it.Value.Format != decode.FormatJSON || it.Route.System != "s-good" {
		t.Fatalf("the next message: %v %+v", p, it)
	}
}

// A panic in the log's encoder costs that line's decoding only: the item
// is written again as a fault item (no payload), in its place.
func TestEncodePanicCostsOneLine(t *testing.T) {
	in := make(chan mqttconn.Message, 3)
	for _, topic := range []string{"a", "enc-boom", "b"} {
		in <- mqttconn.Message{Topic: topic, Payload: []byte("x")}
	}
	close(in)
	enc := func(dst []byte, it *Item) []byte {
		if it.Msg.Topic == "enc-boom" && !it.Route.Secret {
			panic("encoder bug")
		}
		return append(append(dst, it.Msg.Topic...), '\n')
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var text string
	var items []Item
	var panics []Panic
	for c := range Stream(ctx, in, Config{Workers: 1, Encode: enc}) {
		if c.Panic != nil {
			t.Fatalf("the whole chunk was given up: %v", c.Panic)
		}
		for i := range c.Items {
			text += string(c.Line(i))
		}
		items = append(items, c.Items...)
		panics = append(panics, c.Panics...)
	}
	if text != "a\nenc-boom\nb\n" || len(items) != 3 {
		t.Fatalf("lines %q from %d items", text, len(items))
	}
	if !items[1].Route.Secret || items[1].Msg.Payload != nil || items[1].Value.Size != 1 || len(items[1].Value.Warnings) != 1 {
		t.Fatalf("the line that panicked became %+v", items[1])
	}
	if len(panics) != 1 || panics[0].Topic != "enc-boom" || panics[0].String() != "encoder bug" {
		t.Fatalf("panics %+v", panics)
	}
}

// A bug that hits every message: every message is still an item, every
// panic is reported, and only the first few carry a stack (a stack per
// message of a flood would cost more than the messages).
func TestEveryMessagePanicsBoundedStacks(t *testing.T) {
	const n = 500
	in := make(chan mqttconn.Message, n)
	for i := range n {
		in <- mqttconn.Message{Topic: "t/" + strconv.Itoa(i), Payload: []byte("x")}
	}
	close(in)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	items, panics, stacks := 0, 0, 0
	for c := range Stream(ctx, in, Config{Scheme: newBoom(t, true), Workers: 2}) {
		items += len(c.Items)
		panics += len(c.Panics)
		for _, p := range c.Panics {
			if p.Stack != nil {
				stacks++
			}
		}
	}
	if items != n || panics != n || stacks < MaxPanicReports || stacks > 2*maxStacks {
		t.Fatalf("%d items, %d panics, %d stacks (at most %d per worker)", items, panics, stacks, maxStacks)
	}
}

// The batcher hands the panics on with the batch, sees every item (the
// bad one too) once in order at its Tap (--record), and ends normally.
func TestBatcherCarriesPanics(t *testing.T) {
	msgs := midStream(21)
	in := make(chan mqttconn.Message, len(msgs))
	for _, m := range msgs {
		in <- m
	}
	close(in)
	var tapped, batched []Item
	var panics []Panic
	done := false
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	NewBatcher(BatchConfig{Messages: in, Ingest: Config{Scheme: newBoom(t, false)},
		Tap: func(items []Item) error { tapped = append(tapped, items...); return nil },
	}).Run(ctx, func(b Batch) {
		for r := range b.All() {
			batched = append(batched, r...)
		}
		panics = append(panics, b.Panics...)
		done = done || b.Done
	})
	if !done {
		t.Fatal("the batcher did not end with its input")
	}
	checkMidStream(t, msgs, tapped)
	checkMidStream(t, msgs, batched)
	if len(panics) != 1 || panics[0].Topic != "boom" {
		t.Fatalf("panics %+v", panics)
	}
}

func TestReportPanic(t *testing.T) {
	var full, counts []uint64
	for n := uint64(1); n <= 100_000; n++ {
		f, c := ReportPanic(n)
		if f && c {
			t.Fatalf("%d: both full and count", n)
		}
		if f {
			full = append(full, n)
		}
		if c {
			counts = append(counts, n)
		}
	}
	if len(full) != MaxPanicReports || full[len(full)-1] != MaxPanicReports {
		t.Fatalf("full reports at %v", full)
	}
	want := []uint64{MaxPanicReports + 1, 10, 100, 1000, 10_000, 100_000}
	if len(counts) != len(want) {
		t.Fatalf("counts at %v, want %v", counts, want)
	}
	for i := range want {
		if counts[i] != want[i] {
			t.Fatalf("counts at %v, want %v", counts, want)
		}
	}
	if f, c := ReportPanic(math.MaxUint64); f || c {
		t.Fatal("the largest count is reported")
	}
	if _, c := ReportPanic(10_000_000_000_000_000_000); !c {
		t.Fatal("1e19 is a power of ten")
	}
}

// senders counts the goroutines that hand batches to Run's send.
func senders() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "(*Batcher).Run.func1")
}

// A panic outside the per-message path and the Tap (here: the transport's
// drop counter, asked on the batcher's goroutine) is raised again from
// Run, the last resort (serve restarts its ingest), and Run's sending
// goroutine ends with it: a hub that restarts after every such panic must
// not leave one blocked sender each time.
func TestPanicEndsTheSender(t *testing.T) {
	before := senders()
	in := make(chan mqttconn.Message, 2)
	in <- mqttconn.Message{Topic: "ok", Payload: []byte("1")}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raised := make(chan any, 1)
	go func() {
		defer func() { raised <- recover() }()
		NewBatcher(BatchConfig{Messages: in, Dropped: func() uint64 { panic("counter bug") }}).Run(ctx, func(Batch) {})
	}()
	select {
	case r := <-raised:
		if s, _ := r.(string); s != "counter bug" {
			t.Fatalf("Run ended with %v, want the counter's panic raised again", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not raise the counter's panic")
	}
	deadline := time.Now().Add(5 * time.Second)
	for senders() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d sending goroutines still run after the panic (%d before)", senders(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
