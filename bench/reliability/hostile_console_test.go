package reliability

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// The reduced hostile sweep (issue 9, item 4) against the console binary in
// a 120x40 tmux pane, the embedded broker injecting every case past a
// conforming broker's checks. After the cases, the operator walks the log
// pane so every hostile message is drawn in the detail pane too. Proven:
// the console stays up and keeps drawing (a sentinel published last
// appears), memory stays bounded, the pane title and alternate screen are
// unchanged, no injected text stands where an executed escape would put
// it, and no sequence reached the terminal raw (checked on the byte stream
// the console wrote, recorded with tmux pipe-pane).
func TestHostileSweepConsole(t *testing.T) {
	needTools(t, "tmux")
	b := mqtttest.EmbeddedBroker(t)
	tmp := t.TempDir()
	socket := hostile.PrivateSocket("hostile")
	t.Cleanup(hostile.Tmux{Socket: socket}.Kill)
	// Two consoles on the same broker: generic sees every topic (log,
	// detail), DRIVR routes its topics into the fleet, events and errors.
	type watched struct {
		name string
		con  *hostile.Console
		pid  int
		rss0 int
	}
	var consoles []*watched
	for _, c := range []struct {
		name, raw string
		args      []string
	}{
		{"generic", "raw-generic", []string{"--topic", "#"}},
		{"drivr", "raw-drivr", []string{"--platform", "drivr", "--slug", "company-example"}},
	} {
		tm := hostile.Tmux{Socket: socket, Target: c.name}
		args := append([]string{mqdeckBin(), "--broker", b.URL()}, c.args...)
		if err := tm.Start(120, 40, []string{"HOME=" + tmp, "TMPDIR=" + tmp}, args...); err != nil {
			t.Fatal(err)
		}
		if _, ok := tm.WaitScreen(15*time.Second, "connected"); !ok {
			s, _ := tm.CaptureAll()
			t.Fatalf("%s console did not connect:\n%s", c.name, s)
		}
		con, err := hostile.Watch(tm, filepath.Join(tmp, c.raw), "connected")
		if err != nil {
			t.Fatal(err)
		}
		pid, err := tm.PID()
		if err != nil {
			t.Fatal(err)
		}
		rss0, _ := hostile.RSSKB(pid)
		consoles = append(consoles, &watched{name: c.name, con: con, pid: pid, rss0: rss0})
	}
	maxRSS, checks, problems := 0, 0, 0
	checkAll := func(when string) error {
		for _, w := range consoles {
			found, rss, err := w.con.Check()
			if err != nil {
				return err
			}
			maxRSS = max(maxRSS, rss)
			checks++
			for _, p := range found {
				t.Errorf("%s console, %s: %s", w.name, when, p)
			}
			problems += len(found)
		}
		return nil
	}
	n := 0
	after := func(r hostile.Result) error {
		if r.Err != nil {
			return fmt.Errorf("injection refused: %w", r.Err)
		}
		n++
		for _, w := range consoles {
			rss, err := hostile.RSSKB(w.pid)
			if err != nil {
				s, _ := w.con.Tmux.CaptureAll()
				return fmt.Errorf("the %s console is gone after %q:\n%s", w.name, r.Case.Name, s)
			}
			maxRSS = max(maxRSS, rss)
		}
		// Harm persists (title, alt screen, raw stream): a full check every
		// few cases, and after the big ones, catches it.
		if n%15 == 0 || r.Case.Repeat > 1 || len(r.Case.Payload) > 100<<10 {
			time.Sleep(100 * time.Millisecond)
			return checkAll("after " + r.Case.Name)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	results, err := hostile.Run(ctx, hostile.InjectPublisher{B: b}, hostile.Cases(false), after)
	if err != nil {
		t.Fatal(err)
	}

	// Walk the log pane of the generic console and the fleet and events of
	// the DRIVR one: each step draws one hostile item in the detail pane.
	walks := []struct {
		console string
		keys    []string
		steps   int
	}{
		{"generic", []string{"5", "g"}, 80}, // newest first: the escapes came last
		{"drivr", []string{"1", "g"}, 20},
		{"drivr", []string{"2", "g"}, 20},
	}
	steps := 0
	for _, w := range walks {
		tm := hostile.Tmux{Socket: socket, Target: w.console}
		if err := tm.Keys(w.keys...); err != nil {
			t.Fatal(err)
		}
		for i := range w.steps {
			if err := tm.Keys("j"); err != nil {
				t.Fatal(err)
			}
			steps++
			time.Sleep(40 * time.Millisecond)
			if i%10 == 9 {
				if err := checkAll(fmt.Sprintf("walking %s %v, step %d", w.console, w.keys, i+1)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := b.Publish("drivr/v1/company-example/systems/5e771e11-0000-4000-8000-000000000001", []byte(`{"name":"Sentinel Alive"}`), false, 1); err != nil {
		t.Fatal(err)
	}
	for _, w := range consoles {
		if err := w.con.Tmux.Keys("5", "g"); err != nil {
			t.Fatal(err)
		}
		if s, ok := w.con.Tmux.WaitScreen(10*time.Second, "5e771e11"); !ok {
			t.Errorf("the %s console stopped drawing new messages:\n%s", w.name, s)
		}
	}
	if err := checkAll("at the end"); err != nil {
		t.Fatal(err)
	}
	tried, sent, _ := hostile.Totals(results)
	for _, w := range consoles {
		rss, _ := hostile.RSSKB(w.pid)
		raw, _ := os.ReadFile(w.con.RawPath)
		t.Logf("%s console: RSS %.1f MB at start, %.1f MB at the end; raw output %d bytes checked; status: %s",
			w.name, float64(w.rss0)/1024, float64(rss)/1024, len(raw), statusLine(w.con.Tmux))
	}
	t.Logf("%d cases, %d messages injected (%d taken), %d rows walked, %d checks, problems %d, crashes 0, max RSS %.1f MB",
		len(results), tried, sent, steps, checks, problems, float64(maxRSS)/1024)
	if maxRSS > 300<<10 {
		t.Errorf("RSS reached %d MB", maxRSS>>10)
	}
}
