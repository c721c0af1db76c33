package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// probeCmd carries the real connection and platform flags under a test
// grammar, so parsing and precedence are tested without connecting.
type probeCmd struct {
	ConnFlags     `embed:""`
	PlatformFlags `embed:""`
}

type probeCLI struct {
	Globals `embed:""`
	Probe   probeCmd `cmd:""`
}

// isolate clears every MQDECK_* variable and points the user config dir at
// an empty temporary directory, so the developer's own setup cannot leak in.
func isolate(t *testing.T) string {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "MQDECK_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	return dir
}

func parseProbe(t *testing.T, args ...string) (*probeCLI, string, error) {
	t.Helper()
	var g probeCLI
	var stdout, stderr bytes.Buffer
	p, err := newParser(&g, &stdout, &stderr)
	if err != nil {
		t.Fatalf("newParser: %v", err)
	}
	_, err = p.Parse(append([]string{"probe"}, args...))
	return &g, stderr.String(), err
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
	return path
}

func TestDefaults(t *testing.T) {
	isolate(t)
	g, _, err := parseProbe(t)
	if err != nil {
		t.Fatal(err)
	}
	c := g.Probe.ConnFlags
	if c.Broker != "mqtt://127.0.0.1:1883" || c.MQTTVersion != "auto" || c.KeepAlive != 30*time.Second ||
		c.ConnectTimeout != 10*time.Second || c.QoS != 0 || c.Buffer != 65536 || !c.CleanStart || c.BackoffMax != 30*time.Second {
		t.Errorf("defaults: %+v", c)
	}
	if g.Probe.Platform != "generic" {
		t.Errorf("platform default %q", g.Probe.Platform)
	}
}

func TestFlagsParse(t *testing.T) {
	isolate(t)
	g, _, err := parseProbe(t, "--connect-timeout", "5s", "--session-expiry", "1h", "--qos", "2",
		"--mqtt-version", "3.1.1", "--platform", "drogue", "--app", "a1", "--app", "a2", "--topic", "x/+,y",
		"--topic", "z/#", "--no-clean-start", "--will-topic", "w", "--will-payload", "bye", "--readonly")
	if err != nil {
		t.Fatal(err)
	}
	c, p := g.Probe.ConnFlags, g.Probe.PlatformFlags
	if c.ConnectTimeout != 5*time.Second || c.SessionExpiry != time.Hour || c.QoS != 2 || c.MQTTVersion != "3.1.1" || c.CleanStart || !c.ReadOnly {
		t.Errorf("conn: %+v", c)
	}
	if p.Platform != "drogue" || strings.Join(p.App, "|") != "a1|a2" || strings.Join(p.Topic, "|") != "x/+,y|z/#" {
		t.Errorf("platform: %+v", p)
	}
	o, err := c.options(func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	if o.Will == nil || o.Will.Topic != "w" || string(o.Will.Payload) != "bye" || o.CleanStart || !o.ReadOnly || o.Protocol != "3.1.1" {
		t.Errorf("options: %+v", o)
	}
	if pp := p.params(c.QoS); pp.QoS != 2 || len(pp.Apps) != 2 || len(pp.Filters) != 2 {
		t.Errorf("params: %+v", pp)
	}
}

func TestFlagErrors(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"--qos", "3"},
		{"--mqtt-version", "4"},
		{"--connect-timeout", "5"}, // a duration needs its unit
		{"--platform", "aws"},
		{"--ce-mode", "text"},
		{"--buffer", "many"},
	} {
		if _, _, err := parseProbe(t, args...); err == nil {
			t.Errorf("%v: parsed without error", args)
		}
	}
}

func TestPrecedence(t *testing.T) {
	dir := isolate(t)
	cfg := writeFile(t, filepath.Join(dir, "cfg.toml"), `
[profiles.lab]
broker = "mqtt://profile:1883"
keepalive = "15s"
qos = 1
insecure = true
app = ["p1", "p2"]
platform = "drogue"
`, 0o600)

	// profile over defaults
	g, _, err := parseProbe(t, "--config", cfg, "--profile", "lab")
	if err != nil {
		t.Fatal(err)
	}
	c := g.Probe.ConnFlags
	if c.Broker != "mqtt://profile:1883" || c.KeepAlive != 15*time.Second || c.QoS != 1 || !c.Insecure ||
		strings.Join(g.Probe.App, ",") != "p1,p2" || g.Probe.Platform != "drogue" {
		t.Errorf("profile not applied: %+v %+v", c, g.Probe.PlatformFlags)
	}
	if c.ConnectTimeout != 10*time.Second {
		t.Errorf("default lost: %v", c.ConnectTimeout)
	}

	// env over profile
	t.Setenv("MQDECK_BROKER", "mqtt://env:1883")
	t.Setenv("MQDECK_APP", "e1")
	g, _, err = parseProbe(t, "--config", cfg, "--profile", "lab")
	if err != nil {
		t.Fatal(err)
	}
	if g.Probe.Broker != "mqtt://env:1883" || strings.Join(g.Probe.App, ",") != "e1" || g.Probe.KeepAlive != 15*time.Second {
		t.Errorf("env should beat profile: %q %v %v", g.Probe.Broker, g.Probe.App, g.Probe.KeepAlive)
	}

	// flag over env
	g, _, err = parseProbe(t, "--config", cfg, "--profile", "lab", "--broker", "mqtt://flag:1883", "--qos", "0")
	if err != nil {
		t.Fatal(err)
	}
	if g.Probe.Broker != "mqtt://flag:1883" || g.Probe.QoS != 0 {
		t.Errorf("flag should beat env and profile: %q qos %d", g.Probe.Broker, g.Probe.QoS)
	}

	// profile and config chosen by environment
	os.Unsetenv("MQDECK_BROKER")
	os.Unsetenv("MQDECK_APP")
	t.Setenv("MQDECK_CONFIG", cfg)
	t.Setenv("MQDECK_PROFILE", "lab")
	g, _, err = parseProbe(t)
	if err != nil {
		t.Fatal(err)
	}
	if g.Probe.Broker != "mqtt://profile:1883" {
		t.Errorf("MQDECK_CONFIG/MQDECK_PROFILE not used: %q", g.Probe.Broker)
	}
}

func TestDefaultConfigFileAndProfile(t *testing.T) {
	dir := isolate(t)
	writeFile(t, filepath.Join(dir, "mqdeck", "config.toml"), `
profile = "home"
[profiles.home]
broker = "mqtts://home:8883"
cacert = "certs/ca.pem"
cert = "/abs/client.pem"
key = "~/keys/client.key"
[profiles.other]
broker = "mqtt://other:1883"
`, 0o600)
	g, _, err := parseProbe(t)
	if err != nil {
		t.Fatal(err)
	}
	if g.Probe.Broker != "mqtts://home:8883" {
		t.Fatalf("default file/profile not used: %q", g.Probe.Broker)
	}
	if want := filepath.Join(dir, "mqdeck", "certs", "ca.pem"); g.Probe.CACert != want {
		t.Errorf("cacert %q, want %q (relative to the config file)", g.Probe.CACert, want)
	}
	if g.Probe.Cert != "/abs/client.pem" {
		t.Errorf("cert %q", g.Probe.Cert)
	}
	if want := filepath.Join(dir, "keys", "client.key"); g.Probe.Key != want {
		t.Errorf("key %q, want %q", g.Probe.Key, want)
	}
	g, _, err = parseProbe(t, "--profile", "other")
	if err != nil || g.Probe.Broker != "mqtt://other:1883" {
		t.Errorf("--profile other: %v %q", err, g.Probe.Broker)
	}
	_, _, err = parseProbe(t, "--profile", "nope")
	if err == nil || !strings.Contains(err.Error(), "home, other") {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := isolate(t)
	if _, _, err := parseProbe(t, "--profile", "x"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("profile without a file: %v", err)
	}
	if _, _, err := parseProbe(t, "--config", filepath.Join(dir, "missing.toml")); err == nil {
		t.Error("a missing --config file must be an error")
	}
	bad := writeFile(t, filepath.Join(dir, "bad.toml"), "[profiles.x\nbroker=1", 0o600)
	if _, _, err := parseProbe(t, "--config", bad); err == nil || !strings.Contains(err.Error(), "line") {
		t.Errorf("bad TOML: %v", err)
	}
	typo := writeFile(t, filepath.Join(dir, "typo.toml"), "[profiles.x]\nbrokr = \"a\"\n", 0o600)
	_, stderr, err := parseProbe(t, "--config", typo, "--profile", "x")
	if err != nil || !strings.Contains(stderr, `unknown key "brokr"`) {
		t.Errorf("unknown key should warn: %v %q", err, stderr)
	}
}

func TestProfileRefusesSecrets(t *testing.T) {
	const secret = "hunter2-Very-Secret"
	dir := isolate(t)
	cases := map[string]string{
		"password":        "password = \"" + secret + "\"",
		"token":           "token = \"" + secret + "\"",
		"api_key":         "api_key = \"" + secret + "\"",
		"password_env":    "password_env = \"" + secret + "!\"",
		"token_env":       "token_env = \"" + secret + " \"",
		"syntax on token": "token = " + secret,
	}
	for name, line := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(dir, name+".toml"), "[profiles.p]\n"+line+"\n", 0o600)
			_, stderr, err := parseProbe(t, "--config", cfg, "--profile", "p")
			if err == nil {
				t.Fatal("a secret in a profile must be refused")
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(stderr, secret) {
				t.Errorf("the secret was echoed: %v / %s", err, stderr)
			}
		})
	}
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	cfg := writeFile(t, filepath.Join(dir, "jwt.toml"), "[profiles.p]\nusername = \""+jwt+"\"\n", 0o600)
	_, stderr, err := parseProbe(t, "--config", cfg, "--profile", "p")
	if err != nil || !strings.Contains(stderr, "token_env") || strings.Contains(stderr, jwt) {
		t.Errorf("token as username: want a warning without the token: %v %q", err, stderr)
	}
	// A token pasted into the command that should print one.
	cfg = writeFile(t, filepath.Join(dir, "cmd-jwt.toml"), "[profiles.p]\ntoken_command = \"echo '"+jwt+"'\"\n", 0o600)
	_, stderr, err = parseProbe(t, "--config", cfg, "--profile", "p")
	if err == nil || !strings.Contains(err.Error(), "token_command") || strings.Contains(err.Error()+stderr, jwt) {
		t.Errorf("token in token_command: want a refusal without the token: %v %q", err, stderr)
	}
}

// Profiles name token sources: a file (relative to the configuration) and
// a command with its timeout; a readable configuration naming a token file
// gets the same warning as one naming a password file.
func TestProfileTokenSources(t *testing.T) {
	dir := isolate(t)
	cfg := writeFile(t, filepath.Join(dir, "tok.toml"), "[profiles.f]\ntoken_file = \"run/token\"\n"+
		"[profiles.c]\ntoken_command = \"drg whoami --token\"\ntoken_command_timeout = \"3s\"\n", 0o644)
	g, stderr, err := parseProbe(t, "--config", cfg, "--profile", "f")
	if err != nil || g.Probe.TokenFile != filepath.Join(dir, "run", "token") {
		t.Errorf("token_file: %v %q", err, g.Probe.TokenFile)
	}
	if !strings.Contains(stderr, "readable by others") {
		t.Errorf("a 0644 configuration naming a token file: no warning: %q", stderr)
	}
	g, _, err = parseProbe(t, "--config", cfg, "--profile", "c")
	if err != nil || g.Probe.TokenCommand != "drg whoami --token" || g.Probe.TokenTimeout != 3*time.Second {
		t.Errorf("token_command: %v %q %s", err, g.Probe.TokenCommand, g.Probe.TokenTimeout)
	}
}

func TestReadableConfigWarning(t *testing.T) {
	dir := isolate(t)
	body := "[profiles.p]\nusername = \"u\"\npassword_file = \"pw.txt\"\n"
	open := writeFile(t, filepath.Join(dir, "open.toml"), body, 0o644)
	_, stderr, err := parseProbe(t, "--config", open, "--profile", "p")
	if err != nil || !strings.Contains(stderr, "readable by others") {
		t.Errorf("world-readable config naming a secret file: want a warning: %v %q", err, stderr)
	}
	closed := writeFile(t, filepath.Join(dir, "closed.toml"), body, 0o600)
	_, stderr, err = parseProbe(t, "--config", closed, "--profile", "p")
	if err != nil || stderr != "" {
		t.Errorf("0600 config: want no warning: %v %q", err, stderr)
	}
	plain := writeFile(t, filepath.Join(dir, "plain.toml"), "[profiles.p]\nbroker = \"mqtt://x\"\n", 0o644)
	_, stderr, err = parseProbe(t, "--config", plain, "--profile", "p")
	if err != nil || stderr != "" {
		t.Errorf("readable config without secrets: want no warning: %v %q", err, stderr)
	}
}

func TestHelpShowsNoSecret(t *testing.T) {
	const secret = "Pa55-help-secret"
	isolate(t)
	t.Setenv("MQDECK_PASSWORD", secret)
	t.Setenv("MY_PW", secret)
	for _, args := range [][]string{{"--help"}, {"version", "--help"}, {"--password-env", "MY_PW"}, {"nope"}} {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), args, &out, &errOut)
		all := out.String() + errOut.String()
		if strings.Contains(all, secret) {
			t.Errorf("%v printed the secret: %s", args, all)
		}
		if args[0] == "--help" && (code != 0 || !strings.Contains(all, "version")) {
			t.Errorf("--help: code %d, output %q", code, all)
		}
		if args[0] == "nope" && code != exitUsage {
			t.Errorf("unknown command: code %d", code)
		}
	}
}
