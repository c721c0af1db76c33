package cli

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
)

type actProbeCmd struct {
	ActionFlags `embed:""`
}

type actProbeCLI struct {
	Globals `embed:""`
	Probe   actProbeCmd `cmd:""`
}

func parseActProbe(t *testing.T, args ...string) (*actProbeCLI, string, error) {
	t.Helper()
	var g actProbeCLI
	var stdout, stderr bytes.Buffer
	p, err := newParser(&g, &stdout, &stderr)
	if err != nil {
		t.Fatalf("newParser: %v", err)
	}
	_, err = p.Parse(append([]string{"probe"}, args...))
	return &g, stderr.String(), err
}

// The profile keys the actions need are known (no warning), paths resolve
// relative to the file, and variable names are checked as names.
func TestActionProfileKeys(t *testing.T) {
	dir := isolate(t)
	cfg := writeFile(t, filepath.Join(dir, "conf", "mqdeck.toml"), `
profile = "ops"
[profiles.ops]
operator = "alice"
audit = "audit.jsonl"
access_key_env = "DEV_ACCESS_KEY"
graphql_endpoint = "https://company-example.api.drivr.cloud/graphql"
graphql_token_file = "drivr.token"
`, 0o600)
	g, stderr, err := parseActProbe(t, "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := g.Probe.ActionFlags
	if a.Operator != "alice" || a.Audit != filepath.Join(dir, "conf", "audit.jsonl") || a.AccessKeyEnv != "DEV_ACCESS_KEY" ||
		a.GraphQLEndpoint != "https://company-example.api.drivr.cloud/graphql" || a.GraphQLTokenFile != filepath.Join(dir, "conf", "drivr.token") {
		t.Errorf("flags from the profile: %+v", a)
	}
	if strings.Contains(stderr, "unknown key") {
		t.Errorf("warned: %s", stderr)
	}
	// The command line wins over the profile.
	if g, _, _ = parseActProbe(t, "--config", cfg, "--audit", "/tmp/x.jsonl", "--operator", "bob"); g.Probe.Audit != "/tmp/x.jsonl" || g.Probe.Operator != "bob" {
		t.Errorf("flags over profile: %+v", g.Probe.ActionFlags)
	}

	bad := writeFile(t, filepath.Join(dir, "bad.toml"), "profile = \"p\"\n[profiles.p]\ngraphql_token_env = \"eyJhbGciOi.secret.value\"\n", 0o600)
	if _, _, err := parseActProbe(t, "--config", bad); err == nil || strings.Contains(err.Error(), "secret.value") {
		t.Errorf("a token written as the variable name: %v", err)
	}
}

// [[templates]] are read, validated at load, and duplicate keys refused.
func TestTemplatesFromConfig(t *testing.T) {
	dir := isolate(t)
	good := writeFile(t, filepath.Join(dir, "good.toml"), `
[[templates]]
key = "f1"
platform = "drogue"
name = "setTemperature"
payload = '{"value": 21}'

[[templates]]
key = "F2"
platform = "drivr"
kind = "trigger_event"
name = "energy-overload-model"
qos = 0
`, 0o600)
	_, cfg, err := loadProfile(good, true, "", func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Templates) != 2 || cfg.Templates[0].Label() != `setTemperature {"value": 21}` ||
		cfg.Templates[1].Kind != actions.KindTriggerEvent || cfg.Templates[1].QoS == nil || *cfg.Templates[1].QoS != 0 {
		t.Fatalf("templates %+v", cfg.Templates)
	}
	for name, body := range map[string]string{
		"noname": "[[templates]]\nkey = \"f1\"\npayload = '{}'\n",
		"json":   "[[templates]]\nkey = \"f1\"\nname = \"x\"\npayload = '{oops'\n",
		"dup":    "[[templates]]\nkey = \"f1\"\nname = \"a\"\npayload = '{}'\n[[templates]]\nkey = \"F1\"\nname = \"b\"\npayload = '{}'\n",
	} {
		f := writeFile(t, filepath.Join(dir, name+".toml"), body, 0o600)
		if _, _, err := loadProfile(f, true, "", func(string) {}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The GraphQL token is read from its variable once; the endpoint must be
// https (http on loopback only); a missing piece is a usage error that
// never quotes the token.
func TestActionFlagsGraphQL(t *testing.T) {
	isolate(t)
	loaded := &loadedConfig{}
	const tok = "tok-7f3a-never-shown"
	t.Setenv("T_DRIVR", tok)
	a := ActionFlags{GraphQLEndpoint: "https://x.api.drivr.cloud/graphql", GraphQLTokenEnv: "T_DRIVR", Operator: "alice"}
	act, err := a.actions(loaded, nil, platform.DRIVR, platform.Params{Slug: "s"}, false)
	if err != nil || act.Ack.Token != tok || !act.Ack.Configured() || act.Operator != "alice" {
		t.Fatalf("%+v %v", act.Ack.Endpoint, err)
	}
	for _, f := range []ActionFlags{
		{GraphQLEndpoint: "http://x.api.drivr.cloud/graphql", GraphQLTokenEnv: "T_DRIVR"},
		{GraphQLEndpoint: "https://x/graphql"},
		{GraphQLTokenEnv: "T_DRIVR"},
		{GraphQLEndpoint: "https://x/graphql", GraphQLTokenEnv: "T_UNSET_VARIABLE"},
	} {
		_, err := f.actions(loaded, nil, platform.DRIVR, platform.Params{}, false)
		var u usageError
		if err == nil || !errors.As(err, &u) || strings.Contains(err.Error(), tok) {
			t.Errorf("%+v: %v", f, err)
		}
	}
	if _, err := (&ActionFlags{GraphQLEndpoint: "http://127.0.0.1:8080/graphql", GraphQLTokenEnv: "T_DRIVR"}).actions(loaded, nil, platform.DRIVR, platform.Params{}, false); err != nil {
		t.Errorf("loopback http refused: %v", err)
	}
}
