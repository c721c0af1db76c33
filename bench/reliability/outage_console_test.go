package reliability

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// The console says what happened to its connection, in words (issue 9,
// items 1 and 2), on its status bar: the console binary in tmux watches
// Mosquitto being SIGSTOPped (a stall: noticed within 1.5x keepalive),
// SIGCONTed, then SIGKILLed and restarted on the same port. Each phase must
// show on the status bar, and messages must flow again at the end.
func TestConsoleShowsOutageInWords(t *testing.T) {
	needTools(t, "tmux")
	const keepalive = 3 * time.Second
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	tmp := t.TempDir()
	tm := hostile.Tmux{Socket: hostile.PrivateSocket("outage"), Target: "o"}
	t.Cleanup(tm.Kill)
	if err := tm.Start(150, 30, []string{"HOME=" + tmp, "TMPDIR=" + tmp}, mqdeckBin(), "--broker", m.URL(), "--topic", "out/#",
		"--keepalive", keepalive.String(), "--backoff-max", "2s"); err != nil {
		t.Fatal(err)
	}
	if _, ok := tm.WaitScreen(15*time.Second, "connected"); !ok {
		s, _ := tm.CaptureAll()
		t.Fatalf("console did not connect:\n%s", s)
	}
	status := func() string { return statusLine(tm) }
	waitStatus := func(d time.Duration, want ...string) (string, time.Duration, bool) {
		start := time.Now()
		var s string
		ok := waitFor(d, func() bool {
			s = status()
			for _, w := range want {
				if !strings.Contains(s, w) {
					return false
				}
			}
			return true
		})
		return s, time.Since(start), ok
	}

	m.Pause()
	stalled, took, ok := waitStatus(4*keepalive, "reconnecting")
	if !ok {
		m.Resume()
		t.Fatalf("a stalled broker never showed on the status bar: %s", stalled)
	}
	t.Logf("SIGSTOP: after %s (%.2fx keepalive): %s", took.Round(time.Millisecond), float64(took)/float64(keepalive), stalled)
	if took > keepalive*3/2 {
		t.Errorf("the stall showed after %s, want within 1.5x keepalive", took)
	}
	m.Resume()
	back, took, ok := waitStatus(10*time.Second, "connected")
	if !ok {
		t.Fatalf("not connected again after SIGCONT: %s", back)
	}
	t.Logf("SIGCONT: after %s: %s", took.Round(time.Millisecond), back)

	m.Kill()
	killed, took, ok := waitStatus(5*time.Second, "reconnecting")
	if !ok {
		t.Fatalf("a killed broker never showed on the status bar: %s", killed)
	}
	t.Logf("SIGKILL: after %s: %s", took.Round(time.Millisecond), killed)
	time.Sleep(3 * time.Second) // a few failed retries with growing delays
	retrying := status()
	t.Logf("still down: %s", retrying)
	m.Restart()
	up, took, ok := waitStatus(10*time.Second, "connected")
	if !ok {
		t.Fatalf("not connected after the restart: %s", up)
	}
	t.Logf("restart on the same port: connected after %s: %s", took.Round(time.Millisecond), up)
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-t", "out/after-restart", "-m", "flowing")
	_ = tm.Keys("5")
	if s, ok := tm.WaitScreen(10*time.Second, "out/after-restart"); !ok {
		t.Errorf("no message after the restart (subscription not restored?):\n%s", s)
	}
	// The countdown is live: between its last second and the attempt's
	// answer the bar says "reconnecting now" (issue 13 item 7).
	inWords := regexp.MustCompile(`reconnecting (in \d+s|now)`)
	for _, s := range []string{stalled, killed, retrying} {
		if !inWords.MatchString(s) {
			t.Errorf("the outage is not said in words (reconnecting in N s, or now): %s", s)
		}
	}
}
