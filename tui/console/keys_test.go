package console

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func press(s string) tea.KeyPressMsg {
	switch s {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)
	if len(r) != 1 {
		panic("press: unknown key " + s)
	}
	if r[0] >= 'A' && r[0] <= 'Z' {
		return tea.KeyPressMsg{Code: r[0] + 32, ShiftedCode: r[0], Text: s, Mod: tea.ModShift}
	}
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

// The helper must produce what the key map matches, or every Update test
// below would pass for the wrong reason.
func TestPressMatchesKeyMap(t *testing.T) {
	km := DefaultKeyMap()
	cases := map[string]key.Binding{
		"space": km.Pause, "tab": km.NextPane, "shift+tab": km.PrevPane, "esc": km.Esc,
		"T": km.Theme, "?": km.Help, "q": km.Quit, "ctrl+c": km.Quit, "z": km.Zoom,
		"3": km.Focus[2], "G": km.Pane.Bottom, "g": km.Pane.Top, "j": km.Pane.Down, "up": km.Pane.Up,
		"/": km.Pane.Filter, "enter": km.Pane.Enter, "pgdown": km.Pane.PageDown,
	}
	for k, b := range cases {
		if got := press(k).String(); !key.Matches(press(k), b) {
			t.Errorf("key %q (String %q) does not match its binding %v", k, got, b.Keys())
		}
	}
	if key.Matches(press("t"), km.Trigger) {
		t.Error("disabled action key t matched")
	}
}

func TestRebind(t *testing.T) {
	km := DefaultKeyMap()
	if err := km.Rebind(map[string][]string{"quit": {"ctrl+q", "Q"}, "pane-1": {"F1"}}); err != nil {
		t.Fatal(err)
	}
	if key.Matches(press("q"), km.Quit) {
		t.Error("q still quits after rebinding")
	}
	if !key.Matches(press("Q"), km.Quit) {
		t.Error("Q does not quit after rebinding")
	}
	if km.Quit.Help().Key != "ctrl+q" || km.Quit.Help().Desc != "quit" {
		t.Errorf("help after rebinding = %+v", km.Quit.Help())
	}
	if err := km.Rebind(map[string][]string{"trigger": {"X"}}); err != nil {
		t.Fatal(err)
	}
	if km.Trigger.Enabled() {
		t.Error("rebinding enabled a disabled action")
	}
	if err := km.Rebind(map[string][]string{"launch-missiles": {"L"}}); err == nil || !strings.Contains(err.Error(), "unknown action") {
		t.Errorf("unknown action: err = %v", err)
	}
	if err := km.Rebind(map[string][]string{"zoom": nil}); err == nil {
		t.Error("empty key list accepted")
	}
	names := km.Actions()
	if len(names) < 30 || names[0] > names[1] {
		t.Errorf("Actions() = %v", names)
	}
}
