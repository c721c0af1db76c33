package views

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mqdeck/mqdeck/themes"
)

// Goldens of the form, the confirmation and the Actions pane at the two
// reference sizes, dark and light, from fixed data and a fixed clock.
// Update with: go test ./views -run TestActionGoldens -update
func TestActionGoldens(t *testing.T) {
	sizes := [][2]int{{80, 24}, {120, 40}}
	for _, theme := range []string{themes.Dark, themes.Light} {
		for _, sz := range sizes {
			w, h := sz[0], sz[1]
			name := fmt.Sprintf("%dx%d_%s", w, h, theme)
			st := themes.New(theme)
			t.Run("form_"+name, func(t *testing.T) {
				_, f := drivrForm(t)
				f.SetStyles(st)
				f.SetSize(w, min(h, 18))
				focusField(t, f, "model")
				checkBox(t, f.View(), w, min(h, 18))
				golden.RequireEqual(t, f.View())
			})
			t.Run("confirm_"+name, func(t *testing.T) {
				c := NewConfirm(st, testConfirmModel(confirmAction(t)), tNow)
				c.SetSize(w, h-4)
				checkBox(t, c.View(), w, h-4)
				golden.RequireEqual(t, c.View())
			})
			t.Run("actions_"+name, func(t *testing.T) {
				p := NewActionsPane(st, DefaultKeys(), trackerWithHistory(t))
				p.SetSize(w, h/2)
				p.Focus()
				checkBox(t, p.View(), w, h/2)
				golden.RequireEqual(t, p.View())
			})
		}
	}
}

// checkBox asserts the view is exactly w x h cells.
func checkBox(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d: width %d, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func TestActionViewsTinySizes(t *testing.T) {
	st := themes.New(themes.Dark)
	_, f := drivrForm(t)
	c := NewConfirm(st, testConfirmModel(confirmAction(t)), tNow)
	p := NewActionsPane(st, DefaultKeys(), trackerWithHistory(t))
	for w := 0; w <= 30; w += 3 {
		for h := 0; h <= 8; h += 2 {
			f.SetSize(w, h)
			c.SetSize(w, h)
			p.SetSize(w, h)
			for _, v := range []string{f.View(), c.View(), p.View()} {
				if v == "" {
					continue
				}
				checkBox(t, v, w, h)
			}
		}
	}
}
