package reliability

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// A reader that stops reading (issue 9, item 3): `mqdeck log` writes into a
// pipe nobody reads, as to an SSH link that stalled, while a flood comes in.
// The MQTT side must not stall: keepalive holds through several periods (no
// will message is published for mqdeck, no loss is reported), the buffer
// fills and the rest is dropped and counted; once the pipe is read again,
// mqdeck goes on, prints what comes next, and its count adds up exactly:
// printed + dropped = published.
func TestStuckStdoutDoesNotStallMQTT(t *testing.T) {
	needTools(t, "mosquitto_sub")
	const (
		keepalive = 2 * time.Second
		flood     = 30000
		buffer    = 1000
	)
	// max_queued_messages 0: mqdeck now slows the broker before it drops
	// (backpressure, then drops after --drop-after without progress), and
	// Mosquitto's own default limit would drop QoS 0 for a slowed client,
	// so its drops would stand outside mqdeck's count (CI, 1 run: 26740 of
	// 30005 accounted for).
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Extra: []string{"max_queued_messages 0"}})
	port := strconv.Itoa(m.Port)
	// Anything on the will topic means the broker gave mqdeck up.
	stopWill := watchWill(t, port)
	p, release := startStuck(t, nil, "log", "--broker", m.URL(), "--mqtt-version", "5", "--topic", "stuck/#",
		"--keepalive", keepalive.String(), "--buffer", strconv.Itoa(buffer), "--will-topic", "rel/will", "--will-payload", "mqdeck gone", "-v")
	if _, ok := p.waitStderr(15*time.Second, "subscribed"); !ok {
		t.Fatalf("mqdeck log did not subscribe:\n%s", p.stderrText())
	}
	rssBefore, _ := hostile.RSSKB(p.pid())

	pub, err := mqttconn.New(mqttconn.Options{Broker: m.URL(), Protocol: mqttconn.Protocol5})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Start(timeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	payload := []byte(`{"seq":0,"pad":"` + strings.Repeat("x", 180) + `"}`)
	ctx := timeout(t, 60*time.Second)
	sent := 0
	for i := range flood {
		if r := pub.Publish(ctx, mqttconn.PublishRequest{Topic: "stuck/flood", Payload: payload, QoS: 0}); r.Outcome != mqttconn.OutcomeAcked {
			t.Fatalf("flood publish %d: %+v", i, r)
		}
		sent++
	}
	// Several keepalive periods with the reader stuck and the buffer full.
	time.Sleep(3 * keepalive)
	rssStuck, _ := hostile.RSSKB(p.pid())
	if p.stdoutCount() != 0 {
		t.Fatal("stdout was read before release")
	}
	release()
	if !p.waitUntil(20*time.Second, func() bool { return p.stdoutCount() > 0 }) {
		t.Fatal("nothing printed after the reader came back")
	}
	// Let it drain what it buffered before publishing more.
	for last := -1; p.stdoutCount() != last; time.Sleep(300 * time.Millisecond) {
		last = p.stdoutCount()
	}
	// New messages after the stall are printed.
	for i := range 5 {
		msg := fmt.Sprintf(`{"seq":%d,"after":true}`, i+1)
		if r := pub.Publish(ctx, mqttconn.PublishRequest{Topic: "stuck/after", Payload: []byte(msg), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
			t.Fatalf("after publish: %+v", r)
		}
		sent++
	}
	if !p.waitUntil(10*time.Second, func() bool {
		n := 0
		for _, l := range p.stdout() {
			if strings.Contains(l.text, `"topic":"stuck/after"`) {
				n++
			}
		}
		return n == 5
	}) {
		t.Fatalf("the messages published after the stall were not all printed:\n%s", p.stderrText())
	}
	p.interrupt()
	if code := p.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.stderrText())
	}
	stderr := p.stderrText()
	stats := regexp.MustCompile(`(\d+) messages, .* (\d+) dropped`).FindStringSubmatch(stderr)
	if stats == nil {
		t.Fatalf("no final count on stderr:\n%s", stderr)
	}
	printed, _ := strconv.Atoi(stats[1])
	dropped, _ := strconv.Atoi(stats[2])
	lines := len(parseLog(t, p.stdout()))
	t.Logf("flood %d (+5 after), stdout stuck %s (%d keepalives): printed %d, dropped %d, printed+dropped %d; RSS %d kB before, %d kB while stuck",
		flood, 3*keepalive, 3, printed, dropped, printed+dropped, rssBefore, rssStuck)
	if lines != printed {
		t.Errorf("stdout has %d lines, the count says %d", lines, printed)
	}
	if printed+dropped != sent {
		t.Errorf("printed %d + dropped %d = %d, want every one of %d published accounted for", printed, dropped, printed+dropped, sent)
	}
	if dropped == 0 || dropped > flood-buffer {
		t.Errorf("dropped %d: the buffer of %d should have filled", dropped, buffer)
	}
	if !strings.Contains(stderr, "messages dropped") {
		t.Errorf("the drops were not announced on stderr while running:\n%s", stderr)
	}
	if strings.Contains(stderr, "lost") || strings.Contains(m.Log(), "exceeded timeout") {
		t.Errorf("the connection did not hold while stdout was stuck:\n%s\nbroker:\n%s", stderr, m.Log())
	}
	if strings.Contains(stopWill(), "mqdeck gone") {
		t.Errorf("the broker published mqdeck's will: it thought the console dead")
	}
	if rssStuck > 150<<10 {
		t.Errorf("RSS while stuck %d kB: not bounded by the buffer", rssStuck)
	}
}

// watchWill subscribes to rel/will with mosquitto_sub until the returned
// stop is called (or the test ends); stop returns what arrived.
func watchWill(t *testing.T, port string) (stop func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-t", "rel/will", "-C", "1")
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stop = func() string {
		cancel()
		<-done
		return out.String()
	}
	t.Cleanup(func() { stop() })
	return stop
}
