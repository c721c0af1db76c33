package views

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/themes"
)

// A refusal's reason too long for the bar (issue 17: credentials refused
// after they once worked) keeps its gist at every width from 80 columns,
// and the whole reason where it fits.
func TestStatusBarKeepsWhy(t *testing.T) {
	s := NewStatusBar(themes.New(themes.Mono), ConnInfo{Broker: "mqtts://drogue.example.net:18883", Platform: "drogue", Protocol: "auto"})
	s.SetNow(tNow)
	err := "credentials refused (not authorized (0x87)): re-reading --token-command (drg) at the next attempt"
	s.SetConn(ConnState{Kind: ConnRetrying, RetryAt: tNow.Add(4 * time.Second), Err: err, Why: "credentials refused"})
	s.SetCounters(Counters{Total: 12, Rate: 1})
	for w := 80; w <= 240; w++ {
		s.SetSize(w)
		plain := ansi.Strip(s.View())
		if !strings.Contains(plain, "reconnecting in 4s") || !strings.Contains(plain, "credentials refused") {
			t.Fatalf("w=%d: %q", w, plain)
		}
		if w >= 200 && !strings.Contains(plain, "re-reading --token-command (drg) at the next attempt") {
			t.Errorf("w=%d: the whole reason fits but is not shown: %q", w, plain)
		}
	}
	// Control: without Why the same bar at 120 columns says only "reconnecting".
	s.SetConn(ConnState{Kind: ConnRetrying, RetryAt: tNow.Add(4 * time.Second), Err: err})
	s.SetSize(120)
	if plain := ansi.Strip(s.View()); strings.Contains(plain, "credentials refused") {
		t.Errorf("control: %q", plain)
	}
}
