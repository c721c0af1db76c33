package reliability

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// A stuck terminal under the console (issue 9, item 3): the console binary
// runs in tmux and the tmux server is SIGSTOPped, so nobody reads the
// console's terminal any more, as with an SSH link that stopped reading.
// A flood keeps coming for several keepalive periods. Proven: the MQTT side
// holds (no will published, Mosquitto reports no timeout, the process stays
// alive with bounded memory); when the terminal reads again the console
// draws, shows what it dropped, and prints new messages.
func TestStuckTerminalDoesNotStallConsole(t *testing.T) {
	needTools(t, "tmux", "mosquitto_sub")
	const keepalive = 2 * time.Second
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	port := strconv.Itoa(m.Port)
	stopWill := watchWill(t, port)

	tmp := t.TempDir()
	tm := hostile.Tmux{Socket: hostile.PrivateSocket("stuck"), Target: "s"}
	t.Cleanup(tm.Kill)
	if err := tm.Start(120, 40, []string{"HOME=" + tmp, "TMPDIR=" + tmp}, mqdeckBin(), "--broker", m.URL(), "--topic", "stuck/#",
		"--keepalive", keepalive.String(), "--buffer", "2000", "--will-topic", "rel/will", "--will-payload", "console gone"); err != nil {
		t.Fatal(err)
	}
	if _, ok := tm.WaitScreen(15*time.Second, "connected"); !ok {
		s, _ := tm.CaptureAll()
		t.Fatalf("console did not connect:\n%s", s)
	}
	pid, _ := tm.PID()
	spid, err := tm.Display("#{pid}")
	if err != nil {
		t.Fatal(err)
	}
	server, _ := strconv.Atoi(spid)

	pub, err := mqttconn.New(mqttconn.Options{Broker: m.URL(), Protocol: mqttconn.Protocol5})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Start(timeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ctx := timeout(t, 60*time.Second)
	flood := func(n int, tag string) {
		for i := range n {
			payload := fmt.Appendf(nil, `{"seq":%d,"tag":%q,"pad":"%s"}`, i, tag, strings.Repeat("y", 150))
			pub.Publish(ctx, mqttconn.PublishRequest{Topic: "stuck/" + tag, Payload: payload})
		}
	}

	if err := syscall.Kill(server, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stoppedAt := time.Now()
	stuckUntil := stoppedAt.Add(3 * keepalive)
	sent, maxRSS := 0, 0
	for time.Now().Before(stuckUntil) {
		flood(5000, "during")
		sent += 5000
		rss, err := hostile.RSSKB(pid)
		if err != nil {
			_ = syscall.Kill(server, syscall.SIGCONT)
			t.Fatalf("the console died while its terminal was stuck: %v", err)
		}
		maxRSS = max(maxRSS, rss)
		time.Sleep(200 * time.Millisecond)
	}
	state := procState(pid)
	if err := syscall.Kill(server, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	stuckFor := time.Since(stoppedAt)
	resumedAt := time.Now()
	if err := tm.Keys("5"); err != nil {
		t.Fatal(err)
	}
	pub.Publish(ctx, mqttconn.PublishRequest{Topic: "stuck/after-resume", Payload: []byte(`{"after":true}`), QoS: 1})
	s, ok := tm.WaitScreen(15*time.Second, "stuck/after-resume")
	if !ok {
		t.Fatalf("the console did not draw a new message after the terminal came back:\n%s", s)
	}
	drawnIn := time.Since(resumedAt)
	status := statusLine(tm)
	willOut := stopWill()
	dropped := -1
	if mm := regexp.MustCompile(`dropped ([0-9.k]+)`).FindStringSubmatch(status); mm != nil {
		dropped = parseCount(mm[1])
	}
	t.Logf("terminal stuck %s (%d keepalives) while %d messages arrived; console process state while stuck: %s; max RSS %.1f MB; drawn again %s after SIGCONT; status: %s",
		stuckFor.Round(time.Millisecond), int(stuckFor/keepalive), sent, state, float64(maxRSS)/1024, drawnIn.Round(time.Millisecond), status)
	if strings.Contains(willOut, "console gone") {
		t.Error("the broker published the console's will: its keepalive failed while the terminal was stuck")
	}
	if strings.Contains(m.Log(), "exceeded timeout") {
		t.Errorf("Mosquitto timed the console out:\n%s", m.Log())
	}
	if !strings.Contains(status, "connected") || dropped < 0 {
		t.Errorf("status bar after the stall: %s", status)
	}
	if maxRSS > 300<<10 {
		t.Errorf("RSS %d MB while stuck", maxRSS>>10)
	}
}

// procState is the State line of /proc/PID/status (e.g. "S (sleeping)").
func procState(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return err.Error()
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "State:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// parseCount reads the status bar's counts: 1234, 12.3k, 1.2M.
func parseCount(s string) int {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1e3, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "M"):
		mult, s = 1e6, strings.TrimSuffix(s, "M")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return int(f * mult)
}
