package views

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// A click on a body line selects the row the keys would reach; a click on
// the border or the header selects nothing new.
func TestListClickSelectsTheRowDrawnThere(t *testing.T) {
	store := fixture.Fleet()
	st := themes.New(themes.Dark)
	type selPane interface {
		Pane
		Clicker
		Selector
	}
	panes := map[string]func() selPane{
		"fleet":  func() selPane { return NewFleetPane(st, DefaultKeys(), store) },
		"events": func() selPane { return NewEventsPane(st, DefaultKeys(), store) },
		"log":    func() selPane { return NewLogPane(st, DefaultKeys(), store) },
		"errors": func() selPane { return NewErrorsPane(st, DefaultKeys(), store) },
	}
	for name, mk := range panes {
		t.Run(name, func(t *testing.T) {
			byKeys, byClick := mk(), mk()
			for _, p := range []selPane{byKeys, byClick} {
				p.SetSize(100, 20)
				p.View()
			}
			first := byKeys.Selection()
			n := 2
			for i := 0; i < n; i++ {
				byKeys.Update(keyDown())
			}
			want := byKeys.Selection()
			if want.Kind == SubjectNone || want.Same(first) {
				t.Fatal("the fixture has too few rows")
			}
			byClick.Click(7, listBodyTop+n)
			if got := byClick.Selection(); !got.Same(want) {
				t.Fatalf("click on body row %d selected %+v, keys selected %+v", n, got, want)
			}
			byClick.Click(7, 1) // the header
			if got := byClick.Selection(); !got.Same(want) {
				t.Fatalf("a click on the header moved the selection to %+v", got)
			}
		})
	}
}

// The wheel scrolls a list three rows a step.
func TestListWheelMovesThreeRows(t *testing.T) {
	store := fixture.Fleet()
	byWheel := NewLogPane(themes.New(themes.Dark), DefaultKeys(), store)
	byKeys := NewLogPane(themes.New(themes.Dark), DefaultKeys(), store)
	for _, p := range []*LogPane{byWheel, byKeys} {
		p.SetSize(100, 20)
		p.View()
	}
	byWheel.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	for i := 0; i < wheelRows; i++ {
		byKeys.Update(keyDown())
	}
	if got, want := byWheel.Selection().Log.Seq, byKeys.Selection().Log.Seq; got != want {
		t.Fatalf("wheel selected #%d, three downs #%d", got, want)
	}
}

// Actions take one line or more each: a click selects the action drawn on
// the clicked line, also on its answer's line.
func TestActionsClickSelectsTheEntryOnThatLine(t *testing.T) {
	p := NewActionsPane(themes.New(themes.Dark), DefaultKeys(), trackerWithHistory(t))
	p.SetSize(100, 20)
	p.Focus()
	lines := strings.Split(ansi.Strip(p.View()), "\n")
	es := p.tr.Entries()
	for _, target := range []int{1, 3, 0} {
		seq := fmt.Sprintf("┃ %4d ", es[target].Seq) // focused: heavy border
		y := -1
		for i, l := range lines {
			if strings.HasPrefix(l, seq) {
				y = i
			}
		}
		if y < 0 {
			t.Fatalf("entry %d (#%d) not drawn:\n%s", target, es[target].Seq, strings.Join(lines, "\n"))
		}
		p.Click(3, y)
		if sel, _ := p.Selected(); sel != es[target] {
			t.Fatalf("click on line %d selected %s, want %s", y, sel.Action.ID, es[target].Action.ID)
		}
		lines = strings.Split(ansi.Strip(p.View()), "\n")
	}
	// The line under "en" is its platform error: it belongs to "en".
	for i, l := range lines {
		if strings.Contains(l, "↳") {
			p.Click(3, i)
			above := lines[i-1]
			if sel, _ := p.Selected(); !strings.Contains(above, sel.Action.ID+" on") {
				t.Fatalf("click on the answer line %d selected %s; the line above is %q", i, sel.Action.ID, above)
			}
			return
		}
	}
	t.Fatal("no answer line drawn")
}
