package reliability

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

// Secrets in the console (issue 9, item 5): the console binary in tmux
// logs in with a password from MQDECK_PASSWORD and holds the device API's
// access key from --access-key-env; the simulated devices also send their
// access key as a user property, and the console sends it in a snapshot
// request (r). The operator requests a snapshot and sends a command, opens
// help, and walks the log so every message is drawn in the detail pane.
// Neither secret may appear in anything the console wrote to its terminal
// (the raw byte stream, so also screens no capture caught), the audit file,
// the recording, or its argument list. Control: the access key did travel
// on the wire (a watcher sees it in the request the console published).
func TestSecretsNeverReachConsoleScreenAuditOrRecording(t *testing.T) {
	t.Parallel() // waits more than it works: overlaps with the others like it
	needTools(t, "tmux", "mosquitto_sub")
	const password = "Console-Pw-2b8e-do-not-print"
	accessKey := sim.DefaultAccessKey
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{"op": password}})
	simEnv := []string{"MQDECK_PASSWORD=" + password}
	simP := startMqdeck(t, simEnv, "sim", "--broker", m.URL(), "--username", "op", "--platforms", "devapi", "--rate", "5")
	if _, ok := simP.waitStderr(15*time.Second, "simulating"); !ok {
		t.Fatalf("simulator:\n%s", simP.stderrText())
	}
	// Control watcher: what the console publishes, with its user properties.
	wctx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	watch := exec.CommandContext(wctx, "mosquitto_sub", "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-u", "op", "-P", password,
		"-V", "mqttv5", "-t", "v1/device/+/get", "-F", "%t %P")
	var watched bytes.Buffer
	watch.Stdout = &watched
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}

	tmp := t.TempDir()
	audit, rec, raw := filepath.Join(tmp, "audit.jsonl"), filepath.Join(tmp, "rec.jsonl"), filepath.Join(tmp, "raw")
	tm := hostile.Tmux{Socket: hostile.PrivateSocket("secrets"), Target: "s", Raw: raw}
	t.Cleanup(tm.Kill)
	env := []string{"HOME=" + tmp, "TMPDIR=" + tmp, "MQDECK_PASSWORD=" + password, "DEV_KEY=" + accessKey}
	if err := tm.Start(140, 45, env, mqdeckBin(), "--broker", m.URL(), "--username", "op", "--platform", "devapi",
		"--access-key-env", "DEV_KEY", "--audit", audit, "--record", rec); err != nil {
		t.Fatal(err)
	}
	if s, ok := tm.WaitScreen(15*time.Second, "connected"); !ok {
		t.Fatalf("console did not connect:\n%s", s)
	}
	pid, _ := tm.PID()
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	time.Sleep(2 * time.Second) // devices announce themselves
	keys := [][]string{
		{"1", "g", "r", "Enter", "y"}, // snapshot request: carries the access key
		{"Escape", "1", "g", "c", "Enter", "y"},
		{"Escape", "?"}, {"Escape"},
		{"5", "g"},
	}
	for _, ks := range keys {
		for _, k := range ks {
			if err := tm.Keys(k); err != nil {
				t.Fatal(err)
			}
			time.Sleep(150 * time.Millisecond)
		}
	}
	for range 30 { // every message of the log through the detail pane
		_ = tm.Keys("j")
		time.Sleep(40 * time.Millisecond)
	}
	_ = tm.Keys("7") // the actions pane, with what became of each action
	time.Sleep(time.Second)
	screen, _ := tm.Capture()
	_ = tm.Keys("q")
	waitFor(5*time.Second, func() bool { dead, _, _ := tm.Dead(); return dead })
	stopWatch()
	_ = watch.Wait()
	if err := tm.CloseRaw(5 * time.Second); err != nil {
		t.Fatal(err)
	}

	stream, _ := os.ReadFile(raw)
	auditB, _ := os.ReadFile(audit)
	recB, _ := os.ReadFile(rec)
	t.Logf("raw terminal output %d bytes, audit %d lines, recording %d lines; the console's requests seen on the wire: %q",
		len(stream), bytes.Count(auditB, []byte("\n")), bytes.Count(recB, []byte("\n")), strings.TrimSpace(watched.String()))
	t.Logf("actions pane at the end:\n%s", screen)
	if !strings.Contains(watched.String(), accessKey) {
		t.Errorf("control failed: no snapshot request with the access key reached the broker")
	}
	if bytes.Count(auditB, []byte("\n")) == 0 || bytes.Count(recB, []byte("\n")) == 0 {
		t.Errorf("control failed: nothing audited or recorded")
	}
	if !bytes.Contains(recB, []byte("access_key")) {
		t.Errorf("control failed: the recording holds no access_key property (masked or not)")
	}
	for name, secret := range map[string]string{"password": password, "access key": accessKey} {
		checkNoSecret(t, name, secret, map[string][]byte{
			"terminal output": stream, "audit": auditB, "recording": recB, "cmdline": cmdline,
		})
	}
}
