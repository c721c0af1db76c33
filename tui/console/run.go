package console

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// ErrCrashed wraps the error Run returns after a panic; the message names
// the crash report.
var ErrCrashed = errors.New("mqdeck crashed")

// Run shows the console until the operator quits, ctx ends, or (with
// ExitAfter) enough messages were applied. It starts the pump on
// cfg.Source; the caller has started the client (or the replay) and closes
// it afterwards. A panic restores the terminal first, then writes a crash
// report without secrets and returns an error wrapping ErrCrashed.
func Run(ctx context.Context, cfg Config, opts ...tea.ProgramOption) error {
	return run(ctx, cfg, nil, opts...)
}

// run is Run with a hook that receives the final model (tests).
func run(ctx context.Context, cfg Config, final func(*Model), opts ...tea.ProgramOption) (err error) {
	if !cfg.NoColor && os.Getenv("NO_COLOR") != "" {
		cfg.NoColor = true
	}
	if t := cfg.Actions.Ack.Token; t != "" {
		cfg.Redact = append(append([]string(nil), cfg.Redact...), t)
	}
	if cfg.Actions.Audit == nil && cfg.Actions.AuditPath != "" {
		au, err := actions.OpenAudit(cfg.Actions.AuditPath, actions.Operator(cfg.Actions.Operator))
		if err != nil {
			return fmt.Errorf("--audit: %w", err)
		}
		defer au.Close()
		cfg.Actions.Audit = au
	}
	// One writer, one reader (serve's design with one session): the
	// writer's goroutine applies each batch a chunk per hold of the write
	// lock; the program draws under the read lock and is woken, one
	// wake-up pending at most. A key waits for one chunk, not a batch.
	var w *Writer
	var sub *Sub
	if cfg.Shared == nil {
		if cfg.Store == nil {
			cfg.Store = fleet.New(storeConfig(cfg), platforms.Fleet())
		}
		w = NewWriter(cfg.Store)
		// The console's own: every item reaches its tracker; a program that
		// stopped taking them holds the writer back past 64k items.
		sub = w.SubscribeHeld(1 << 16)
		cfg.Shared = w.Shared(sub)
	}
	m := New(cfg)
	if final != nil {
		defer final(m)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// After a flood or a replay, give the collector's headroom back
	// (docs/PERFORMANCE.md, "Memory": 1M flood, RSS 30 s later 207-222 MiB
	// with it, 375-645 MiB without, throughput unchanged).
	go fleet.ReleaseAfterBursts(ctx, time.Second)

	// Panics are ours to handle: Bubble Tea's handler would print the panic
	// value, which may hold network text, straight to the terminal.
	opts = append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithoutCatchPanics()}, opts...)
	p := tea.NewProgram(m, opts...)

	pumpPanic := make(chan crash, 1)
	pumpDone := make(chan struct{})
	if w != nil {
		w.Redact = cfg.Redactor()
		w.OnPanic = func(r PanicReport) {
			if !r.Full {
				w.Notify(fmt.Sprintf("%d internal errors so far (a bug): reports written for the first %d", r.N, ingest.MaxPanicReports))
				return
			}
			note := "internal error applying a message on " + decode.Truncate(r.Topic, 40) + ": skipped"
			if !r.Applying {
				note = "internal error understanding a message on " + decode.Truncate(r.Topic, 40) + ": not decoded"
			}
			if path, err := writeCrashReport(cfg, crash{value: r.Value, stack: r.Stack}, time.Now()); err == nil {
				note += "; report in " + path
			}
			w.Notify(note)
		}
		w.Recorded = cfg.Source.Recorded
		w.OnRecordStop = func(r RecordStop) {
			note := r.Notice
			if r.Panic != nil {
				// A bug: reported as the others are, with its stack.
				if path, err := writeCrashReport(cfg, crash{value: r.Panic.Value, stack: r.Panic.Stack}, time.Now()); err == nil {
					note = fmt.Sprintf("recording stopped by a bug: %s missing; report in %s", Messages(r.Missing), path)
				}
			}
			w.Notify(note)
		}
		go wake(ctx, p, w, sub)
		go w.RefreshEvery(ctx, time.Second)
	}
	if cfg.Source.Messages != nil && w != nil {
		go func() {
			defer close(pumpDone)
			defer func() {
				if r := recover(); r != nil {
					c := crash{value: r, stack: debug.Stack()}
					if p, ok := r.(*ingest.Panic); ok {
						c = crash{value: p.Value, stack: p.Stack} // where it happened
					}
					pumpPanic <- c
					// Cancelling ends the program through its own event loop,
					// which restores the terminal; Kill from here would race
					// with Run's start.
					cancel()
				}
			}()
			newPump(cfg.Source).Run(ctx, w.Apply)
		}()
	} else {
		close(pumpDone)
	}

	defer func() {
		if r := recover(); r != nil {
			p.Kill() // leaves the alt screen, shows the cursor, restores the tty
			err = crashed(cfg, crash{value: r, stack: debug.Stack()})
		}
	}()
	_, runErr := p.Run()
	m.Settle() // publishes still running: their answers reach the audit
	cancel()
	if sub != nil {
		sub.Close() // a writer waiting for the program goes on, and ends
	}
	<-pumpDone
	select {
	case c := <-pumpPanic:
		return crashed(cfg, c)
	default:
	}
	if runErr != nil && ctx.Err() != nil && errors.Is(runErr, tea.ErrProgramKilled) {
		return nil // the caller cancelled: a normal end
	}
	if runErr != nil {
		return fmt.Errorf("console: %w", runErr)
	}
	return nil
}

// newPump wires the ingest stage and its batching to a source. The writer
// applies each batch on the pump's sending goroutine, so a store that falls
// behind holds ingest back (backpressure to the transport), never a drop.
func newPump(s Source) *ingest.Batcher {
	return ingest.NewBatcher(ingest.BatchConfig{
		Messages: s.Messages,
		Ingest:   ingest.Config{Scheme: s.Scheme, Limits: s.Limits},
		Dropped:  s.Dropped,
		Hooks:    s.Hooks,
		Tap:      s.Tap,
		Paced:    true, // released by Writer.Apply once the batch is in
	})
}

// frameEvery is the most often data wakes the program: each wake-up in a
// flood redraws most of the screen, which the terminal has to keep up with
// too (bench/latency at 50k msg/s: frames every 33 ms answered keys slower
// than every 100 ms). Keys are answered at once, whatever this is.
const frameEvery = 100 * time.Millisecond

// wake sends the program a StoreChangedMsg when the store moved on, at most
// every frameEvery. Send waits while the program is busy: only this
// goroutine waits, never the writer.
func wake(ctx context.Context, p *tea.Program, w *Writer, sub *Sub) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Notify():
		}
		p.Send(w.Changed())
		t.Reset(frameEvery)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// crash is a recovered panic.
type crash struct {
	value any
	stack []byte
}

// crashed writes the report and returns the error for Run.
func crashed(cfg Config, c crash) error {
	path, werr := writeCrashReport(cfg, c, time.Now())
	if werr != nil {
		return fmt.Errorf("%w: %s (no report: %v)", ErrCrashed, decode.Truncate(redact(cfg.RedactList(), fmt.Sprint(c.value)), 200), werr)
	}
	return fmt.Errorf("%w: %s; report in %s", ErrCrashed, decode.Truncate(redact(cfg.RedactList(), fmt.Sprint(c.value)), 200), path)
}

// RedactList is every secret to blank: the fixed ones and those read since
// the start.
func (c *Config) RedactList() []string {
	if c.RedactLive == nil {
		return c.Redact
	}
	return append(append([]string(nil), c.Redact...), c.RedactLive()...)
}

// Redactor blanks the secrets of RedactList (read at each call, so a
// rotated token is covered) in a text, and makes it terminal-safe.
func (c *Config) Redactor() func(string) string {
	return func(s string) string { return redact(c.RedactList(), s) }
}

// redact makes text terminal-safe line by line and blanks every secret in
// it.
func redact(secrets []string, s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = decode.Safe(l)
	}
	s = strings.Join(lines, "\n")
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
			s = strings.ReplaceAll(s, decode.Safe(sec), "[redacted]")
		}
	}
	return s
}

// writeCrashReport writes what a developer needs: the panic, the stack,
// versions. Never the configuration or the environment, and every text
// that could hold a secret goes through redact.
func writeCrashReport(cfg Config, c crash, now time.Time) (string, error) {
	dir := cfg.CrashDir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, fmt.Sprintf("mqdeck-crash-%s-*.txt", now.UTC().Format("20060102T150405")))
	if err != nil {
		return "", fmt.Errorf("crash report: %w", err)
	}
	defer f.Close()
	var sb strings.Builder
	fmt.Fprintf(&sb, "mqdeck crash report\ntime: %s\ngo: %s %s/%s\n", now.UTC().Format(time.RFC3339), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(&sb, "module: %s %s\n", bi.Main.Path, bi.Main.Version)
	}
	fmt.Fprintf(&sb, "platform: %s\n\npanic: %s\n\n", decode.Safe(cfg.Conn.Platform), redact(cfg.RedactList(), fmt.Sprint(c.value)))
	sb.WriteString(redact(cfg.RedactList(), string(c.stack)))
	if _, err := f.WriteString(sb.String()); err != nil {
		return "", fmt.Errorf("crash report: %w", err)
	}
	return filepath.Clean(f.Name()), nil
}
