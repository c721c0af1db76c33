package reliability

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// Read-only (issue 9, item 7), proven where it matters: on the broker. The
// simulator lays down a retained DRIVR picture and leaves; then the console
// binary in tmux is driven through every way it can send something: trigger
// an event (t), set a value (s), send a command (c), request a snapshot
// (r), free publish (P), a command template bound to F1, and acknowledge
// (a, which calls DRIVR's GraphQL API, here a loopback server). Each form
// is submitted and confirmed. A mosquitto_sub on '#' (live messages only)
// and the GraphQL server watch.
//
// Control: without --readonly the same keys reach the broker and the API,
// so the test can see a publish when one happens. With --readonly: nothing
// on '#', no API call, and the status bar says READ-ONLY. The other paths:
// `mqdeck sim --readonly` refuses to start; replay has no broker to publish
// to; a will message (published by the broker for the console) is refused
// with --readonly.
func TestReadOnlyNothingLeaves(t *testing.T) {
	t.Parallel() // waits more than it works: overlaps with the others like it
	needTools(t, "tmux", "mosquitto_sub")
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	// Events are live, not retained: keep the first one the simulator
	// raises and retain it, so each console below has one to acknowledge.
	event := make(chan string, 1)
	go func() {
		event <- mqtttest.SubCLIQuiet("-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-v", "-C", "1", "-W", "15",
			"-t", "drivr/v1/company-example/systems/+/events/+")
	}()
	time.Sleep(200 * time.Millisecond)
	sim := startMqdeck(t, nil, "sim", "--broker", m.URL(), "--systems", "3", "--platforms", "drivr", "--rate", "4", "--duration", "2500ms")
	if code := sim.wait(20 * time.Second); code != 0 {
		t.Fatalf("sim: exit %d\n%s", code, sim.stderrText())
	}
	topic, payload, ok := strings.Cut(strings.TrimSpace(<-event), " ")
	if !ok || !strings.Contains(topic, "/events/") {
		t.Fatalf("no event from the simulator: %q", topic)
	}
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-r", "-q", "1", "-t", topic, "-m", payload)
	api := newGraphQLWatch(t)
	cfg := filepath.Join(t.TempDir(), "templates.toml")
	if err := os.WriteFile(cfg, []byte(`[[templates]]
key = "f1"
kind = "publish"
name = "template-probe"
topic = "probe/template"
payload = '{"from":"template"}'
`), 0o600); err != nil {
		t.Fatal(err)
	}

	control := driveActions(t, m, api, cfg, false)
	readonly := driveActions(t, m, api, cfg, true)
	t.Logf("control (no --readonly): %d messages on the broker, %d GraphQL calls: %s", len(control.msgs), control.api, strings.Join(control.msgs, "; "))
	t.Logf("--readonly: %d messages on the broker, %d GraphQL calls; status bar: %s", len(readonly.msgs), readonly.api, readonly.status)
	if len(control.msgs) < 2 || !control.has("/input/event/") || !control.has("probe/") || control.api == 0 {
		t.Errorf("control failed: without --readonly the keys should publish (trigger event, free or template publish) and acknowledge: %v, %d API calls", control.msgs, control.api)
	}
	if len(readonly.msgs) != 0 || readonly.api != 0 {
		t.Errorf("--readonly let %d messages and %d API calls out: %v", len(readonly.msgs), readonly.api, readonly.msgs)
	}
	if !strings.Contains(readonly.status, "READ-ONLY") {
		t.Errorf("the status bar does not say READ-ONLY: %s", readonly.status)
	}

	// The other commands.
	p := startMqdeck(t, nil, "sim", "--broker", m.URL(), "--readonly")
	if code := p.wait(10 * time.Second); code != 2 || !strings.Contains(p.stderrText(), "readonly") {
		t.Errorf("sim --readonly: exit %d, want 2 with a reason:\n%s", code, p.stderrText())
	}
	p = startMqdeck(t, nil, "log", "--broker", m.URL(), "--readonly", "--will-topic", "probe/will", "--will-payload", "x", "-n", "1")
	if code := p.wait(10 * time.Second); code != 2 {
		t.Errorf("--readonly with a will message: exit %d, want a refusal (2):\n%s", code, p.stderrText())
	}
}

// actionRun is what one drive of the console let out.
type actionRun struct {
	msgs   []string // topics seen live on '#'
	api    int64    // GraphQL calls
	status string
}

func (r actionRun) has(part string) bool {
	for _, m := range r.msgs {
		if strings.Contains(m, part) {
			return true
		}
	}
	return false
}

// driveActions runs the console (read-only or not), presses every action
// key with its form and confirmation, and reports what reached the broker.
func driveActions(t *testing.T, m *mqtttest.Mosquitto, api *graphQLWatch, cfg string, readOnly bool) actionRun {
	t.Helper()
	api.calls.Store(0)
	watch := watchBroker(t, m)
	name := map[bool]string{true: "ro", false: "rw"}[readOnly]
	tm := hostile.Tmux{Socket: hostile.PrivateSocket("readonly-" + name), Target: "c"}
	defer tm.Kill()
	tmp := t.TempDir()
	args := []string{mqdeckBin(), "--broker", m.URL(), "--platform", "drivr", "--slug", "company-example",
		"--config", cfg, "--graphql-endpoint", api.url, "--graphql-token-env", "GQL_TOKEN"}
	if readOnly {
		args = append(args, "--readonly")
	}
	if err := tm.Start(140, 45, []string{"HOME=" + tmp, "TMPDIR=" + tmp, "GQL_TOKEN=probe-token"}, args...); err != nil {
		t.Fatal(err)
	}
	if s, ok := tm.WaitScreen(15*time.Second, "EMS Building"); !ok {
		t.Fatalf("console (%s) shows no fleet:\n%s", name, s)
	}
	flows := [][]string{
		{"1", "g", "t"}, {"1", "g", "s"}, {"1", "g", "c"}, {"1", "g", "r"},
		{"1", "g", "P", "probe/free"}, {"1", "g", "F1"},
		{"2", "g", "a"}, {"2", "j", "a"},
	}
	for _, f := range flows {
		for _, k := range f {
			if err := tm.Keys(k); err != nil {
				t.Fatal(err)
			}
			time.Sleep(40 * time.Millisecond)
		}
		// Submit the form, confirm, then close whatever is left open.
		for _, k := range []string{"Enter", "y", "Escape", "Escape"} {
			_ = tm.Keys(k)
			time.Sleep(80 * time.Millisecond)
		}
	}
	time.Sleep(time.Second) // acknowledgements and replies in flight
	run := actionRun{msgs: watch(), api: api.calls.Load(), status: statusLine(tm)}
	return run
}

// watchBroker subscribes mosquitto_sub to '#' for live messages (-R skips
// retained ones already there) and returns a function that stops it and
// returns the topics seen.
func watchBroker(t *testing.T, m *mqtttest.Mosquitto) func() []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "mosquitto_sub", "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-t", "#", "-R", "-v", "-V", "mqttv5")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var topics []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			topic, _, _ := strings.Cut(sc.Text(), " ")
			mu.Lock()
			topics = append(topics, topic)
			mu.Unlock()
		}
	}()
	time.Sleep(300 * time.Millisecond) // subscribed before anything is pressed
	return func() []string {
		cancel()
		<-done
		_ = cmd.Wait()
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), topics...)
	}
}

// graphQLWatch is a loopback stand-in for DRIVR's GraphQL API that counts
// calls and answers as a successful ackEvent would.
type graphQLWatch struct {
	url   string
	calls atomic.Int64
}

func newGraphQLWatch(t *testing.T) *graphQLWatch {
	t.Helper()
	w := &graphQLWatch{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.calls.Add(1)
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte(`{"data":{"ackEvent":{"uuid":"x"}}}`))
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	w.url = "http://" + ln.Addr().String() + "/graphql"
	return w
}
