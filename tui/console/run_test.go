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

// A panic in the pump (here: a scheme that panics on hostile input) stops
// the program, restores the terminal and leaves a crash report without the
// secret.
func TestPumpPanicWritesReportWithoutSecret(t *testing.T) {
	const secret = "s3cr3t-token-value"
	in := make(chan mqttconn.Message, 1)
	in <- mqttconn.Message{Topic: "boom"}
	dir := t.TempDir()
	cfg := Config{
		Source:   Source{Messages: in, Scheme: panicScheme{msg: "route failed near " + secret}},
		Redact:   []string{secret},
		CrashDir: dir,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := Run(ctx, cfg, headless()...)
	checkCrash(t, err, dir, secret, "route failed near [redacted]")
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

type panicScheme struct{ msg string }

func (panicScheme) Name() string                     { return "panic" }
func (panicScheme) Filters() []mqttconn.Subscription { return nil }
func (p panicScheme) Route(string, *mqttconn.Props) platform.Route {
	panic(p.msg)
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
