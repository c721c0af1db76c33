package console

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/views"
)

// newTestModel is the console on the fixed fleet and clock at a size.
func newTestModel(t *testing.T, w, h int, theme string) *Model {
	t.Helper()
	m := New(Config{Theme: theme, Now: fixture.Clock, Conn: views.ConnInfo{
		Broker: "mqtts://broker.example.com:8883", Platform: "drivr", Protocol: "auto"}})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	send(m, ingest.Batch{Items: fixture.FleetItems()})
	return m
}

// send delivers msgs as the program would and returns the last command; a
// batch is applied whole by the console's own writer.
func send(m *Model, msgs ...tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	for _, msg := range msgs {
		_, cmd = m.Update(msg)
	}
	return cmd
}

func keys(ks ...string) []tea.Msg {
	out := make([]tea.Msg, len(ks))
	for i, k := range ks {
		out[i] = press(k)
	}
	return out
}

func typeText(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func plain(m *Model) string { return ansi.Strip(m.View().Content) }

// checkScreen asserts the frame is exactly w x h cells and that only SGR
// sequences reach the terminal: no title, clear or cursor sequence from a
// device.
func checkScreen(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			if c == 0x1b {
				// Only CSI ... m (SGR) may appear.
				k := j + 1
				if k >= len(l) || l[k] != '[' {
					t.Fatalf("line %d: escape that is not CSI at %d: %q", i, j, l)
				}
				for k++; k < len(l) && (l[k] >= '0' && l[k] <= '9' || l[k] == ';' || l[k] == ':'); k++ {
				}
				if k >= len(l) || l[k] != 'm' {
					t.Fatalf("line %d: non-SGR sequence at %d: %q", i, j, l[j:min(k+1, len(l))])
				}
				j = k
				continue
			}
			if c < 0x20 || c == 0x7f {
				t.Fatalf("line %d: control byte %#x reached the screen", i, c)
			}
		}
	}
}

func TestFocusCycling(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	if m.Focused() != PaneFleet {
		t.Fatalf("starts on %s", m.Focused())
	}
	want := []Pane{PaneEvents, PaneTelemetry, PaneErrors, PaneLog, PaneDetail, PaneActions, PaneTopics, PaneFleet}
	for _, w := range want {
		send(m, press("tab"))
		if m.Focused() != w {
			t.Fatalf("tab: focus %s, want %s", m.Focused(), w)
		}
	}
	send(m, press("shift+tab"))
	if m.Focused() != PaneTopics {
		t.Fatalf("shift+tab from fleet: %s", m.Focused())
	}
	for i := 1; i <= PaneCount; i++ {
		send(m, press(fmt.Sprint(i)))
		if m.Focused() != Pane(i-1) {
			t.Fatalf("key %d: focus %s", i, m.Focused())
		}
	}
	// The focused pane is the one with the heavy border.
	send(m, press("2"))
	if !strings.Contains(plain(m), "┏━ 2 Events") || strings.Contains(plain(m), "┏━ 1 Fleet") {
		t.Fatal("heavy border does not follow the focus")
	}
}

func TestZoom(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	send(m, keys("5", "z")...)
	if !m.Zoomed() {
		t.Fatal("z did not zoom")
	}
	out := plain(m)
	if !strings.Contains(out, "5 Log") || strings.Contains(out, "1 Fleet") || strings.Contains(out, "2 Events") {
		t.Fatal("zoomed screen shows other panes")
	}
	checkScreen(t, m.View().Content, 120, 40)
	send(m, press("z"))
	if m.Zoomed() || !strings.Contains(plain(m), "1 Fleet") {
		t.Fatal("second z did not unzoom")
	}
	send(m, keys("z", "esc")...)
	if m.Zoomed() {
		t.Fatal("esc did not unzoom")
	}
}

func TestFilterInputTakesKeysFirst(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	send(m, press("/"))
	if !strings.Contains(plain(m), "/") {
		t.Fatal("no filter prompt")
	}
	// q, T, space and digits are text while the input is open.
	cmd := send(m, typeText("plant q")...)
	if isQuit(cmd) || m.ThemeName() != themes.Dark {
		t.Fatal("a key reached the global map while filtering")
	}
	send(m, press("backspace"), press("backspace"))
	out := plain(m)
	if !strings.Contains(out, "1 system ·") || !strings.Contains(out, "plant-03") || strings.Contains(out, "Warehouse HVAC") {
		t.Fatalf("filter 'plant' not applied:\n%s", out)
	}
	send(m, press("enter"))
	if !strings.Contains(plain(m), "/plant") {
		t.Fatal("committed filter not shown in the title")
	}
	// Now keys are global again; esc clears the filter.
	send(m, press("esc"))
	if !strings.Contains(plain(m), "5 systems") {
		t.Fatal("esc did not clear the filter")
	}
	// esc while typing reverts to the previous filter.
	send(m, press("/"))
	send(m, typeText("zzz")...)
	if !strings.Contains(plain(m), "no system matches") {
		t.Fatal("live filter not applied while typing")
	}
	send(m, press("esc"))
	if !strings.Contains(plain(m), "5 systems") {
		t.Fatal("esc while typing did not revert")
	}
}

func TestEventAndLogFilters(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	send(m, press("2"), press("/"))
	send(m, typeText("level:warning")...)
	send(m, press("enter"))
	out := plain(m)
	if !strings.Contains(out, "hvac-filter-") || strings.Contains(out, "energy-overl") {
		t.Fatalf("level filter not applied:\n%s", out)
	}
	send(m, press("esc"), press("5"), press("/"))
	send(m, typeText("t:v1/device/+/commands")...)
	send(m, press("enter"))
	out = plain(m)
	if !strings.Contains(out, " 1 · /t:v1/device/+/commands") {
		t.Fatalf("topic filter not applied:\n%s", out)
	}
}

func TestPauseCountsNewAndHoldsTheView(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	send(m, press("5")) // log: newest first
	before := plain(m)
	send(m, press("space"))
	if p, _ := m.Paused(); !p {
		t.Fatal("space did not pause")
	}
	f := fixture.NewFeeder()
	for i := 0; i < 5; i++ {
		f.Add(platform.DRIVR, fmt.Sprintf("drivr/v1/%s/systems/new-%d", fixture.Slug, i), `{"name":"Brand New"}`, 0, true, nil)
	}
	send(m, ingest.Batch{Items: f.Items()})
	if _, n := m.Paused(); n != 5 {
		t.Fatalf("paused counter %d, want 5", n)
	}
	out := plain(m)
	if !strings.Contains(out, "PAUSED +5 new") {
		t.Fatal("status bar does not show the paused count")
	}
	if strings.Contains(out, "Brand New") || strings.Contains(out, "new-4") {
		t.Fatal("paused view shows new data")
	}
	// The panes are as they were (only the status line changed).
	if strings.Join(strings.Split(out, "\n")[1:], "\n") != strings.Join(strings.Split(before, "\n")[1:], "\n") {
		t.Fatal("paused panes changed after a batch")
	}
	// Moving in a paused list does not make it jump to the new entries.
	send(m, press("down"))
	if strings.Contains(plain(m), "new-4") {
		t.Fatal("a key made the paused log jump to new entries")
	}
	if m.Store().Totals().Messages != uint64(len(fixture.FleetItems())+5) {
		t.Fatal("the store stopped applying while paused")
	}
	send(m, press("space"), press("g"))
	out = plain(m)
	if p, _ := m.Paused(); p || strings.Contains(out, "PAUSED") {
		t.Fatal("space did not resume")
	}
	if !strings.Contains(out, "new-4") {
		t.Fatal("resumed view does not show the new entries")
	}
}

func TestThemeCycle(t *testing.T) {
	m := newTestModel(t, 80, 24, themes.Dark)
	seen := []string{m.ThemeName()}
	for range themes.Names() {
		send(m, press("T"))
		seen = append(seen, m.ThemeName())
	}
	want := append(themes.Names(), themes.Dark)
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("theme cycle %v, want %v", seen, want)
	}
	if !strings.Contains(plain(m), "theme dark") {
		t.Fatal("theme change not announced")
	}
}

func TestAutoThemeFollowsBackground(t *testing.T) {
	m := New(Config{Now: fixture.Clock})
	if m.Init() == nil {
		t.Fatal("Init returned no command")
	}
	send(m, tea.BackgroundColorMsg{Color: ansiWhite{}})
	if m.ThemeName() != themes.Light {
		t.Fatalf("light background gave %s", m.ThemeName())
	}
	m = New(Config{NoColor: true, Now: fixture.Clock})
	send(m, tea.BackgroundColorMsg{Color: ansiWhite{}})
	if m.ThemeName() != themes.Mono {
		t.Fatalf("NO_COLOR gave %s", m.ThemeName())
	}
	m = New(Config{Theme: themes.HighContrast, Now: fixture.Clock})
	send(m, tea.BackgroundColorMsg{Color: ansiWhite{}})
	if m.ThemeName() != themes.HighContrast {
		t.Fatal("an explicit theme was overridden by detection")
	}
}

type ansiWhite struct{}

func (ansiWhite) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

func TestHelpToggle(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	send(m, press("?"))
	if !m.HelpOpen() {
		t.Fatal("? did not open help")
	}
	out := plain(m)
	for _, want := range []string{"Help", "quit", "next pane", "zoom", "pause view", "theme", "expand", "Fleet"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	for _, hidden := range []string{"trigger event", "send command", "acknowledge", "publish"} {
		if strings.Contains(out, hidden) {
			t.Errorf("help shows the disabled action %q", hidden)
		}
	}
	checkScreen(t, m.View().Content, 120, 40)
	send(m, press("?"))
	if m.HelpOpen() {
		t.Fatal("? did not close help")
	}
	send(m, press("?"), press("esc"))
	if m.HelpOpen() {
		t.Fatal("esc did not close help")
	}
}

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		m := newTestModel(t, 80, 24, themes.Dark)
		if !isQuit(send(m, press(k))) {
			t.Errorf("%s did not quit", k)
		}
	}
	m := newTestModel(t, 80, 24, themes.Dark)
	if isQuit(send(m, press("j"), press("x"), press("o"))) {
		t.Error("an ordinary key quit")
	}
}

func TestExitAfterApplied(t *testing.T) {
	m := New(Config{Now: fixture.Clock, ExitAfter: 50})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	items := fixture.FleetItems() // 46 messages
	if isQuit(send(m, ingest.Batch{Items: items})) {
		t.Fatal("quit before N messages")
	}
	if !isQuit(send(m, ingest.Batch{Items: items[:4]})) {
		t.Fatal("did not quit at N messages")
	}
}

func TestConnectionNewsReachTheScreen(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	st := mqttconn.State{Kind: mqttconn.StateConnected, Protocol: "5"}
	send(m, ingest.Batch{State: &st, Dropped: 17, Subs: [][]mqttconn.SubResult{{
		{Filter: "drivr/v1/company-example/systems/#", Granted: 1},
		{Filter: "drivr/v1/company-example/input/#", Err: &mqttconn.SubscribeError{Code: 0x87}},
	}}})
	out := plain(m)
	for _, want := range []string{"● connected (MQTT 5)", "dropped 17", "subscription refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q", want)
		}
	}
	errs, n := m.Store().ErrorsWindow(0, 1, nil)
	if n != 3 || errs[0].Source != fleet.ErrSubscribe || !strings.Contains(errs[0].Message, "not authorized") {
		t.Fatalf("refused subscription not in the errors pane: %d %+v", n, errs)
	}
	st = mqttconn.State{Kind: mqttconn.StateReconnecting, RetryIn: 4 * time.Second, Err: errors.New("EOF")}
	send(m, ingest.Batch{State: &st})
	if !strings.Contains(plain(m), "reconnecting in 4s: EOF") {
		t.Error("reconnecting not said in words")
	}
}

func TestEnterOpensDetailEscReturns(t *testing.T) {
	m := newTestModel(t, 80, 24, themes.Dark)
	send(m, press("2"), press("enter"))
	if m.Focused() != PaneDetail {
		t.Fatalf("enter focused %s", m.Focused())
	}
	out := plain(m)
	if !strings.Contains(out, "Event smart-meter-malfunction-event") || !strings.Contains(out, "3348037a") {
		t.Fatalf("detail does not show the selected event:\n%s", out)
	}
	send(m, press("esc"))
	if m.Focused() != PaneEvents {
		t.Fatalf("esc returned to %s", m.Focused())
	}
	// Down selects the next event; the detail follows.
	send(m, press("down"))
	if !strings.Contains(plain(m), "Event system-restarted") {
		t.Fatal("detail did not follow the selection")
	}
}

func TestFleetSelectionDrivesTelemetry(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	// Rows by name: dev-0042, Energy Management System, ...
	send(m, press("down"))
	out := plain(m)
	if !strings.Contains(out, "Energy Management System") || !strings.Contains(out, "voltage") || strings.Contains(out, "fan_speed") {
		t.Fatalf("telemetry does not follow the fleet selection:\n%s", out)
	}
	// Expanding shows the components under the system.
	send(m, press("l"))
	if out = plain(m); !strings.Contains(out, "└") || !strings.Contains(out, "Smart Meter") {
		t.Fatalf("expand did not show components:\n%s", out)
	}
	send(m, press("3"), press("A"))
	if !strings.Contains(plain(m), "fan_speed") {
		t.Fatal("scope toggle did not show all systems")
	}
}

func TestMouseClickFocusesAndSelects(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	r := m.rects.Panes[PaneEvents]
	send(m, tea.MouseClickMsg{X: r.X + 5, Y: r.Y + 3, Button: tea.MouseLeft}) // second event row
	if m.Focused() != PaneEvents {
		t.Fatalf("click focused %s", m.Focused())
	}
	if !strings.Contains(plain(m), "Event system-restarted") {
		t.Fatal("click did not select the row under the pointer")
	}
	// Compact mode: the tab strip switches panes.
	m = newTestModel(t, 80, 24, themes.Dark)
	x := 0
	for p := Pane(0); p < PaneLog; p++ {
		x += tabWidth(p, tabNarrowing(80, m.badges()), m.badges()[p]) + 2
	}
	send(m, tea.MouseClickMsg{X: x + 1, Y: m.rects.Tabs.Y, Button: tea.MouseLeft})
	if m.Focused() != PaneLog {
		t.Fatalf("tab click focused %s", m.Focused())
	}
}

func TestResizeNeverLeavesGarbage(t *testing.T) {
	m := newTestModel(t, 120, 40, themes.Dark)
	for _, sz := range [][2]int{{200, 60}, {80, 24}, {60, 16}, {59, 16}, {30, 5}, {1, 1}, {120, 40}, {61, 17}, {110, 32}, {300, 100}} {
		send(m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for p := Pane(0); p < paneCount; p++ {
			send(m, press(fmt.Sprint(int(p)+1)))
			checkScreen(t, m.View().Content, sz[0], sz[1])
		}
	}
}

func TestTooSmall(t *testing.T) {
	m := newTestModel(t, 50, 12, themes.Dark)
	out := plain(m)
	if !strings.Contains(out, "at least 60x16, this one is 50x12") {
		t.Fatalf("too-small message missing:\n%s", out)
	}
	checkScreen(t, m.View().Content, 50, 12)
	if !isQuit(send(m, press("q"))) {
		t.Fatal("q does not quit from the too-small screen")
	}
}

func TestBadRebindingIsShownNotFatal(t *testing.T) {
	m := New(Config{Now: fixture.Clock, Keys: map[string][]string{"fly": {"f"}}})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if !strings.Contains(plain(m), "key map") {
		t.Fatal("a bad rebinding is not reported")
	}
	if !isQuit(send(m, press("q"))) {
		t.Fatal("default keys lost after a bad rebinding")
	}
}

// NO_COLOR: no colour at all on screen, and every status still readable
// in words.
func TestMonochromeScreenHasNoColourButWords(t *testing.T) {
	m := New(Config{NoColor: true, Now: fixture.Clock})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40}, ingest.Batch{Items: fixture.FleetItems()})
	out := m.View().Content
	checkScreen(t, out, 120, 40)
	if strings.Contains(out, "38;") || strings.Contains(out, "48;") {
		t.Fatal("a colour sequence in the monochrome theme")
	}
	p := ansi.Strip(out)
	for _, w := range []string{"online", "offline", "stale", "ERROR", "ACTIVE", "RESOLVED", "not yet", "SOME_DATA_I"} {
		if !strings.Contains(p, w) {
			t.Errorf("status word %q missing in monochrome", w)
		}
	}
}

// fakeForm records what reaches it.
type fakeForm struct {
	keys []string
	w, h int
}

func (f *fakeForm) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		f.keys = append(f.keys, k.String())
	}
	return nil
}
func (f *fakeForm) View() string             { return "FORM " + fmt.Sprint(f.w, "x", f.h) }
func (f *fakeForm) SetSize(w, h int)         { f.w, f.h = w, h }
func (f *fakeForm) SetStyles(themes.Styles)  {}
func (f *fakeForm) ShortHelp() []key.Binding { return nil }

// An open form takes keys before the filter, help and global keys.
func TestModalTakesKeysFirst(t *testing.T) {
	m := newTestModel(t, 80, 24, themes.Dark)
	f := &fakeForm{}
	m.OpenModal(f)
	cmd := send(m, keys("q", "T", "tab", "?", "space")...)
	if isQuit(cmd) || m.ThemeName() != themes.Dark || m.Focused() != PaneFleet || m.HelpOpen() {
		t.Fatal("a key reached the console behind the form")
	}
	if strings.Join(f.keys, ",") != "q,T,tab,?,space" {
		t.Fatalf("form got %v", f.keys)
	}
	out := plain(m)
	if !strings.Contains(out, "FORM 80x22") {
		t.Fatalf("form not drawn over the body at its size:\n%s", out)
	}
	checkScreen(t, m.View().Content, 80, 24)
	if !isQuit(send(m, press("ctrl+c"))) {
		t.Fatal("ctrl+c does not quit from a form")
	}
	m.CloseModal()
	if !isQuit(send(m, press("q"))) {
		t.Fatal("keys do not return to the console after the form closes")
	}
}
