package console

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/record"
	"github.com/mqdeck/mqdeck/views"
)

// runRecording runs the console on the embedded broker (127.0.0.1) with
// tap as its --record, publishes n messages (QoS 1, topics t/0 ...) from a
// second client, and returns the final model once all n were applied.
func runRecording(t *testing.T, n int, cfg Config) *Model {
	t.Helper()
	url := mqtttest.Embedded(t)
	generic, err := platform.New(platform.Generic, platform.Params{})
	if err != nil {
		t.Fatal(err)
	}
	hooks := ingest.NewHooks()
	sub, err := mqttconn.New(mqttconn.Options{Broker: url, Subscriptions: []mqttconn.Subscription{{Filter: "t/#", QoS: 1}},
		OnState: hooks.OnState, OnSubscribe: hooks.OnSubscribe, ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
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
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			// QoS 0: mochi v2.7.9 can deadlock delivering QoS 1 under load
			// (Inflight.NextImmediate read-locks twice); on localhost, far
			// below mochi's 8192 pending per client, QoS 0 loses nothing.
			payload := fmt.Sprintf(`{"seq":%d,"pad":"%0100d"}`, i, i)
			if r := pub.Publish(ctx, mqttconn.PublishRequest{Topic: fmt.Sprintf("t/%d", i), Payload: []byte(payload)}); r.Err != nil {
				t.Errorf("publish %d: %v", i, r.Err)
				return
			}
		}
	}()
	cfg.Conn = views.ConnInfo{Broker: url, Platform: "generic"}
	cfg.Source.Messages, cfg.Source.Scheme, cfg.Source.Dropped, cfg.Source.Hooks = sub.Messages(), generic, sub.Dropped, hooks
	cfg.ExitAfter = uint64(n)
	// A clock that stands still: the footer's notice stays (it goes after
	// 6 s, which a loaded machine can take to get here).
	at := time.Now()
	cfg.Now = func() time.Time { return at }
	var got *Model
	err = run(ctx, cfg, func(m *Model) { got = m }, headless()...)
	wg.Wait()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run ended by the test timeout, not by ExitAfter: messages were lost")
	}
	if tot := got.Store().Totals(); tot.Messages != uint64(n) {
		t.Fatalf("applied %d of %d messages", tot.Messages, n)
	}
	return got
}

// fullDisk accepts limit bytes, then fails as a full disk does, having
// written part of what it was given.
type fullDisk struct {
	mu    sync.Mutex
	limit int
	data  []byte
}

func (d *fullDisk) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	room := d.limit - len(d.data)
	if room >= len(p) {
		d.data = append(d.data, p...)
		return len(p), nil
	}
	d.data = append(d.data, p[:room]...)
	return room, syscall.ENOSPC
}

// recordingStopped is the one RECORDING_STOPPED report in the Errors pane.
func recordingStopped(t *testing.T, m *Model) string {
	t.Helper()
	errs, _ := m.Store().ErrorsWindow(0, 100, nil)
	var found []string
	for _, e := range errs {
		if e.Code == "RECORDING_STOPPED" {
			found = append(found, e.Message)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d RECORDING_STOPPED reports, want 1: %+v", len(found), errs)
	}
	return found[0]
}

// A write of the recording that fails (a full disk) stops the recording,
// not the console: every published message is applied once, the Errors
// pane says why and how many messages the file holds, the status bar
// counts the messages missing from it, and the recorder is called no
// more. On the old code the failure was dropped without a word.
func TestRecordWriteFailureKeepsTheConsoleRunning(t *testing.T) {
	const n = 2000 // about 280 KB of lines: the second 64 KB write fails
	disk := &fullDisk{limit: 100_000}
	rec := record.NewWriter(disk)
	var calls, afterFailure int // the batcher's goroutine only
	failed := false
	tap := func(items []ingest.Item) error {
		calls++
		if failed {
			afterFailure++
		}
		for i := range items {
			if err := rec.Write(items[i].Msg); err != nil {
				failed = true
				return err
			}
		}
		return nil
	}
	m := runRecording(t, n, Config{Source: Source{Tap: tap, Recorded: rec.Count}})
	if afterFailure != 0 || !failed {
		t.Fatalf("failed %v; the tap was called %d times after it failed", failed, afterFailure)
	}
	kept := rec.Count()
	if kept == 0 || kept >= n || uint64(strings.Count(string(disk.data), "\n")) != kept {
		t.Fatalf("the recording says it holds %d messages; the disk has %d lines", kept, strings.Count(string(disk.data), "\n"))
	}
	text := recordingStopped(t, m)
	if !strings.Contains(text, "no space left on device") || !strings.Contains(text, "holds the first "+Messages(kept)+" received") ||
		!strings.Contains(text, "and so is every message from now on") {
		t.Fatalf("the report does not say why, or what the file holds: %q", text)
	}
	missing := uint64(n) - kept
	m.refreshStatus() // ExitAfter quit before the last wake-up's refresh
	if got, stopped := m.unrecorded(m.Store().Totals().Messages); !stopped || got != missing {
		t.Fatalf("the console counts %d missing (stopped %v), want %d", got, stopped, missing)
	}
	screen := plain(m)
	if !strings.Contains(screen, "REC STOPPED: "+views.Count(missing)+" missing") {
		t.Fatalf("the status bar does not count the missing messages (%d):\n%s", missing, screen)
	}
	if !strings.Contains(screen, "messages missing, see the Errors pane (record: write the recording: no space left on device)") {
		t.Fatalf("the footer does not say the recording stopped:\n%s", screen)
	}
}

// A panic in the recorder (a bug) stops the recording, not the console:
// every published message is applied once (the batcher catches the panic
// instead of raising it again, which crashed the console), the Errors
// pane and a crash report say so without the secret the panic held, and
// the recorder is called no more.
func TestRecordPanicKeepsTheConsoleRunning(t *testing.T) {
	const n, secret = 300, "s3cr3t-record-token"
	var recorded, calls, afterPanic int // the batcher's goroutine only
	panicked := false
	tap := func(items []ingest.Item) error {
		calls++
		if panicked {
			afterPanic++
		}
		for _, it := range items {
			if it.Msg.Topic == "t/150" {
				panicked = true
				panic("encoder bug near " + secret)
			}
			recorded++
		}
		return nil
	}
	dir := t.TempDir()
	m := runRecording(t, n, Config{Source: Source{Tap: tap, Recorded: func() uint64 { return uint64(recorded) }},
		Redact: []string{secret}, CrashDir: dir})
	if !panicked || afterPanic != 0 {
		t.Fatalf("panicked %v; the tap was called %d times after", panicked, afterPanic)
	}
	text := recordingStopped(t, m)
	if strings.Contains(text, secret) || !strings.Contains(text, "a bug in mqdeck panicked while recording: encoder bug near [redacted]") ||
		!strings.Contains(text, fmt.Sprintf("holds the first %d messages received", recorded)) {
		t.Fatalf("the report does not say what happened, or shows the secret: %q", text)
	}
	m.refreshStatus() // ExitAfter quit before the last wake-up's refresh
	screen := plain(m)
	if strings.Contains(screen, secret) || !strings.Contains(screen, "REC STOPPED: "+views.Count(uint64(n-recorded))+" missing") {
		t.Fatalf("the screen shows the secret or does not count what is missing:\n%s", screen)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "mqdeck-crash-*.txt"))
	if len(files) != 1 {
		t.Fatalf("%d crash reports, want 1", len(files))
	}
	report, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(report), secret) || !strings.Contains(string(report), "encoder bug near [redacted]") ||
		!strings.Contains(string(report), "TestRecordPanicKeepsTheConsoleRunning") {
		t.Fatalf("the report holds the secret, or lacks the panic or its stack:\n%s", report)
	}
	if !strings.Contains(screen, "recording stopped by a bug: ") || !strings.Contains(screen, "report in /") {
		t.Fatalf("the footer does not name the crash report:\n%s", screen)
	}
}
