package actions_test

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	. "github.com/mqdeck/mqdeck/tui/actions"
)

const templatesTOML = `
[[templates]]
key = "f1"
platform = "drogue"
name = "setTemperature"
kind = "send_command"
payload = '{"value": 21}'

[[templates]]
key = "F2"
name = "energy-overload-model"
kind = "trigger_event"
platform = "drivr"

[[templates]]
key = "f1"
name = "reboot"
payload = '{}'
qos = 0
`

func loadTemplates(t *testing.T) Templates {
	t.Helper()
	var cfg struct{ Templates Templates }
	if _, err := toml.Decode(templatesTOML, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, tp := range cfg.Templates {
		if err := tp.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	return cfg.Templates
}

func TestTemplatesFromTOMLResolve(t *testing.T) {
	ts := loadTemplates(t)
	tp, ok := ts.For("F1", platform.Drogue)
	if !ok || tp.Name != "setTemperature" {
		t.Fatalf("For: %+v %v", tp, ok)
	}
	if tp.Label() != `setTemperature {"value": 21}` {
		t.Errorf("label %q", tp.Label())
	}
	b := fixedBuilder(platform.Drogue)
	a, _, err := b.Resolve(tp, Selection{Target: Target{Fleet: "my-app", System: "my-device"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Request.Topic != "command/my-app/my-device/setTemperature" || string(a.Request.Payload) != `{"value":21}` || a.Kind != KindSendCommand {
		t.Errorf("%+v", a.Request)
	}
	// A platform-specific template wins; the generic one serves others.
	if tp, _ := ts.For("f1", platform.SmartWorks); tp.Name != "reboot" || tp.QoS == nil || *tp.QoS != 0 {
		t.Errorf("fallback %+v", tp)
	}
	if _, ok := ts.For("f9", platform.Drogue); ok {
		t.Error("unbound key found")
	}
	if n := len(ts.OnPlatform(platform.DRIVR)); n != 2 {
		t.Errorf("drivr templates: %d", n)
	}

	ev, _ := ts.For("f2", platform.DRIVR)
	db := fixedBuilder(platform.DRIVR)
	a, _, err = db.Resolve(ev, Selection{Target: Target{Fleet: SeedSlug, System: SeedSys}})
	if err != nil || a.Request.Topic != SeedInput || !strings.Contains(string(a.Request.Payload), `"eventModelCode":"energy-overload-model"`) {
		t.Errorf("event template: %v %s", err, a.Request.Payload)
	}
	if _, _, err := b.Resolve(ev, Selection{}); err == nil {
		t.Error("a drivr template resolved on drogue")
	}
	// No selection: the build fails on the field, not silently.
	if _, _, err := b.Resolve(tp, Selection{Target: Target{Fleet: "my-app"}}); err == nil || !strings.Contains(err.Error(), "device") {
		t.Errorf("no device: %v", err)
	}
}

func TestTemplateValidate(t *testing.T) {
	q := byte(3)
	bad := []Template{
		{Name: "x", Payload: "{}"},
		{Key: "f1", Payload: "{}"},
		{Key: "f1", Name: "x", Payload: "{"},
		{Key: "f1", Kind: "explode", Name: "x"},
		{Key: "f1", Kind: KindPublish, Topic: "a/#"},
		{Key: "f1", Name: "x", Payload: "{}", QoS: &q},
	}
	for _, tp := range bad {
		if tp.Validate() == nil {
			t.Errorf("accepted %+v", tp)
		}
	}
}
