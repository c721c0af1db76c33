package reliability

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// A stalled broker (issue 9, item 2): Mosquitto is SIGSTOPped right after
// mqdeck acknowledged a message, the worst moment for keepalive (the client
// just heard from the broker, so it waits a whole keepalive before it
// pings). mqdeck must say it lost the connection within 1.5x the keepalive,
// and after SIGCONT reconnect, subscribe again and print new messages.
func TestStalledBrokerNoticedWithinKeepalive(t *testing.T) {
	const keepalive = 3 * time.Second
	for _, proto := range []string{"5", "3.1.1"} {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
			port := strconv.Itoa(m.Port)
			p := startMqdeck(t, nil, "log", "--broker", m.URL(), "--mqtt-version", proto, "--qos", "1",
				"--topic", "stall/#", "--keepalive", keepalive.String(), "--backoff-max", "1s", "-v")
			if _, ok := p.waitStderr(15*time.Second, "subscribed"); !ok {
				t.Fatalf("mqdeck log did not subscribe:\n%s", p.stderrText())
			}
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-q", "1", "-t", "stall/a", "-m", `{"seq":1}`)
			if !p.waitUntil(5*time.Second, func() bool { return p.stdoutCount() == 1 }) {
				t.Fatal("first message not printed")
			}
			m.Pause()
			pausedAt := time.Now()
			lost, ok := waitLine(p, 4*keepalive, pausedAt, "lost")
			if !ok {
				m.Resume()
				t.Fatalf("no loss reported %s after SIGSTOP:\n%s", 4*keepalive, p.stderrText())
			}
			noticed := lost.at.Sub(pausedAt)
			time.Sleep(keepalive) // stay stopped a while longer: retries must fail and say so
			// Taken before SIGCONT: the broker, mqdeck and the reader can all
			// run before this goroutine does again, so a time taken after
			// Resume may come later than the reconnection's lines.
			resumedAt := time.Now()
			m.Resume()
			up, ok := waitLine(p, 10*time.Second, pausedAt, "connected to")
			if !ok {
				var b strings.Builder
				for _, l := range p.stderr() {
					fmt.Fprintf(&b, "%+8.3fs %s\n", l.at.Sub(pausedAt).Seconds(), l.text)
				}
				t.Fatalf("no reconnection within 10s of SIGCONT (%.3fs after SIGSTOP):\n%s", resumedAt.Sub(pausedAt).Seconds(), b.String())
			}
			if up.at.Before(resumedAt) {
				t.Errorf("reconnected %s before SIGCONT: the broker answered while stopped?", resumedAt.Sub(up.at))
			}
			if _, ok := waitLine(p, 5*time.Second, resumedAt, "subscribed"); !ok {
				t.Fatalf("no subscription after reconnecting:\n%s", p.stderrText())
			}
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-q", "1", "-t", "stall/b", "-m", `{"seq":2}`)
			if !p.waitUntil(5*time.Second, func() bool { return p.stdoutCount() == 2 }) {
				t.Fatal("no message after recovery")
			}
			t.Logf("MQTT %s, keepalive %s: loss reported %s after SIGSTOP (%.2fx keepalive): %q; reconnected %s after SIGCONT",
				proto, keepalive, noticed.Round(time.Millisecond), float64(noticed)/float64(keepalive), lost.text,
				up.at.Sub(resumedAt).Round(time.Millisecond))
			if noticed > keepalive*3/2 {
				t.Errorf("the stall was noticed after %s, want within 1.5x keepalive (%s)", noticed, keepalive*3/2)
			}
		})
	}
}
