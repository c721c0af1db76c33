package views

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// presenceLine is the detail's presence line, plain.
func presenceLine(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(ansi.Strip(out), "\n") {
		if strings.Contains(l, "presence") {
			return strings.TrimSpace(strings.Trim(l, "│┃ "))
		}
	}
	t.Fatalf("no presence line:\n%s", ansi.Strip(out))
	return ""
}

// A platform that reports no connection state (the device API here, Drogue
// and SmartWorks in the demo) showed "presence ? unknown since" and nothing
// after: the line now says what it rests on.
func TestDetailPresenceNeverEndsInSince(t *testing.T) {
	store := fixture.Store()
	sc, err := platform.New(platform.Drogue, platform.Params{Apps: []string{"demo-app"}})
	if err != nil {
		t.Fatal(err)
	}
	props := &mqttconn.Props{ContentType: "application/cloudevents+json"}
	m := mqttconn.Message{Topic: "app/demo-app", Received: fixture.Now.Add(-3 * time.Second), Props: props,
		Payload: []byte(`{"specversion":"1.0","id":"1","source":"drogue://demo-app/thermostat-02","type":"io.drogue.event.v1","subject":"state","device":"thermostat-02","application":"demo-app","datacontenttype":"application/json","data":{"temp":21.5}}`)}
	store.Apply([]fleet.Item{ingest.NewStage(sc, decode.DefaultLimits()).Item(m)})
	sys, _ := store.SystemsWindow(fleet.SystemQuery{}, 0, 10, nil)
	if len(sys) != 1 {
		t.Fatalf("%d systems from one Drogue event", len(sys))
	}
	p := NewDetailPane(themes.New(themes.Mono), DefaultKeys(), store)
	p.SetSize(120, 20)
	p.SetSubject(Subject{Kind: SubjectSystem, Ref: sys[0].Ref})
	line := presenceLine(t, p.View())
	if strings.HasSuffix(line, "since") || !strings.Contains(line, "last message 2025-05-12 08:59:57.000Z (3s ago)") {
		t.Errorf("Drogue presence: %q", line)
	}
	// DRIVR says since when: that stays.
	p = NewDetailPane(themes.New(themes.Mono), DefaultKeys(), fixture.Fleet())
	p.SetSize(120, 20)
	p.SetSubject(Subject{Kind: SubjectSystem, Ref: fleet.Ref{Platform: platform.DRIVR, Fleet: fixture.Slug, System: fixture.System}})
	if line := presenceLine(t, p.View()); !strings.Contains(line, "online since 2025-05-12 06:00:00.000Z") {
		t.Errorf("DRIVR presence: %q", line)
	}
}

// x on a System detail put "hex" in the title and changed nothing: x is
// only a key where there is a payload, and the help says so.
func TestDetailHexOnlyWithPayload(t *testing.T) {
	store := fixture.Fleet()
	p := NewDetailPane(themes.New(themes.Dark), DefaultKeys(), store)
	p.SetSize(80, 12)
	p.SetSubject(Subject{Kind: SubjectSystem, Ref: fleet.Ref{Platform: platform.DRIVR, Fleet: fixture.Slug, System: fixture.System}})
	before := p.View()
	p.Update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	if p.View() != before || strings.Contains(ansi.Strip(p.View()), "hex") {
		t.Errorf("x changed a system detail:\n%s", ansi.Strip(p.View()))
	}
	for _, b := range p.ShortHelp() {
		if b.Help().Key == p.keys.Hex.Help().Key {
			t.Error("x offered in the footer of a system detail")
		}
	}
	logs, _ := store.LogWindow(fleet.LogFilter{}, 0, 1, nil)
	p.SetSubject(Subject{Kind: SubjectLog, Log: *logs[0]})
	p.Update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	if !strings.Contains(ansi.Strip(p.View()), "hex") {
		t.Errorf("x on a message shows no hex:\n%s", ansi.Strip(p.View()))
	}
}
