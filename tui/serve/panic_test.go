package serve

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// boomScheme routes like the generic platform and panics on one topic (or
// on every one): a bug in a platform's routing, as an operator would meet it.
type boomScheme struct {
	platform.Scheme
	every bool
}

func (b boomScheme) Route(topic string, props *mqttconn.Props) platform.Route {
	if b.every || topic == "boom" {
		panic("routing bug")
	}
	return b.Scheme.Route(topic, props)
}

// A platform bug that panics on every message does not take the server
// down, nor make it restart its ingest: every message is applied (as an
// item with its error), the log holds a bounded number of stacks and then
// counts, the sessions are told, and the ingest runs on.
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
	const n = 300
	in := make(chan mqttconn.Message, n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Run(ctx, Source{Messages: in, Scheme: boomScheme{Scheme: generic, every: true}})
	}()

	for i := range n {
		in <- mqttconn.Message{Topic: "t/" + strconv.Itoa(i), Payload: []byte(`{"secret":"x"}`)}
	}
	waitTopic(t, h, "t/"+strconv.Itoa(n-1))
	close(in)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the hub did not end with its input")
	}

	if got := h.Applied(); got != n {
		t.Fatalf("%d of %d messages applied", got, n)
	}
	if h.restarts.Load() != 0 {
		t.Fatalf("the ingest restarted %d times", h.restarts.Load())
	}
	if h.IngestPanics() != n {
		t.Fatalf("%d ingest panics counted, want %d", h.IngestPanics(), n)
	}
	h.Lock().RLock()
	errs, _ := h.Store().ErrorsWindow(0, 2*n, nil)
	var decodeErrs, internal int
	for _, e := range errs {
		switch {
		case e.Source == fleet.ErrDecode && strings.HasPrefix(e.Message, ingest.Understood) && e.Item != nil && e.Item.Msg.Payload == nil:
			decodeErrs++
		case e.Code == "INTERNAL_ERROR":
			internal++
		}
	}
	h.Lock().RUnlock()
	if decodeErrs != n {
		t.Fatalf("%d of %d messages carry their error (without payload) in the Errors pane", decodeErrs, n)
	}
	// 5 in full, then counts at 6, 10 and 100.
	if internal != ingest.MaxPanicReports+3 {
		t.Fatalf("%d INTERNAL_ERROR reports, want %d", internal, ingest.MaxPanicReports+3)
	}

	mu.Lock()
	text := strings.Join(log, "\n")
	mu.Unlock()
	if c := strings.Count(text, "internal error understanding a message on t/"); c != ingest.MaxPanicReports {
		t.Fatalf("%d messages logged in full, want %d:\n%s", c, ingest.MaxPanicReports, text)
	}
	if c := strings.Count(text, "boomScheme"); c < ingest.MaxPanicReports || c > 4*ingest.MaxPanicReports {
		t.Fatalf("%d stack lines name the scheme: want one stack per full report:\n%s", c, text)
	}
	if !strings.Contains(text, "routing bug") || !strings.Contains(text, "keeps serving") || !strings.Contains(text, "100 internal errors so far") {
		t.Fatalf("the log does not say what happened, then count:\n%s", text)
	}
	if strings.Contains(text, "internal error in the ingest") {
		t.Fatalf("the ingest restarted:\n%s", text)
	}
	news := h.Shared(sub).Take()
	if len(news.Notices) == 0 || !strings.Contains(news.Notices[0], "internal error understanding a message on t/0") {
		t.Fatalf("the sessions were told %q", news.Notices)
	}
}

// A recorder that fails (a write error: a full disk; or a panic: a bug in
// its encoder) stops the recording, not the ingest: nothing restarts, every
// message is applied once, the Errors pane has the report, serve's log says
// what the recording holds (a panic with its stack, the secret it held
// blanked), every session is told once, and the sessions' status bars
// count the messages missing from the recording. On the old code the
// panic restarted the ingest, and a write error was not reported at all.
func TestTapFailureStopsTheRecordingOnly(t *testing.T) {
	const secret = "rec-s3cr3t-value"
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("panic %v", panics), func(t *testing.T) {
			generic, err := platform.New(platform.Generic, platform.Params{})
			if err != nil {
				t.Fatal(err)
			}
			h := NewHub(fleet.New(fleet.DefaultConfig(), platforms.Fleet()))
			h.Redact = func(s string) string { return strings.ReplaceAll(s, secret, "[redacted]") }
			var mu sync.Mutex
			var log []string
			h.setLog(func(l string) { mu.Lock(); log = append(log, l); mu.Unlock() })
			sub := h.Subscribe()
			in := make(chan mqttconn.Message, 8)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			var recorded, afterStop atomic.Uint64
			var stopped atomic.Bool
			tap := func(items []ingest.Item) error {
				if stopped.Load() {
					afterStop.Add(1)
				}
				for _, it := range items {
					if it.Msg.Topic == "boom" {
						stopped.Store(true)
						if panics {
							panic("recorder bug near " + secret)
						}
						return errors.New("record: write rec.jsonl: no space left on device")
					}
					recorded.Add(1)
				}
				return nil
			}
			go func() {
				defer close(done)
				h.Run(ctx, Source{Messages: in, Scheme: generic, Tap: tap, Recorded: recorded.Load})
			}()

			in <- mqttconn.Message{Topic: "before", Payload: []byte("1")}
			waitTopic(t, h, "before")
			in <- mqttconn.Message{Topic: "boom", Payload: []byte("2")}
			in <- mqttconn.Message{Topic: "after", Payload: []byte("3")}
			waitTopic(t, h, "after")
			in <- mqttconn.Message{Topic: "later", Payload: []byte("4")}
			waitTopic(t, h, "later")

			if h.restarts.Load() != 0 || h.Applied() != 4 || afterStop.Load() != 0 {
				t.Fatalf("%d restarts, %d of 4 messages applied, the tap called %d times after it stopped", h.restarts.Load(), h.Applied(), afterStop.Load())
			}
			if missing, stopped := h.Unrecorded(); !stopped || missing != 3 {
				t.Fatalf("%d messages missing from the recording (stopped %v), want 3", missing, stopped)
			}
			if kept, stopped := h.Shared(sub).RecordKept(); !stopped || kept != 1 {
				t.Fatalf("the sessions are told the recording kept %d (stopped %v), want 1", kept, stopped)
			}
			mu.Lock()
			text := strings.Join(log, "\n")
			mu.Unlock()
			if strings.Contains(text, secret) || strings.Contains(text, "internal error in the ingest") ||
				!strings.Contains(text, "recording stopped: ") || !strings.Contains(text, "holds the first 1 message received") || !strings.Contains(text, "keeps serving") {
				t.Fatalf("the log does not say the recording stopped (or restarted, or shows the secret):\n%s", text)
			}
			if panics && (!strings.Contains(text, "recorder bug near [redacted]") || !strings.Contains(text, "TestTapFailureStopsTheRecordingOnly")) {
				t.Fatalf("the log lacks the panic or its stack:\n%s", text)
			}
			if !panics && !strings.Contains(text, "no space left on device") {
				t.Fatalf("the log lacks the write error:\n%s", text)
			}
			news := h.Shared(sub).Take()
			if len(news.Notices) != 1 || !strings.Contains(news.Notices[0], "recording stopped: ") || strings.Contains(news.Notices[0], secret) {
				t.Fatalf("the sessions were told %q", news.Notices)
			}
			h.Lock().RLock()
			errs, _ := h.Store().ErrorsWindow(0, 10, nil)
			h.Lock().RUnlock()
			var reports int
			for _, e := range errs {
				if e.Code == "RECORDING_STOPPED" && !strings.Contains(e.Message, secret) {
					reports++
				}
			}
			if reports != 1 {
				t.Fatalf("%d RECORDING_STOPPED reports without the secret, want 1: %+v", reports, errs)
			}
			close(in)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the hub did not end with its input")
			}
		})
	}
}

// A panic outside the per-message path and the Tap (the last resort: here
// the transport's drop counter, once) is logged with its stack, every
// session is told, and the ingest starts again on the same input, so what
// arrives afterwards is applied.
func TestBookkeepingPanicRestartsTheIngest(t *testing.T) {
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
	var calls atomic.Int64
	dropped := func() uint64 {
		if calls.Add(1) == 3 { // after the first batcher's start, in its loop
			panic("counter bug")
		}
		return 0
	}
	go func() {
		defer close(done)
		h.Run(ctx, Source{Messages: in, Scheme: generic, Dropped: dropped})
	}()

	in <- mqttconn.Message{Topic: "before", Payload: []byte("1")}
	deadline := time.Now().Add(10 * time.Second)
	for h.restarts.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	in <- mqttconn.Message{Topic: "after", Payload: []byte("3")}
	waitTopic(t, h, "after")

	mu.Lock()
	text := strings.Join(log, "\n")
	mu.Unlock()
	if !strings.Contains(text, "internal error in the ingest: counter bug") || !strings.Contains(text, "keeps serving") || !strings.Contains(text, "TestBookkeepingPanicRestartsTheIngest") {
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
