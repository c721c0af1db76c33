package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/views"
)

// headless runs the program without a terminal: no input, output
// discarded, a fixed size.
func headless() []tea.ProgramOption {
	return []tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(120, 40)}
}

// Run end to end on the embedded broker: a real client subscribed through
// the DRIVR scheme, the seed event and error published by a second client,
// the pump batching into the program; ExitAfter ends the run once every
// message was applied.
func TestRunAgainstEmbeddedBroker(t *testing.T) {
	url := mqtttest.Embedded(t)
	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: fixture.Slug})
	if err != nil {
		t.Fatal(err)
	}
	hooks := ingest.NewHooks()
	sub, err := mqttconn.New(mqttconn.Options{Broker: url, Subscriptions: scheme.Filters(),
		OnState: hooks.OnState, OnSubscribe: hooks.OnSubscribe, ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := sub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	pub, err := mqttconn.New(mqttconn.Options{Broker: url, ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer pub.Close()

	const n = 500
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(200 * time.Millisecond) // the program is up and subscribed
		topic := "drivr/v1/" + fixture.Slug + "/systems/" + fixture.System + "/events/" + fixture.SysEvent
		for i := 0; i < n-1; i++ {
			if r := pub.Publish(ctx, mqttconn.PublishRequest{Topic: topic, Payload: []byte(fixture.SysEventJSON), QoS: 1}); r.Err != nil {
				t.Errorf("publish %d: %v", i, r.Err)
				return
			}
		}
		pub.Publish(ctx, mqttconn.PublishRequest{Topic: fixture.SysErrorTopic, Payload: []byte(fixture.SysErrorJSON), QoS: 1})
	}()

	var got *Model
	cfg := Config{
		Conn:      views.ConnInfo{Broker: url, Platform: "drivr"},
		Source:    Source{Messages: sub.Messages(), Scheme: scheme, Dropped: sub.Dropped, Hooks: hooks},
		ExitAfter: n,
	}
	start := time.Now()
	err = run(ctx, cfg, func(m *Model) { got = m }, headless()...)
	wg.Wait()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run ended by the test timeout, not by ExitAfter")
	}
	tot := got.Store().Totals()
	if tot.Messages != n {
		t.Fatalf("applied %d messages, want %d", tot.Messages, n)
	}
	if tot.Events != 1 || tot.Errors != 1 {
		t.Fatalf("store: %d events, %d errors", tot.Events, tot.Errors)
	}
	out := plain(got)
	for _, want := range []string{"connected", "energy-overl", "SOME_DATA_I"} {
		if !strings.Contains(out, want) {
			t.Errorf("final screen lacks %q:\n%s", want, out)
		}
	}
	t.Logf("%d messages through broker, pump and store in %v", n, time.Since(start))
}

// A bug that panics understanding one message (here: a scheme whose Route
// panics on one topic, the panic value holding a secret) costs that
// message's decoding only: the console keeps running and applies every
// message, the bad one with its error; the Errors pane shows the
// INTERNAL_ERROR without the secret, and a crash report is written
// without it.
func TestIngestPanicKeepsTheConsoleRunning(t *testing.T) {
	const secret = "s3cr3t-token-value"
	generic, err := platform.New(platform.Generic, platform.Params{})
	if err != nil {
		t.Fatal(err)
	}
	in := make(chan mqttconn.Message, 3)
	in <- mqttconn.Message{Topic: "before", Payload: []byte(`{"a":1}`)}
	in <- mqttconn.Message{Topic: "boom", Payload: []byte(`{"a":2}`)}
	in <- mqttconn.Message{Topic: "after", Payload: []byte(`{"a":3}`)}
	dir := t.TempDir()
	var got *Model
	cfg := Config{
		Source:    Source{Messages: in, Scheme: boomOn{Scheme: generic, topic: "boom", msg: "route failed near " + secret}},
		Redact:    []string{secret},
		CrashDir:  dir,
		ExitAfter: 3,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := run(ctx, cfg, func(m *Model) { got = m }, headless()...); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run ended by the test timeout, not by ExitAfter: a message was lost")
	}
	st := got.Store()
	if n := st.Totals().Messages; n != 3 {
		t.Fatalf("%d of 3 messages applied", n)
	}
	errs, _ := st.ErrorsWindow(0, 10, nil)
	var internal, decodeErr int
	for _, e := range errs {
		if strings.Contains(e.Message, secret) {
			t.Fatalf("the Errors pane shows the secret: %q", e.Message)
		}
		if e.Code == "INTERNAL_ERROR" && e.Topic == "boom" && strings.Contains(e.Message, "route failed near [redacted]") {
			internal++
		}
		if e.Topic == "boom" && strings.HasPrefix(e.Message, ingest.Understood) {
			decodeErr++
		}
	}
	if internal != 1 || decodeErr != 1 {
		t.Fatalf("errors pane: %d INTERNAL_ERROR, %d item errors on boom, want 1 each: %+v", internal, decodeErr, errs)
	}
	if screen := plain(got); !strings.Contains(screen, "INTERNAL_ER") || !strings.Contains(screen, "internal error understanding a message on boom") || strings.Contains(screen, secret) {
		t.Fatalf("the screen does not show the INTERNAL_ERROR and the notice (or shows the secret):\n%s", screen)
	}
	// The Log pane and the entry's detail say why its payload is gone.
	got.Update(press("5"))
	got.Update(press("G")) // the oldest entry
	got.Update(press("k")) // "boom", the middle one
	if screen := plain(got); !strings.Contains(screen, "(not understood, a b") || !strings.Contains(screen, "Not kept: its route is unknown; the topic might carry credentials.") ||
		!strings.Contains(screen, "warning     "+ingest.Understood[:40]) {
		t.Fatalf("the Log pane and the detail do not say the message was not understood:\n%s", screen)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "mqdeck-crash-*.txt"))
	if len(files) != 1 {
		t.Fatalf("%d crash reports, want 1", len(files))
	}
	report, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(report), secret) || !strings.Contains(string(report), "route failed near [redacted]") || !strings.Contains(string(report), "boomOn") {
		t.Fatalf("the report holds the secret, or lacks the panic or its stack:\n%s", report)
	}
}

// boomOn routes like its scheme and panics on one topic.
type boomOn struct {
	platform.Scheme
	topic, msg string
}

func (b boomOn) Route(topic string, p *mqttconn.Props) platform.Route {
	if topic == b.topic {
		panic(b.msg)
	}
	return b.Scheme.Route(topic, p)
}

// A panic in the pump outside the per-message path and the Tap (here: the
// transport's drop counter, the last resort) stops the program, restores
// the terminal and leaves a crash report without the secret.
func TestPumpPanicWritesReportWithoutSecret(t *testing.T) {
	const secret = "s3cr3t-token-value"
	in := make(chan mqttconn.Message, 1)
	in <- mqttconn.Message{Topic: "boom"}
	dir := t.TempDir()
	cfg := Config{
		Source:   Source{Messages: in, Dropped: func() uint64 { panic("counter failed near " + secret) }},
		Redact:   []string{secret},
		CrashDir: dir,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := Run(ctx, cfg, headless()...)
	checkCrash(t, err, dir, secret, "counter failed near [redacted]")
}

// A panic on the UI goroutine takes the same path.
func TestUIPanicWritesReportWithoutSecret(t *testing.T) {
	const secret = "hunter2-password"
	dir := t.TempDir()
	cfg := Config{Redact: []string{secret}, CrashDir: dir}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	boom := tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(tea.WindowSizeMsg); ok {
			panic(fmt.Sprintf("bad state with %s\x1b[2J", secret))
		}
		return msg
	})
	err := Run(ctx, cfg, append(headless(), boom)...)
	checkCrash(t, err, dir, secret, "bad state with [redacted]␛[2J")
}

func checkCrash(t *testing.T, err error, dir, secret, want string) {
	t.Helper()
	if !errors.Is(err, ErrCrashed) {
		t.Fatalf("Run returned %v, want ErrCrashed", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatal("the error names the secret")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "mqdeck-crash-*.txt"))
	if len(files) != 1 {
		t.Fatalf("%d crash reports in %s", len(files), dir)
	}
	b, rerr := os.ReadFile(files[0])
	if rerr != nil {
		t.Fatal(rerr)
	}
	report := string(b)
	if strings.Contains(report, secret) {
		t.Fatal("the crash report holds the secret")
	}
	if !strings.Contains(report, want) || !strings.Contains(report, "goroutine") {
		t.Fatalf("report lacks the panic or the stack:\n%s", report)
	}
	if strings.Contains(report, "\x1b") {
		t.Fatal("the report carries an escape sequence")
	}
}

// The caller cancelling ctx is a normal end, not an error.
func TestRunEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Config{Source: Source{Messages: make(chan mqttconn.Message)}}, headless()...) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end with its context")
	}
}
