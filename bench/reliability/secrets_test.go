package reliability

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// Secrets (issue 9, item 5), through the real binary against Mosquitto with
// a password file: with the password in an environment variable or a file,
// and a token used as the user name, the secret appears in no argument
// list (/proc/PID/cmdline), no line on stdout or stderr (also with -v), no
// recording (--record), and no error when the broker refuses it. A password
// file or a configuration file others can read gets a warning naming the
// file and nothing of its content; a secret written into a profile is
// refused without being echoed.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel() // waits more than it works: overlaps with the others like it
	const (
		user     = "operator"
		password = "Pw-7f3a9c-do-not-print"
		token    = "Tok-eyJhbGciOi-do-not-print"
	)
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{user: password}})
	port := strconv.Itoa(m.Port)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	openPwFile := filepath.Join(dir, "pw-open")
	if err := os.WriteFile(openPwFile, []byte(password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A console run as a service often gets its secret from a variable
	// named in a profile; the variable exists only in mqdeck's environment.
	runs := []struct {
		name  string
		env   []string
		args  []string
		warns string // a warning stderr must carry
	}{
		{"password from MQDECK_PASSWORD", []string{"MQDECK_PASSWORD=" + password}, []string{"--username", user}, ""},
		{"password from --password-env", []string{"LAB_PW=" + password}, []string{"--username", user, "--password-env", "LAB_PW"}, ""},
		{"password from a 0600 file", nil, []string{"--username", user, "--password-file", pwFile}, ""},
		{"password from a 0644 file", nil, []string{"--username", user, "--password-file", openPwFile}, "readable by others"},
	}
	for i, r := range runs {
		rec := filepath.Join(dir, fmt.Sprintf("rec-%d.jsonl", i))
		args := append([]string{"log", "--broker", m.URL(), "--topic", "sec/#", "-n", "2", "-v", "--record", rec}, r.args...)
		p := startMqdeck(t, r.env, args...)
		if _, ok := p.waitStderr(10*time.Second, "subscribed"); !ok {
			t.Fatalf("%s: not connected:\n%s", r.name, p.stderrText())
		}
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.pid()))
		if err != nil {
			t.Fatal(err)
		}
		// Control: the probe reads the live process. An environment
		// variable is visible in /proc/PID/environ to its owner and root,
		// which is why the file (0600) is the better home for a secret.
		if environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p.pid())); len(r.env) > 0 && !bytes.Contains(environ, []byte(password)) {
			t.Fatalf("%s: control failed: the secret is not in the process environment", r.name)
		}
		mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-u", user, "-P", password, "-t", "sec/a", "-m", "reading 1")
		mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-u", user, "-P", password, "-t", "sec/b", "-m", "reading 2")
		if code := p.wait(10 * time.Second); code != 0 {
			t.Fatalf("%s: exit %d:\n%s", r.name, code, p.stderrText())
		}
		recorded, err := os.ReadFile(rec)
		if err != nil || bytes.Count(recorded, []byte("\n")) != 2 {
			t.Fatalf("%s: recording: %v, %q", r.name, err, recorded)
		}
		checkNoSecret(t, r.name, password, map[string][]byte{
			"cmdline": cmdline, "stdout": joinLines(p.stdout()), "stderr": []byte(p.stderrText()), "recording": recorded,
		})
		if r.warns != "" {
			w, ok := p.waitStderr(0, r.warns)
			if !ok || !strings.Contains(w.text, openPwFile) {
				t.Errorf("%s: no warning naming the file:\n%s", r.name, p.stderrText())
			}
		} else if strings.Contains(p.stderrText(), "warning") {
			t.Errorf("%s: unexpected warning:\n%s", r.name, p.stderrText())
		}
	}

	// Refused credentials: the error says so and does not echo them.
	p := startMqdeck(t, []string{"LAB_PW=" + password + "-wrong"}, "log", "--broker", m.URL(), "--username", user, "--password-env", "LAB_PW")
	if code := p.wait(15 * time.Second); code != 1 || !strings.Contains(p.stderrText(), "not authorized") {
		t.Errorf("wrong password: exit %d:\n%s", code, p.stderrText())
	}
	checkNoSecret(t, "refused password", password, map[string][]byte{"stderr": []byte(p.stderrText())})

	// A token sent as the user name (Drogue) on an anonymous broker: from a
	// variable, a file, and a command run before each attempt (issue 17).
	anon := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	tokFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, args := range [][]string{
		{"--token-env", "DROGUE_TOKEN"},
		{"--token-file", tokFile},
		{"--token-command", "sh -c 'cat \"$0\"; echo token helper chatter >&2' " + tokFile},
	} {
		rec := filepath.Join(dir, fmt.Sprintf("rec-token-%d.jsonl", i))
		p = startMqdeck(t, []string{"DROGUE_TOKEN=" + token}, append([]string{"log", "--broker", anon.URL(),
			"--topic", "tok/#", "-n", "1", "-v", "--record", rec}, args...)...)
		if _, ok := p.waitStderr(10*time.Second, "subscribed"); !ok {
			t.Fatalf("token %s: not connected:\n%s", args[0], p.stderrText())
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.pid()))
		mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(anon.Port), "-t", "tok/a", "-m", "hello")
		if code := p.wait(10 * time.Second); code != 0 {
			t.Fatalf("token %s: exit %d:\n%s", args[0], code, p.stderrText())
		}
		recorded, _ := os.ReadFile(rec)
		if !bytes.Contains(recorded, []byte("hello")) {
			t.Errorf("token %s: control failed: nothing recorded: %q", args[0], recorded)
		}
		checkNoSecret(t, "token "+args[0], token, map[string][]byte{
			"cmdline": cmdline, "stdout": joinLines(p.stdout()), "stderr": []byte(p.stderrText()), "recording": recorded,
		})
	}
	// A token command that prints the token and then fails: the failure is
	// one line with the status and stderr, and the token printed is not in it.
	p = startMqdeck(t, nil, "log", "--broker", anon.URL(), "--topic", "tok/#",
		"--token-command", "sh -c 'cat \"$0\"; echo refresh token expired >&2; exit 3' "+tokFile)
	if code := p.wait(15 * time.Second); code != 1 || !strings.Contains(p.stderrText(), "--token-command: sh exited with status 3: refresh token expired") {
		t.Errorf("failing token command: exit %d:\n%s", code, p.stderrText())
	}
	checkNoSecret(t, "failing token command", token, map[string][]byte{"stderr": []byte(p.stderrText()), "stdout": joinLines(p.stdout())})

	// Configuration files: a secret in a profile is refused unechoed; a
	// readable file naming a secret file is warned about.
	cfg := filepath.Join(dir, "inline.toml")
	if err := os.WriteFile(cfg, []byte("[profiles.lab]\nbroker = \""+m.URL()+"\"\npassword = \""+password+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p = startMqdeck(t, nil, "log", "--config", cfg, "--profile", "lab")
	if code := p.wait(10 * time.Second); code != 2 || !strings.Contains(p.stderrText(), "secret") {
		t.Errorf("secret in a profile: exit %d, want 2 with an explanation:\n%s", code, p.stderrText())
	}
	checkNoSecret(t, "profile with a secret", password, map[string][]byte{"stderr": []byte(p.stderrText())})
	cfg = filepath.Join(dir, "named.toml")
	if err := os.WriteFile(cfg, []byte("[profiles.lab]\nbroker = \""+m.URL()+"\"\nusername = \""+user+"\"\npassword_file = \""+pwFile+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p = startMqdeck(t, nil, "log", "--config", cfg, "--profile", "lab", "--topic", "sec/#", "-n", "1", "-v")
	if _, ok := p.waitStderr(10*time.Second, "subscribed"); !ok {
		t.Fatalf("profile naming a password file: not connected:\n%s", p.stderrText())
	}
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-u", user, "-P", password, "-t", "sec/c", "-m", "x")
	p.wait(10 * time.Second)
	if !strings.Contains(p.stderrText(), "readable by others") {
		t.Errorf("a 0644 configuration naming a password file: no warning:\n%s", p.stderrText())
	}
	checkNoSecret(t, "profile naming a password file", password, map[string][]byte{"stderr": []byte(p.stderrText()), "stdout": joinLines(p.stdout())})
}

// checkNoSecret fails when any of the texts holds the secret or a
// recognisable part of it (its first half, at least 12 bytes: a truncated
// display still counts).
func checkNoSecret(t *testing.T, run, secret string, texts map[string][]byte) {
	t.Helper()
	probe := secret[:min(len(secret), max(len(secret)/2, 12))]
	for where, b := range texts {
		if bytes.Contains(b, []byte(probe)) {
			t.Errorf("%s: the secret appears in %s", run, where)
		}
	}
}

func joinLines(lines []stamped) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return b.Bytes()
}
