package views

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/themes"
)

func TestStatusBarFitsAndKeepsWarnings(t *testing.T) {
	for _, theme := range themes.Names() {
		s := NewStatusBar(themes.New(theme), ConnInfo{
			Broker: "mqtts://broker.example.com:8883", Platform: "drivr", Protocol: "auto",
			ReadOnly: true, Insecure: true,
		})
		s.SetNow(tNow)
		s.SetConn(ConnState{Kind: ConnRetrying, RetryAt: tNow.Add(3 * time.Second), Err: "EOF\x1b[2J"})
		s.SetCounters(Counters{Total: 1234567, Rate: 4321, Dropped: 12, Evicted: 3, Paused: true, New: 42})
		for w := 40; w <= 200; w++ {
			s.SetSize(w)
			line := s.View()
			if strings.Contains(line, "\n") {
				t.Fatalf("%s w=%d: status bar has a newline", theme, w)
			}
			if got := ansi.StringWidth(line); got != w {
				t.Fatalf("%s w=%d: width %d: %q", theme, w, got, ansi.Strip(line))
			}
			if strings.Contains(ansi.Strip(line), "\x1b") {
				t.Fatalf("%s w=%d: network escape reached the screen", theme, w)
			}
			plain := ansi.Strip(line)
			if w >= 80 {
				for _, must := range []string{"reconnecting", "INSECURE TLS", "READ-ONLY", "PAUSED +42 new", "dropped 12"} {
					if !strings.Contains(plain, must) {
						t.Errorf("%s w=%d: %q missing from %q", theme, w, must, plain)
					}
				}
			}
		}
	}
}

func TestStateWords(t *testing.T) {
	cases := []struct {
		st   ConnState
		want string
	}{
		{ConnState{}, "connecting"},
		{ConnState{Kind: ConnUp, Protocol: "3.1.1"}, "connected (MQTT 3.1.1)"},
		{ConnState{Kind: ConnRetrying, RetryAt: tNow.Add(2500 * time.Millisecond), Err: "refused"}, "reconnecting in 3s: refused"},
		{ConnState{Kind: ConnRetrying, RetryAt: tNow.Add(7 * time.Second), RetryKey: "R"}, "reconnecting in 7s (R retries now)"},
		{ConnState{Kind: ConnRetrying, RetryAt: tNow.Add(-time.Second)}, "reconnecting now"},
		{ConnState{Kind: ConnStopped, Err: "closed"}, "stopped: closed"},
		{ConnState{Kind: ConnConnecting, Attempt: 4}, "connecting (attempt 4)"},
	}
	for _, c := range cases {
		_, words, _ := StateWords(c.st, tNow)
		if words != c.want {
			t.Errorf("StateWords(%+v) = %q, want %q", c.st, words, c.want)
		}
	}
}

// The reconnect countdown follows the clock: 7s, then 6s a second later,
// down to "now" (it stood at 7s for seven seconds before).
func TestReconnectCountsDown(t *testing.T) {
	s := NewStatusBar(themes.New(themes.Mono), ConnInfo{Broker: "mqtt://b:1883", Platform: "drivr"})
	s.SetSize(120)
	s.SetNow(tNow)
	s.SetConn(ConnState{Kind: ConnRetrying, RetryAt: tNow.Add(7 * time.Second), Err: "EOF", RetryKey: "R"})
	for i, want := range []string{"in 7s", "in 6s", "in 5s"} {
		s.SetNow(tNow.Add(time.Duration(i) * time.Second))
		if got := ansi.Strip(s.View()); !strings.Contains(got, "reconnecting "+want+" (R retries now): EOF") {
			t.Errorf("after %ds: %q, want %q", i, got, want)
		}
	}
	s.SetNow(tNow.Add(8 * time.Second))
	if got := ansi.Strip(s.View()); !strings.Contains(got, "reconnecting now") {
		t.Errorf("past the due time: %q", got)
	}
}

// At 80 columns the bar keeps the broker and the platform; the counters
// shorten instead (they were dropped first before).
func TestStatusBarKeepsBrokerAndPlatformAt80(t *testing.T) {
	s := NewStatusBar(themes.New(themes.Dark), ConnInfo{Broker: "mqtt://127.0.0.1:38435 (demo)", Platform: "drivr", Protocol: "5"})
	s.SetConn(ConnState{Kind: ConnUp, Protocol: "5"})
	s.SetCounters(Counters{Total: 297, Rate: 21})
	for _, w := range []int{80, 100, 120} {
		s.SetSize(w)
		got := ansi.Strip(s.View())
		for _, must := range []string{"127.0.0.1:38435 (demo)", "drivr", "connected", "297"} {
			if !strings.Contains(got, must) {
				t.Errorf("w=%d: %q missing from %q", w, must, got)
			}
		}
	}
}

func TestCountAndRate(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 9999: "9999", 12345: "12.3k", 4_500_000: "4.5M", 7_000_000_000: "7.0G"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
	for r, want := range map[float64]string{-1: "0", 2.25: "2.2", 950: "950", 45000: "45.0k"} {
		if got := Rate(r); got != want {
			t.Errorf("Rate(%v) = %q, want %q", r, got, want)
		}
	}
}

func TestFitIsExact(t *testing.T) {
	for _, s := range []string{"", "abc", "a very long topic name/with/levels", "日本語のトピック名", "e\u0301te\u0301", "🚀🚀🚀🚀"} {
		for w := 1; w < 30; w++ {
			if got := ansi.StringWidth(fit(s, w)); got != w {
				t.Errorf("fit(%q, %d) has width %d", s, w, got)
			}
			if got := ansi.StringWidth(fitRight(s, w)); got != w {
				t.Errorf("fitRight(%q, %d) has width %d", s, w, got)
			}
			if got := ansi.StringWidth(trunc(s, w)); got > w {
				t.Errorf("trunc(%q, %d) has width %d", s, w, got)
			}
		}
	}
}

func TestFrameSize(t *testing.T) {
	st := themes.New(themes.Dark)
	for _, focused := range []bool{false, true} {
		for w := 2; w < 50; w++ {
			for h := 2; h < 6; h++ {
				out := frame(st, focused, w, h, "Events", "3 active · 2 unacked", []string{fit("row", w-2)})
				lines := strings.Split(out, "\n")
				if len(lines) != h {
					t.Fatalf("w=%d h=%d: %d lines", w, h, len(lines))
				}
				for i, l := range lines {
					if got := ansi.StringWidth(l); got != w {
						t.Fatalf("w=%d h=%d line %d: width %d %q", w, h, i, got, ansi.Strip(l))
					}
				}
			}
		}
	}
}

// A recording that stopped early stays on the bar with what it misses, a
// warning that is never shortened, beside the connection state.
func TestStatusBarKeepsAStoppedRecording(t *testing.T) {
	s := NewStatusBar(themes.New("dark"), ConnInfo{Broker: "mqtts://broker.example.com:8883", Platform: "drivr", Protocol: "auto"})
	s.SetNow(tNow)
	s.SetConn(ConnState{Kind: ConnUp, Protocol: "5"})
	s.SetCounters(Counters{Total: 1234567, Rate: 4321, RecordStopped: true, Unrecorded: 15_450})
	for w := 80; w <= 200; w++ {
		s.SetSize(w)
		line := s.View()
		if got := ansi.StringWidth(line); got != w {
			t.Fatalf("w=%d: width %d: %q", w, got, ansi.Strip(line))
		}
		plain := ansi.Strip(line)
		if !strings.Contains(plain, "REC STOPPED: 15.4k missing") || !strings.Contains(plain, "connected") {
			t.Fatalf("w=%d: the stopped recording or the state is missing: %q", w, plain)
		}
	}
	s.SetCounters(Counters{Total: 10})
	s.SetSize(120)
	if plain := ansi.Strip(s.View()); strings.Contains(plain, "REC") {
		t.Fatalf("a recording that goes on is not on the bar: %q", plain)
	}
}
