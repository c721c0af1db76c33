package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/mqdeck/mqdeck/tui/console"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	return string(b)
}

// TestReadmeFlagsExist: every --flag the README names is a flag of some
// command, and every command it names exists.
func TestReadmeFlagsExist(t *testing.T) {
	var cli CLI
	p, err := newParser(&cli, os.Stdout, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]bool{"help": true}
	commands := map[string]bool{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			flags[f.Name] = true
			if f.Tag.Negatable != "" {
				flags["no-"+f.Name] = true
			}
			if f.Short != 0 {
				flags["-"+string(f.Short)] = true
			}
		}
		for _, c := range n.Children {
			commands[c.Name] = true
			walk(c)
		}
	}
	walk(p.Model.Node)
	text := readme(t)
	// A token command's flags belong to another program (drg whoami --token).
	text = regexp.MustCompile(`(--token-command|token_command =) "[^"]*"`).ReplaceAllString(text, "$1 CMD")
	for _, m := range regexp.MustCompile(`--(\[no-\])?([a-z][a-z0-9-]*)`).FindAllStringSubmatch(text, -1) {
		if !flags[m[2]] {
			t.Errorf("README names --%s, which no command has", m[2])
		}
	}
	for _, m := range regexp.MustCompile("`mqdeck ([a-z]+)").FindAllStringSubmatch(text, -1) {
		if !commands[m[1]] {
			t.Errorf("README names the command %q, which does not exist", m[1])
		}
	}
}

// TestReadmeConfigExample: the README's configuration file loads, its
// default profile applies, and its [keys] table rebinds.
func TestReadmeConfigExample(t *testing.T) {
	dir := isolate(t)
	text := readme(t)
	start := strings.Index(text, "```toml\n")
	end := strings.Index(text[start+8:], "```")
	if start < 0 || end < 0 {
		t.Fatal("no toml example in README.md")
	}
	cfg := writeFile(t, filepath.Join(dir, "config.toml"), text[start+8:start+8+end], 0o600)
	g, stderr, err := parseProbe(t, "--config", cfg)
	if err != nil || stderr != "" {
		t.Fatalf("README example: %v %s", err, stderr)
	}
	if g.Probe.Broker != "mqtts://mqtt.drivr.cloud:8883" || g.Probe.Platform != "drivr" || g.Probe.CACert != filepath.Join(dir, "drivr", "ca.pem") {
		t.Errorf("default profile not applied: %+v %+v", g.Probe.ConnFlags, g.Probe.PlatformFlags)
	}
	g, _, err = parseProbe(t, "--config", cfg, "--profile", "drogue")
	if err != nil || strings.Join(g.Probe.App, ",") != "my-app,other-app" || g.Probe.PasswordEnv != "DROGUE_API_KEY" {
		t.Errorf("drogue profile: %v %+v", err, g.Probe)
	}
	_, fc, err := loadProfile(cfg, true, "", func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	km := console.DefaultKeyMap()
	if err := km.Rebind(fc.Keys); err != nil || len(fc.Templates) != 1 {
		t.Errorf("[keys] %v, templates %d", err, len(fc.Templates))
	}
}
