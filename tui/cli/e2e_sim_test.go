package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/record"
)

// TestSimAgainstMosquitto: `mqdeck sim` drives Mosquitto and `mqdeck log`
// names what it publishes, as the DRIVR platform would.
func TestSimAgainstMosquitto(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	sim := startMQDeck(t, testEnv(t), "sim", "--broker", m.URL(), "--systems", "3", "--platforms", "drivr", "--duration", "20s")
	log := runMQDeck(t, 20*time.Second, testEnv(t), "log", "--broker", m.URL(), "--platform", "drivr", "--slug", seedSlug, "-n", "40")
	if log.code != 0 {
		t.Fatalf("log exit %d: %s", log.code, log.stderr)
	}
	kinds := map[any]int{}
	for _, l := range logLines(t, log.stdout.String()) {
		kinds[l["kind"]]++
		if l["platform"] != "drivr" {
			t.Errorf("not routed as DRIVR: %v", l)
		}
	}
	for _, k := range []string{"system", "component"} {
		if kinds[k] == 0 {
			t.Errorf("no %s among %v", k, kinds)
		}
	}
	sim.signal(syscall.SIGINT)
	if code := sim.wait(t, 10*time.Second); code != 0 || !strings.Contains(sim.stderr.String(), "published") {
		t.Errorf("sim exit %d: %s", code, sim.stderr)
	}
}

// TestReplayInConsole: a recording plays through the console without a
// broker, and the screen shows the seed's event and error report.
func TestReplayInConsole(t *testing.T) {
	file := filepath.Join(t.TempDir(), "seed.jsonl")
	w, err := record.Create(file)
	must(t, err)
	at := time.Now()
	for i, s := range drivrSeed() {
		must(t, w.Write(mqttconn.Message{Topic: s.topic, Payload: []byte(s.payload), Received: at.Add(time.Duration(i) * time.Millisecond)}))
	}
	must(t, w.Close())
	tm := newTmux(t, 120, 40, "replay", file, "--platform", "drivr", "--slug", seedSlug, "--speed", "0", "--theme", "mono")
	tm.waitScreen(10*time.Second, "replay", "energy-overl", "SOME_DATA_I")
	tm.keys("q")
	if status := tm.exited(5 * time.Second); status != "0" {
		t.Errorf("exit status %q", status)
	}
}

// TestReplayRefusesEmptyFile: a file without a message is an error line,
// not an empty console.
func TestReplayRefusesEmptyFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "empty.jsonl")
	must(t, os.WriteFile(file, []byte("not json\n"), 0o600))
	p := runMQDeck(t, 10*time.Second, testEnv(t), "replay", file)
	if p.code == 0 || len(stderrLines(p.stderr.String())) != 1 || !strings.Contains(p.stderr.String(), "no readable message") {
		t.Errorf("exit %d: %q", p.code, p.stderr)
	}
}

// TestDemoRefusesPublicListen: the demo broker accepts anyone, so it does
// not listen beyond loopback.
func TestDemoRefusesPublicListen(t *testing.T) {
	p := runMQDeck(t, 10*time.Second, testEnv(t), "demo", "--listen", "0.0.0.0:0")
	if p.code != exitUsage || !strings.Contains(p.stderr.String(), "loopback only") {
		t.Errorf("exit %d: %q", p.code, p.stderr)
	}
}
