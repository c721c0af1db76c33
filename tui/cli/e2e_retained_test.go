package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// retainedOnBroker asks a separate client (mosquitto_sub --retained-only)
// which retained topics the broker holds.
func retainedOnBroker(t *testing.T, url string) []string {
	t.Helper()
	bin, err := exec.LookPath("mosquitto_sub")
	if err != nil {
		t.Fatalf("mosquitto_sub: %v", err)
	}
	port := url[strings.LastIndexByte(url, ':')+1:]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// -W ends it (exit 27) once the retained messages are delivered.
	out, _ := exec.CommandContext(ctx, bin, "-h", "127.0.0.1", "-p", port, "-t", "#",
		"--retained-only", "-W", "2", "-F", "%t").Output()
	var topics []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			topics = append(topics, l)
		}
	}
	sort.Strings(topics)
	return topics
}

// TestRetainedListAndClearOnMosquitto: a retained hierarchy, then list,
// the refusals (no --yes without a terminal: exit 2; --readonly: the
// transport refuses), a dry run, and a clear of one subtree, audited. A
// separate client confirms what is gone and that nothing else is.
func TestRetainedListAndClearOnMosquitto(t *testing.T) {
	mq := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	port := mq.URL()[strings.LastIndexByte(mq.URL(), ':')+1:]
	all := []string{"home/hall/door", "home/kitchen/hum", "home/kitchen/temp", "home/kitchen/temp/raw", "homework/x", "office/temp"}
	for _, tp := range all {
		mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-r", "-q", "1", "-t", tp, "-m", `{"v":1}`)
	}
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-q", "1", "-t", "home/live", "-m", "not retained")
	if got := retainedOnBroker(t, mq.URL()); !slices.Equal(got, all) {
		t.Fatalf("broker holds %q before, want %q", got, all)
	}
	env := testEnv(t)
	conn := []string{"--broker", mq.URL(), "--quiet", "2s"} // generous: retained messages follow the SUBACK at once, but the machine is loaded
	run := func(args ...string) *proc {
		p := runMQDeck(t, 30*time.Second, env, append(args, conn...)...)
		return p
	}

	p := run("retained", "list", "home/#")
	if p.code != 0 {
		t.Fatalf("list: exit %d\n%s", p.code, p.stderr)
	}
	want := []string{"home/hall/door", "home/kitchen/hum", "home/kitchen/temp", "home/kitchen/temp/raw"}
	if got := strings.Fields(p.stdout.String()); !slices.Equal(got, want) {
		t.Fatalf("list home/#: %q, want %q", got, want)
	}

	p = run("retained", "clear", "home/kitchen/#")
	if p.code != 2 || !strings.Contains(p.stderr.String(), "no --yes") {
		t.Fatalf("clear without --yes and terminal: exit %d, want 2\n%s", p.code, p.stderr)
	}
	p = run("retained", "clear", "home/kitchen/#", "--dry-run")
	if p.code != 0 || !slices.Equal(strings.Fields(p.stdout.String()), want[1:]) {
		t.Fatalf("dry run: exit %d, %q\n%s", p.code, p.stdout, p.stderr)
	}
	p = run("retained", "clear", "home/kitchen/#", "--yes", "--readonly")
	if p.code != 1 || !strings.Contains(p.stderr.String(), "read-only") {
		t.Fatalf("--readonly: exit %d, want 1\n%s", p.code, p.stderr)
	}
	if got := retainedOnBroker(t, mq.URL()); !slices.Equal(got, all) {
		t.Fatalf("after the refusals the broker holds %q, want all of %q", got, all)
	}

	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	p = run("retained", "clear", "home/kitchen/#", "--yes", "--audit", audit, "--operator", "tester")
	if p.code != 0 || !strings.Contains(p.stdout.String(), "cleared 3 retained topic(s)") {
		t.Fatalf("clear: exit %d\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	left := []string{"home/hall/door", "homework/x", "office/temp"}
	if got := retainedOnBroker(t, mq.URL()); !slices.Equal(got, left) {
		t.Fatalf("after clearing home/kitchen/# the broker holds %q, want %q", got, left)
	}
	raw, err := os.ReadFile(audit)
	if err != nil {
		t.Fatal(err)
	}
	var audited []string
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var r struct {
			Kind, Topic, Outcome, Operator string
			Retain                         bool
			Size                           int `json:"payload_size"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		if r.Kind != "clear_retained" || r.Outcome != "acked" || r.Operator != "tester" || !r.Retain || r.Size != 0 {
			t.Fatalf("audit line %q", l)
		}
		audited = append(audited, r.Topic)
	}
	if !slices.Equal(audited, want[1:]) {
		t.Fatalf("audited %q, want %q", audited, want[1:])
	}
}
