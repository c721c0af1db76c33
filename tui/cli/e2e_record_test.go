package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/record"
)

// publishN publishes n messages t/from ... with mqdeck's own client, at
// QoS 0: mochi v2.7.9 can deadlock delivering QoS 1 under load
// (Inflight.NextImmediate read-locks twice); on localhost, far below
// mochi's 8192 pending per client, QoS 0 loses nothing.
func publishN(t *testing.T, url string, from, n int) {
	t.Helper()
	c, err := mqttconn.New(mqttconn.Options{Broker: url, ConnectTimeout: 5 * time.Second})
	must(t, err)
	ctx := ctxFor(t, 20*time.Second)
	must(t, c.Start(ctx))
	defer c.Close()
	for i := from; i < from+n; i++ {
		r := c.Publish(ctx, mqttconn.PublishRequest{Topic: fmt.Sprintf("t/%d", i), Payload: []byte(fmt.Sprintf(`{"seq":%d}`, i))})
		if r.Outcome != mqttconn.OutcomeAcked {
			t.Fatalf("publish %d: %+v", i, r)
		}
	}
}

// TestConsoleRecordToAFullDisk: the console recording to /dev/full (every
// write fails with ENOSPC, a real device) keeps running and applying every
// message; the screen says the recording stopped and counts the messages
// missing from it; q exits 0, and stderr then says what the file holds.
// On the old code the write error was dropped: the screen said nothing.
func TestConsoleRecordToAFullDisk(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	b := mqtttest.EmbeddedBroker(t)
	stderr := filepath.Join(t.TempDir(), "stderr")
	tm := newTmuxCmd(t, 120, 40, "sh", "-c", `exec "$0" "$@" 2>`+shellQuote(stderr), mqdeckBin,
		"--broker", b.URL(), "--topic", "t/#", "--record", "/dev/full", "--theme", "mono")
	tm.waitScreen(10*time.Second, "connected")
	// The recorder writes its buffer out at least once a second: after
	// that, the next message's write fails.
	time.Sleep(1100 * time.Millisecond)
	publishN(t, b.URL(), 0, 40)
	screen := tm.waitScreen(10*time.Second, "40 msgs", "REC STOPPED: 40 missing", "RECORDING_S")
	t.Logf("after the failure:\n%s", screen)
	publishN(t, b.URL(), 40, 20)
	tm.waitScreen(10*time.Second, "60 msgs", "REC STOPPED: 60 missing")
	tm.keys("q")
	if status := tm.exited(5 * time.Second); status != "0" {
		t.Errorf("exit status %q after q", status)
	}
	b2, err := os.ReadFile(stderr)
	must(t, err)
	after := string(b2)
	if !strings.Contains(after, "mqdeck: --record /dev/full stopped at") || !strings.Contains(after, "no space left on device") ||
		!strings.Contains(after, "it holds the first 0 messages received") {
		t.Errorf("stderr does not say what the recording holds:\n%s", after)
	}
}

// TestServeRecordPanicKeepsServing: --record's recorder panicking (a bug,
// MQDECK_CRASH_TEST=record: its value holds the broker password) stops the
// recording only: serve's log says so with the stack and the password
// blanked, serve keeps applying messages, and the file replays every
// message before the one the recorder failed on.
func TestServeRecordPanicKeepsServing(t *testing.T) {
	const password = "Rec-Pw-4e2a-do-not-print"
	mq := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{"op": password}})
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	signer, err := gossh.NewSignerFromKey(priv)
	must(t, err)
	ops := filepath.Join(dir, "operators")
	must(t, os.WriteFile(ops, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600))
	rec := filepath.Join(dir, "rec.jsonl")
	sshPort := strconv.Itoa(mqtttest.FreePort(t))
	p := startMQDeck(t, testEnv(t, "MQDECK_PASSWORD="+password, "MQDECK_CRASH_TEST=record"), "serve", "--broker", mq.URL(),
		"--username", "op", "--topic", "t/#", "--topic", "mqdeck/#", "--ssh-listen", "127.0.0.1:"+sshPort,
		"--host-key", filepath.Join(dir, "host_key"), "--operator-keys", ops, "--record", rec)
	waitFor(t, 15*time.Second, "serve listening", func() bool { return strings.Contains(p.stderr.String(), "connect with") })
	pub := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(mq.Port), "-u", "op", "-P", password, "-q", "1"}
	mqtttest.PubCLI(t, append(pub, "-t", "t/before", "-m", "1")...)
	mqtttest.PubCLI(t, append(pub, "-t", "mqdeck/crash-test", "-m", "{}")...)
	waitFor(t, 15*time.Second, "the recording's end logged", func() bool {
		return strings.Contains(p.stderr.String(), "Why: a bug in mqdeck panicked while recording")
	})
	mqtttest.PubCLI(t, append(pub, "-t", "t/after", "-m", "3")...)
	p.signal(syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("mqdeck serve exited %d after SIGTERM\n%s", code, p.stderr.String())
	}
	log := p.stderr.String()
	if strings.Contains(log, password) {
		t.Fatalf("the password is in serve's log:\n%s", log)
	}
	if !strings.Contains(log, "[redacted]") || !strings.Contains(log, "(*recorder).tap") || strings.Contains(log, "internal error in the ingest") {
		t.Fatalf("the log lacks the blanked panic or its stack, or the ingest restarted:\n%s", log)
	}
	if !strings.Contains(log, "--record "+rec+" stopped at") || !strings.Contains(log, "it holds the first 1 message received") {
		t.Fatalf("the log does not say at the end what the recording holds:\n%s", log)
	}
	f, err := os.Open(rec)
	must(t, err)
	defer f.Close()
	r := record.NewReader(f)
	var topics []string
	for i := 0; i < 10; i++ {
		m, err := r.Next()
		if err != nil {
			break
		}
		topics = append(topics, m.Topic)
	}
	if strings.Join(topics, ",") != "t/before" || r.Stats().Bad != 0 || r.Stats().Truncated {
		t.Fatalf("the recording holds %v (stats %+v), want t/before alone, whole", topics, r.Stats())
	}
}
