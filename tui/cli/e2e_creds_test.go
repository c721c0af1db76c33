package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// TestLogRotatedTokenCommand (issue 17): `mqdeck log -v` with a token
// command, against Mosquitto. The broker restarts knowing only a new token;
// while the command still prints the old one, log -v says plainly that the
// credentials were refused and what it reads again; once the command prints
// the new token, log reconnects by itself and the next message is printed.
// Neither token reaches stdout or stderr.
func TestLogRotatedTokenCommand(t *testing.T) {
	const oldTok, newTok, pw = "tok-old-7c1e-secret", "tok-new-2f9a-secret", "fixed-pw"
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{oldTok: pw}})
	dir := t.TempDir()
	state := writeFile(t, filepath.Join(dir, "token"), oldTok+"\n", 0o600)
	pwFile := writeFile(t, filepath.Join(dir, "pw"), pw+"\n", 0o600)
	p := startMQDeck(t, testEnv(t), "log", "-v", "-n", "2", "--broker", m.URL(), "--topic", "rot/#", "--backoff-max", "1s",
		"--token-command", "cat "+state, "--password-file", pwFile)
	waitFor(t, 10*time.Second, "the subscription", func() bool { return strings.Contains(p.stderr.String(), "subscribed") })
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-u", oldTok, "-P", pw, "-t", "rot/a", "-m", "before")
	waitFor(t, 10*time.Second, "the first message", func() bool { return strings.Contains(p.stdout.String(), "before") })

	m.SetUsers(map[string]string{newTok: pw})
	m.Restart()
	want := "credentials refused (not authorized (0x87)): re-reading --token-command (cat) and --password-file " + pwFile + " at the next attempt"
	waitFor(t, 20*time.Second, "log -v to say the credentials were refused", func() bool { return strings.Contains(p.stderr.String(), want) })
	if err := os.WriteFile(state, []byte(newTok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the reconnection", func() bool { return strings.Count(p.stderr.String(), "connected to") >= 2 })
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-u", newTok, "-P", pw, "-t", "rot/b", "-m", "after")
	if code := p.wait(t, 10*time.Second); code != 0 || !strings.Contains(p.stdout.String(), "after") {
		t.Fatalf("exit %d, stdout %s\nstderr %s", code, p.stdout, p.stderr)
	}
	for _, tok := range []string{oldTok, newTok, pw} {
		if strings.Contains(p.stdout.String()+p.stderr.String(), tok) {
			t.Errorf("a secret reached the output")
		}
	}
	t.Logf("stderr:\n%s", p.stderr)
}

// TestConsoleStatusSaysCredentialsRefused (issue 17): the console with a
// token file. The broker restarts knowing only a new token: the status bar
// says the credentials were refused; once the file holds the new token, the
// console is connected again by itself, without a restart.
func TestConsoleStatusSaysCredentialsRefused(t *testing.T) {
	const oldTok, newTok, pw = "tok-old-4b2d-secret", "tok-new-8e1a-secret", "fixed-pw"
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{oldTok: pw}})
	dir := t.TempDir()
	tokFile := writeFile(t, filepath.Join(dir, "tok"), oldTok+"\n", 0o600)
	pwFile := writeFile(t, filepath.Join(dir, "pw"), pw+"\n", 0o600)
	tm := newTmux(t, 160, 30, "--broker", m.URL(), "--platform", "generic", "--backoff-max", "1s",
		"--token-file", tokFile, "--password-file", pwFile)
	tm.waitScreen(10*time.Second, "connected")
	m.SetUsers(map[string]string{newTok: pw})
	m.Restart()
	// The whole reason (what is re-read, with two temp paths) is longer than
	// the bar; its gist stays (views.TestStatusBarKeepsWhy).
	screen := tm.waitScreen(20*time.Second, "reconnecting", ": credentials refused")
	if err := os.WriteFile(tokFile, []byte(newTok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	after := tm.waitScreen(20*time.Second, "connected (MQTT 5)")
	for _, s := range []string{screen, after} {
		if strings.Contains(s, oldTok) || strings.Contains(s, newTok) || strings.Contains(s, pw) {
			t.Errorf("a secret is on screen:\n%s", s)
		}
	}
	t.Logf("status bar: %s", strings.TrimSpace(strings.SplitN(screen, "\n", 2)[0]))
}
