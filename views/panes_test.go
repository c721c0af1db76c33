package views

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

func arrive(store *fleet.Store, n int, topic func(i int) string, payload string) {
	f := fixture.NewFeeder()
	for i := 0; i < n; i++ {
		f.Add(platform.DRIVR, topic(i), payload, 0, false, nil)
	}
	store.Apply(f.Items())
}

func TestLogKeepsTheSelectionWhileMessagesArrive(t *testing.T) {
	store := fixture.Fleet()
	p := NewLogPane(themes.New(themes.Dark), DefaultKeys(), store)
	p.SetSize(100, 20)
	p.Focus()
	p.View()
	// Follow mode: the first row is the newest message.
	first := p.Selection().Log.Seq
	arrive(store, 3, func(i int) string { return fmt.Sprintf("drivr/v1/%s/x/%d", fixture.Slug, i) }, "1")
	if got := p.Selection().Log.Seq; got <= first {
		t.Fatalf("follow mode: selection %d, want a newer entry than %d", got, first)
	}
	// Off the first row the entry stays selected, on the same screen row.
	p.Update(keyDown())
	p.Update(keyDown())
	sel := p.Selection().Log.Seq
	p.View()
	row := p.cur.pos - p.cur.top
	if row != 2 {
		t.Fatalf("after two downs the cursor is on row %d", row)
	}
	arrive(store, 5, func(i int) string { return fmt.Sprintf("drivr/v1/%s/y/%d", fixture.Slug, i) }, "2")
	if got := p.Selection().Log.Seq; got != sel {
		t.Fatalf("selection moved from #%d to #%d when messages arrived", sel, got)
	}
	if got := p.cur.pos - p.cur.top; got != row {
		t.Fatalf("selected row moved on screen from %d to %d", row, got)
	}
	// Paused on the first row: nothing moves either.
	p.Update(tea.KeyPressMsg{Code: 'g', Text: "g"})
	p.SetPaused(true)
	sel = p.Selection().Log.Seq
	arrive(store, 4, func(i int) string { return fmt.Sprintf("drivr/v1/%s/z/%d", fixture.Slug, i) }, "3")
	if got := p.Selection().Log.Seq; got != sel {
		t.Fatalf("paused: selection moved from #%d to #%d", sel, got)
	}
	if strings.Contains(ansi.Strip(p.View()), "/z/") {
		t.Fatal("paused: new messages scrolled into view")
	}
}

func TestEventsKeepTheSelectionWhileEventsArrive(t *testing.T) {
	store := fixture.Fleet()
	p := NewEventsPane(themes.New(themes.Dark), DefaultKeys(), store)
	p.SetSize(100, 20)
	p.View()
	p.Update(keyDown())
	sel := p.Selection()
	if sel.Kind != SubjectEvent {
		t.Fatal("no event selected")
	}
	arrive(store, 6, func(i int) string {
		return fmt.Sprintf("drivr/v1/%s/systems/%s/events/new-%d", fixture.Slug, fixture.System, i)
	}, `{"time":"2025-05-12T08:59:59Z","status":"ACTIVE","eventModel":{"uuid":"m-new","eventLevel":"ERROR","code":"new-one"}}`)
	if got := p.Selection(); got.EventID != sel.EventID {
		t.Fatalf("selection moved from %s to %s", sel.EventID, got.EventID)
	}
	if !strings.Contains(ansi.Strip(p.View()), "new-one") {
		// the window shifted with the selection; the new ones are above it
		p.Update(tea.KeyPressMsg{Code: 'g', Text: "g"})
		if !strings.Contains(ansi.Strip(p.View()), "new-one") {
			t.Fatal("new events are not listed")
		}
	}
}

func TestFleetKeepsTheSelectionWhenOrderChanges(t *testing.T) {
	store := fixture.Fleet()
	p := NewFleetPane(themes.New(themes.Dark), DefaultKeys(), store)
	p.SetSize(100, 20)
	p.View()
	p.Update(keyDown()) // Energy Management System
	want := p.Selection().Ref
	f := fixture.NewFeeder()
	for i := 0; i < 3; i++ { // sort before it by name
		f.Add(platform.DRIVR, fmt.Sprintf("drivr/v1/%s/systems/aaa-%d", fixture.Slug, i), fmt.Sprintf(`{"name":"AAA %d"}`, i), 0, true, nil)
	}
	store.Apply(f.Items())
	if got := p.Selection().Ref; got != want {
		t.Fatalf("selection moved to %+v", got)
	}
	// Sorting by state moves it; the selection follows.
	p.Update(tea.KeyPressMsg{Code: 'o', Text: "o"})
	if got := p.Selection().Ref; got != want {
		t.Fatalf("after sort by state the selection is %+v", got)
	}
	if !strings.Contains(ansi.Strip(p.View()), "by state") {
		t.Fatal("sort order not shown")
	}
}

func TestDetailHexToggleAndScroll(t *testing.T) {
	store := fixture.Fleet()
	logs, _ := store.LogWindow(fleet.LogFilter{Topic: "v1/device/+/commands"}, 0, 1, nil)
	p := NewDetailPane(themes.New(themes.Dark), DefaultKeys(), store)
	p.SetSize(80, 10)
	p.SetSubject(Subject{Kind: SubjectLog, Log: *logs[0]})
	out := ansi.Strip(p.View())
	if !strings.Contains(out, "1-8 of") {
		t.Fatalf("no scroll position shown:\n%s", out)
	}
	p.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	if out = ansi.Strip(p.View()); !strings.Contains(out, "}") {
		t.Fatalf("G did not scroll to the end:\n%s", out)
	}
	p.Update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	p.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	out = ansi.Strip(p.View())
	if !p.HexView() || !strings.Contains(out, "7b 22 69 64") { // {"id
		t.Fatalf("hex view missing:\n%s", out)
	}
	checkBlock(t, p.View(), 80, 10)
	// A new subject starts at the top.
	p.SetSubject(Subject{Kind: SubjectSystem, Ref: fleet.Ref{Platform: "drivr", Fleet: fixture.Slug, System: fixture.System}})
	if out = ansi.Strip(p.View()); !strings.Contains(out, "System Energy Management System") {
		t.Fatalf("new subject not shown from the top:\n%s", out)
	}
}

func TestParseEventFilter(t *testing.T) {
	q := ParseEventFilter("level:error,warn state:active ack:no meter  overload")
	if !q.Levels.Has(fleet.LevelError) || !q.Levels.Has(fleet.LevelWarning) || q.Levels.Has(fleet.LevelInfo) {
		t.Errorf("levels %v", q.Levels)
	}
	if !q.States.Has(fleet.StateActive) || q.States.Has(fleet.StateResolved) {
		t.Errorf("states %v", q.States)
	}
	if q.Ack != fleet.AckNo || q.Text != "meter overload" {
		t.Errorf("ack %v text %q", q.Ack, q.Text)
	}
	if q := ParseEventFilter("x:y plain"); q.Text != "x:y plain" {
		t.Errorf("unknown term not kept as text: %q", q.Text)
	}
}

func TestParseLogFilter(t *testing.T) {
	cases := []struct{ in, topic, text string }{
		{"t:drivr/# overload", "drivr/#", "overload"},
		{"v1/device/+/telemetry", "v1/device/+/telemetry", ""},
		{"topic:a/b text here", "a/b", "text here"},
		{"plain words", "", "plain words"},
	}
	for _, c := range cases {
		f := ParseLogFilter(c.in)
		if f.Topic != c.topic || f.Text != c.text {
			t.Errorf("ParseLogFilter(%q) = %+v", c.in, f)
		}
	}
}

func TestSparkline(t *testing.T) {
	if got := Sparkline([]float64{0, 1, 2, 3, 4, 5, 6, 7}, 8); got != "▁▂▃▄▅▆▇█" {
		t.Errorf("ramp = %q", got)
	}
	if got := Sparkline([]float64{5, math.NaN(), math.Inf(1), 5}, 6); got != "  ▄  ▄" {
		t.Errorf("flat with gaps = %q", got)
	}
	if got := Sparkline([]float64{1, 2, 3}, 2); ansi.StringWidth(got) != 2 {
		t.Errorf("longer than width: %q", got)
	}
	if Sparkline(nil, 0) != "" {
		t.Error("zero width not empty")
	}
}

func TestAge(t *testing.T) {
	now := fixture.Now
	for d, want := range map[time.Duration]string{0: "now", 5 * time.Second: "5s", 3 * time.Minute: "3m", 5 * time.Hour: "5h", 72 * time.Hour: "3d", -time.Hour: "now"} {
		if got := Age(now, now.Add(-d)); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
	if Age(now, time.Time{}) != "-" {
		t.Error("zero time")
	}
}

func TestDetailMasksCredentialUserProperties(t *testing.T) {
	store := fixture.Fleet()
	f := fixture.NewFeeder()
	props := &mqttconn.Props{User: []mqttconn.UserProperty{{Key: "device_id", Value: "dev-1"}, {Key: "access_key", Value: "s3cr3t-key"}}}
	f.Add(platform.DevAPI, "v1/device/dev-1/telemetry", `{"status":"online"}`, 0, false, props)
	store.Apply(f.Items())
	logs, _ := store.LogWindow(fleet.LogFilter{Topic: "v1/device/dev-1/telemetry"}, 0, 1, nil)
	if len(logs) != 1 {
		t.Fatalf("telemetry not logged: %d entries", len(logs))
	}
	p := NewDetailPane(themes.New(themes.Dark), DefaultKeys(), store)
	p.SetSize(100, 40)
	p.SetSubject(Subject{Kind: SubjectLog, Log: *logs[0]})
	out := ansi.Strip(p.View())
	if strings.Contains(out, "s3cr3t-key") {
		t.Fatalf("access key shown:\n%s", out)
	}
	if !strings.Contains(out, "dev-1") || !strings.Contains(out, "access_key") {
		t.Fatalf("user properties missing:\n%s", out)
	}
}

// The fleet title counts in words that agree: "1 system", not "1 systems"
// (a filter down to one device, seen running the Drogue demo).
func TestFleetTitleCountsOneSystem(t *testing.T) {
	p := NewFleetPane(themes.New(themes.Mono), DefaultKeys(), fixture.Fleet())
	p.SetSize(60, 8)
	p.Update(press("/"))
	for _, r := range "plant-03" {
		p.Update(press(string(r)))
	}
	p.Update(press("enter"))
	if out := ansi.Strip(p.View()); !strings.Contains(out, "1 system ·") || strings.Contains(out, "1 systems") {
		t.Errorf("title:\n%s", out)
	}
}
