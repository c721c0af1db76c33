package reliability

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// A redelivered QoS 1 message is marked as such (issue 9, item 1: "none
// invented, duplicates marked"). The link proxy swallows mqdeck's PUBACKs,
// so the broker still holds the messages as unacknowledged when the link is
// cut; on reconnect with the persistent session it sends them again with
// the DUP flag, and each repeat must reach the log line as "dup":true.
func TestRedeliveryIsMarkedDup(t *testing.T) {
	t.Parallel() // waits more than it works: overlaps with the others like it
	const n = 10
	for _, proto := range []string{"5", "3.1.1"} {
		t.Run(proto, func(t *testing.T) {
			m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
			link := newLinkProxy(t, m.Port)
			p := startMqdeck(t, nil, "log", "--broker", link.URL(), "--mqtt-version", proto,
				"--qos", "1", "--client-id", "reliability-dup-"+proto, "--no-clean-start", "--session-expiry", "1h",
				"--topic", "dup/#", "--backoff-max", "1s", "--keepalive", "10s", "-v")
			if _, ok := p.waitStderr(15*time.Second, "subscribed"); !ok {
				t.Fatalf("mqdeck log did not subscribe:\n%s", p.stderrText())
			}
			link.Mute()
			for i := range n {
				mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-q", "1", "-t", "dup/x", "-m", fmt.Sprintf(`{"seq":%d}`, i))
			}
			if !p.waitUntil(10*time.Second, func() bool { return p.stdoutCount() >= n }) {
				t.Fatalf("%d of %d messages before the cut", p.stdoutCount(), n)
			}
			link.Cut()
			link.Restore()
			if !p.waitUntil(15*time.Second, func() bool { return p.stdoutCount() >= 2*n }) {
				t.Fatalf("%d lines: the broker did not redeliver the unacknowledged messages:\n%s", p.stdoutCount(), p.stderrText())
			}
			time.Sleep(300 * time.Millisecond) // nothing more may come
			lines := parseLog(t, p.stdout())
			if len(lines) != 2*n {
				t.Fatalf("%d lines, want %d (each message once, then once redelivered)", len(lines), 2*n)
			}
			for i, l := range lines {
				seq, ok := seqOf(l.Payload)
				if !ok || seq != int64(i%n) {
					t.Fatalf("line %d: %+v", i, l)
				}
				if want := i >= n; l.Dup != want {
					t.Errorf("line %d (seq %d): dup=%t, want %t", i, seq, l.Dup, want)
				}
			}
		})
	}
}
