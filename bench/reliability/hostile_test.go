package reliability

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// The reduced hostile sweep (issue 9, item 4) against `mqdeck log`, with
// the embedded broker injecting every case past the checks a conforming
// broker makes (a hostile broker): mqdeck stays up through every case, its
// memory stays bounded, every message comes out as one valid JSON line
// (none lost), and no raw escape or C1 control reaches its output.
func TestHostileSweepLog(t *testing.T) {
	t.Parallel() // waits more than it works: overlaps with the others like it
	b := mqtttest.EmbeddedBroker(t)
	p := startMqdeck(t, nil, "log", "--broker", b.URL(), "--mqtt-version", "5", "--topic", "#", "-v")
	if _, ok := p.waitStderr(15*time.Second, "subscribed"); !ok {
		t.Fatalf("mqdeck log did not subscribe:\n%s", p.stderrText())
	}
	maxRSS := 0
	after := func(r hostile.Result) error {
		if r.Err != nil {
			return fmt.Errorf("injection refused: %w", r.Err)
		}
		rss, err := hostile.RSSKB(p.pid())
		if err != nil {
			return fmt.Errorf("mqdeck log is gone after %q: %w\n%s", r.Case.Name, err, p.stderrText())
		}
		maxRSS = max(maxRSS, rss)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	results, err := hostile.Run(ctx, hostile.InjectPublisher{B: b}, hostile.Cases(os.Getenv("MQDECK_HOSTILE_FULL") == "1"), after)
	if err != nil {
		t.Fatal(err)
	}
	tried, sent, _ := hostile.Totals(results)
	if err := b.Publish("sentinel/end", []byte("end"), false, 1); err != nil {
		t.Fatal(err)
	}
	if !p.waitUntil(30*time.Second, func() bool { return p.stdoutCount() >= sent+1 }) {
		t.Fatalf("%d lines for %d messages", p.stdoutCount(), sent+1)
	}
	p.interrupt()
	if code := p.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.stderrText())
	}
	out := joinLines(p.stdout())
	lines := parseLog(t, p.stdout())
	if len(lines) != sent+1 {
		t.Errorf("%d lines, want %d", len(lines), sent+1)
	}
	if i := bytes.IndexAny(out, "\x1b\x07\x08\r\x7f"); i >= 0 {
		t.Errorf("a raw control byte in the output at %d: %q", i, out[max(0, i-40):min(len(out), i+40)])
	}
	for rest := out; len(rest) > 0; {
		r, size := utf8.DecodeRune(rest)
		if r == utf8.RuneError && size == 1 || r >= 0x80 && r <= 0x9f {
			t.Errorf("invalid UTF-8 or a C1 control in the output: %q", rest[:min(len(rest), 40)])
			break
		}
		rest = rest[size:]
	}
	t.Logf("mqdeck log: %d cases, %d messages injected, %d lines printed, max RSS %.1f MB, crashes 0",
		len(results), tried, len(lines), float64(maxRSS)/1024)
	if maxRSS > 200<<10 {
		t.Errorf("RSS reached %d MB", maxRSS>>10)
	}
}
