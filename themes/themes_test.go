package themes

import (
	"reflect"
	"strings"
	"testing"
)

func TestCycleVisitsEveryThemeOnce(t *testing.T) {
	seen := map[string]bool{}
	name := Dark
	for i := 0; i < len(Names()); i++ {
		if seen[name] {
			t.Fatalf("cycle revisits %q after %d steps", name, i)
		}
		seen[name] = true
		name = Next(name)
	}
	if name != Dark {
		t.Fatalf("cycle does not return to dark, got %q", name)
	}
	if got := Next("no-such-theme"); got != Dark {
		t.Fatalf("Next(unknown) = %q, want dark", got)
	}
}

func TestInitial(t *testing.T) {
	cases := []struct {
		req     string
		noColor bool
		want    string
		detect  bool
	}{
		{"", false, Dark, true},
		{Auto, false, Dark, true},
		{"", true, Mono, false},
		{Light, true, Light, false}, // an explicit choice beats NO_COLOR
		{HighContrast, false, HighContrast, false},
		{"bogus", false, Dark, true},
		{"bogus", true, Mono, false},
	}
	for _, c := range cases {
		got, detect := Initial(c.req, c.noColor)
		if got != c.want || detect != c.detect {
			t.Errorf("Initial(%q, %v) = %q, %v; want %q, %v", c.req, c.noColor, got, detect, c.want, c.detect)
		}
	}
	if ForBackground(false) != Light || ForBackground(true) != Dark {
		t.Error("ForBackground does not map light/dark backgrounds")
	}
}

// paints returns every Paint field of s by name.
func paints(s Styles) map[string]Paint {
	out := map[string]Paint{}
	v := reflect.ValueOf(s)
	for i := 0; i < v.NumField(); i++ {
		if p, ok := v.Field(i).Interface().(Paint); ok {
			out[v.Type().Field(i).Name] = p
		}
	}
	return out
}

func TestMonoEmitsNoColour(t *testing.T) {
	for name, p := range paints(New(Mono)) {
		seq := p.Seq()
		// 38/48 set foreground/background; 30-37, 40-47, 90-97 are basic colours.
		if strings.Contains(seq, "38;") || strings.Contains(seq, "48;") {
			t.Errorf("mono paint %s carries a colour: %q", name, seq)
		}
	}
}

func TestSelectionAndFocusVisibleInEveryTheme(t *testing.T) {
	for _, n := range Names() {
		s := New(n)
		if s.Name() != n {
			t.Errorf("New(%q).Name() = %q", n, s.Name())
		}
		if s.Selected.IsZero() {
			t.Errorf("%s: selected row has no style", n)
		}
		if s.TitleFocused == s.Title {
			t.Errorf("%s: focused title looks like an unfocused one", n)
		}
		if s.StatusAlert.IsZero() || s.StatusWarn.IsZero() {
			t.Errorf("%s: status warnings have no emphasis", n)
		}
	}
}

func TestColourThemesTellStatusesApart(t *testing.T) {
	for _, n := range []string{Dark, Light, HighContrast} {
		s := New(n)
		if s.OK == s.Error || s.OK == s.Warn || s.Error == s.Stale {
			t.Errorf("%s: status paints collide", n)
		}
	}
}

func TestPaintRender(t *testing.T) {
	var zero Paint
	if zero.Render("x") != "x" {
		t.Fatal("zero paint changed its text")
	}
	got := New(Dark).Error.Render("down")
	if !strings.HasPrefix(got, "\x1b[") || !strings.HasSuffix(got, "down\x1b[m") {
		t.Fatalf("Render = %q", got)
	}
	if New(Dark).Error.Render("") != "" {
		t.Fatal("empty text should stay empty")
	}
}

// Append must write exactly what Render returns, for every paint of every
// theme, the zero paint and the empty string included: panes draw with
// Append and their goldens were made with Render.
func TestAppendMatchesRender(t *testing.T) {
	for _, name := range Names() {
		for field, p := range paints(New(name)) {
			for _, s := range []string{"", "x", "● online", "─────"} {
				pre := []byte("head|")
				got := string(p.Append(pre, s))
				if want := "head|" + p.Render(s); got != want {
					t.Errorf("%s.%s.Append(%q) = %q, want %q", name, field, s, got, want)
				}
			}
		}
	}
	if got := string(Paint{}.Append(nil, "plain")); got != "plain" {
		t.Errorf("zero Paint.Append = %q, want plain", got)
	}
}
