package views

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/themes"
)

func TestStatusBarFitsAndKeepsWarnings(t *testing.T) {
	for _, theme := range themes.Names() {
		s := NewStatusBar(themes.New(theme), ConnInfo{
			Broker: "mqtts://broker.example.com:8883", Platform: "drivr", Protocol: "auto",
			ReadOnly: true, Insecure: true,
		})
		s.SetState(mqttconn.State{Kind: mqttconn.StateReconnecting, RetryIn: 3 * time.Second, Err: errors.New("EOF\x1b[2J")})
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
		st    mqttconn.State
		known bool
		want  string
	}{
		{mqttconn.State{}, false, "connecting"},
		{mqttconn.State{Kind: mqttconn.StateConnected, Protocol: "3.1.1"}, true, "connected (MQTT 3.1.1)"},
		{mqttconn.State{Kind: mqttconn.StateReconnecting, RetryIn: 2500 * time.Millisecond, Err: errors.New("refused")}, true, "reconnecting in 3s: refused"},
		{mqttconn.State{Kind: mqttconn.StateStopped, Err: errors.New("closed")}, true, "stopped: closed"},
		{mqttconn.State{Kind: mqttconn.StateConnecting, Attempt: 4}, true, "connecting (attempt 4)"},
	}
	for _, c := range cases {
		_, words, _ := StateWords(c.st, c.known)
		if words != c.want {
			t.Errorf("StateWords(%+v) = %q, want %q", c.st, words, c.want)
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
