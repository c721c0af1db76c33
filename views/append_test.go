package views

import (
	"fmt"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/tui/topics"
)

// appendPane is a pane the root draws through AppendView.
type appendPane interface {
	Pane
	Appender
}

// AppendView must append exactly what View returns, after whatever the
// buffer held, for every pane that offers it: the root draws with it and
// the goldens are of View. A method promoted from the list base would
// draw nothing for a pane that draws itself; a pane that does work in
// View (the tree advances its order) must do it here too.
func TestAppendViewMatchesView(t *testing.T) {
	store := fixture.Fleet()
	st := themes.New(themes.Dark)
	k := treeKeys()
	logs, _ := store.LogWindow(fleet.LogFilter{}, 0, 1, nil)
	tr := topics.New(topics.Config{})
	for i := 0; i < 40; i++ {
		tr.Apply(topics.Msg{Topic: fmt.Sprintf("site/dev-%02d/temp", i), Payload: []byte(`{"t": 1}`), At: fixture.Now})
	}
	panes := map[string]func() appendPane{
		"fleet":     func() appendPane { return NewFleetPane(st, k, store) },
		"events":    func() appendPane { return NewEventsPane(st, k, store) },
		"telemetry": func() appendPane { return NewTelemetryPane(st, k, store) },
		"errors":    func() appendPane { return NewErrorsPane(st, k, store) },
		"log":       func() appendPane { return NewLogPane(st, k, store) },
		"topics": func() appendPane {
			return NewTopicsPane(st, k, tr, func() time.Time { return fixture.Now })
		},
		"detail": func() appendPane {
			p := NewDetailPane(st, k, store)
			p.SetSubject(Subject{Kind: SubjectLog, Log: *logs[0]})
			return p
		},
	}
	for name, mk := range panes {
		for _, sz := range [][2]int{{72, 14}, {120, 40}, {3, 2}} {
			t.Run(fmt.Sprintf("%s_%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				a, b := mk(), mk()
				for _, p := range []appendPane{a, b} {
					p.SetSize(sz[0], sz[1])
					p.Focus()
					p.Update(keyDown())
				}
				want := a.View()
				if sz[0] > 3 && want == "" {
					t.Fatal("View drew nothing")
				}
				buf := []byte("prefix|")
				for i := 0; i < 3; i++ { // a reused buffer draws the same
					buf = b.AppendView(buf[:len("prefix|")])
					if got := string(buf); got != "prefix|"+want {
						t.Fatalf("draw %d: AppendView appended\n%q\nView returned\n%q", i, got, want)
					}
				}
			})
		}
	}
}

// The detail pane rebuilds its content in the last one's slice and
// scratch line: a subject drawn after another (longer or shorter), and a
// live subject drawn again when the store moves, must look as they do in
// a fresh pane.
func TestDetailRedrawsLikeAFreshPane(t *testing.T) {
	store := fixture.Fleet()
	st := themes.New(themes.Light)
	logs, _ := store.LogWindow(fleet.LogFilter{}, 0, 1, nil)
	errs, _ := store.ErrorsWindow(0, 1, nil)
	subjects := []Subject{
		{Kind: SubjectSystem, Ref: fleet.Ref{Platform: "drivr", Fleet: fixture.Slug, System: fixture.System}},
		{Kind: SubjectLog, Log: *logs[0]},
		{Kind: SubjectEvent, Ref: fleet.Ref{Platform: "drivr", Fleet: fixture.Slug}, EventID: fixture.CompEv},
		{Kind: SubjectError, Error: *errs[0]},
		{},
	}
	reused := NewDetailPane(st, DefaultKeys(), store)
	reused.SetSize(72, 30)
	for round := 0; round < 2; round++ {
		for i, s := range subjects {
			fresh := NewDetailPane(st, DefaultKeys(), store)
			fresh.SetSize(72, 30)
			fresh.SetSubject(s)
			want := fresh.View()
			reused.SetSubject(s)
			if got := reused.View(); got != want {
				t.Fatalf("round %d, subject %d after another: drawn\n%s\nfresh\n%s", round, i, got, want)
			}
			reused.cacheOK = false // the store moved: drawn again
			if got := reused.View(); got != want {
				t.Fatalf("round %d, subject %d drawn again: \n%s\nfresh\n%s", round, i, got, want)
			}
		}
	}
}
