package views

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// checkBlock asserts a pane's view is exactly w x h cells and carries no
// escape other than SGR.
func checkBlock(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d: %d cells, want %d: %q", i, got, w, ansi.Strip(l))
		}
		rest := l
		for {
			j := strings.IndexByte(rest, 0x1b)
			if j < 0 {
				break
			}
			k := j + 2
			for k < len(rest) && (rest[k] >= '0' && rest[k] <= '9' || rest[k] == ';' || rest[k] == ':') {
				k++
			}
			if j+1 >= len(rest) || rest[j+1] != '[' || k >= len(rest) || rest[k] != 'm' {
				t.Fatalf("line %d: a non-SGR escape reached the screen: %q", i, rest[j:])
			}
			rest = rest[k+1:]
		}
		for _, c := range []byte(ansi.Strip(l)) {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("line %d: control byte %#x", i, c)
			}
		}
	}
}

type paneUnderTest interface {
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	Focus()
}

// keyDown and keyRight are arrow presses (press is the actions tests').
func keyDown() tea.KeyPressMsg  { return tea.KeyPressMsg{Code: tea.KeyDown} }
func keyRight() tea.KeyPressMsg { return tea.KeyPressMsg{Code: tea.KeyRight} }

// TestPaneGoldens draws every pane on the fixed fleet at 80x24 and 120x40
// in the dark and light themes. Update with: go test ./views -run Goldens -update
func TestPaneGoldens(t *testing.T) {
	store := fixture.Fleet()
	// The MQTT 5 command: properties in the detail.
	logs, _ := store.LogWindow(fleet.LogFilter{Topic: "v1/device/+/commands"}, 0, 1, nil)
	if len(logs) != 1 {
		t.Fatal("fixture lacks the MQTT 5 command")
	}
	errs, _ := store.ErrorsWindow(0, 1, nil)
	subjects := map[string]Subject{
		"detail-message": {Kind: SubjectLog, Log: *logs[0]},
		"detail-event":   {Kind: SubjectEvent, Ref: fleet.Ref{Platform: "drivr", Fleet: fixture.Slug}, EventID: fixture.CompEv},
		"detail-error":   {Kind: SubjectError, Error: *errs[0]},
		"detail-system":  {Kind: SubjectSystem, Ref: fleet.Ref{Platform: "drivr", Fleet: fixture.Slug, System: fixture.System}},
	}
	for _, theme := range []string{themes.Dark, themes.Light} {
		st := themes.New(theme)
		k := DefaultKeys()
		build := map[string]func() paneUnderTest{
			"fleet": func() paneUnderTest {
				p := NewFleetPane(st, k, store)
				p.SetSize(10, 10)
				p.Update(keyDown()) // Energy Management System
				p.Update(keyRight())
				return p
			},
			"events":    func() paneUnderTest { return NewEventsPane(st, k, store) },
			"telemetry": func() paneUnderTest { return NewTelemetryPane(st, k, store) },
			"errors":    func() paneUnderTest { return NewErrorsPane(st, k, store) },
			"log":       func() paneUnderTest { return NewLogPane(st, k, store) },
		}
		for name, s := range subjects {
			build[name] = func() paneUnderTest {
				p := NewDetailPane(st, k, store)
				p.SetSubject(s)
				return p
			}
		}
		for name, mk := range build {
			for _, sz := range [][2]int{{80, 24}, {120, 40}} {
				t.Run(fmt.Sprintf("%s_%dx%d_%s", name, sz[0], sz[1], theme), func(t *testing.T) {
					p := mk()
					p.SetSize(sz[0], sz[1])
					p.Focus()
					out := p.View()
					checkBlock(t, out, sz[0], sz[1])
					golden.RequireEqual(t, out)
				})
			}
		}
		for _, sz := range []int{80, 120} {
			t.Run(fmt.Sprintf("status_%d_%s", sz, theme), func(t *testing.T) {
				s := NewStatusBar(st, ConnInfo{Broker: "mqtts://broker.example.com:8883", Platform: "drivr", Protocol: "auto", ReadOnly: true, Insecure: true})
				s.SetConn(ConnState{Kind: ConnUp, Protocol: "3.1.1"})
				s.SetCounters(Counters{Total: 123456, Rate: 2345, Dropped: 3, Evicted: 12, Paused: true, New: 42})
				s.SetSize(sz)
				out := s.View()
				checkBlock(t, out, sz, 1)
				golden.RequireEqual(t, out)
			})
		}
	}
}

// The hostile system name is drawn defanged wherever it appears.
func TestHostileNamesAreDefanged(t *testing.T) {
	store := fixture.Fleet()
	st := themes.New(themes.Dark)
	p := NewFleetPane(st, DefaultKeys(), store)
	p.SetSize(120, 20)
	out := p.View()
	checkBlock(t, out, 120, 20)
	plain := ansi.Strip(out)
	if !strings.Contains(plain, "evil␛]2;pwned␇␛[2J") {
		t.Fatalf("hostile name not shown as visible control pictures:\n%s", plain)
	}
	if strings.ContainsRune(plain, '\u202e') {
		t.Fatal("bidi override reached the screen")
	}
}
